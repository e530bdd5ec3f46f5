"""Manual OneID decisions kept in the operational store and applied on every run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select

from kequn.core.errors import UserInputError
from kequn.identity.cluster import Overrides
from kequn.store import IdentityOverride, session_scope, upgrade_store

RecordRef = tuple[str, str]


@dataclass(frozen=True)
class OverrideView:
    id: int
    kind: str
    a: str
    b: str | None
    created_by: str
    reason: str
    created_at: datetime | None


@lru_cache(maxsize=8)
def _ready(store_url: str) -> None:
    upgrade_store(store_url)


def parse_ref(text: str) -> RecordRef:
    """``"core:C0000000001"`` → ``("core", "C0000000001")``; the key may itself contain colons."""
    source, sep, key = text.partition(":")
    if not sep or not source or not key:
        raise UserInputError(f"record reference {text!r}: expected SOURCE:KEY (e.g. core:C0000000001)")
    return source, key


def _check(by: str, why: str) -> None:
    if not by.strip() or not why.strip():
        raise UserInputError("an identity override needs who made it (--by) and why (--reason)")


def add_merge(store_url: str, a: RecordRef, b: RecordRef, by: str, why: str) -> int:
    """Record that person records ``a`` and ``b`` are the same customer; returns the override id."""
    _check(by, why)
    if tuple(a) == tuple(b):
        raise UserInputError("a merge needs two different records")
    row = IdentityOverride(kind="merge", source_a=a[0], key_a=a[1], source_b=b[0], key_b=b[1])
    return _add(store_url, row, by, why)


def add_split(store_url: str, rec: RecordRef, by: str, why: str) -> int:
    """Record that person record ``rec`` must stand apart from every automatic link; returns the id."""
    _check(by, why)
    return _add(store_url, IdentityOverride(kind="split", source_a=rec[0], key_a=rec[1]), by, why)


def _add(store_url: str, row: IdentityOverride, by: str, why: str) -> int:
    row.created_by, row.reason, row.active = by.strip(), why.strip(), True
    _ready(store_url)
    with session_scope(store_url) as session:
        session.add(row)
        session.flush()
        return int(row.id)


def list_overrides(store_url: str, *, include_inactive: bool = False) -> list[OverrideView]:
    """Overrides, oldest first."""
    _ready(store_url)
    query = select(IdentityOverride).order_by(IdentityOverride.id)
    if not include_inactive:
        query = query.where(IdentityOverride.active.is_(True))
    with session_scope(store_url) as session:
        return [_view(o) for o in session.scalars(query)]


def _view(o: IdentityOverride) -> OverrideView:
    b = f"{o.source_b}:{o.key_b}" if o.source_b is not None else None
    return OverrideView(o.id, o.kind, f"{o.source_a}:{o.key_a}", b, o.created_by, o.reason, o.created_at)


def load_overrides(store_url: str | None) -> Overrides:
    """The active overrides as record ids (``source:source_key``) for the matcher."""
    if not store_url:
        return Overrides()
    views = list_overrides(store_url)
    merges = tuple((v.a, v.b) for v in views if v.kind == "merge" and v.b)
    splits = tuple(v.a for v in views if v.kind == "split")
    return Overrides(merges=merges, splits=splits)
