"""kequn init / kequn db upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import print as rprint

from kequn.cli import app
from kequn.core.workspace import init_workspace


@app.command("init")
def init(directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")]) -> None:
    """Create a workspace: kequn.toml, warehouse/ and the operational store."""
    from kequn.store import upgrade_store

    ws = init_workspace(directory)
    upgrade_store(ws.database_url)
    rprint(f"workspace ready: {ws.root}")
