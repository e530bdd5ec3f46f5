"""Spark implementation of the engine: the same DuckDB-dialect SQL, transpiled, for banks past one machine.

Only ``kequn.engine.engine_for`` (or a caller asking for Spark) imports this module: importing kequn never
imports pyspark. Each engine works in its own Spark session (its own temporary views and settings) over
one shared SparkContext, so several engines in one process do not see each other's views.

Type parity with DuckDB (docs/engines.md, "Spark engine"):

- ``TIMESTAMP`` means TIMESTAMP_NTZ (``spark.sql.timestampType``), as in DuckDB; the session time zone is
  UTC, and any TIMESTAMP_LTZ a query produces is converted to NTZ before it is returned or written.
- ANSI mode stays on: a bad cast or an overflow fails on both engines instead of turning into NULL on
  Spark only.
- A snapshot view has the ``as_of`` DATE column DuckDB adds from the folder name (hive partitioning).
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
from pyspark import StorageLevel
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.pandas.types import from_arrow_schema
from sqlglot import exp

from kequn.engine import spark_sql
from kequn.engine.base import Engine
from kequn.engine.spark_rewrites import UnsupportedSQL
from kequn.engine.warehouse import Warehouse

DEFAULT_MASTER = "local[2]"

# Quiet by default: the JVM logs errors only, and PySpark's own query-context loggers (which print the
# failing SQL, literals included, so possibly personal data) are silenced; the exception says it all.
_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
# PySpark prints "Setting default log level" unless the gateway's level equals the root's.
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
"""

SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}


def spark_conf(
    master: str = DEFAULT_MASTER,
    *,
    driver_memory: str = "1g",
    shuffle_partitions: int = 4,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """Every setting the shared session starts with (local runs: small shuffles, no UI, quiet logs)."""
    scratch = Path(tempfile.gettempdir()) / "kequn-spark"
    scratch.mkdir(exist_ok=True)
    log4j = scratch / "log4j2.properties"
    if not log4j.is_file() or log4j.read_text(encoding="utf-8") != _LOG4J:
        # Written aside and renamed: another process (a test worker) may be starting its JVM on it.
        draft = scratch / f".log4j2-{os.getpid()}.properties"
        draft.write_text(_LOG4J, encoding="utf-8")
        os.replace(draft, log4j)
    conf = {
        "spark.master": master,
        "spark.app.name": "kequn",
        "spark.driver.memory": driver_memory,
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{log4j}",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.log.structuredLogging.enabled": "false",
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.default.parallelism": str(shuffle_partitions),
        "spark.sql.warehouse.dir": str(scratch / "spark-warehouse"),
        "spark.local.dir": str(scratch),
        # No _SUCCESS markers or .crc side files next to the snapshot's Parquet files.
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
        "spark.hadoop.fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem",
        "spark.hadoop.fs.file.impl.disable.cache": "true",
        **SESSION_CONF,
    }
    conf.update(extra or {})
    return conf


def start_session(conf: dict[str, str]) -> SparkSession:
    """The process's shared SparkSession (created on first use with ``conf``)."""
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    with _no_pandas_version_warning():
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _silence_python_loggers()
    return session


def _silence_python_loggers() -> None:
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


class _SharedSession:
    """The process's session as engines use it: started by the first engine that needs it, stopped when
    the last of the engines using it closes (never if kequn did not start it)."""

    def __init__(self) -> None:
        self.engines = 0
        self.started_here = False

    def join(self, settings: dict[str, str]) -> SparkSession:
        if self.engines == 0:
            self.started_here = SparkSession.getActiveSession() is None
        session = start_session(settings)
        self.engines += 1
        return session

    def leave(self) -> None:
        self.engines -= 1
        active = SparkSession.getActiveSession()
        if self.engines == 0 and self.started_here and active is not None:
            active.stop()
            self.started_here = False


_SHARED = _SharedSession()


class SparkEngine(Engine):
    """Runs kequn's DuckDB-dialect SQL on Spark (``local[2]`` by default, or any ``master``).

    ``session``: an existing SparkSession to work in (tests share one per module); the engine then
    leaves it running on ``close()``. Otherwise the engine joins the process's session (starting it with
    the settings given if there is none), which stops when the last such engine closes.
    """

    def __init__(
        self,
        warehouse: Warehouse,
        master: str = DEFAULT_MASTER,
        *,
        driver_memory: str = "1g",
        shuffle_partitions: int = 4,
        conf: dict[str, str] | None = None,
        session: SparkSession | None = None,
    ):
        self.warehouse = warehouse
        self._joined = session is None
        if session is None:
            settings = spark_conf(
                master, driver_memory=driver_memory, shuffle_partitions=shuffle_partitions, extra=conf
            )
            session = _SHARED.join(settings)
        self.spark = session.newSession()
        settings = {**SESSION_CONF, "spark.sql.shuffle.partitions": str(shuffle_partitions), **(conf or {})}
        for key, value in settings.items():  # the engine's own session: kequn's settings, then the caller's
            if key.startswith("spark.sql.") and self.spark.conf.isModifiable(key):
                self.spark.conf.set(key, value)
        self._tables: dict[str, DataFrame] = {}  # cached TEMP TABLEs, to unpersist on DROP / replace
        self._snapshot_views: dict[str, tuple[str, date]] = {}  # view -> (table, as_of) it shows

    # --- queries ------------------------------------------------------------------------------------

    def query(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        result = pa.table({})
        for statement in spark_sql.parse(sql, params):
            if _is_query(statement):
                result = _to_arrow(self._frame(statement))
            else:
                self._run_statement(statement)
                result = pa.table({})
        return result

    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        for statement in spark_sql.parse(sql, params):
            if _is_query(statement):
                self._frame(statement)  # analysed (so errors surface); nothing to keep
            else:
                self._run_statement(statement)

    def frame(self, sql: str, params: list[Any] | None = None) -> DataFrame:
        """The Spark DataFrame of a DuckDB-dialect query (lazy; for callers that stay in Spark)."""
        statements = spark_sql.parse(sql, params)
        if len(statements) != 1 or not _is_query(statements[0]):
            raise UnsupportedSQL("frame() takes one query")
        return self._frame(statements[0])

    def _frame(self, statement: exp.Expr) -> DataFrame:
        return _as_duckdb_types(self.spark.sql(spark_sql.generate(statement)))

    # --- statements ---------------------------------------------------------------------------------

    def _run_statement(self, statement: exp.Expr) -> None:
        if isinstance(statement, exp.Create):
            self._create(statement)
        elif isinstance(statement, exp.Drop):
            self._drop(statement)
        elif isinstance(statement, exp.Insert):
            self._insert(statement)
        else:
            kind = statement.key.upper()
            raise UnsupportedSQL(f"the Spark engine does not run {kind} statements (DuckDB-only SQL)")

    def _create(self, statement: exp.Create) -> None:
        kind = str(statement.args.get("kind") or "").upper()
        query = statement.expression
        if kind not in ("TABLE", "VIEW") or query is None or not _is_query(query):
            raise UnsupportedSQL("the Spark engine runs CREATE [OR REPLACE] [TEMP] TABLE|VIEW name AS query")
        name = statement.this.name
        if not statement.args.get("replace") and self._exists(name):
            if statement.args.get("exists"):  # CREATE ... IF NOT EXISTS
                return
            raise UnsupportedSQL(f"'{name}' already exists (use CREATE OR REPLACE)")
        self._forget(name)
        if kind == "VIEW":
            # SQL text, not a captured plan: like DuckDB's, the view reads its sources when queried.
            self.spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW {_quoted(name)} AS {spark_sql.generate(query)}")
            return
        frame = self._materialise(self._frame(query))
        frame.createOrReplaceTempView(name)
        self._tables[name.lower()] = frame

    def _materialise(self, frame: DataFrame) -> DataFrame:
        """A TEMP TABLE holds its rows as of creation (like DuckDB's), not a re-run query."""
        frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
        frame.count()
        return frame

    def _drop(self, statement: exp.Drop) -> None:
        kind = str(statement.args.get("kind") or "").upper()
        if kind not in ("TABLE", "VIEW"):
            raise UnsupportedSQL(f"the Spark engine does not drop {kind or 'this'} objects")
        for table in statement.args.get("tables") or [statement.this]:
            if not self._exists(table.name):
                if statement.args.get("exists"):
                    continue
                raise UnsupportedSQL(f"{kind.lower()} '{table.name}' does not exist")
            self._forget(table.name)
            self.spark.catalog.dropTempView(table.name)

    def _insert(self, statement: exp.Insert) -> None:
        """INSERT INTO a temp table: the table becomes its old rows plus the new ones.

        Columns match by position, or by the column list given; columns not given are NULL.
        """
        target = statement.this
        listed = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else None
        name = (target.this if isinstance(target, exp.Schema) else target).name
        old = self._tables.get(name.lower())
        if old is None:
            raise UnsupportedSQL(f"INSERT works on temp tables this engine created; '{name}' is not one")
        new = self._frame(statement.expression)
        given = listed or old.columns[: len(new.columns)]
        new = new.toDF(*given)
        columns = [
            (F.col(c) if c in given else F.lit(None)).cast(old.schema[c].dataType).alias(c)
            for c in old.columns
        ]
        combined = self._materialise(old.unionByName(new.select(*columns)))
        self._forget(name)
        combined.createOrReplaceTempView(name)
        self._tables[name.lower()] = combined

    def _exists(self, name: str) -> bool:
        return any(t.name.lower() == name.lower() for t in self.spark.catalog.listTables() if t.isTemporary)

    def _forget(self, name: str) -> None:
        cached = self._tables.pop(name.lower(), None)
        if cached is not None:
            cached.unpersist()
        self._snapshot_views.pop(name.lower(), None)

    # --- data in and out ----------------------------------------------------------------------------

    def register(self, name: str, data: pa.Table) -> None:
        with _no_pandas_version_warning():
            frame = self.spark.createDataFrame(data)
        self._forget(name)
        frame.createOrReplaceTempView(name)

    def use_snapshot(self, table: str, as_of: date | None = None, *, alias: str | None = None) -> date:
        chosen = self.warehouse.resolve(table, as_of)
        view = alias or table
        self._show_snapshot(view, table, chosen)
        return chosen

    def _show_snapshot(self, view: str, table: str, as_of: date) -> None:
        folder = self.warehouse.snapshot_dir(table, as_of)
        reader = self.spark.read
        schema = _parquet_schema(folder)
        if schema is not None:
            reader = reader.schema(schema)
        frame = reader.parquet(str(folder)).withColumn("as_of", F.lit(as_of))
        self._forget(view)
        frame.createOrReplaceTempView(view)
        self._snapshot_views[view.lower()] = (table, as_of)

    def write_snapshot(self, table: str, as_of: date, sql: str) -> int:
        frame = self.frame(sql)
        with self.warehouse.publishing(table, as_of) as staging:
            frame.write.mode("overwrite").parquet(str(staging))
            rows = pads.dataset(str(staging), format="parquet").count_rows()
        self._refresh_views_of(table, as_of)
        return int(rows)

    def _refresh_views_of(self, table: str, as_of: date) -> None:
        """Views over a snapshot just replaced list the old files: point them at the new ones.

        DuckDB re-globs the folder at each query, so its views see the new snapshot at once.
        """
        for view, shown in list(self._snapshot_views.items()):
            if shown == (table, as_of):
                self._show_snapshot(view, table, as_of)

    def close(self) -> None:
        for name in list(self._tables):
            self._forget(name)
        if self._joined:
            self._joined = False
            _SHARED.leave()


def _parquet_schema(folder: Path) -> T.StructType | None:
    """The snapshot's schema from one Parquet footer, read here: Spark would run a job to infer it.

    None when Spark should infer it after all (no file, or a type Arrow maps but Spark cannot take).
    """
    first = next(iter(sorted(folder.glob("*.parquet"))), None)
    if first is None:
        return None
    try:
        return from_arrow_schema(pq.read_schema(first), prefer_timestamp_ntz=True)
    except (TypeError, ValueError, NotImplementedError, PySparkException):
        return None


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _is_query(statement: exp.Expr) -> bool:
    return isinstance(statement, exp.Query)


def _as_duckdb_types(frame: DataFrame) -> DataFrame:
    """Result columns in the types DuckDB gives the same SQL.

    TIMESTAMP_LTZ (current_timestamp, ...) becomes NTZ at its UTC wall-clock time; a day interval
    (DATE - DATE) becomes a BIGINT number of days.
    """
    fields = frame.schema.fields
    if not any(_converted(f.dataType) is not None for f in fields):
        return frame
    columns = []
    for f in fields:
        column, target = F.col(f"`{f.name}`"), _converted(f.dataType)
        columns.append(column if target is None else column.cast(target).alias(f.name))
    return frame.select(*columns)


def _converted(kind: T.DataType) -> T.DataType | None:
    if isinstance(kind, T.TimestampType):
        return T.TimestampNTZType()
    if isinstance(kind, T.DayTimeIntervalType) and kind.startField == kind.endField == kind.DAY:
        return T.LongType()
    return None


def _to_arrow(frame: DataFrame) -> pa.Table:
    """The result as Arrow, every column nullable as DuckDB reports them."""
    with _no_pandas_version_warning():
        table = frame.toArrow()
    if all(f.nullable for f in table.schema):
        return table
    return table.cast(
        pa.schema([f.with_nullable(True) for f in table.schema], metadata=table.schema.metadata)
    )


@contextmanager
def _no_pandas_version_warning() -> Iterator[None]:
    """PySpark warns about the pandas version on conversions, though kequn converts through Arrow only."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
        yield
