"""kequn features compute | list | show: per-customer features per as_of."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kequn.cli import app
from kequn.cli.options import WorkspaceOption, parse_as_of, workspace
from kequn.core.errors import SnapshotMissing, UserInputError

features_app = typer.Typer(help="Per-customer features per as_of (point in time).", no_args_is_help=True)
app.add_typer(features_app, name="features")

out = Console()


def _latest_customers(engine: Any) -> date:
    dates = engine.warehouse.snapshots("customer")
    if not dates:
        raise SnapshotMissing("no customer snapshot: run 'kequn identity run' first")
    return dates[-1]  # type: ignore[no-any-return]


@features_app.command("compute")
def compute(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date YYYY-MM-DD (default: the latest customer snapshot).")
    ] = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """Compute the features snapshot for one date (re-running a date replaces it)."""
    import time

    from kequn.core.progress import phase_progress, progress
    from kequn.engine import engine_for
    from kequn.features import FEATURES, compute_features

    engine = engine_for(workspace(ws_path))
    try:
        day = parse_as_of(as_of) or _latest_customers(engine)
        started = time.perf_counter()
        with progress(transient=True) as bar, phase_progress(bar, "features ") as reporter:
            rows = compute_features(engine, day, reporter)
    finally:
        engine.close()
    seconds = time.perf_counter() - started
    out.print(f"features {day}: {rows:,} customers × {len(FEATURES)} features ({seconds:.1f}s)")


@features_app.command("list")
def list_features(
    group: Annotated[str | None, typer.Option("--group", help="Only this group (e.g. assets).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalog as JSON.")] = False,
) -> None:
    """The feature catalog: names in zh-CN and English, group, type and unit."""
    from kequn.features import FEATURES, GROUPS

    if group is not None and group not in GROUPS:
        raise UserInputError(f"--group {group!r}: expected one of {', '.join(GROUPS)}")
    chosen = [f for f in FEATURES if group is None or f.group == group]
    if as_json:
        rows = [
            {k: getattr(f, k) for k in ("name", "dtype", "group", "name_zh", "name_en", "unit")}
            for f in chosen
        ]
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("name", "名称", "name (en)", "group", "type", "unit", title=f"{len(chosen)} features")
    for f in chosen:
        zh, en = GROUPS[f.group]
        table.add_row(f.name, f.name_zh, f.name_en, f"{zh} {en}", f.dtype, f.unit)
    out.print(table)


@features_app.command("show")
def show(
    customer_id: Annotated[str, typer.Argument(help="Customer id (e.g. K0000000001).")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date YYYY-MM-DD (default: the latest features).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the features as JSON.")] = False,
    ws_path: WorkspaceOption = None,
) -> None:
    """One customer's features on a date, by group."""
    from kequn.engine import engine_for
    from kequn.features import customer_features

    engine = engine_for(workspace(ws_path))
    try:
        view = customer_features(engine, customer_id, parse_as_of(as_of))
    finally:
        engine.close()
    if as_json:
        out.print_json(json.dumps(view, default=str, ensure_ascii=False))
        return
    table = Table(
        "group", "feature", "名称", "value", title=f"{customer_id} · features as of {view['as_of']}"
    )
    for group in view["groups"]:
        for i, item in enumerate(group["features"]):
            label = f"{group['name_zh']} {group['name_en']}" if i == 0 else ""
            table.add_row(label, item["name"], item["name_zh"], _shown(item["value"], item["unit"]))
    out.print(table)


def _shown(value: Any, unit: str) -> str:
    from kequn.core.formatting import money

    if value is None:
        return "-"
    if unit == "CNY":
        return money(value)
    if unit == "ratio":
        return f"{value:.4f}"
    return str(value)
