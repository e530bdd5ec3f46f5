"""SparkEngine: every Engine method, and DuckDB's answers to the same SQL (one Spark session per module)."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from kequn.core.errors import SnapshotMissing
from kequn.customers import customer_360, search_customers
from kequn.engine import DuckDBEngine, Warehouse, engine_for
from kequn.engine.spark_engine import SparkEngine, spark_conf, start_session
from kequn.engine.spark_rewrites import UnsupportedSQL
from tests import tiny_bank
from tests.test_spark_sql import HOSTILE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    session = start_session(spark_conf())
    yield session
    session.stop()


@pytest.fixture
def spark_engine(spark, workspace):
    """A Spark engine over the same warehouse as the ``engine`` (DuckDB) fixture."""
    eng = SparkEngine(Warehouse(workspace.warehouse), session=spark)
    yield eng
    eng.close()


# --- snapshots --------------------------------------------------------------------------------------


def test_snapshot_roundtrip_and_latest_on_or_before(spark_engine):
    eng = spark_engine
    assert eng.write_snapshot("t", date(2026, 1, 31), "SELECT 1 AS x UNION ALL SELECT 2") == 2
    assert eng.write_snapshot("t", date(2026, 2, 28), "SELECT 3 AS x") == 1
    assert eng.warehouse.snapshots("t") == [date(2026, 1, 31), date(2026, 2, 28)]
    assert eng.use_snapshot("t", date(2026, 2, 15)) == date(2026, 1, 31)
    assert eng.scalar("SELECT sum(x) FROM t") == 3
    assert eng.use_snapshot("t") == date(2026, 2, 28)
    assert eng.scalar("SELECT sum(x) FROM t") == 3


def test_republishing_replaces_the_snapshot_and_views_follow(spark_engine):
    day = date(2026, 1, 31)
    spark_engine.write_snapshot("t", day, "SELECT range AS x FROM range(10)")
    spark_engine.use_snapshot("t", day)
    spark_engine.use_snapshot("t", day, alias="t_alias")
    spark_engine.write_snapshot("t", day, "SELECT range AS x FROM range(4)")
    # DuckDB views re-read the folder; Spark views are re-pointed at the new files.
    assert spark_engine.scalar("SELECT count(*) FROM t") == 4
    assert spark_engine.scalar("SELECT count(*) FROM t_alias") == 4
    folder = spark_engine.warehouse.table_dir("t")
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    files = [p.name for p in spark_engine.warehouse.snapshot_dir("t", day).iterdir()]
    assert files and all(name.endswith(".parquet") for name in files)  # no _SUCCESS, no .crc


def test_missing_snapshot_is_a_clear_error(spark_engine):
    with pytest.raises(SnapshotMissing, match="'nope' has no snapshot"):
        spark_engine.use_snapshot("nope")


def test_a_snapshot_view_has_the_as_of_column_duckdb_gives_it(engine, spark_engine):
    engine.write_snapshot("t", date(2026, 1, 31), "SELECT 1 AS x")
    for eng in (engine, spark_engine):
        eng.use_snapshot("t", alias="v")
        assert eng.query("SELECT * FROM v").to_pylist() == [{"x": 1, "as_of": date(2026, 1, 31)}]


TYPED = (
    "SELECT CAST(12.34 AS DECIMAL(18,2)) AS amount, DATE '2026-01-31' AS day,"
    " TIMESTAMP '2026-01-31 10:20:30.123456' AS ts, 'Z' AS s, TRUE AS b, CAST(7 AS BIGINT) AS n,"
    " CAST(1.5 AS DOUBLE) AS f, CAST(NULL AS VARCHAR) AS missing"
)


def test_snapshots_written_by_either_engine_read_the_same_in_both(engine, spark_engine):
    engine.write_snapshot("by_duckdb", date(2026, 1, 31), TYPED)
    spark_engine.write_snapshot("by_spark", date(2026, 1, 31), TYPED)
    results = []
    for eng in (engine, spark_engine):
        for table in ("by_duckdb", "by_spark"):
            eng.use_snapshot(table, alias="x")
            results.append(eng.query("SELECT * FROM x"))
    first = results[0]
    assert first.schema.field("ts").type == pa.timestamp("us")
    assert first.schema.field("amount").type == pa.decimal128(18, 2)
    for other in results[1:]:
        assert other.schema.equals(first.schema), other.schema
        assert other.to_pylist() == first.to_pylist()


def test_an_empty_result_is_a_readable_empty_snapshot(engine, spark_engine):
    rows = spark_engine.write_snapshot("empty", date(2026, 1, 31), "SELECT 1 AS x, 'a' AS y WHERE FALSE")
    assert rows == 0
    engine.use_snapshot("empty")
    assert engine.query("SELECT * FROM empty").schema.names == ["x", "y", "as_of"]


def test_local_timestamps_come_back_without_time_zone(spark_engine):
    result = spark_engine.query("SELECT current_timestamp AS now, TIMESTAMP '2026-01-01 00:00:00' AS ts")
    assert result.schema.field("now").type == pa.timestamp("us")
    assert result.schema.field("ts").type == pa.timestamp("us")


# --- register, execute ------------------------------------------------------------------------------


def test_register_keeps_arrow_types_and_empty_tables(spark_engine):
    data = pa.table(
        {
            "id": pa.array(["a", "b"]),
            "amount": pa.array([Decimal("1.10"), None], pa.decimal128(18, 2)),
            "day": pa.array([date(2026, 1, 1), None], pa.date32()),
            "ts": pa.array([datetime(2026, 1, 1, 8), None], pa.timestamp("us")),
        }
    )
    spark_engine.register("arrow_in", data)
    assert spark_engine.query("SELECT * FROM arrow_in ORDER BY id").equals(data)
    spark_engine.register("empty_in", data.schema.empty_table())
    assert spark_engine.query("SELECT * FROM empty_in").schema.equals(data.schema)


def test_temp_table_holds_its_rows_and_temp_view_follows_its_source(spark_engine):
    spark_engine.register("src", pa.table({"x": [1, 2]}))
    spark_engine.execute("CREATE OR REPLACE TEMP TABLE kept AS SELECT sum(x) AS s FROM src")
    spark_engine.execute("CREATE OR REPLACE TEMP VIEW live AS SELECT sum(x) AS s FROM src")
    spark_engine.register("src", pa.table({"x": [10, 20]}))
    assert spark_engine.scalar("SELECT s FROM kept") == 3
    assert spark_engine.scalar("SELECT s FROM live") == 30
    spark_engine.execute("CREATE OR REPLACE TEMP TABLE kept AS SELECT 5 AS s")
    assert spark_engine.scalar("SELECT s FROM kept") == 5


def test_create_without_replace_drop_and_insert(spark_engine):
    spark_engine.execute("CREATE TEMP TABLE t1 AS SELECT 1 AS a, 'x' AS b")
    with pytest.raises(UnsupportedSQL, match="already exists"):
        spark_engine.execute("CREATE TEMP TABLE t1 AS SELECT 2 AS a")
    spark_engine.execute("CREATE TABLE IF NOT EXISTS t1 AS SELECT 2 AS a")
    spark_engine.execute("INSERT INTO t1 SELECT 2, 'y'")
    spark_engine.execute("INSERT INTO t1 (a) VALUES (3)")
    rows = spark_engine.query("SELECT a, b FROM t1 ORDER BY a").to_pylist()
    assert rows == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"a": 3, "b": None}]
    assert spark_engine.query("DROP TABLE t1").num_rows == 0
    spark_engine.execute("DROP TABLE IF EXISTS t1")
    with pytest.raises(UnsupportedSQL, match="does not exist"):
        spark_engine.execute("DROP VIEW t1")


def test_duckdb_only_statements_are_refused_by_name(spark_engine):
    with pytest.raises(UnsupportedSQL, match="does not run SET statements"):
        spark_engine.execute("SET threads = 2")


def test_several_statements_in_one_call(spark_engine):
    spark_engine.execute(
        "CREATE TEMP VIEW a AS SELECT 1 AS x; CREATE TEMP VIEW b AS SELECT x + 1 AS y FROM a"
    )
    assert spark_engine.scalar("SELECT y FROM b") == 2


@pytest.mark.parametrize("value", HOSTILE)
def test_bound_strings_reach_spark_unchanged(spark_engine, value):
    assert spark_engine.query("SELECT ? AS v", [value]).to_pylist() == [{"v": value}]


def test_engines_in_one_process_do_not_share_views(spark, spark_engine, workspace):
    other = SparkEngine(Warehouse(workspace.warehouse), session=spark)
    spark_engine.register("mine", pa.table({"x": [1]}))
    with pytest.raises(Exception, match="mine"):
        other.query("SELECT * FROM mine")
    other.close()
    assert spark_engine.scalar("SELECT x FROM mine") == 1  # closing the other left the session running


def test_engine_for_a_spark_workspace_joins_the_running_session(spark, workspace, monkeypatch):
    monkeypatch.setenv("KEQUN_ENGINE", "spark")
    eng = engine_for(workspace)
    assert isinstance(eng, SparkEngine)
    assert eng.spark.sparkContext is spark.sparkContext
    eng.write_snapshot("t", date(2026, 1, 31), "SELECT 1 AS x")
    eng.close()  # kequn did not start this session: it keeps running
    assert spark.sql("SELECT 1 AS one").collect()[0].one == 1


# --- same SQL, same answers -------------------------------------------------------------------------

VALUES = (
    "(VALUES (1, 2.5, 'a', DATE '2026-01-31'), (2, NULL, 'b', DATE '2026-03-01'), (3, -1.25, NULL, NULL))"
)
T = f"{VALUES} t(i, d, s, day)"

SAME_ANSWER = [
    "SELECT 1 / 0 AS pos, -1 / 0 AS neg, 7 / 2 AS half, 6 / 3 AS exact",
    "SELECT CAST(1.5 AS DECIMAL(10,2)) / CAST(3 AS DECIMAL(10,2)) AS x, 10 / NULL AS n",
    "SELECT DATE '2026-01-31' + INTERVAL 30 DAY AS a, DATE '2026-01-31' - INTERVAL (3) DAY AS b,"
    " TIMESTAMP '2026-01-31 10:00:00' + INTERVAL 2 HOUR AS c, DATE '2026-01-31' + INTERVAL 1 MONTH AS m",
    "SELECT DATE '2026-03-31' - DATE '2026-01-31' AS days",
    "SELECT date_diff('day', DATE '2026-01-01', DATE '2026-03-01') AS d,"
    " date_diff('month', DATE '2026-01-31', DATE '2026-02-01') AS m,"
    " date_diff('quarter', DATE '2025-12-31', DATE '2026-04-01') AS q,"
    " date_diff('year', DATE '2025-12-31', DATE '2026-01-01') AS y,"
    " datediff('day', TIMESTAMP '2026-01-01 23:59:00', TIMESTAMP '2026-01-02 00:01:00') AS dd,"
    " date_diff('hour', TIMESTAMP '2026-01-01 23:59:00', TIMESTAMP '2026-01-02 00:01:00') AS h,"
    " date_diff('minute', TIMESTAMP '2026-01-01 23:59:59', TIMESTAMP '2026-01-02 00:00:01') AS mi,"
    " date_diff('second', TIMESTAMP '2026-01-01 23:59:59', TIMESTAMP '2026-01-02 00:00:01') AS se,"
    " date_diff('week', DATE '2026-01-05', DATE '2026-01-12') AS w",
    f"SELECT count_if(i > 1) AS ci, arg_max(s, i) AS amax, arg_min(s, i) AS amin,"
    f" count(*) FILTER (WHERE d > 0) AS cf, sum(i) FILTER (WHERE d IS NULL) AS sf FROM {T}",
    f"SELECT median(i) AS med, quantile_cont(i, 0.25) AS q, quantile_disc(i, 0.5) AS qd, avg(d) AS a,"
    f" avg(i) AS ai, sum(i) AS si, min(day) AS mn, max(s) AS mx, stddev_samp(i) AS sd FROM {T}",
    f"SELECT bool_and(i > 0) AS ba, bool_or(i > 2) AS bo, count(DISTINCT s) AS cd FROM {T}",
    "SELECT * FROM range(3)",
    "SELECT range AS x FROM range(2, 8, 3)",
    "SELECT * FROM range(5, 3) r(i)",
    "SELECT * FROM generate_series(1, 3) t(i)",
    "SELECT CAST(d AS DATE) AS day FROM range(DATE '2026-01-30', DATE '2026-02-02', INTERVAL 1 DAY) r(d)",
    "SELECT regexp_replace('+86 138-1234', '[^0-9]', '', 'g') AS digits, upper(trim(' ab ')) AS u,"
    " regexp_replace('aXbx', 'x', '-', 'gi') AS ci, regexp_replace('xax', '^x', '') AS first,"
    " substr('abcdef', 3) AS sub, length('中文') AS l, 'a' || 'b' AS c, lower('ÄB') AS lo",
    "SELECT greatest(1, 2) AS g, least(DATE '2026-01-01', DATE '2025-01-01') AS l, coalesce(NULL, 1) AS c,"
    " nullif(1, 1) AS n, ifnull(NULL, 'x') AS f",
    "SELECT strftime(DATE '2026-01-05', '%Y-%m') AS ym, date_trunc('month', DATE '2026-01-05') AS mt,"
    " last_day(DATE '2026-02-05') AS ld, extract(year FROM DATE '2026-01-05') AS y,"
    " month(DATE '2026-01-05') AS m,"
    " dayofweek(DATE '2026-01-04') AS dow, isodow(DATE '2026-01-04') AS iso",
    f"SELECT i, row_number() OVER (ORDER BY i DESC) AS rn, rank() OVER (ORDER BY s) AS rk,"
    f" ntile(2) OVER (ORDER BY i) AS nt, percent_rank() OVER (ORDER BY i) AS pr,"
    f" lag(i) OVER (ORDER BY i) AS prev, sum(i) OVER (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND"
    f" CURRENT ROW) AS running FROM {T} ORDER BY i",
    f"SELECT i FROM {T} QUALIFY row_number() OVER (ORDER BY i DESC) = 1",
    f"SELECT CASE WHEN i = 1 THEN 'one' WHEN i = 2 THEN 'two' END AS w, i IN (1, 3) AS isin,"
    f" s LIKE 'a%' AS lk, d BETWEEN 0 AND 3 AS btw, round(d, 1) AS r, abs(d) AS ab FROM {T} ORDER BY i",
    f"SELECT s, count(*) AS n FROM {T} GROUP BY s ORDER BY s NULLS LAST",
    f"SELECT a.i, b.s FROM {T.replace(' t(', ' a(')} LEFT JOIN {T.replace(' t(', ' b(')} ON a.i = b.i + 1"
    " ORDER BY a.i",
    f"WITH x AS (SELECT i * 2 AS j FROM {T}) SELECT j FROM x WHERE j > 2 UNION ALL SELECT 0 ORDER BY j",
    "SELECT round(CAST(1.005 AS DOUBLE), 2) AS a, round(CAST(299426.475 AS DOUBLE), 2) AS b,"
    " round(CAST(-2.5 AS DOUBLE)) AS c, round(CAST(2.675 AS DOUBLE), 2) AS d, round(1 / 3, 4) AS e,"
    " round(CAST(1.005 AS DECIMAL(10,3)), 2) AS f, round(CAST(-1.005 AS DECIMAL(10,3)), 2) AS g",
    "SELECT CAST(1.25 AS DECIMAL(18,2)) * 3 AS m, CAST('12.5' AS DOUBLE) AS c, CAST(3.7 AS INTEGER) AS t,"
    " CAST(2.5 AS INTEGER) AS half, CAST(5 / 2 AS INTEGER) AS even, CAST(7 / 2 AS BIGINT) AS odd,"
    " CAST(-5 / 2 AS INTEGER) AS neg, CAST(true AS INTEGER) AS b",
]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        return Decimal(str(a)) == Decimal(str(b))
    return bool(a == b)


def _differences(duck: pa.Table, spark: pa.Table) -> list[str]:
    if duck.column_names != spark.column_names:
        return [f"columns {duck.column_names} != {spark.column_names}"]
    out = []
    if duck.num_rows != spark.num_rows:
        out.append(f"{duck.num_rows} rows in DuckDB, {spark.num_rows} in Spark")
    for name in duck.column_names:
        for n, (a, b) in enumerate(zip(duck[name].to_pylist(), spark[name].to_pylist(), strict=False)):
            if not _same(a, b):
                out.append(f"{name} row {n}: DuckDB {a!r}, Spark {b!r}")
    return out


@pytest.mark.parametrize("sql", SAME_ANSWER, ids=lambda s: s[:40])
def test_same_sql_same_answer(engine, spark_engine, sql):
    duck, spark = engine.query(sql), spark_engine.query(sql)
    assert _differences(duck, spark) == []


TYPE_CASES = [
    ("SELECT 7 / 2 AS x", pa.float64()),
    ("SELECT CAST(1 AS DECIMAL(10,2)) / 3 AS x", pa.float64()),
    ("SELECT avg(CAST(1 AS DECIMAL(10,2))) AS x", pa.float64()),
    ("SELECT count(*) AS x", pa.int64()),
    ("SELECT row_number() OVER (ORDER BY 1) AS x", pa.int64()),
    ("SELECT length('abc') AS x", pa.int64()),
    ("SELECT year(DATE '2026-01-01') AS x", pa.int64()),
    ("SELECT date_diff('day', DATE '2026-01-01', DATE '2026-01-05') AS x", pa.int64()),
    ("SELECT DATE '2026-01-01' - DATE '2025-01-01' AS x", pa.int64()),
    ("SELECT DATE '2026-01-01' + INTERVAL 1 DAY AS x", pa.timestamp("us")),
    ("SELECT date_trunc('month', DATE '2026-01-05') AS x", pa.timestamp("us")),
    ("SELECT * FROM range(2) r(x)", pa.int64()),
    ("SELECT CAST(1 AS DECIMAL(18,2)) AS x", pa.decimal128(18, 2)),
]


@pytest.mark.parametrize(("sql", "expected"), TYPE_CASES, ids=[s for s, _ in TYPE_CASES])
def test_same_sql_same_type(engine, spark_engine, sql, expected):
    assert engine.query(sql).schema.field("x").type == expected
    assert spark_engine.query(sql).schema.field("x").type == expected


def test_bad_casts_and_overflow_fail_on_both_engines(engine, spark_engine):
    for sql in ("SELECT CAST('x' AS INTEGER)", "SELECT CAST(2147483647 AS INTEGER) + 1", "SELECT 5 % 0"):
        for eng in (engine, spark_engine):
            with pytest.raises(Exception):  # noqa: B017 - each engine raises its own error type
                eng.query(sql)


# --- the customer 360 view --------------------------------------------------------------------------


def _approx(value: Any) -> Any:
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-9)
    if isinstance(value, dict):
        return {k: _approx(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_approx(v) for v in value]
    return value


@pytest.fixture(scope="module")
def tiny(spark, tmp_path_factory):
    """The hand-made tiny bank, written by DuckDB, read by a DuckDB and a Spark engine."""
    warehouse = Warehouse(tmp_path_factory.mktemp("tiny") / "warehouse")
    duck = DuckDBEngine(warehouse)
    tiny_bank.build(duck)
    spark_eng = SparkEngine(warehouse, session=spark)
    yield duck, spark_eng
    spark_eng.close()
    duck.close()


def test_customer_360_is_the_same_on_duckdb_and_spark(tiny):
    duck, spark = tiny
    for customer_id in ("K0000000001", "K0000000002"):
        assert customer_360(spark, customer_id, masked=False) == _approx(
            customer_360(duck, customer_id, masked=False)
        )
    assert customer_360(spark, "K0000000001")["mad_aum"] == pytest.approx((15 * 10000 + 16 * 40000) / 31)


@pytest.mark.parametrize("text", ["K0000000001", "+86 138-1234-5678", "110101198003071234", "張偉", "王芳"])
def test_customer_search_is_the_same_on_duckdb_and_spark(tiny, text):
    duck, spark = tiny
    found = search_customers(spark, text)
    assert found and found == search_customers(duck, text)
