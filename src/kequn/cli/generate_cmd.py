"""kequn generate: write the synthetic bank's source exports (docs/synthetic-bank.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kequn.cli import app
from kequn.cli.options import parse_as_of
from kequn.core.errors import UserInputError


def _check(customers: int, days: int) -> None:
    if customers < 1:
        raise UserInputError(f"--customers must be at least 1, got {customers}")
    if days < 1:
        raise UserInputError(f"--days must be at least 1, got {days}")


@app.command("generate")
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the bank's exports into.")],
    customers: Annotated[int, typer.Option("--customers", help="Number of people.")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 42,
    days: Annotated[int, typer.Option("--days", help="Days of transactions up to --as-of.")] = 90,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Export date YYYY-MM-DD.")] = None,
) -> None:
    """Generate a synthetic Chinese retail bank: core, cards, app, CRM and call-centre exports."""
    from kequn.core.progress import counter_reporter, progress
    from kequn.demo.generator import generate_bank
    from kequn.demo.generator.bank import STEPS
    from kequn.demo.generator.context import CHUNK

    _check(customers, days)
    export_date = parse_as_of(as_of)
    dated = {} if export_date is None else {"as_of": export_date}  # generate_bank owns the default
    with progress() as bar:
        report = counter_reporter(bar)
        assert report is not None
        for step in STEPS:
            report(step, 0, -(-customers // CHUNK))
        manifest = generate_bank(out, customers=customers, seed=seed, days=days, progress=report, **dated)
    _summary(out, manifest["files"])


def _summary(out: Path, files: dict[str, int]) -> None:
    table = Table(title=f"synthetic bank in {out}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in files.items():
        table.add_row(name, f"{rows:,}")
    Console().print(table)
