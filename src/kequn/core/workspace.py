"""The workspace: one folder holding kequn.toml, the warehouse, the operational store, models and reports."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kequn.core.errors import WorkspaceError

CONFIG_FILE = "kequn.toml"
ENV_WORKSPACE = "KEQUN_WORKSPACE"
ENV_DATABASE_URL = "KEQUN_DATABASE_URL"

DEFAULT_CONFIG = """\
# kequn workspace settings
[workspace]
name = "{name}"

[warehouse]
# Parquet snapshots: warehouse/<table>/as_of=YYYY-MM-DD/*.parquet
path = "warehouse"

[store]
# Operational store. KEQUN_DATABASE_URL overrides this (e.g. postgresql+psycopg://127.0.0.1:5432/test).
url = "sqlite:///{{workspace}}/kequn.db"

[engine]
kind = "duckdb"       # or "spark" (pip install 'kequn[spark]'; KEQUN_ENGINE overrides)
threads = 0          # 0 = all cores
memory_limit = ""    # e.g. "8GB"; empty = DuckDB default
"""


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: dict[str, Any]

    @property
    def warehouse(self) -> Path:
        return self.root / self.config.get("warehouse", {}).get("path", "warehouse")

    @property
    def database_url(self) -> str:
        url = os.environ.get(ENV_DATABASE_URL) or self.config.get("store", {}).get("url", "")
        return url.replace("{workspace}", str(self.root))

    @property
    def engine_options(self) -> dict[str, Any]:
        return dict(self.config.get("engine", {}))

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)


def init_workspace(root: Path) -> Workspace:
    """Create a workspace (idempotent: an existing kequn.toml is kept)."""
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_FILE
    if not config.exists():
        config.write_text(DEFAULT_CONFIG.format(name=root.name), encoding="utf-8")
    ws = open_workspace(root)
    for sub in (ws.warehouse, ws.path("models"), ws.path("reports")):
        sub.mkdir(parents=True, exist_ok=True)
    return ws


def open_workspace(root: Path | str | None = None) -> Workspace:
    """Open the workspace at ``root``, or at $KEQUN_WORKSPACE, or the current folder."""
    chosen = Path(root or os.environ.get(ENV_WORKSPACE) or ".").resolve()
    config = chosen / CONFIG_FILE
    if not config.is_file():
        raise WorkspaceError(
            f"{chosen}: not a kequn workspace (no {CONFIG_FILE}); run 'kequn init {chosen}' "
            f"or pass --workspace / set {ENV_WORKSPACE}"
        )
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"{config}: invalid TOML: {exc}") from None
    return Workspace(chosen, data)
