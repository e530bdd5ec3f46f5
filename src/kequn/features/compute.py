"""Compute the ``features`` snapshot for one as_of: pure SQL builders, and the run that executes them.

``features_sql(as_of)`` is the whole computation as one portable SELECT (named steps as CTEs), for
engines and tests that want it in one piece, e.g. transpiled to Spark SQL by sqlglot.
``compute_features(engine, as_of)`` runs the same steps one at a time as temporary tables (DuckDB
materialises each once, and progress is reported per step), then publishes the final projection.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pyarrow as pa

from kequn.core.errors import SnapshotMissing
from kequn.engine import Engine
from kequn.features.catalog import FEATURES
from kequn.features.columns import VALUE_FEATURES, base_columns, value_columns
from kequn.features.steps import FeatureSettings, Step, intermediate_steps
from kequn.features.window import Windows
from kequn.model.schemas import TABLES

TABLE = "features"
REQUIRED_INPUTS = ("customer", "source_link")
OPTIONAL_INPUTS = ("account", "product", "balance", "txn", "app_event", "consent")

Progress = Callable[[str], None]


JOINS = (
    " FROM f_customer c"
    " LEFT JOIN f_customer_account x ON x.customer_key = c.customer_key"
    " LEFT JOIN f_customer_txn t ON t.customer_key = c.customer_key"
)
MORE_JOINS = (
    " LEFT JOIN f_app p ON p.customer_key = c.customer_key"
    " LEFT JOIN f_consent s ON s.customer_key = c.customer_key"
    " JOIN f_value v ON v.customer_key = c.customer_key"
)


def value_step(as_of: date, settings: FeatureSettings | None = None) -> Step:
    """RFM scores and the AUM percentile: ranks over the whole base, on a narrow projection."""
    base = base_columns(Windows(as_of), settings or FeatureSettings())
    ranked = ", ".join(f"{expr} AS {name}" for name, expr in value_columns(base).items())
    return "f_value", f"SELECT c.customer_key, {ranked}{JOINS}"


def final_select(as_of: date, settings: FeatureSettings | None = None) -> str:
    """The catalog's columns in catalog order, one row per customer known on as_of.

    Rows come in no particular order: the snapshot is keyed by customer_id.
    """
    base = base_columns(Windows(as_of), settings or FeatureSettings())
    out = []
    for f in FEATURES:
        if f.name == "rfm_score":
            out.append("v.rfm_recency + v.rfm_frequency + v.rfm_monetary AS rfm_score")
        elif f.name in VALUE_FEATURES:
            out.append(f"v.{f.name}")
        else:
            out.append(f"{base[f.name]} AS {f.name}")
    return f"SELECT c.customer_id, {', '.join(out)}{JOINS}{MORE_JOINS}"


def feature_steps(as_of: date, settings: FeatureSettings | None = None) -> list[Step]:
    """The named steps ``final_select()`` reads, in dependency order."""
    s = settings or FeatureSettings()
    return [*intermediate_steps(Windows(as_of), s), value_step(as_of, s)]


def features_sql(as_of: date, settings: FeatureSettings | None = None) -> str:
    """The whole feature computation for ``as_of`` as one SELECT over the canonical tables.

    >>> "FROM f_customer c" in features_sql(date(2026, 10, 31))
    True
    """
    ctes = ",\n".join(f"{name} AS ({sql})" for name, sql in feature_steps(as_of, settings))
    return f"WITH {ctes}\n{final_select(as_of, settings)}"


def choose_snapshot(available: list[date], as_of: date) -> date | None:
    """The point-in-time rule: the latest snapshot on or before as_of, else the earliest after it.

    >>> choose_snapshot([date(2026, 9, 30), date(2026, 10, 31)], date(2026, 10, 15))
    datetime.date(2026, 9, 30)
    >>> choose_snapshot([date(2026, 10, 31)], date(2026, 8, 31))
    datetime.date(2026, 10, 31)
    """
    before = [d for d in available if d <= as_of]
    if before:
        return max(before)
    after = [d for d in available if d > as_of]
    return min(after) if after else None


def _empty_table(name: str) -> pa.Table:
    """A zero-row table with the canonical columns, standing in for a source the bank lacks."""
    types = {
        "VARCHAR": pa.string(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us"),
        "INTEGER": pa.int32(),
        "DOUBLE": pa.float64(),
        "BOOLEAN": pa.bool_(),
    }
    fields = [
        pa.field(c.name, pa.decimal128(18, 2) if c.type.startswith("DECIMAL") else types[c.type])
        for c in TABLES[name].columns
    ]
    return pa.schema(fields).empty_table()


def open_inputs(engine: Engine, as_of: date) -> dict[str, date | None]:
    """Expose the snapshot of each input table the point-in-time rule picks for ``as_of``.

    Returns table -> snapshot date (None: the bank has no such source; an empty table stands in).
    The SQL itself filters every dated fact to on or before as_of.
    """
    chosen: dict[str, date | None] = {}
    for table in REQUIRED_INPUTS + OPTIONAL_INPUTS:
        snapshot = choose_snapshot(engine.warehouse.snapshots(table), as_of)
        if snapshot is None and table in REQUIRED_INPUTS:
            raise SnapshotMissing(f"no '{table}' snapshot to compute features from: run 'kequn identity run'")
        if snapshot is None:
            engine.register(table, _empty_table(table))
        else:
            engine.use_snapshot(table, snapshot)
        chosen[table] = snapshot
    return chosen


def compute_features(
    engine: Engine,
    as_of: date,
    progress: Progress | None = None,
    *,
    settings: FeatureSettings | None = None,
) -> int:
    """Compute and publish the ``features`` snapshot at ``as_of``; returns the number of customers."""
    report = progress or (lambda phase: None)
    report("inputs")
    open_inputs(engine, as_of)
    steps = feature_steps(as_of, settings)
    try:
        for name, sql in steps:
            report(name.removeprefix("f_").replace("_", " "))
            engine.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        report("publish")
        return engine.write_snapshot(TABLE, as_of, final_select(as_of, settings))
    finally:
        for name, _ in steps:
            engine.execute(f"DROP TABLE IF EXISTS {name}")


__all__ = [
    "TABLE",
    "VALUE_FEATURES",
    "compute_features",
    "feature_steps",
    "features_sql",
    "final_select",
    "open_inputs",
]
