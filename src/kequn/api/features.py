"""/api/v1/features: the feature catalog and one customer's features on a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from kequn.api.deps import EngineDep
from kequn.features import catalog, customer_features

router = APIRouter(prefix="/features", tags=["features"])


@router.get("")
def list_features() -> dict[str, Any]:
    """Every feature with its zh-CN and English names, group, type, unit and definition."""
    return catalog()


@router.get("/{customer_id}")
def get_features(engine: EngineDep, customer_id: str, as_of: date | None = None) -> dict[str, Any]:
    """The customer's features on ``as_of`` (latest snapshot by default), grouped as the catalog is."""
    return customer_features(engine, customer_id, as_of)
