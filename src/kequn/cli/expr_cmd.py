"""kequn expr check | functions | names: the rule language from the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from kequn.cli import app
from kequn.cli.options import WorkspaceOption, parse_as_of, workspace
from kequn.core.errors import UserInputError
from kequn.core.workspace import CONFIG_FILE

if TYPE_CHECKING:
    from kequn.expr import Namespace

expr_app = typer.Typer(help="The rule expression language: check an expression, list names and functions.")
app.add_typer(expr_app, name="expr")
out = Console(highlight=False)

_TYPE_WORDS = {"boolean": "boolean (a condition)", "null": "null (always NULL)"}


def namespace_for(ws_path: Path | None) -> tuple[Namespace, str]:
    """The audience names (features, tags, tier fields): the workspace's live tag catalog when there is a
    workspace, else the built-in catalog, so an expression can be checked before any workspace exists."""
    from kequn.tags.audience import audience_namespace

    if ws_path is None and not (Path.cwd() / CONFIG_FILE).is_file():
        return audience_namespace(), "built-in catalog"
    ws = workspace(ws_path)
    from kequn.store import upgrade_store

    upgrade_store(ws.database_url)
    return audience_namespace(store_url=ws.database_url), f"workspace {ws.root}"


@expr_app.command("check")
def check(
    expression: Annotated[
        str, typer.Argument(help='The expression, e.g. "aum_mad >= 500000 AND risk_level >= 3".')
    ],
    sql: Annotated[
        str | None, typer.Option("--sql", help="Also print the SQL for this dialect (duckdb, spark).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date that as_of stands for in --sql (default: today).")
    ] = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """Check an expression: print its canonical form, result type and the names it uses, or the error."""
    from kequn.expr import parse_expr

    if sql is not None and sql not in ("duckdb", "spark"):
        raise UserInputError(f"--sql {sql!r}: expected duckdb or spark")
    namespace, source = namespace_for(ws_path)
    checked = parse_expr(expression, namespace)
    # Plain lines, never wrapped: the canonical form is meant to be copied back.
    typer.echo(str(checked))
    typer.echo(f"type: {_TYPE_WORDS.get(checked.type, checked.type)}")
    names = sorted(checked.names)
    typer.echo(f"names ({source}):" if names else f"names: none ({source})")
    width = max((len(n) for n in names), default=0)
    for name in names:
        field = namespace[name]
        typer.echo(f"  {name:<{width}}  {field.type:<7}  {field.label()}")
    if checked.uses_as_of:
        typer.echo("as_of: the snapshot date the expression is evaluated for")
    if sql:
        day = parse_as_of(as_of) or date.today()
        typer.echo(f"sql ({sql}): {checked.sql(sql, as_of=day)}")


@expr_app.command("functions")
def functions() -> None:
    """The functions an expression may call."""
    from kequn.expr import FUNCTIONS

    table = Table("function", "gives", "what")
    for spec in FUNCTIONS.values():
        table.add_row(spec.signature(), spec.result if spec.result != "same" else "type of x", spec.summary)
    out.print(table)


@expr_app.command("names")
def names(
    match: Annotated[str | None, typer.Argument(help="Only names containing this text.")] = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """The names an expression may use (features, tags, tier fields) with their types."""
    namespace, source = namespace_for(ws_path)
    table = Table("name", "type", "中文", "English", title=source)
    needle = (match or "").lower()
    for field in namespace:
        if needle in f"{field.name} {field.name_zh} {field.name_en}".lower():
            table.add_row(field.name, field.type, field.name_zh, field.name_en)
    out.print(table)
