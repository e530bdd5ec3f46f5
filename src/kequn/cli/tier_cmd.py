"""kequn tier compute | show | migration | books | scheme show|set|history (智慧分层)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kequn.cli import app
from kequn.cli.options import WorkspaceOption, parse_as_of, workspace
from kequn.core.errors import UserInputError
from kequn.core.formatting import money

tier_app = typer.Typer(help="智慧分层: customer tiers by monthly average daily AUM.", no_args_is_help=True)
scheme_app = typer.Typer(help="The tier scheme (versioned): show, set, history.", no_args_is_help=True)
tier_app.add_typer(scheme_app, name="scheme")
app.add_typer(tier_app, name="tier")

AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Snapshot date YYYY-MM-DD (default latest).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
out = Console()


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserInputError(f"{option} {text!r}: expected a date YYYY-MM-DD") from None


def _print_json(data: Any) -> None:
    out.print_json(json.dumps(data, default=str, ensure_ascii=False))


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


@tier_app.command("compute")
def compute(as_of: AsOfOption = None, ws_path: WorkspaceOption = None) -> None:
    """Decide the tiers at a date from its features snapshot (default: the latest features snapshot)."""
    from kequn.core.progress import phase_progress, progress
    from kequn.engine import engine_for
    from kequn.tags.tiers import compute_tiers, current_scheme, tier_distribution

    ws = workspace(ws_path)
    engine = engine_for(ws)
    try:
        day = parse_as_of(as_of) or engine.warehouse.resolve("features")
        scheme = current_scheme(ws.database_url)
        with progress(transient=True) as bar, phase_progress(bar) as reporter:
            rows = compute_tiers(engine, day, scheme, progress=reporter)
        report = tier_distribution(engine, day, scheme)
    finally:
        engine.close()
    out.print(
        f"tiers {day}: {rows:,} customers, scheme v{scheme.version}; basis month {report['basis_month']}, "
        f"tiers in force for {report['in_force_month']}"
    )
    _render_distribution(report)


@tier_app.command("show")
def show(as_of: AsOfOption = None, as_json: JsonOption = False, ws_path: WorkspaceOption = None) -> None:
    """The tier distribution: customers, share, basis AUM and customers on watch per tier."""
    from kequn.engine import engine_for
    from kequn.tags.tiers import current_scheme, tier_distribution

    ws = workspace(ws_path)
    engine = engine_for(ws)
    try:
        report = tier_distribution(engine, parse_as_of(as_of), current_scheme(ws.database_url))
    finally:
        engine.close()
    if as_json:
        _print_json(report)
    else:
        _render_distribution(report)


def _render_distribution(report: dict[str, Any]) -> None:
    title = (
        f"客户分层 Tiers · as of {report['as_of']} (basis {report['basis_month']}, "
        f"in force {report['in_force_month']})"
    )
    table = Table(
        "层级 Tier",
        "code",
        "服务 Service",
        "客户数 Customers",
        "占比 Share",
        "月日均AUM Basis AUM",
        "户均 Average",
        "关注 Watch",
        title=title,
        title_justify="left",
    )
    for r in report["tiers"]:
        average = money(r["avg_basis_aum"]) if r["avg_basis_aum"] is not None else "-"
        table.add_row(
            f"{r['name_zh']} {r['name_en']}",
            r["tier"],
            r["service_model"] or "-",
            f"{r['customers']:,}",
            _pct(r["share"]),
            money(r["basis_aum"]),
            average,
            f"{r['watch']:,}",
        )
    table.add_row(
        "合计 Total",
        "",
        "",
        f"{report['customers']:,}",
        _pct(1.0 if report["customers"] else 0.0),
        money(report["basis_aum"]),
        "",
        f"{report['watch']:,}",
        style="bold",
    )
    out.print(table)


@tier_app.command("migration")
def migration(
    from_date: Annotated[str, typer.Option("--from", help="Earlier snapshot date YYYY-MM-DD.")],
    to_date: Annotated[str, typer.Option("--to", help="Later snapshot date YYYY-MM-DD.")],
    as_json: JsonOption = False,
    ws_path: WorkspaceOption = None,
) -> None:
    """The tier migration matrix between two snapshots (rows: from, columns: to), new and left included."""
    from kequn.engine import engine_for
    from kequn.tags.tiers import current_scheme, tier_migration

    start, end = _day(from_date, "--from"), _day(to_date, "--to")
    ws = workspace(ws_path)
    engine = engine_for(ws)
    try:
        report = tier_migration(engine, start, end, current_scheme(ws.database_url))
    finally:
        engine.close()
    if as_json:
        _print_json(report)
    else:
        _render_migration(report)


def _render_migration(report: dict[str, Any]) -> None:
    codes = [t["tier"] for t in report["tiers"]]
    names = {t["tier"]: t["name_zh"] for t in report["tiers"]} | {"new": "新增", "left": "流失"}
    title = f"分层迁移 Tier migration · {report['from']} → {report['to']}"
    table = Table(
        f"{report['from']} \\ {report['to']}",
        *[f"{names[c]} {c}" for c in [*codes, "left"]],
        "合计 Total",
        title=title,
        title_justify="left",
    )
    for row in [*codes, "new"]:
        cells = report["matrix"][row]
        table.add_row(
            f"{names[row]} {row}", *[f"{cells[c]:,}" for c in [*codes, "left"]], f"{sum(cells.values()):,}"
        )
    out.print(table)
    s = report["summary"]
    out.print(
        f"upgraded {s['upgraded']:,} ({_pct(s['upgrade_rate'])}), downgraded {s['downgraded']:,} "
        f"({_pct(s['downgrade_rate'])}), unchanged {s['unchanged']:,} of {s['stayed']:,} present at both; "
        f"new {s['new']:,}, left {s['left']:,}"
    )


@tier_app.command("books")
def books(
    as_of: AsOfOption = None,
    over_only: Annotated[
        bool, typer.Option("--over-capacity", help="Only RMs over their book limit.")
    ] = False,
    as_json: JsonOption = False,
    ws_path: WorkspaceOption = None,
) -> None:
    """RM book sizes: customers per tier per relationship manager against staff.max_book."""
    from kequn.engine import engine_for
    from kequn.tags.tiers import current_scheme, rm_book_sizes

    ws = workspace(ws_path)
    engine = engine_for(ws)
    try:
        report = rm_book_sizes(engine, parse_as_of(as_of), current_scheme(ws.database_url))
    finally:
        engine.close()
    if over_only:
        report["rms"] = [r for r in report["rms"] if r["over_capacity"]]
    if as_json:
        _print_json(report)
    else:
        _render_books(report)


def _render_books(report: dict[str, Any]) -> None:
    codes = [t["tier"] for t in report["tiers"]]
    title = f"客户经理管户 RM books · as of {report['as_of']} (staff {report['staff_as_of']})"
    table = Table(
        "RM",
        "name",
        "org",
        "role",
        *codes,
        "RM-served",
        "max_book",
        "use",
        "over",
        title=title,
        title_justify="left",
    )
    for r in report["rms"]:
        table.add_row(
            r["rm_id"],
            r["name"] or "-",
            r["org_id"] or "-",
            r["role"] or "-",
            *[f"{r['tiers'][c]:,}" for c in codes],
            f"{r['rm_served']:,}",
            "-" if r["max_book"] is None else f"{r['max_book']:,}",
            _pct(r["utilisation"]),
            "超额 over" if r["over_capacity"] else "",
            style="red" if r["over_capacity"] else None,
        )
    out.print(table)
    without = ", ".join(f"{c} {n:,}" for c, n in report["without_rm"].items()) or "none"
    out.print(f"{report['over_capacity']:,} RM(s) over capacity; RM-tier customers without an RM: {without}")


@scheme_app.command("show")
def scheme_show(
    version: Annotated[
        int | None, typer.Option("--version", help="A saved version (default: in force).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="yaml or json.")] = "yaml",
    ws_path: WorkspaceOption = None,
) -> None:
    """Print the tier scheme in force (or a saved version) as a file 'kequn tier scheme set' reads."""
    from kequn.tags.tier_scheme import scheme_to_text
    from kequn.tags.tiers import scheme_version

    if fmt not in ("yaml", "json"):
        raise UserInputError(f"--format {fmt!r}: expected yaml or json")
    record = scheme_version(workspace(ws_path).database_url, version)
    when = f"{record.changed_at:%Y-%m-%d %H:%M}" if record.changed_at else "shipped"
    header = f"tier scheme v{record.version} · {record.changed_by} · {when} · {record.note}"
    if fmt == "json":
        typer.echo(scheme_to_text(record.scheme, "json"), nl=False)
        typer.echo(header, err=True)
    else:
        typer.echo(f"# {header}\n" + scheme_to_text(record.scheme), nl=False)


@scheme_app.command("set")
def scheme_set(
    file: Annotated[Path, typer.Argument(help="Scheme file (.yaml, .yml or .json).")],
    by: Annotated[str, typer.Option("--by", help="Who makes this change.")],
    note: Annotated[str, typer.Option("--note", help="Why (kept with the version).")] = "",
    ws_path: WorkspaceOption = None,
) -> None:
    """Validate a scheme file and save it as the new version (it applies from the next 'tier compute')."""
    from kequn.tags.tiers import load_scheme_file, save_scheme, scheme_version

    url = workspace(ws_path).database_url
    before = scheme_version(url).version
    saved = save_scheme(url, load_scheme_file(file), changed_by=by, note=note)
    if saved.version == before:
        out.print(f"tier scheme unchanged (v{saved.version} already says this)")
    else:
        out.print(f"tier scheme v{saved.version} saved; it applies from the next 'kequn tier compute'")


@scheme_app.command("history")
def scheme_history_cmd(ws_path: WorkspaceOption = None) -> None:
    """Every saved version of the scheme, newest first."""
    from kequn.tags.tiers import scheme_history

    for record in scheme_history(workspace(ws_path).database_url):
        when = f"{record.changed_at:%Y-%m-%d %H:%M}" if record.changed_at else "shipped"
        thresholds = " ".join(f"{t.code}≥{money(t.min_aum)[:-3]}" for t in record.scheme.tiers)
        typer.echo(f"v{record.version}\t{when}\t{record.changed_by}\t{thresholds}\t{record.note}")
