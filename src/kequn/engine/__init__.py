"""Engines run SQL over warehouse snapshots; the warehouse stores snapshots as Parquet."""

from __future__ import annotations

from kequn.core.workspace import Workspace
from kequn.engine.base import Engine
from kequn.engine.duckdb_engine import DuckDBEngine
from kequn.engine.warehouse import Warehouse


def engine_for(workspace: Workspace) -> Engine:
    """The engine the workspace is configured for (DuckDB by default)."""
    options = workspace.engine_options
    return DuckDBEngine(
        Warehouse(workspace.warehouse),
        threads=int(options.get("threads", 0) or 0),
        memory_limit=str(options.get("memory_limit", "") or ""),
    )


__all__ = ["DuckDBEngine", "Engine", "Warehouse", "engine_for"]
