"""/api/v1/customers: search and the 360 view."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query

from kequn.api.deps import EngineDep
from kequn.customers import customer_360, search_customers

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("")
def search(
    engine: EngineDep,
    q: str = Query(..., description="Customer id, phone, ID number or name", min_length=1),
    as_of: date | None = None,
    limit: int = Query(20, ge=1, le=200),
) -> dict[str, Any]:
    """Customers matching a query (personal fields masked)."""
    return {"items": search_customers(engine, q, as_of=as_of, limit=limit)}


@router.get("/{customer_id}")
def get_customer(engine: EngineDep, customer_id: str, as_of: date | None = None) -> dict[str, Any]:
    """The 360 view of one customer: profile, holdings, AUM, transactions, channels, linked records."""
    return customer_360(engine, customer_id, as_of=as_of)
