"""kequn demo: a generated bank, the daily pipeline, then the console."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kequn.cli import app
from kequn.cli.serve_cmd import serve_workspace
from kequn.core.errors import UserInputError
from kequn.core.progress import progress
from kequn.core.workspace import init_workspace

out = Console()


@app.command("demo")
def demo(
    ws: Annotated[
        Path, typer.Option("--workspace", "-w", envvar="KEQUN_WORKSPACE", help="Workspace folder.")
    ] = Path("demo-workspace"),
    customers: Annotated[int, typer.Option(help="Customers in the generated bank.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same bank).")] = 42,
    days: Annotated[int, typer.Option(help="Days of history (the daily run covers each full month).")] = 150,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the console after.")] = True,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Generate a bank, run the daily pipeline on it, print a summary, then serve the console."""
    from kequn.demo import DemoSettings, run_demo

    if customers < 1 or days < 1:
        raise UserInputError("--customers and --days must be at least 1")
    space = init_workspace(ws)
    with progress() as bar:
        results = run_demo(space, DemoSettings(customers=customers, seed=seed, days=days), progress=bar)
    table = Table("step", "rows", "seconds", "detail", title=f"kequn demo · {customers:,} customers")
    for r in results:
        detail = ", ".join(f"{k}={_fmt(v)}" for k, v in r.detail.items())
        table.add_row(r.step, f"{r.rows:,}", f"{r.seconds:.1f}", detail)
    table.add_row("total", "", f"{sum(r.seconds for r in results):.1f}", "")
    out.print(table)
    if serve_after:
        serve_workspace(space.root, host, port)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
