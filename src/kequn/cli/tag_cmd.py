"""kequn tag list | show | history | create | edit | approve | retire | set | values."""

from __future__ import annotations

import csv
import getpass
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kequn.cli import app
from kequn.cli.options import WorkspaceOption, parse_as_of, workspace
from kequn.core.errors import UserInputError

tag_app = typer.Typer(help="The governed tag catalog and tag values.", no_args_is_help=True)
app.add_typer(tag_app, name="tag")
out = Console()

ByOption = Annotated[
    str | None, typer.Option("--by", help="Who makes the change (default: KEQUN_USER or login).")
]
NoteOption = Annotated[str, typer.Option("--note", help="Why (kept with the version).")]
LangOption = Annotated[str, typer.Option("--lang", help="zh or en names.")]


def _who(by: str | None) -> str:
    return by or os.environ.get("KEQUN_USER") or getpass.getuser()


def _store(ws_path: Path | None) -> tuple[Any, str]:
    from kequn.store import upgrade_store
    from kequn.tags.catalog import ensure_catalog
    from kequn.tags.compute import infer_value_type

    ws = workspace(ws_path)
    upgrade_store(ws.database_url)
    ensure_catalog(ws.database_url, infer_type=infer_value_type)
    return ws, ws.database_url


@tag_app.command("list")
def list_cmd(
    group: Annotated[str | None, typer.Option(help="Only tags under this group path, e.g. assets.")] = None,
    status: Annotated[str | None, typer.Option(help="draft, approved or retired.")] = None,
    lang: LangOption = "zh",
    ws_path: WorkspaceOption = None,
) -> None:
    """The catalog: one line per tag (latest version)."""
    from kequn.tags.catalog import groups, list_tags

    _, url = _store(ws_path)
    names = groups()
    table = Table("tag", "name", "group", "kind", "type", "status", "v", "expression")
    tags = list_tags(url, status=status, group=group)
    for t in tags:
        group_name = names.get(t.group, (t.group, t.group))[1 if lang == "en" else 0]
        table.add_row(
            t.name,
            t.label(lang),
            group_name,
            t.kind,
            t.value_type,
            t.status,
            str(t.version),
            t.expression or "",
        )
    out.print(table)
    out.print(f"{len(tags)} tags")


@tag_app.command("show")
def show(name: str, ws_path: WorkspaceOption = None) -> None:
    """One tag's definition and its history of versions."""
    from kequn.tags.catalog import tag_history
    from kequn.tags.manage import require_tag

    _, url = _store(ws_path)
    tag = require_tag(url, name)
    for key, value in tag.as_dict().items():
        out.print(f"[bold]{key}[/bold]: {value if value is not None else ''}", highlight=False)
    _print_history(tag_history(url, name))


@tag_app.command("history")
def history(name: str, ws_path: WorkspaceOption = None) -> None:
    """Every version of a tag: who changed what, when and why."""
    from kequn.tags.catalog import tag_history

    _, url = _store(ws_path)
    _print_history(tag_history(url, name))


def _print_history(versions: list[Any]) -> None:
    table = Table("v", "status", "changed by", "changed at", "note", "expression", title="history")
    for v in versions:
        when = v.changed_at.isoformat(timespec="seconds") if v.changed_at else ""
        table.add_row(str(v.version), v.status, v.changed_by, when, v.change_note, v.expression or "")
    out.print(table)


def _print_preview(preview: dict[str, Any]) -> None:
    if preview["customers"] is None:
        out.print("preview: no expression (values are set by people or models)")
        return
    out.print(
        f"preview on {preview['as_of']}: {preview['covered']:,} of {preview['customers']:,} customers "
        f"({preview['share']:.1%})",
        highlight=False,
    )
    if preview.get("value_type") != "boolean":
        for v in preview["values"]:
            out.print(f"  {v['value']}: {v['n']:,}", highlight=False)


@tag_app.command("create")
def create(
    name: str,
    zh: Annotated[str, typer.Option("--zh", help="zh-CN name.")],
    en: Annotated[str, typer.Option("--en", help="English name.")],
    group: Annotated[str, typer.Option(help="Group path, e.g. assets/aum.")],
    kind: Annotated[str, typer.Option(help="rule, metric, model or manual.")] = "rule",
    expr: Annotated[str | None, typer.Option("--expr", help="Expression (rule and metric tags).")] = None,
    value_type: Annotated[
        str | None, typer.Option("--type", help="boolean, number or string (manual/model).")
    ] = None,
    description: str = "",
    approve: Annotated[bool, typer.Option("--approve", help="Save as approved (default: draft).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and preview only.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Snapshot to preview on (default latest).")
    ] = None,
    by: ByOption = None,
    note: NoteOption = "",
    ws_path: WorkspaceOption = None,
) -> None:
    """Create a tag: validated, previewed (coverage on the latest snapshot), then saved as version 1."""
    from kequn.engine import engine_for
    from kequn.tags.catalog import TagDef
    from kequn.tags.manage import create_tag, preview_tag

    ws, url = _store(ws_path)
    status = "approved" if approve else "draft"
    tag = TagDef(name, zh, en, group, kind, value_type or "", expr, description, _who(by), status)
    engine = engine_for(ws)
    try:
        _print_preview(
            preview_tag(engine, url, tag, parse_as_of(as_of)) if _has_features(engine) else _no_preview()
        )
    finally:
        engine.close()
    if dry_run:
        out.print("dry run: nothing saved")
        return
    saved = create_tag(url, tag, by=_who(by), note=note)
    out.print(f"saved {saved.name} v{saved.version} ({saved.status})")


def _has_features(engine: Any) -> bool:
    return bool(engine.warehouse.has("features"))


def _no_preview() -> dict[str, Any]:
    out.print("no features snapshot yet: saving without a preview")
    return {"customers": None}


@tag_app.command("edit")
def edit(
    name: str,
    expr: Annotated[str | None, typer.Option("--expr")] = None,
    zh: Annotated[str | None, typer.Option("--zh")] = None,
    en: Annotated[str | None, typer.Option("--en")] = None,
    group: Annotated[str | None, typer.Option("--group")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    approve: Annotated[bool, typer.Option("--approve", help="Save the new version as approved.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run")] = False,
    by: ByOption = None,
    note: NoteOption = "",
    ws_path: WorkspaceOption = None,
) -> None:
    """A new version of a tag (draft unless --approve; the live version runs until then)."""
    from dataclasses import replace

    from kequn.engine import engine_for
    from kequn.tags.manage import edit_tag, preview_tag, require_tag

    ws, url = _store(ws_path)
    given = {"expression": expr, "name_zh": zh, "name_en": en, "group": group, "description": description}
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if not changes and not approve:
        raise UserInputError("nothing to change: give --expr, --zh, --en, --group or --description")
    changes["status"] = "approved" if approve else "draft"
    draft = replace(require_tag(url, name), **changes)
    engine = engine_for(ws)
    try:
        _print_preview(preview_tag(engine, url, draft) if _has_features(engine) else _no_preview())
    finally:
        engine.close()
    if dry_run:
        out.print("dry run: nothing saved")
        return
    saved = edit_tag(url, name, changes, by=_who(by), note=note)
    out.print(f"saved {saved.name} v{saved.version} ({saved.status})")


@tag_app.command("approve")
def approve_cmd(
    name: str, by: ByOption = None, note: NoteOption = "", ws_path: WorkspaceOption = None
) -> None:
    """Approve a draft version: the daily run computes it from the next run on."""
    from kequn.tags.manage import approve_tag

    _, url = _store(ws_path)
    saved = approve_tag(url, name, by=_who(by), note=note)
    out.print(f"approved {saved.name} v{saved.version}")


@tag_app.command("retire")
def retire_cmd(
    name: str, by: ByOption = None, note: NoteOption = "", ws_path: WorkspaceOption = None
) -> None:
    """Retire a tag: no longer computed; its history stays."""
    from kequn.tags.manage import retire_tag

    _, url = _store(ws_path)
    saved = retire_tag(url, name, by=_who(by), note=note)
    out.print(f"retired {saved.name} (v{saved.version})")


@tag_app.command("set")
def set_cmd(
    name: str,
    file: Annotated[Path | None, typer.Option("--file", help="CSV with customer_id,value columns.")] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="One customer id.")] = None,
    value: Annotated[str, typer.Option("--value", help="Value for --customer.")] = "true",
    by: ByOption = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """Set a manual tag's value for customers (from a CSV file or one --customer)."""
    from kequn.tags.manage import set_manual_values

    _, url = _store(ws_path)
    values = _read_values(file) if file else ({customer: value} if customer else {})
    if not values:
        raise UserInputError("give --file CSV (customer_id,value) or --customer ID")
    n = set_manual_values(url, name, values, by=_who(by))
    out.print(f"{name}: set for {n:,} customers (in the tags of the next run)")


def _read_values(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise UserInputError(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "customer_id" not in reader.fieldnames:
            raise UserInputError(f"{path}: header must have a customer_id column (and optionally value)")
        values = {}
        for line, row in enumerate(reader, start=2):
            customer_id = (row.get("customer_id") or "").strip()
            if not customer_id:
                raise UserInputError(f"{path}: line {line}: customer_id is empty")
            values[customer_id] = (row.get("value") or "true").strip()
    return values


@tag_app.command("values")
def values_cmd(
    customer_id: str,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (default: latest).")] = None,
    lang: LangOption = "zh",
    ws_path: WorkspaceOption = None,
) -> None:
    """This customer's tags on a date."""
    from kequn.engine import engine_for
    from kequn.tags.compute import customer_tags

    ws, url = _store(ws_path)
    engine = engine_for(ws)
    try:
        result = customer_tags(engine, customer_id, parse_as_of(as_of), store_url=url)
    finally:
        engine.close()
    table = Table("tag", "name", "value", title=f"{customer_id} · {result['as_of']}")
    for item in result["tags"]:
        if item["value"] in (None, False):
            continue
        table.add_row(item["name"], item["name_en" if lang == "en" else "name_zh"], str(item["value"]))
    out.print(table)
