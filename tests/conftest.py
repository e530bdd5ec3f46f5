"""Shared fixtures: workspaces, engines, and the servers tests must reach when CI=true."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kequn.core.workspace import Workspace, init_workspace
from kequn.engine import DuckDBEngine, Warehouse

SHARED = Path(__file__).resolve().parents[2] / "shared"
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
