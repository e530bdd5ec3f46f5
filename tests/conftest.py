"""Shared fixtures: workspaces, engines, and the servers tests must reach when CI=true."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kequn.core.workspace import Workspace, init_workspace
from kequn.engine import DuckDBEngine, Warehouse

SHARED = Path(__file__).resolve().parents[2] / "shared"
# CLI modules build their Rich consoles at import, reading COLUMNS then: a wide terminal for every test
# process (CliRunner's env= comes too late for them), so table cells never wrap mid-word.
os.environ["COLUMNS"] = "200"
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws")


@pytest.fixture
def engine(workspace: Workspace):
    eng = DuckDBEngine(Warehouse(workspace.warehouse))
    yield eng
    eng.close()


def require_or_skip(available: bool, what: str) -> None:
    """Skip a test whose server is missing locally; in CI a missing server is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required when CI=true")
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def small_bank(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A generated bank (400 customers, 150 days to 2026-10-31) ingested and resolved, shared read-only.

    Tests may add snapshots for their own dates, but never change the sources, ingest or identity.
    """
    from kequn.demo.generator import generate_bank
    from kequn.identity import resolve_identity
    from kequn.ingest import ingest_sources
    from kequn.store import upgrade_store

    ws = init_workspace(tmp_path_factory.mktemp("small_bank") / "ws")
    upgrade_store(ws.database_url)
    generate_bank(ws.path("sources"), customers=400, seed=7, days=150)
    eng = DuckDBEngine(Warehouse(ws.warehouse))
    try:
        ingest_sources(eng, ws.path("sources"), "synthetic")
        resolve_identity(eng, store_url=ws.database_url)
    finally:
        eng.close()
    return ws
