"""Tier scheme versions in the operational store (``tier_scheme``): who changed it, when, and why.

Nothing is updated in place: each change adds a version, and the highest version is the scheme in force.
With no version saved yet, the shipped default (version 0) is in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kequn.core.errors import NotFound, UserInputError
from kequn.store import session_scope, upgrade_store
from kequn.store.models import TierScheme as TierSchemeRow
from kequn.tags.tier_scheme import DEFAULT_SCHEME, TierScheme, scheme_from_dict

SYSTEM = "kequn"


@dataclass(frozen=True)
class SchemeVersion:
    """One saved version of the scheme with its change record."""

    scheme: TierScheme
    changed_by: str
    changed_at: datetime | None
    note: str

    @property
    def version(self) -> int:
        return self.scheme.version

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat(timespec="seconds") if self.changed_at else None,
            "note": self.note,
            "config": self.scheme.to_dict(),
        }


DEFAULT_VERSION = SchemeVersion(DEFAULT_SCHEME, SYSTEM, None, "shipped default (DOMAIN.md §1)")


@lru_cache(maxsize=8)
def _ready(store_url: str) -> None:
    upgrade_store(store_url)


def _from_row(row: TierSchemeRow) -> SchemeVersion:
    scheme = scheme_from_dict(row.config, source=f"tier scheme v{row.version}", version=row.version)
    return SchemeVersion(scheme, row.changed_by, row.changed_at, row.change_note or "")


def scheme_version(store_url: str, version: int | None = None) -> SchemeVersion:
    """The scheme in force (``version=None``) or one saved version; version 0 is the shipped default."""
    if version == 0:
        return DEFAULT_VERSION
    _ready(store_url)
    with session_scope(store_url) as s:
        query = select(TierSchemeRow).order_by(TierSchemeRow.version.desc()).limit(1)
        if version is not None:
            query = select(TierSchemeRow).where(TierSchemeRow.version == version)
        row = s.scalars(query).first()
        if row is None and version is not None:
            raise NotFound(f"tier scheme version {version} does not exist")
        return _from_row(row) if row is not None else DEFAULT_VERSION


def current_scheme(store_url: str) -> TierScheme:
    """The scheme the next tier computation uses."""
    return scheme_version(store_url).scheme


def scheme_history(store_url: str) -> list[SchemeVersion]:
    """Every saved version, newest first, ending with the shipped default."""
    _ready(store_url)
    with session_scope(store_url) as s:
        rows = s.scalars(select(TierSchemeRow).order_by(TierSchemeRow.version.desc())).all()
        return [_from_row(r) for r in rows] + [DEFAULT_VERSION]


def save_scheme(store_url: str, scheme: TierScheme, *, changed_by: str, note: str = "") -> SchemeVersion:
    """Save ``scheme`` as a new version; saving the scheme already in force changes nothing (idempotent)."""
    if not changed_by.strip():
        raise UserInputError("a tier scheme change needs who makes it (--by / changed_by)")
    current = scheme_version(store_url)
    if current.scheme.to_dict() == scheme.to_dict():
        return current
    _ready(store_url)
    try:
        with session_scope(store_url) as s:
            latest = s.scalar(select(func.max(TierSchemeRow.version))) or 0
            row = TierSchemeRow(
                version=latest + 1, config=scheme.to_dict(), changed_by=changed_by.strip(), change_note=note
            )
            s.add(row)
    except IntegrityError:
        raise UserInputError("the tier scheme was changed by someone else at the same time; retry") from None
    return scheme_version(store_url, latest + 1)


__all__ = ["SchemeVersion", "current_scheme", "save_scheme", "scheme_history", "scheme_version"]
