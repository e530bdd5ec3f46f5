"""Options shared by every command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kequn.core.workspace import ENV_WORKSPACE, Workspace, open_workspace

WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", envvar=ENV_WORKSPACE, help="Workspace folder (kequn.toml)."),
]


def workspace(path: Path | None) -> Workspace:
    return open_workspace(path)
