"""The engine interface: every set-based step is SQL (DuckDB dialect) run through one of these."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date
from typing import Any

import pyarrow as pa

from kequn.engine.warehouse import Warehouse


class Engine(ABC):
    """Runs SQL over warehouse snapshots and publishes new snapshots.

    Query builders elsewhere are pure: they return SQL text. Only an engine executes it.
    """

    warehouse: Warehouse

    @abstractmethod
    def query(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        """Run a query and return its result as an Arrow table."""

    @abstractmethod
    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        """Run a statement for its effect (CREATE TEMP TABLE, ...)."""

    @abstractmethod
    def register(self, name: str, data: pa.Table) -> None:
        """Make an Arrow table queryable under ``name`` for this engine's session."""

    @abstractmethod
    def use_snapshot(self, table: str, as_of: date | None = None, *, alias: str | None = None) -> date:
        """Expose snapshot ``as_of`` (or the latest on or before it) of ``table`` as a view.

        Returns the snapshot date actually used.
        """

    @abstractmethod
    def write_snapshot(self, table: str, as_of: date, sql: str) -> int:
        """Publish the result of ``sql`` as snapshot ``as_of`` of ``table``; returns the row count."""

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        result = self.query(sql, params)
        return result.column(0)[0].as_py() if result.num_rows else None

    def close(self) -> None:  # noqa: B027 - optional for engines without resources
        """Release resources."""
