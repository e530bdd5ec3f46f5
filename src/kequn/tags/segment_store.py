"""Segment definitions in the operational store (``segment``, ``segment_list_member``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import pyarrow as pa
from sqlalchemy import func, insert, select

from kequn.core.errors import NotFound, UserInputError
from kequn.store import Segment, SegmentListMember, session_scope, upgrade_store

KINDS = ("rule", "static", "cluster")
ACTIVE, RETIRED = "active", "retired"


@dataclass(frozen=True)
class SegmentDef:
    """A segment as the rest of kequn sees it (the store row, detached)."""

    segment_id: str
    name_zh: str
    name_en: str
    kind: str
    owner: str
    expression: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    status: str = ACTIVE
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def label(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh

    def as_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for key in ("created_at", "updated_at"):
            out[key] = out[key].isoformat(timespec="seconds") if out[key] else None
        return out


@lru_cache(maxsize=8)
def ready(store_url: str) -> None:
    """Bring the store schema up to date once per process and URL."""
    upgrade_store(store_url)


def new_segment_id() -> str:
    """A short random id (``seg_`` + 8 hex digits): unique without a counter to contend for."""
    return "seg_" + secrets.token_hex(4)


def check_names(name_zh: str, name_en: str, owner: str) -> None:
    if not name_zh.strip() or not name_en.strip():
        raise UserInputError("a segment needs a name (zh-CN and English; the English one defaults to it)")
    if len(name_zh) > 128 or len(name_en) > 128:
        raise UserInputError("a segment name is at most 128 characters")
    if not owner.strip():
        raise UserInputError("a segment needs an owner")


def save_segment(store_url: str, seg: SegmentDef, list_ids: list[str] | None = None) -> SegmentDef:
    """Insert a new segment (and its uploaded list); returns it as stored."""
    ready(store_url)
    now = datetime.now().replace(microsecond=0)
    with session_scope(store_url) as s:
        s.add(_to_row(seg, now))
        s.flush()
        if list_ids:
            rows = [{"segment_id": seg.segment_id, "customer_id": cid} for cid in list_ids]
            s.execute(insert(SegmentListMember), rows)
    return get_segment_def(store_url, seg.segment_id)


def _to_row(seg: SegmentDef, now: datetime) -> Segment:
    return Segment(
        segment_id=seg.segment_id,
        name_zh=seg.name_zh,
        name_en=seg.name_en,
        kind=seg.kind,
        expression=seg.expression,
        config=seg.config,
        description=seg.description,
        owner=seg.owner,
        status=seg.status,
        version=seg.version,
        created_at=now,
        updated_at=now,
    )


def _from_row(row: Segment) -> SegmentDef:
    return SegmentDef(
        segment_id=row.segment_id,
        name_zh=row.name_zh,
        name_en=row.name_en,
        kind=row.kind,
        owner=row.owner,
        expression=row.expression,
        config=dict(row.config or {}),
        description=row.description,
        status=row.status,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def get_segment_def(store_url: str, segment_id: str) -> SegmentDef:
    ready(store_url)
    with session_scope(store_url) as s:
        row = s.get(Segment, segment_id)
        if row is None:
            raise NotFound(f"segment '{segment_id}' not found")
        return _from_row(row)


def list_segment_defs(
    store_url: str, *, status: str | None = None, kind: str | None = None
) -> list[SegmentDef]:
    """Segments, newest first (optionally only one status or kind)."""
    ready(store_url)
    query = select(Segment).order_by(Segment.created_at.desc(), Segment.segment_id)
    if status:
        query = query.where(Segment.status == status)
    if kind:
        query = query.where(Segment.kind == kind)
    with session_scope(store_url) as s:
        return [_from_row(r) for r in s.scalars(query)]


def set_status(store_url: str, segment_id: str, status: str) -> SegmentDef:
    ready(store_url)
    with session_scope(store_url) as s:
        row = s.get(Segment, segment_id)
        if row is None:
            raise NotFound(f"segment '{segment_id}' not found")
        row.status = status
        row.updated_at = datetime.now().replace(microsecond=0)
        return _from_row(row)


def list_size(store_url: str, segment_id: str) -> int:
    with session_scope(store_url) as s:
        query = select(func.count()).where(SegmentListMember.segment_id == segment_id)
        return int(s.scalar(query) or 0)


def static_lists(store_url: str, segment_ids: list[str]) -> pa.Table:
    """The uploaded lists of ``segment_ids`` as one Arrow table (segment_id, customer_id)."""
    ready(store_url)
    query = select(SegmentListMember.segment_id, SegmentListMember.customer_id).where(
        SegmentListMember.segment_id.in_(segment_ids)
    )
    with session_scope(store_url) as s:
        rows = s.execute(query).all()
    return pa.table(
        {
            "segment_id": pa.array([r[0] for r in rows], pa.string()),
            "customer_id": pa.array([r[1] for r in rows], pa.string()),
        }
    )
