"""Options shared by every command."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from kequn.core.errors import UserInputError
from kequn.core.workspace import ENV_WORKSPACE, Workspace, open_workspace

WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", envvar=ENV_WORKSPACE, help="Workspace folder (kequn.toml)."),
]


def workspace(path: Path | None) -> Workspace:
    return open_workspace(path)


def parse_as_of(text: str | None) -> date | None:
    """The value of an --as-of option: None (latest) or a date; anything else is a usage error."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserInputError(f"--as-of {text!r}: expected a date YYYY-MM-DD") from None
