"""kequn identity run | evaluate | merge | split | overrides | resolve."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich import print as rprint

from kequn.cli import app
from kequn.cli.options import WorkspaceOption, parse_as_of, workspace

identity_app = typer.Typer(help="OneID: resolve person records into customers.", no_args_is_help=True)
app.add_typer(identity_app, name="identity")

AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Snapshot date YYYY-MM-DD (default: latest).")
]
ByOption = Annotated[str, typer.Option("--by", help="Who makes this decision.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (kept with the override).")]


def _quiet() -> None:
    from kequn.identity.splink_model import quiet_splink

    quiet_splink()
    logging.getLogger("alembic").setLevel(logging.WARNING)


@identity_app.command("run")
def run(as_of: AsOfOption = None, ws_path: WorkspaceOption = None) -> None:
    """Resolve the person_record snapshot; publish source_link and customer snapshots."""
    from kequn.core.progress import phase_progress, progress
    from kequn.engine import engine_for
    from kequn.identity import resolve_identity

    _quiet()
    ws = workspace(ws_path)
    engine = engine_for(ws)
    try:
        with progress(transient=True) as bar, phase_progress(bar, "OneID ") as reporter:
            report = resolve_identity(
                engine, parse_as_of(as_of), store_url=ws.database_url, progress=reporter
            )
    finally:
        engine.close()
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items())
    rprint(
        f"identity {report.as_of}: {report.records:,} records → {report.customers:,} customers "
        f"({report.deterministic_pairs:,} ID-number pairs, {report.splink_pairs:,} Splink links; {phases})"
    )


@identity_app.command("evaluate")
def evaluate(
    truth: Annotated[
        Path, typer.Option("--truth", help="ground_truth/persons.csv (source,source_key,person_id).")
    ],
    as_of: AsOfOption = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """Pair precision, recall and F1 of the published crosswalk against ground truth."""
    from kequn.engine import engine_for
    from kequn.identity import evaluate_identity

    ws = workspace(ws_path)
    engine = engine_for(ws)
    try:
        m = evaluate_identity(engine, truth, parse_as_of(as_of))
    finally:
        engine.close()
    rprint(f"precision {m.precision:.4f}  recall {m.recall:.4f}  F1 {m.f1:.4f}")


@identity_app.command("merge")
def merge(
    a: Annotated[str, typer.Argument(help="SOURCE:KEY of one record.")],
    b: Annotated[str, typer.Argument(help="SOURCE:KEY of the other record.")],
    by: ByOption,
    reason: ReasonOption,
    ws_path: WorkspaceOption = None,
) -> None:
    """Declare two person records the same customer (applied on every run)."""
    from kequn.identity.overrides import add_merge, parse_ref

    _quiet()
    oid = add_merge(workspace(ws_path).database_url, parse_ref(a), parse_ref(b), by, reason)
    rprint(f"merge override #{oid} saved; it applies from the next 'kequn identity run'")


@identity_app.command("split")
def split(
    rec: Annotated[str, typer.Argument(help="SOURCE:KEY of the record to split out.")],
    by: ByOption,
    reason: ReasonOption,
    ws_path: WorkspaceOption = None,
) -> None:
    """Detach a person record from every automatic link (applied on every run)."""
    from kequn.identity.overrides import add_split, parse_ref

    _quiet()
    oid = add_split(workspace(ws_path).database_url, parse_ref(rec), by, reason)
    rprint(f"split override #{oid} saved; it applies from the next 'kequn identity run'")


@identity_app.command("overrides")
def overrides(ws_path: WorkspaceOption = None) -> None:
    """List the active manual overrides."""
    from kequn.identity.overrides import list_overrides

    _quiet()
    rows = list_overrides(workspace(ws_path).database_url)
    if not rows:
        rprint("no overrides")
    for o in rows:
        target = f"{o.a} + {o.b}" if o.b else o.a
        when = f"{o.created_at:%Y-%m-%d}" if o.created_at else ""
        typer.echo(f"#{o.id}\t{o.kind}\t{target}\t{o.created_by}\t{when}\t{o.reason}")


@identity_app.command("resolve")
def resolve(
    files: Annotated[list[Path], typer.Argument(help="CSV files of person records (canonical layout).")],
    out: Annotated[Path, typer.Option("--out", help="Output CSV: record_id,customer_id.")],
) -> None:
    """Resolve CSV person records without a workspace; writes record_id,customer_id."""
    from kequn.identity import resolve_files

    _quiet()
    report = resolve_files(files, out)
    rprint(f"{report.records:,} records → {report.customers:,} customers: {out}")
