"""The warehouse run: person_record snapshot → source_link and customer snapshots at the same as_of."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from kequn.core.errors import KequnError
from kequn.engine.base import Engine
from kequn.identity.cluster import CLUSTERS
from kequn.identity.evaluate import PairMetrics, pair_metrics
from kequn.identity.matcher import Progress, drop_work_tables, match
from kequn.identity.overrides import load_overrides
from kequn.identity.stable_ids import assign_ids_sql, max_issued_sql, source_link_sql
from kequn.identity.survivorship import customer_sql

LINKS = "oneid_link"
PREVIOUS = "oneid_prev_link"


@dataclass
class IdentityReport:
    as_of: date
    records: int
    customers: int
    deterministic_pairs: int
    splink_pairs: int
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {**self.__dict__, "as_of": self.as_of.isoformat()}


def connection(engine: Engine) -> duckdb.DuckDBPyConnection:
    con = getattr(engine, "con", None)
    if not isinstance(con, duckdb.DuckDBPyConnection):
        raise KequnError("identity resolution runs on the DuckDB engine (Splink's DuckDB backend)")
    return con


def _previous_links(engine: Engine, as_of: date) -> str | None:
    if not engine.warehouse.has("source_link", as_of):
        return None
    engine.use_snapshot("source_link", as_of, alias=PREVIOUS)
    return PREVIOUS


def _max_issued(engine: Engine) -> int:
    folder = engine.warehouse.table_dir("source_link")
    if not engine.warehouse.snapshots("source_link"):
        return 0
    return int(engine.scalar(max_issued_sql(str(folder / "as_of=*" / "*.parquet"))))


def build_links(engine: Engine, as_of: date) -> int:
    """Create temp table ``oneid_link`` (the new crosswalk) from ``oneid_cluster`` with stable ids."""
    ids = assign_ids_sql(CLUSTERS, _previous_links(engine, as_of), _max_issued(engine))
    engine.execute(f"CREATE OR REPLACE TEMP TABLE oneid_ids AS {ids}")
    linked_at = f"TIMESTAMP '{datetime.now().replace(microsecond=0).isoformat(sep=' ')}'"
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {LINKS} AS {source_link_sql(CLUSTERS, 'oneid_ids', linked_at)}"
    )
    return int(engine.scalar(f"SELECT count(DISTINCT customer_id) FROM {LINKS}"))


def resolve_identity(
    engine: Engine,
    as_of: date | None = None,
    *,
    store_url: str | None = None,
    progress: Progress | None = None,
) -> IdentityReport:
    """Resolve the person_record snapshot into customers; publish source_link and customer at its as_of."""
    con = connection(engine)
    chosen = engine.use_snapshot("person_record", as_of)
    stats = match(con, "person_record", overrides=load_overrides(store_url), progress=progress)
    started = time.perf_counter()
    if progress:
        progress("publish")
    customers = build_links(engine, chosen)
    engine.write_snapshot(
        "source_link", chosen, f"SELECT * FROM {LINKS} ORDER BY customer_id, source, source_key"
    )
    engine.write_snapshot("customer", chosen, f"{customer_sql(LINKS)} ORDER BY customer_id")
    drop_work_tables(con)
    stats.seconds["publish"] = round(time.perf_counter() - started, 3)
    return IdentityReport(
        chosen, stats.records, customers, stats.deterministic_pairs, stats.splink_pairs, stats.seconds
    )


def evaluate_identity(engine: Engine, truth_csv: Path, as_of: date | None = None) -> PairMetrics:
    """Pair precision / recall / F1 of the published source_link snapshot against ground truth."""
    con = connection(engine)
    engine.use_snapshot("source_link", as_of, alias="oneid_eval_link")
    clusters = "(SELECT source, source_key, customer_id AS cluster FROM oneid_eval_link)"
    return pair_metrics(con, clusters, Path(truth_csv))
