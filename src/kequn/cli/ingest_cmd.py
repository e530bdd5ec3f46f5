"""kequn ingest SOURCE_DIR | kequn ingest quarantine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from kequn.cli import app
from kequn.cli.options import WorkspaceOption, parse_as_of, workspace


class _SourceDirOrCommand(TyperGroup):
    """`kequn ingest DIR` runs an ingest; `kequn ingest quarantine` lists rejected rows."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


ingest_app = typer.Typer(
    cls=_SourceDirOrCommand,
    help="Load source exports into the warehouse (kequn ingest SOURCE_DIR).",
    no_args_is_help=True,
)
app.add_typer(ingest_app, name="ingest")
_out = Console()


@ingest_app.command("run")
def run(
    source_dir: Annotated[Path, typer.Argument(help="Folder of source exports (e.g. from kequn generate).")],
    mapping: Annotated[str, typer.Option("--mapping", "-m", help="synthetic, berka or a folder of YAML.")] = (
        "synthetic"
    ),
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Snapshot date (default: manifest.json).")
    ] = None,
    workspace_dir: WorkspaceOption = None,
) -> None:
    """Ingest every file of a mapping set; rejected rows go to the quarantine table."""
    from kequn.core.progress import counter_reporter, progress
    from kequn.engine import engine_for
    from kequn.ingest import ingest_sources
    from kequn.ingest.report import summary_table

    engine = engine_for(workspace(workspace_dir))
    try:
        with progress(transient=True) as bar:
            report = ingest_sources(
                engine, source_dir, mapping, as_of=parse_as_of(as_of), progress=counter_reporter(bar)
            )
    finally:
        engine.close()
    _out.print(summary_table(report))
    _out.print(
        f"total: {report.read:,} read, {report.loaded:,} loaded, {report.skipped:,} skipped, "
        f"{report.quarantined:,} quarantined in {report.seconds:.1f}s (as of {report.as_of})",
        highlight=False,
    )


@ingest_app.command("quarantine")
def quarantine(
    limit: Annotated[int, typer.Option("--limit", "-n", help="Rows to show.")] = 50,
    source_file: Annotated[str | None, typer.Option("--file", help="Only this source file.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Snapshot date (default: latest).")] = None,
    workspace_dir: WorkspaceOption = None,
) -> None:
    """List quarantined rows: file, line, column and reason (never the raw values)."""
    from kequn.engine import engine_for
    from kequn.ingest.quarantine import LISTED_COLUMNS, TABLE, listing_sql

    engine = engine_for(workspace(workspace_dir))
    try:
        used = engine.use_snapshot(TABLE, parse_as_of(as_of))
        total = engine.scalar(f"SELECT count(*) FROM {TABLE}")
        rows = engine.query(listing_sql(limit, source_file)).to_pylist()
    finally:
        engine.close()
    table = Table(title=f"quarantine as of {used}: {total:,} rows")
    for name in LISTED_COLUMNS:
        table.add_column(name, justify="right" if name == "line" else "left")
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in LISTED_COLUMNS))
    _out.print(table)
