"""/api/v1/tiers (智慧分层): the distribution, migration matrix, RM book sizes and the versioned scheme."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kequn.api.deps import EngineDep, WorkspaceDep
from kequn.tags.tier_scheme import scheme_from_dict
from kequn.tags.tiers import (
    current_scheme,
    rm_book_sizes,
    save_scheme,
    scheme_history,
    scheme_version,
    tier_distribution,
    tier_migration,
)

router = APIRouter(prefix="/tiers", tags=["tiers"])


class SchemeChange(BaseModel):
    """A new scheme version: the configuration (as GET /tiers/scheme returns it), who and why."""

    config: dict[str, Any] = Field(description="tiers (highest first) and assets, as in docs/tiers.md")
    changed_by: str = Field(min_length=1, description="Who makes this change")
    note: str = Field("", description="Why (kept with the version)")


@router.get("")
def distribution(engine: EngineDep, ws: WorkspaceDep, as_of: date | None = None) -> dict[str, Any]:
    """Customers, share, total and average basis AUM and watch count per tier at a snapshot."""
    return tier_distribution(engine, as_of, current_scheme(ws.database_url))


@router.get("/migration")
def migration(
    engine: EngineDep,
    ws: WorkspaceDep,
    from_date: date = Query(..., alias="from", description="Earlier snapshot date"),
    to_date: date = Query(..., alias="to", description="Later snapshot date"),
) -> dict[str, Any]:
    """The from-tier × to-tier matrix between two snapshots, with new and left customers."""
    return tier_migration(engine, from_date, to_date, current_scheme(ws.database_url))


@router.get("/books")
def books(engine: EngineDep, ws: WorkspaceDep, as_of: date | None = None) -> dict[str, Any]:
    """Per relationship manager: customers per tier against the book limit (staff.max_book)."""
    return rm_book_sizes(engine, as_of, current_scheme(ws.database_url))


@router.get("/scheme")
def get_scheme(ws: WorkspaceDep, version: int | None = Query(None, ge=0)) -> dict[str, Any]:
    """The scheme in force (or a saved version) with who changed it, when and why."""
    return scheme_version(ws.database_url, version).as_dict()


@router.get("/scheme/history")
def get_scheme_history(ws: WorkspaceDep) -> dict[str, Any]:
    """Every saved scheme version, newest first (version 0 is the shipped default)."""
    return {"items": [v.as_dict() for v in scheme_history(ws.database_url)]}


@router.put("/scheme")
def put_scheme(ws: WorkspaceDep, change: SchemeChange) -> dict[str, Any]:
    """Validate and save a new scheme version (saving the scheme in force again changes nothing)."""
    scheme = scheme_from_dict(change.config, source="tier scheme")
    return save_scheme(ws.database_url, scheme, changed_by=change.changed_by, note=change.note).as_dict()
