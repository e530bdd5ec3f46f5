"""Console pages: customer search (HTMX) and the customer 360 page."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kequn.api.deps import EngineDep
from kequn.console.render import render
from kequn.customers import customer_360, search_customers

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
def customer_page(request: Request, engine: EngineDep, customer_id: str) -> HTMLResponse:
    view = customer_360(engine, customer_id)
    series = {
        "days": [str(p["day"]) for p in view["aum_series"]],
        "aum": [round(p["aum"], 2) for p in view["aum_series"]],
    }
    return render(request, "customer.html", {"v": view, "series_json": json.dumps(series)})
