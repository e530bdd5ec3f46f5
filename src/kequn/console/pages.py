"""Console pages: customer search (HTMX) and the customer 360 page."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kequn.api.deps import EngineDep, WorkspaceDep
from kequn.console.render import render
from kequn.core.errors import NotFound
from kequn.customers import customer_360, search_customers
from kequn.engine import Engine

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "search.html", {"q": "", "hits": None})


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, engine: EngineDep, q: str = "") -> HTMLResponse:
    hits = search_customers(engine, q) if q.strip() else []
    partial = request.headers.get("HX-Request") == "true"
    return render(request, "_results.html" if partial else "search.html", {"q": q, "hits": hits})


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(request: Request, engine: EngineDep, ws: WorkspaceDep, customer_id: str) -> HTMLResponse:
    view = customer_360(engine, customer_id)
    series = {
        "days": [str(p["day"]) for p in view["aum_series"]],
        "aum": [round(p["aum"], 2) for p in view["aum_series"]],
    }
    tags = _tags_or_none(engine, customer_id, ws.database_url)
    return render(request, "customer.html", {"v": view, "series_json": json.dumps(series), "tags": tags})


def _tags_or_none(engine: Engine, customer_id: str, store_url: str) -> dict | None:
    """The customer's tags and tier on the latest snapshot, or None before the first daily run."""
    from kequn.tags.compute import customer_tags

    try:
        result = customer_tags(engine, customer_id, store_url=store_url)
    except NotFound:  # also SnapshotMissing: no daily run yet
        return None
    shown = [t for t in result["tags"] if t["value"] not in (None, False)]
    return result | {"shown": sorted(shown, key=lambda t: (t["group"], t["name"]))}
