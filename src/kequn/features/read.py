"""Reading published features: one customer's row, grouped as the catalog groups them."""

from __future__ import annotations

from datetime import date
from typing import Any

from kequn.core.errors import NotFound, SnapshotMissing
from kequn.engine import Engine
from kequn.features.catalog import FEATURES, GROUPS
from kequn.features.compute import TABLE


def features_date(engine: Engine, as_of: date | None = None) -> date:
    """The features snapshot to read: ``as_of`` itself, or the latest one when None."""
    published = engine.warehouse.snapshots(TABLE)
    if as_of is None and published:
        return published[-1]
    if as_of is not None and as_of in published:
        return as_of
    when = f" at {as_of}" if as_of else ""
    hint = f" --as-of {as_of}" if as_of else ""
    raise SnapshotMissing(f"no features snapshot{when}: run 'kequn features compute{hint}'")


def read_features(engine: Engine, customer_id: str, as_of: date | None = None) -> dict[str, Any]:
    """One customer's features on ``as_of`` (latest snapshot by default): {feature name: value}."""
    day = features_date(engine, as_of)
    engine.use_snapshot(TABLE, day, alias="features_view")
    rows = engine.query("SELECT * FROM features_view WHERE customer_id = ?", [customer_id]).to_pylist()
    if not rows:
        raise NotFound(f"customer '{customer_id}' has no features on {day}")
    return {f.name: rows[0][f.name] for f in FEATURES}


def customer_features(engine: Engine, customer_id: str, as_of: date | None = None) -> dict[str, Any]:
    """The customer's features on ``as_of`` in catalog groups, each value with its names and unit."""
    day = features_date(engine, as_of)
    values = read_features(engine, customer_id, day)
    groups = []
    for code, (zh, en) in GROUPS.items():
        items = [
            {
                "name": f.name,
                "name_zh": f.name_zh,
                "name_en": f.name_en,
                "unit": f.unit,
                "value": values[f.name],
            }
            for f in FEATURES
            if f.group == code
        ]
        groups.append({"group": code, "name_zh": zh, "name_en": en, "features": items})
    return {"customer_id": customer_id, "as_of": day, "groups": groups}


def catalog() -> dict[str, Any]:
    """The feature catalog as plain data (API, console)."""
    return {
        "groups": [{"group": code, "name_zh": zh, "name_en": en} for code, (zh, en) in GROUPS.items()],
        "features": [
            {
                "name": f.name,
                "dtype": f.dtype,
                "group": f.group,
                "name_zh": f.name_zh,
                "name_en": f.name_en,
                "unit": f.unit,
                "description": f.description,
            }
            for f in FEATURES
        ],
    }
