"""Snapshot storage: warehouse/<table>/as_of=YYYY-MM-DD/*.parquet, published atomically.

A snapshot is written into a hidden sibling folder, then renamed into place, so a reader sees either
the whole previous snapshot or the whole new one, never half of one.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from kequn.core.errors import SnapshotMissing

PREFIX = "as_of="


class Warehouse:
    def __init__(self, root: Path):
        self.root = Path(root)

    def table_dir(self, table: str) -> Path:
        return self.root / table

    def snapshot_dir(self, table: str, as_of: date) -> Path:
        return self.table_dir(table) / f"{PREFIX}{as_of.isoformat()}"

    def snapshots(self, table: str) -> list[date]:
        """Published snapshot dates of ``table``, oldest first."""
        folder = self.table_dir(table)
        if not folder.is_dir():
            return []
        found = [
            date.fromisoformat(p.name[len(PREFIX) :])
            for p in folder.iterdir()
            if p.is_dir() and p.name.startswith(PREFIX)
        ]
        return sorted(found)

    def resolve(self, table: str, as_of: date | None = None) -> date:
        """The snapshot date to read: ``as_of`` itself, or the latest one on or before it."""
        dates = [d for d in self.snapshots(table) if as_of is None or d <= as_of]
        if not dates:
            when = f" on or before {as_of}" if as_of else ""
            raise SnapshotMissing(f"warehouse table '{table}' has no snapshot{when}")
        return dates[-1]

    def files_glob(self, table: str, as_of: date | None = None) -> str:
        """A glob over the Parquet files of the chosen snapshot (what DuckDB and Spark read)."""
        return str(self.snapshot_dir(table, self.resolve(table, as_of)) / "*.parquet")

    def has(self, table: str, as_of: date | None = None) -> bool:
        try:
            self.resolve(table, as_of)
        except SnapshotMissing:
            return False
        return True

    @contextmanager
    def publishing(self, table: str, as_of: date) -> Iterator[Path]:
        """Yield a staging folder; on success it replaces the snapshot of ``table`` at ``as_of``."""
        final = self.snapshot_dir(table, as_of)
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = final.parent / f".staging-{final.name}-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        try:
            yield staging
            _swap_into_place(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _swap_into_place(staging: Path, final: Path) -> None:
    retired = None
    if final.exists():
        retired = final.parent / f".retired-{final.name}-{uuid.uuid4().hex[:8]}"
        os.replace(final, retired)
    os.replace(staging, final)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
