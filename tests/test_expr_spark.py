"""The Spark compilation of random expressions runs on Spark (ANSI mode, as kequn configures it) and
gives the Python function's answer on every row, NULLs included — so tags and segments written in the
rule language mean the same on both engines."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kequn.expr import parse_expr
from tests.test_expr_agreement import AS_OF, COLUMNS, NAMESPACE, expression, rows, same

pytestmark = pytest.mark.slow
BATCH = 25  # expressions per Spark query: one column each


@pytest.fixture(scope="module")
def spark_table():
    from pyspark.sql import types as T

    from kequn.engine.spark_engine import spark_conf, start_session

    spark = start_session(spark_conf())
    spark_types = {
        "DOUBLE": T.DoubleType(),
        "INTEGER": T.IntegerType(),
        "BIGINT": T.LongType(),
        "DECIMAL(12,2)": T.DecimalType(12, 2),
        "VARCHAR": T.StringType(),
        "BOOLEAN": T.BooleanType(),
        "DATE": T.DateType(),
    }
    fields = [T.StructField(c, spark_types[sql_type]) for c, (_, sql_type) in COLUMNS.items()]
    schema = T.StructType([T.StructField("rid", T.IntegerType()), *fields])

    def load(table: list[dict]) -> None:
        data = [(i, *(_spark_value(row[c], COLUMNS[c][1]) for c in COLUMNS)) for i, row in enumerate(table)]
        spark.createDataFrame(data, schema).createOrReplaceTempView("expr_rows")

    yield spark, load
    spark.stop()


def _spark_value(value, sql_type: str):
    return float(value) if sql_type == "DOUBLE" and value is not None else value


@pytest.mark.parametrize("kind", ["number", "boolean", "string", "date"])
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_spark_sql_and_python_agree(spark_table, kind, data):
    spark, load = spark_table
    texts = data.draw(st.lists(expression(kind), min_size=BATCH, max_size=BATCH), label="expressions")
    table = data.draw(rows(max_rows=12), label="rows")
    load(table)
    checked = [parse_expr(text, NAMESPACE) for text in texts]
    columns = ", ".join(f"{c.sql('spark', as_of=AS_OF)} AS c{i}" for i, c in enumerate(checked))
    result = spark.sql(f"SELECT {columns} FROM expr_rows ORDER BY rid").collect()
    for i, expr in enumerate(checked):
        function = expr.to_python(as_of=AS_OF)
        for row, spark_row in zip(table, result, strict=True):
            python_value, spark_value = function(row), spark_row[f"c{i}"]
            assert same(python_value, spark_value), (
                f"{expr}\nrow: {row}\npython {python_value!r} != spark {spark_value!r}"
            )


def test_round_is_the_same_on_spark_duckdb_and_python(spark_table):
    # Spark's own ROUND(x, 2) gives 1.01 and 0.29 for the first two; the compiled SQL must not.
    spark, _ = spark_table
    texts = ["round(1.005, 2)", "round(0.285, 2)", "round(2.675, 2)", "round(-2.5)", "round(1234.5, -1)"]
    checked = [parse_expr(text, NAMESPACE) for text in texts]
    on_spark = spark.sql("SELECT " + ", ".join(c.sql("spark") for c in checked)).collect()[0]
    on_duckdb = duckdb.sql("SELECT " + ", ".join(c.sql("duckdb") for c in checked)).fetchall()[0]
    in_python = tuple(c.to_python()({}) for c in checked)
    assert tuple(on_spark) == on_duckdb == in_python == (1.0, 0.28, 2.68, -3.0, 1230.0)
