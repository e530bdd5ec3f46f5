"""What tiers tell operations: the distribution, the migration matrix between two dates, RM book sizes.

Each report aggregates in SQL (``tier_sql``) and returns JSON-ready dicts; Python only arranges the few
per-tier or per-RM rows in the scheme's order.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kequn.core.errors import SnapshotMissing, UserInputError
from kequn.engine.base import Engine
from kequn.tags.tier_months import basis_month_end, in_force_from, month_label
from kequn.tags.tier_scheme import DEFAULT_SCHEME, RESERVED_CODES, TierScheme
from kequn.tags.tier_sql import books_sql, distribution_sql, migration_sql, without_rm_sql

NEW, LEFT = RESERVED_CODES


def _ordered(codes: set[str], scheme: TierScheme) -> list[str]:
    """The scheme's tiers (highest first), then any code an older scheme wrote, alphabetically."""
    return list(scheme.codes) + sorted(codes - set(scheme.codes))


def _tier_info(code: str, scheme: TierScheme) -> dict[str, Any]:
    tier = scheme.tier(code)
    return {
        "tier": code,
        "name_zh": tier.name_zh if tier else code,
        "name_en": tier.name_en if tier else code,
        "service_model": tier.service_model if tier else None,
    }


def _snapshot_info(day: date) -> dict[str, Any]:
    return {
        "as_of": day.isoformat(),
        "basis_month": month_label(basis_month_end(day)),
        "in_force_month": month_label(in_force_from(day)),
    }


def tier_distribution(
    engine: Engine, as_of: date | None = None, scheme: TierScheme | None = None
) -> dict[str, Any]:
    """Customers, share, total and average basis AUM, and customers on watch, per tier.

    Reads the tiers snapshot at ``as_of`` (or the latest on or before it; the latest when None).
    """
    scheme = scheme or DEFAULT_SCHEME
    day = engine.use_snapshot("tiers", as_of, alias="tier_current")
    found = {r["tier"]: r for r in engine.query(distribution_sql()).to_pylist()}
    total = sum(r["customers"] for r in found.values())
    rows = []
    for code in _ordered(set(found), scheme):
        r = found.get(code, {})
        customers = int(r.get("customers") or 0)
        rows.append(
            _tier_info(code, scheme)
            | {
                "customers": customers,
                "share": customers / total if total else 0.0,
                "basis_aum": float(r.get("basis_aum") or 0.0),
                "avg_basis_aum": float(r["avg_basis_aum"]) if r.get("avg_basis_aum") is not None else None,
                "watch": int(r.get("watch") or 0),
            }
        )
    versions = {r["scheme_version"] for r in found.values()}
    return _snapshot_info(day) | {
        "scheme_version": versions.pop() if len(versions) == 1 else None,
        "customers": total,
        "basis_aum": sum(r["basis_aum"] for r in rows),
        "watch": sum(r["watch"] for r in rows),
        "tiers": rows,
    }


def tier_migration(
    engine: Engine, from_date: date, to_date: date, scheme: TierScheme | None = None
) -> dict[str, Any]:
    """Customers per (tier at ``from_date``, tier at ``to_date``), with ``new`` and ``left`` customers.

    ``matrix[from][to]`` counts customers; rows are the from-tiers then ``new`` (absent at ``from_date``),
    columns the to-tiers then ``left`` (absent at ``to_date``). ``summary`` counts upgrades and downgrades
    among customers present at both dates (rates are over those customers).
    """
    scheme = scheme or DEFAULT_SCHEME
    if from_date >= to_date:
        raise UserInputError(f"migration: --from {from_date} must be before --to {to_date}")
    start = engine.use_snapshot("tiers", from_date, alias="tier_from")
    end = engine.use_snapshot("tiers", to_date, alias="tier_to")
    if start == end:
        raise UserInputError(f"migration: {from_date} and {to_date} both read the tiers snapshot of {start}")
    cells = engine.query(migration_sql()).to_pylist()
    seen = {c["from_tier"] for c in cells} | {c["to_tier"] for c in cells}
    codes = _ordered(seen - set(RESERVED_CODES), scheme)
    matrix = {f: dict.fromkeys([*codes, LEFT], 0) for f in [*codes, NEW]}
    for cell in cells:
        matrix[cell["from_tier"]][cell["to_tier"]] = int(cell["customers"])
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "tiers": [_tier_info(c, scheme) for c in codes],
        "matrix": matrix,
        "summary": _migration_summary(matrix, codes, scheme),
    }


def _migration_summary(
    matrix: dict[str, dict[str, int]], codes: list[str], scheme: TierScheme
) -> dict[str, Any]:
    rank = {c: scheme.rank(c) for c in codes}
    moves = {"upgraded": 0, "downgraded": 0, "unchanged": 0, "other": 0}
    for f in codes:
        for t in codes:
            n = matrix[f][t]
            if f == t:
                moves["unchanged"] += n
            elif rank[f] is None or rank[t] is None:
                moves["other"] += n  # a code only one scheme version has: neither up nor down
            else:
                moves["upgraded" if rank[t] > rank[f] else "downgraded"] += n  # type: ignore[operator]
    stayed = sum(moves.values())
    return moves | {
        "stayed": stayed,
        "new": sum(matrix[NEW].values()),
        "left": sum(matrix[f][LEFT] for f in codes),
        "upgrade_rate": moves["upgraded"] / stayed if stayed else 0.0,
        "downgrade_rate": moves["downgraded"] / stayed if stayed else 0.0,
    }


def _use_staff(engine: Engine, day: date) -> date:
    """The staff snapshot at or before ``day``, else the earliest after it (the point-in-time rule)."""
    try:
        return engine.use_snapshot("staff", day, alias="tier_staff")
    except SnapshotMissing:
        later = engine.warehouse.snapshots("staff")
        if not later:
            raise
        return engine.use_snapshot("staff", later[0], alias="tier_staff")


def rm_book_sizes(
    engine: Engine, as_of: date | None = None, scheme: TierScheme | None = None
) -> dict[str, Any]:
    """Per relationship manager: customers per tier, RM-served customers against ``staff.max_book``.

    ``rm_served`` counts the customers whose tier is served by an RM (service model ``rm``); an RM is over
    capacity when that exceeds a positive ``max_book``. ``without_rm`` counts, per tier, RM-served customers
    whose ``rm_id`` is empty or names no one with a book (e.g. a digital-operations colleague).
    """
    scheme = scheme or DEFAULT_SCHEME
    day = engine.use_snapshot("tiers", as_of, alias="tier_current")
    staff_day = _use_staff(engine, day)
    present = {r["tier"] for r in engine.query("SELECT DISTINCT tier FROM tier_current").to_pylist()}
    codes = _ordered(present, scheme)
    sql = books_sql(tuple(codes)) + " ORDER BY rm_id"
    rms = [_book_row(r, codes) for r in engine.query(sql).to_pylist()]
    rms.sort(key=lambda r: -(r["utilisation"] or 0.0))  # fullest books first (stable: rm_id within)
    without = {r["tier"]: int(r["customers"]) for r in engine.query(without_rm_sql()).to_pylist()}
    return _snapshot_info(day) | {
        "staff_as_of": staff_day.isoformat(),
        "tiers": [_tier_info(c, scheme) for c in codes],
        "rms": rms,
        "over_capacity": sum(r["over_capacity"] for r in rms),
        "without_rm": {c: without.get(c, 0) for c in codes if c in without},
    }


def _book_row(r: dict[str, Any], codes: list[str]) -> dict[str, Any]:
    limit = int(r["max_book"]) if r["max_book"] is not None else None
    served = int(r["rm_served"])
    capacity = limit is not None and limit > 0
    return {
        "rm_id": r["rm_id"],
        "name": r["name"],
        "org_id": r["org_id"],
        "role": r["role"],
        "max_book": limit,
        "tiers": {c: int(r[f"n_{c}"]) for c in codes},
        "rm_served": served,
        "customers": int(r["customers"]),
        "utilisation": served / limit if capacity and limit else None,
        "over_capacity": bool(capacity and limit is not None and served > limit),
    }
