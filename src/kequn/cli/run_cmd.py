"""kequn run --as-of DATE: the daily run (ingest, OneID, features, tags, tiers, segments)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kequn.cli import app
from kequn.cli.options import WorkspaceOption, parse_as_of, workspace
from kequn.core.errors import UserInputError

out = Console()


@app.command("run")
def run(
    as_of: Annotated[str, typer.Option("--as-of", help="The date to compute, YYYY-MM-DD.")],
    steps: Annotated[
        str | None,
        typer.Option(
            "--steps",
            help="Comma-separated subset of: ingest,identity,features,tags,tiers,audience,segments.",
        ),
    ] = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """Compute one date: features → tags → tiers → segments (ingest and OneID first when sources are set)."""
    from kequn.core.progress import progress
    from kequn.daily import STEPS, run_daily

    day = parse_as_of(as_of)
    if day is None:
        raise UserInputError("--as-of is required (YYYY-MM-DD)")
    wanted = [s.strip() for s in steps.split(",") if s.strip()] if steps else list(STEPS)
    with progress(transient=True) as bar:
        results = run_daily(workspace(ws_path), day, progress=bar, steps=wanted)
    table = Table("step", "rows", "seconds", "detail", title=f"kequn run · {day}")
    for r in results:
        detail = ", ".join(f"{k}={v}" for k, v in r.detail.items())
        table.add_row(r.step, f"{r.rows:,}", f"{r.seconds:.1f}", detail)
    table.add_row("total", "", f"{sum(r.seconds for r in results):.1f}", "")
    out.print(table)
