"""Creating a clustering segment: pick and check the features, sample the audience, fit, describe, save."""

from __future__ import annotations

import difflib
from datetime import date
from typing import Any

import numpy as np

from kequn.core.errors import UserInputError
from kequn.engine.base import Engine
from kequn.tags import clustering, segment_sql
from kequn.tags.segment_audience import fields, namespace, open_audience_view
from kequn.tags.segment_profile import audience_fields

DEFAULT_SEED = 20240601
TRAINING_ROWS = 100_000  # larger bases are clustered on a fixed sample of this many customers
SCALING_NOTE = (
    "signed log1p for money features; numbers standard-scaled (mean, population sd); yes/no centred"
)
MONEY_UNITS = ("CNY", "RMB", "元")


def train(
    engine: Engine,
    store_url: str,
    features: list[str],
    *,
    k: int | None,
    seed: int,
    as_of: date | None,
    training_rows: int = TRAINING_ROWS,
) -> dict[str, Any]:
    """The config of a new clustering segment: the fitted model, its cluster descriptions and provenance."""
    day = open_audience_view(engine, as_of)
    specs = feature_specs(engine, features, day, store_url)
    raw, base = _training_matrix(engine, specs, training_rows)
    model = clustering.fit_clusters(raw, specs, k=k, seed=seed)
    sizes = _cluster_sizes(engine, clustering.assignment_sql(model), model.k)
    return {
        **model.as_config(),
        "clusters": clustering.describe(model, specs, sizes),
        "scaling": SCALING_NOTE,
        "k_range": [min(clustering.K_RANGE), max(clustering.K_RANGE)],
        "trained_on": day.isoformat(),
        "training_rows": int(raw.shape[0]),
        "base_rows": base,
    }


def feature_specs(
    engine: Engine, names: list[str], day: date, store_url: str
) -> list[clustering.FeatureSpec]:
    """Specs of the chosen features: numbers or yes/no columns of the audience, named from the catalogs."""
    names = [n.strip() for n in names if n.strip()]
    if not names:
        raise UserInputError("clustering needs at least one feature (--features f1,f2,...)")
    if len(set(names)) != len(names):
        raise UserInputError("a clustering feature is listed twice")
    known = {f.name: f for f in fields(namespace(engine, day, store_url))}
    open_audience_view(engine, day)
    columns = {f.name: f.kind for f in audience_fields(engine, {})}
    return [_spec(name, known, columns) for name in names]


def _spec(name: str, known: dict[str, Any], columns: dict[str, str]) -> clustering.FeatureSpec:
    if name not in columns:
        close = difflib.get_close_matches(name, list(columns), n=1)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        raise UserInputError(f"unknown feature '{name}'{hint}")
    if columns[name] == "string":
        raise UserInputError(f"feature '{name}' is a category; clustering takes numbers and yes/no features")
    field = known.get(name)
    zh, en = (field.name_zh, field.name_en) if field is not None else (name, name)
    return clustering.FeatureSpec(name, zh, en, boolean=columns[name] == "boolean", money=is_money(name))


def is_money(name: str) -> bool:
    """Money amounts get the log transform: catalog unit CNY; columns outside it (tier basis) by name."""
    from kequn.features.catalog import FEATURES

    units = {f.name: f.unit for f in FEATURES}
    if name in units:
        return (units[name] or "").upper() in MONEY_UNITS
    return name.startswith(("aum", "basis_aum")) or name.endswith(("_amount", "_balance"))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _training_matrix(
    engine: Engine, specs: list[clustering.FeatureSpec], rows: int
) -> tuple[np.ndarray, int]:
    """(raw values of a fixed sample — the first ``rows`` by md5 of the id, the same on every engine —,
    base size). Missing values are NaN."""
    columns = ", ".join(f"CAST({_quote(s.name)} AS DOUBLE) AS {_quote(s.name)}" for s in specs)
    table = engine.query(f"SELECT {columns} FROM audience ORDER BY md5(customer_id) LIMIT {int(rows)}")
    base = int(engine.scalar("SELECT count(*) FROM audience") or 0)
    matrix = np.column_stack([table.column(s.name).to_numpy(zero_copy_only=False) for s in specs])
    return matrix.astype(float).reshape(table.num_rows, len(specs)), base


def _cluster_sizes(engine: Engine, members_sql: str, k: int) -> list[int]:
    rows = engine.query(segment_sql.cluster_sizes_sql(members_sql)).to_pylist()
    counts = {r["cluster"]: r["size"] for r in rows}
    return [int(counts.get(c, 0)) for c in range(k)]
