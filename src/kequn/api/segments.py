"""/api/v1/segments: rule, static and clustering segments; counts, profiles, members, exports, overlap."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from kequn.api.deps import EngineDep, WorkspaceDep
from kequn.core.errors import UserInputError
from kequn.tags import segments
from kequn.tags.segment_upload import parse_id_text

router = APIRouter(prefix="/segments", tags=["segments"])


class SegmentCreate(BaseModel):
    """A new segment: ``expression`` for a rule, ``customer_ids`` or ``ids_text`` for a static list,
    ``features`` (and optionally ``k``, ``seed``) for a clustering."""

    kind: Literal["rule", "static", "cluster"]
    name_zh: str = Field(min_length=1, max_length=128)
    name_en: str | None = Field(default=None, max_length=128)
    owner: str = "api"
    description: str = ""
    expression: str | None = None
    customer_ids: list[str] | None = None
    ids_text: str | None = Field(default=None, description="CSV with customer_id, or one id per line")
    features: list[str] | None = None
    k: int | None = Field(default=None, ge=2, le=20)
    seed: int | None = None
    as_of: date | None = None


class CountRequest(BaseModel):
    expression: str
    as_of: date | None = None


def _create(engine: Any, url: str, body: SegmentCreate) -> Any:
    if body.kind == "rule":
        return segments.create_rule_segment(
            engine,
            url,
            name_zh=body.name_zh,
            name_en=body.name_en,
            owner=body.owner,
            description=body.description,
            expression=body.expression or "",
            as_of=body.as_of,
        )
    if body.kind == "static":
        return segments.create_static_segment(
            engine,
            url,
            name_zh=body.name_zh,
            name_en=body.name_en,
            owner=body.owner,
            description=body.description,
            ids=parse_id_text(_ids_text(body)),
            source="api",
        )
    return segments.create_cluster_segment(
        engine,
        url,
        name_zh=body.name_zh,
        name_en=body.name_en,
        owner=body.owner,
        description=body.description,
        features=body.features or [],
        k=body.k,
        as_of=body.as_of,
        seed=segments.DEFAULT_SEED if body.seed is None else body.seed,
    )


def _ids_text(body: SegmentCreate) -> str:
    if body.ids_text is not None:
        return body.ids_text
    if body.customer_ids is not None:
        return "\n".join(body.customer_ids)
    raise UserInputError("a static segment needs customer_ids or ids_text")


@router.post("", status_code=201)
def create_segment(engine: EngineDep, ws: WorkspaceDep, body: SegmentCreate) -> dict[str, Any]:
    """Create a segment (the static upload report, or the cluster descriptions, are in ``config``)."""
    return _create(engine, ws.database_url, body).as_dict()


@router.get("")
def list_segments(ws: WorkspaceDep, status: Literal["active", "retired"] | None = None) -> dict[str, Any]:
    return {"items": [s.as_dict() for s in segments.list_segments(ws.database_url, status=status)]}


@router.post("/count")
def live_count(engine: EngineDep, ws: WorkspaceDep, body: CountRequest) -> dict[str, Any]:
    """How many customers meet an expression on the latest snapshot (or on/before ``as_of``)."""
    count = segments.live_count(engine, body.expression, body.as_of, store_url=ws.database_url)
    return {"expression": body.expression, "count": count}


@router.get("/overlap")
def overlap(
    engine: EngineDep,
    ws: WorkspaceDep,
    ids: str = Query(..., description="Comma-separated segment ids (two or more)"),
    as_of: date | None = None,
) -> dict[str, Any]:
    """Sizes, pairwise shared members and Jaccard index of the chosen segments."""
    return segments.segment_overlap(
        engine, ws.database_url, [i.strip() for i in ids.split(",") if i.strip()], as_of
    )


@router.get("/{segment_id}")
def get_segment(ws: WorkspaceDep, segment_id: str) -> dict[str, Any]:
    return segments.get_segment(ws.database_url, segment_id).as_dict()


@router.post("/{segment_id}/retire")
def retire_segment(ws: WorkspaceDep, segment_id: str) -> dict[str, Any]:
    return segments.retire_segment(ws.database_url, segment_id).as_dict()


@router.get("/{segment_id}/count")
def segment_count(
    engine: EngineDep, ws: WorkspaceDep, segment_id: str, as_of: date | None = None
) -> dict[str, Any]:
    return {
        "segment_id": segment_id,
        "count": segments.segment_count(engine, ws.database_url, segment_id, as_of),
    }


@router.get("/{segment_id}/profile")
def segment_profile(
    engine: EngineDep,
    ws: WorkspaceDep,
    segment_id: str,
    as_of: date | None = None,
    top: int = Query(15, ge=1, le=200),
    cluster: int | None = None,
) -> dict[str, Any]:
    """The segment against the whole base, most distinctive features and tags first."""
    return segments.segment_profile(engine, ws.database_url, segment_id, as_of, top=top, cluster=cluster)


@router.get("/{segment_id}/members")
def segment_members(
    engine: EngineDep,
    ws: WorkspaceDep,
    segment_id: str,
    as_of: date | None = None,
    page: int = Query(1, ge=1),
    size: int = Query(100, ge=1, le=segments.PAGE_MAX),
) -> dict[str, Any]:
    return segments.segment_members(engine, ws.database_url, segment_id, as_of, page=page, size=size)


@router.get("/{segment_id}/export")
def export_segment(
    engine: EngineDep, ws: WorkspaceDep, segment_id: str, as_of: date | None = None
) -> Response:
    """The members as CSV (customer_id, and cluster for clusterings; no personal data)."""
    text = segments.export_csv_text(engine, ws.database_url, segment_id, as_of)
    headers = {"Content-Disposition": f'attachment; filename="{segment_id}.csv"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
