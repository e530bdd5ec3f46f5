"""Engines run SQL over warehouse snapshots; the warehouse stores snapshots as Parquet.

``SparkEngine`` is loaded only when asked for (``engine_for`` on a Spark workspace, or
``from kequn.engine import SparkEngine``): importing kequn never imports pyspark.
"""

from __future__ import annotations

import os
from typing import Any

from kequn.core.errors import WorkspaceError
from kequn.core.workspace import Workspace
from kequn.engine.base import Engine
from kequn.engine.duckdb_engine import DuckDBEngine
from kequn.engine.warehouse import Warehouse

ENV_ENGINE = "KEQUN_ENGINE"
ENGINE_KINDS = ("duckdb", "spark")


def engine_kind(workspace: Workspace) -> str:
    """'duckdb' or 'spark': $KEQUN_ENGINE, else kequn.toml ``[engine] kind`` (or ``name``), else duckdb."""
    options = workspace.engine_options
    chosen = os.environ.get(ENV_ENGINE) or options.get("kind") or options.get("name") or "duckdb"
    kind = str(chosen).strip().lower()
    if kind not in ENGINE_KINDS:
        raise WorkspaceError(
            f"unknown engine '{kind}' (kequn.toml [engine] kind or ${ENV_ENGINE}): use one of "
            + ", ".join(ENGINE_KINDS)
        )
    return kind


def engine_for(workspace: Workspace) -> Engine:
    """The engine the workspace is configured for (DuckDB by default)."""
    options = workspace.engine_options
    warehouse = Warehouse(workspace.warehouse)
    if engine_kind(workspace) == "spark":
        return _spark_engine(warehouse, options)
    return DuckDBEngine(
        warehouse,
        threads=int(options.get("threads", 0) or 0),
        memory_limit=str(options.get("memory_limit", "") or ""),
    )


def _spark_engine(warehouse: Warehouse, options: dict[str, Any]) -> Engine:
    """A SparkEngine from ``[engine]``: master, driver_memory, shuffle_partitions, ``[engine.spark_conf]``."""
    spark_engine = _import_spark_engine()
    conf = {str(k): str(v) for k, v in dict(options.get("spark_conf") or {}).items()}
    return spark_engine.SparkEngine(
        warehouse,
        master=str(options.get("master") or spark_engine.DEFAULT_MASTER),
        driver_memory=str(options.get("driver_memory") or "1g"),
        shuffle_partitions=int(options.get("shuffle_partitions") or 4),
        conf=conf,
    )


def _import_spark_engine() -> Any:
    try:
        from kequn.engine import spark_engine
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in ("pyspark", "py4j"):
            raise WorkspaceError("the Spark engine needs pyspark: pip install 'kequn[spark]'") from None
        raise
    return spark_engine


def __getattr__(name: str) -> Any:
    if name == "SparkEngine":
        return _import_spark_engine().SparkEngine
    raise AttributeError(f"module 'kequn.engine' has no attribute '{name}'")


# SparkEngine is left out of __all__ so a star import does not load pyspark.
__all__ = ["DuckDBEngine", "Engine", "Warehouse", "engine_for", "engine_kind"]
