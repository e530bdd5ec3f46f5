"""The customer 360 view: one customer's profile, holdings, AUM, transactions, channels and sources.

Every personal field (phone, ID number, address, account numbers, e-mail) is masked unless the caller
explicitly asks otherwise (governance decides who may, issue 4).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from kequn.core.errors import NotFound, UserInputError
from kequn.core.masking import mask_account, mask_record
from kequn.customers import queries as q
from kequn.engine import Engine

REQUIRED = ("customer", "source_link", "person_record")
OPTIONAL = ("account", "product", "balance", "txn", "org", "staff", "app_event", "feedback", "consent")

_CUSTOMER_ID = re.compile(r"^K\d{6,}$")
_ID_NO = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")


def open_views(engine: Engine, as_of: date | None = None) -> tuple[date, set[str]]:
    """Expose the snapshots the view reads; returns the customer snapshot date and tables present."""
    chosen = engine.use_snapshot("customer", as_of)
    present = set()
    for table in REQUIRED + OPTIONAL:
        if engine.warehouse.has(table, chosen):
            engine.use_snapshot(table, chosen)
            present.add(table)
    missing = [t for t in REQUIRED if t not in present]
    if missing:
        raise NotFound(f"no {', '.join(missing)} snapshot on or before {chosen}: run 'kequn identity run'")
    return chosen, present


def classify_query(text: str) -> tuple[str, str]:
    """What a search string is: ('customer_id'|'phone'|'id_no'|'name', normalised value).

    >>> classify_query("+86 138 1234 5678")
    ('phone', '13812345678')
    >>> classify_query("11010119900307123x")
    ('id_no', '11010119900307123X')
    >>> classify_query("K0000000042")
    ('customer_id', 'K0000000042')
    >>> classify_query(" 王伟 ")
    ('name', '王伟')
    """
    value = text.strip()
    if not value:
        raise UserInputError("search: empty query; give a customer id, phone, ID number or name")
    if _CUSTOMER_ID.match(value):
        return "customer_id", value
    if _ID_NO.match(value):
        return "id_no", value.upper()
    digits = re.sub(r"[\s\-+()]", "", value)
    if digits.isdigit() and 7 <= len(digits) <= 13:
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        return "phone", digits
    return "name", value


@lru_cache(maxsize=2)
def _converter(config: str) -> Any:
    from opencc import OpenCC

    return OpenCC(config)


def name_variants(name: str) -> list[str]:
    """The name as typed plus its simplified and traditional forms (张偉 finds 张伟 and 張偉)."""
    forms = [name, _converter("t2s").convert(name), _converter("s2t").convert(name)]
    return sorted(set(forms))


def _ids_query(kind: str, value: str) -> tuple[str, list[object]]:
    if kind == "customer_id":
        return q.search_by_customer_id(value)
    if kind == "phone":
        return q.search_by_phone(value)
    if kind == "id_no":
        return q.search_by_id_no(value)
    return q.search_by_name(name_variants(value))


def search_customers(
    engine: Engine, text: str, *, as_of: date | None = None, limit: int = 20, masked: bool = True
) -> list[dict[str, Any]]:
    """Customers matching a customer id, phone, ID number or name (any source's spelling)."""
    open_views(engine, as_of)
    kind, value = classify_query(text)
    ids_sql, params = _ids_query(kind, value)
    rows = _rows(engine, q.hits(ids_sql, limit), params)
    return [_clean(mask_record(r) if masked else r) for r in rows]


def customer_360(
    engine: Engine, customer_id: str, *, as_of: date | None = None, masked: bool = True
) -> dict[str, Any]:
    """Everything kequn knows about one customer on ``as_of`` (latest snapshot by default)."""
    snapshot, present = open_views(engine, as_of)
    day = as_of or snapshot
    profile = _profile(engine, customer_id, present)
    view: dict[str, Any] = {"customer_id": customer_id, "as_of": day, "profile": profile}
    view.update(_assets(engine, customer_id, day, present))
    view["transactions"] = _transactions(engine, customer_id, day, present)
    view["channels"] = _channels(engine, customer_id, day, present)
    view["linked_records"] = _rows(engine, *q.linked_records(customer_id))
    if masked:
        _mask_view(view)
    return _clean(view)


def _profile(engine: Engine, customer_id: str, present: set[str]) -> dict[str, Any]:
    builder = q.profile if {"org", "staff"} <= present else q.profile_without_org
    rows = _rows(engine, *builder(customer_id))
    if not rows:
        raise NotFound(f"customer {customer_id} not found")
    return rows[0]


def _assets(engine: Engine, customer_id: str, day: date, present: set[str]) -> dict[str, Any]:
    if not {"account", "product", "balance"} <= present:
        return {"holdings": [], "aum": 0, "mad_aum": 0, "liabilities": 0, "aum_series": []}
    holdings = _rows(engine, *q.holdings(customer_id, day))
    assets = q.ASSET_CATEGORIES
    return {
        "holdings": holdings,
        "aum": sum(h["balance"] for h in holdings if h["category"] in assets and not h["closed_on"]),
        "liabilities": sum(h["balance"] for h in holdings if h["category"] in q.LIABILITY_CATEGORIES),
        "mad_aum": engine.scalar(*q.monthly_average_daily_aum(customer_id, day)) or 0,
        "aum_series": _rows(engine, *q.daily_aum_series(customer_id, day)),
    }


def _transactions(engine: Engine, customer_id: str, day: date, present: set[str]) -> dict[str, Any]:
    if not {"txn", "account"} <= present:
        return {"summary": [], "recent": []}
    return {
        "summary": _rows(engine, *q.transaction_summary(customer_id, day)),
        "recent": _rows(engine, *q.recent_transactions(customer_id, day)),
    }


def _channels(engine: Engine, customer_id: str, day: date, present: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"app": None, "consents": [], "feedback": []}
    if "app_event" in present:
        out["app"] = _rows(engine, *q.channel_activity(customer_id, day))[0]
    if "consent" in present:
        out["consents"] = _rows(engine, *q.consents(customer_id))
    if "feedback" in present:
        out["feedback"] = _rows(engine, *q.feedback(customer_id))
    return out


def _mask_view(view: dict[str, Any]) -> None:
    view["profile"] = mask_record(view["profile"])
    view["linked_records"] = [mask_record(r) for r in view["linked_records"]]
    for h in view["holdings"]:
        h["account_id"] = mask_account(h["account_id"])
    for t in view["transactions"]["recent"]:
        t["account_id"] = mask_account(t["account_id"])


def _rows(engine: Engine, sql: str, params: list[object] | None = None) -> list[dict[str, Any]]:
    return engine.query(sql, params).to_pylist()


def _clean(value: Any) -> Any:
    """Decimals to floats so views serialise the same in the CLI, JSON and templates."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
