"""kequn customer show / search: the 360 view in the terminal (personal data masked)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.columns import Columns
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from kequn.cli import app
from kequn.cli.options import WorkspaceOption, parse_as_of, workspace
from kequn.core.errors import NotFound
from kequn.core.formatting import money
from kequn.engine import engine_for

customer_app = typer.Typer(help="Customer search and the 360 view.", no_args_is_help=True)
app.add_typer(customer_app, name="customer")

AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Snapshot date YYYY-MM-DD (default latest).")]
out = Console()


@customer_app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="Customer id, phone, ID number or name.")],
    ws: WorkspaceOption = None,
    as_of: AsOfOption = None,
    limit: int = 20,
) -> None:
    """List customers matching a customer id, phone, ID number or name."""
    from kequn.customers import search_customers

    hits = search_customers(engine_for(workspace(ws)), query, as_of=parse_as_of(as_of), limit=limit)
    _print_hits(hits)


@customer_app.command("show")
def show(
    query: Annotated[str, typer.Argument(help="Customer id, phone, ID number or name.")],
    ws: WorkspaceOption = None,
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the view as JSON.")] = False,
) -> None:
    """Print the 360 view of the customer the query finds (masked)."""
    from kequn.customers import customer_360, search_customers

    day = parse_as_of(as_of)
    engine = engine_for(workspace(ws))
    try:
        hits = search_customers(engine, query, as_of=day, limit=50)
        if not hits:
            raise NotFound(f"no customer matches '{_safe(query)}'")
        if len(hits) > 1:
            _print_hits(hits)
            out.print(
                f"{len(hits)} customers match; run 'kequn customer show <customer_id>' for one of them."
            )
            return
        view = customer_360(engine, hits[0]["customer_id"], as_of=day)
    finally:
        engine.close()
    if as_json:
        out.print_json(json.dumps(view, default=str, ensure_ascii=False))
    else:
        render_360(view)


def _safe(query: str) -> str:
    """Echo a query back only if it cannot be a phone or ID number (never print those unmasked)."""
    from kequn.customers.view import classify_query

    kind, _ = classify_query(query)
    return query if kind in ("name", "customer_id") else f"<{kind}>"


def _print_hits(hits: list[dict[str, Any]]) -> None:
    table = Table("customer_id", "name", "gender", "birth_date", "phone", "city", "records")
    for h in hits:
        table.add_row(
            h["customer_id"],
            h["name"],
            h["gender"],
            str(h["birth_date"] or ""),
            h["phone"],
            h["city"],
            str(h["record_count"] or ""),
        )
    out.print(table)


def render_360(view: dict[str, Any]) -> None:
    p = view["profile"]
    head = f"[bold]{p.get('name') or '-'}[/bold]  {view['customer_id']}  {p.get('gender') or ''}"
    branch = p.get("org_name") or p.get("org_id") or "-"
    rm = p.get("rm_name") or p.get("rm_id") or "-"
    lines = [
        f"{head}  {p.get('birth_date') or ''}",
        f"phone {p.get('phone') or '-'}   ID {p.get('id_no') or '-'}   email {p.get('email') or '-'}",
        f"address {p.get('address') or '-'}   city {p.get('city') or '-'}",
        f"branch {branch}   RM {rm}   risk C{p.get('risk_level') or '?'}"
        f" (assessed {p.get('risk_assessed_on') or '-'})",
    ]
    amounts = [
        f"AUM today [bold]{money(view['aum'])}[/bold]",
        f"月日均 AUM (MTD) [bold]{money(view['mad_aum'])}[/bold]",
        f"liabilities {money(view['liabilities'])}",
    ]
    title = f"客户360 · as of {view['as_of']}"
    out.print(Columns([Panel("\n".join(lines), title=title), Panel("\n".join(amounts))]))
    _table(
        "Holdings",
        view["holdings"],
        ["account_id", "product_name", "category", "risk_rating", "status", "balance"],
    )
    _table(
        "Transactions (90 days)",
        view["transactions"]["summary"],
        ["kind", "direction", "n_30d", "amount_30d", "n_90d", "amount_90d"],
    )
    app_activity = view["channels"]["app"]
    if app_activity:
        out.print(
            f"App: {app_activity['logins_30d']} logins in 30 days, last {app_activity['last_login'] or '-'}"
        )
    _table("Consents", view["channels"]["consents"], ["purpose", "channel", "granted", "updated_at"])
    _table(
        "Linked source records",
        view["linked_records"],
        ["source", "source_key", "rule", "match_weight", "name", "phone"],
    )


def _table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        return
    table = Table(*columns, title=title, title_justify="left")
    for row in rows:
        table.add_row(
            *[
                money(row[c])
                if "amount" in c or c == "balance"
                else str(row[c] if row[c] is not None else "")
                for c in columns
            ]
        )
    out.print(table)
