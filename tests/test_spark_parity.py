"""DuckDB/Spark parity on a generated bank: the daily steps give the same snapshots on both engines.

One bank is generated, ingested and resolved (OneID) with DuckDB. Its warehouse is copied twice; the daily
steps then run month-end by month-end with DuckDB on one copy and Spark (``local[2]``) on the other, and
every snapshot they publish is compared row by row (sorted by its keys; doubles to a relative 1e-9).
Both copies share one operational store, so the tag catalog, tier scheme and segment definitions are the
same. Adding a step to the comparison is one line in ``STEPS``.

KEQUN_PARITY_CUSTOMERS sets the bank's size (20,000 by default, as issue 3 asks).
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.dataset as pads
import pytest

from kequn.core.workspace import Workspace, init_workspace
from kequn.daily import month_ends
from kequn.demo.generator import generate_bank
from kequn.engine import DuckDBEngine, Engine, Warehouse
from kequn.engine.spark_engine import SparkEngine, spark_conf, start_session
from kequn.features import compute_features
from kequn.identity import resolve_identity
from kequn.ingest import ingest_sources
from kequn.store import upgrade_store
from kequn.tags import segments as seg
from kequn.tags.compute import compute_tags
from kequn.tags.segment_upload import parse_id_text
from kequn.tags.tiers import compute_tiers

pytestmark = pytest.mark.slow

CUSTOMERS = int(os.environ.get("KEQUN_PARITY_CUSTOMERS", "20000"))
AS_OF = date(2026, 10, 31)
HISTORY_DAYS = 90
DATES = month_ends(date(2026, 9, 1), AS_OF)  # two month-ends: tiers see a previous month
REL_TOL = 1e-9


def _segments(engine: Engine, ws: Workspace, day: date) -> int:
    if not seg.list_segments(ws.database_url):  # defined once, by the first engine to get here
        _define_segments(engine, ws.database_url, day)
    return seg.refresh_segments(engine, day, ws.database_url)


@dataclass(frozen=True)
class Step:
    table: str
    run: Callable[[Engine, Workspace, date], int]
    keys: tuple[str, ...] = ("customer_id",)


STEPS = (
    Step("features", lambda engine, ws, day: compute_features(engine, day)),
    Step("tags", lambda engine, ws, day: compute_tags(engine, day, ws.database_url)),
    Step("tiers", lambda engine, ws, day: compute_tiers(engine, day, store_url=ws.database_url)),
    Step("segment_members", _segments, keys=("segment_id", "customer_id")),
)


def _define_segments(engine: Engine, url: str, day: date) -> None:
    """A rule, a static and a clustering segment (the k-means model is trained once, then applied by SQL)."""
    seg.create_rule_segment(
        engine, url, name_zh="中高端", expression="aum_mad >= 50000 AND age >= 30", owner="parity", as_of=day
    )
    ids = engine.query("SELECT customer_id FROM customer ORDER BY customer_id LIMIT 50").column(0).to_pylist()
    seg.create_static_segment(
        engine, url, name_zh="名单", ids=parse_id_text("\n".join([*ids, "K9999999999"])), owner="parity"
    )
    seg.create_cluster_segment(
        engine,
        url,
        name_zh="聚类",
        features=["aum_mad", "age", "txn_count_30d", "app_logins_30d"],
        k=3,
        owner="parity",
        as_of=day,
    )


# --- the bank and the two runs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> Workspace:
    """The generated bank after ingest and OneID (DuckDB): the shared starting point."""
    ws = init_workspace(tmp_path_factory.mktemp("parity") / "base")
    upgrade_store(ws.database_url)
    generate_bank(ws.path("sources"), customers=CUSTOMERS, seed=11, days=HISTORY_DAYS, as_of=AS_OF)
    engine = DuckDBEngine(Warehouse(ws.warehouse))
    try:
        ingest_sources(engine, ws.path("sources"), "synthetic")
        resolve_identity(engine, store_url=ws.database_url)
    finally:
        engine.close()
    return ws


def _copy(bank: Workspace, name: str) -> Workspace:
    """A workspace with its own copy of the bank's warehouse and the bank's operational store."""
    root = bank.root.parent / name
    shutil.copytree(bank.warehouse, root / "warehouse")
    return Workspace(root, {"store": {"url": bank.database_url}})


def _run(engine: Engine, ws: Workspace, timings: dict[str, float]) -> None:
    for day in DATES:
        for step in STEPS:
            start = time.perf_counter()
            step.run(engine, ws, day)
            timings[step.table] = timings.get(step.table, 0.0) + time.perf_counter() - start


# --- comparison -------------------------------------------------------------------------------------


def _snapshot(ws: Workspace, step: Step, day: date) -> pa.Table:
    folder = Warehouse(ws.warehouse).snapshot_dir(step.table, day)
    table = pads.dataset(str(folder), format="parquet").to_table()
    return table.sort_by([(k, "ascending") for k in step.keys])


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)
    return a == b


def _column_differences(
    name: str, duck: pa.ChunkedArray, spark: pa.ChunkedArray, keys: list[str]
) -> str | None:
    if duck.type != spark.type:
        return f"{name}: type {duck.type} (DuckDB) vs {spark.type} (Spark)"
    if duck.equals(spark):
        return None
    rows = [
        i for i, (a, b) in enumerate(zip(duck.to_pylist(), spark.to_pylist(), strict=True)) if not _same(a, b)
    ]
    if not rows:
        return None
    first = rows[0]
    return (
        f"{name}: {len(rows)} rows differ, e.g. {keys[first]}: DuckDB {duck[first].as_py()!r},"
        f" Spark {spark[first].as_py()!r}"
    )


def compare(duck: pa.Table, spark: pa.Table, keys: tuple[str, ...]) -> list[str]:
    """Every column that differs between the two snapshots, with a count and an example."""
    if duck.column_names != spark.column_names:
        return [f"columns differ: DuckDB {duck.column_names}, Spark {spark.column_names}"]
    if duck.num_rows != spark.num_rows:
        return [f"{duck.num_rows} rows (DuckDB) vs {spark.num_rows} (Spark)"]
    labels = ["/".join(str(v) for v in row.values()) for row in duck.select(list(keys)).to_pylist()]
    found = [_column_differences(c, duck[c], spark[c], labels) for c in duck.column_names]
    return [d for d in found if d is not None]


def test_daily_steps_give_the_same_snapshots_on_duckdb_and_spark(bank):
    duck_ws, spark_ws = _copy(bank, "duckdb"), _copy(bank, "spark")
    timings: dict[str, dict[str, float]] = {"duckdb": {}, "spark": {}}
    duck = DuckDBEngine(Warehouse(duck_ws.warehouse))
    try:
        _run(duck, duck_ws, timings["duckdb"])
    finally:
        duck.close()
    session = start_session(spark_conf())
    spark = SparkEngine(Warehouse(spark_ws.warehouse), session=session)
    try:
        _run(spark, spark_ws, timings["spark"])
    finally:
        spark.close()
        session.stop()
    print(f"\nparity on {CUSTOMERS:,} customers, {len(DATES)} month-ends; seconds per step:")
    for engine, steps in timings.items():
        print(f"  {engine:7s}" + "".join(f"  {table} {sec:6.1f}" for table, sec in steps.items()))
    differences = []
    for day in DATES:
        for step in STEPS:
            a, b = _snapshot(duck_ws, step, day), _snapshot(spark_ws, step, day)
            assert a.num_rows > 0, f"{step.table} {day}: empty on DuckDB, nothing compared"
            differences += [f"{step.table} {day} {d}" for d in compare(a, b, step.keys)]
    assert differences == []


def test_compare_reports_each_differing_column():
    duck = pa.table({"customer_id": ["K1", "K2"], "x": [1.0, 2.0], "s": ["a", "b"], "n": [1, 2]})
    spark = pa.table({"customer_id": ["K1", "K2"], "x": [1.0, 2.0 + 1e-12], "s": ["a", "c"], "n": [1.0, 2.0]})
    assert compare(duck, spark, ("customer_id",)) == [
        "s: 1 rows differ, e.g. K2: DuckDB 'b', Spark 'c'",
        "n: type int64 (DuckDB) vs double (Spark)",
    ]
