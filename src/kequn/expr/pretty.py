"""The canonical text of a checked expression: keywords upper case, functions lower case, literals
re-rendered, parentheses only where needed. Parsing it again gives the same tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache

from kequn.expr import tree as t
from kequn.expr.functions import FUNCTIONS
from kequn.expr.literals import format_number
from kequn.expr.namespace import AS_OF

_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def render(node: t.Node) -> str:
    return _RENDERERS[type(node)](node)


def quote_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def render_name(name: str) -> str:
    """A field name bare when it reads as one, else in double quotes (keywords, spaces, non-ASCII)."""
    return name if _reads_as_name(name) else '"' + name.replace('"', '""') + '"'


@lru_cache(maxsize=4096)
def _reads_as_name(name: str) -> bool:
    if not _BARE.fullmatch(name):
        return False
    if name.upper() in _keywords():
        return False  # sqlglot reads some keywords as names in places, but not everywhere
    import sqlglot
    from sqlglot import exp

    from kequn.expr.syntax import KequnExpr

    try:
        parsed = sqlglot.parse_one(name, read=KequnExpr, into=exp.Condition)
    except Exception:  # a keyword that does not parse alone: quote it
        return False
    return isinstance(parsed, exp.Column) and not parsed.table and parsed.name == name


@lru_cache(maxsize=1)
def _keywords() -> frozenset[str]:
    """SQL keywords, as DuckDB and sqlglot know them: such a field name is always written quoted."""
    import duckdb

    from kequn.expr.syntax import KequnExpr

    with duckdb.connect() as con:
        duck = {
            row[0].upper() for row in con.execute("SELECT keyword_name FROM duckdb_keywords()").fetchall()
        }
    return frozenset(duck | set(KequnExpr.Tokenizer.KEYWORDS))


def _literal(node: t.Lit) -> str:
    value = node.value
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return quote_string(value)


def _operand(parent: t.Node, child: t.Node, *, right: bool = False) -> str:
    text = render(child)
    return f"({text})" if t.needs_parens(parent, child, right=right) else text


def _binary(node: t.Compare | t.Arith | t.Concat, op: str) -> str:
    return f"{_operand(node, node.left)} {op} {_operand(node, node.right, right=True)}"


def _not(node: t.Not) -> str:
    return f"NOT {_operand(node, node.operand)}"


def _logic(node: t.Logic) -> str:
    return f" {node.op.upper()} ".join(_operand(node, part) for part in node.operands)


def _is_null(node: t.IsNull) -> str:
    return f"{_operand(node, node.operand)} IS {'NOT ' if node.negated else ''}NULL"


def _in_list(node: t.InList) -> str:
    items = ", ".join(_operand(node, item) for item in node.items)
    return f"{_operand(node, node.operand)} {'NOT ' if node.negated else ''}IN ({items})"


def _between(node: t.Between) -> str:
    bounds = f"{_operand(node, node.low)} AND {_operand(node, node.high)}"
    return f"{_operand(node, node.operand)} {'NOT ' if node.negated else ''}BETWEEN {bounds}"


def _like(node: t.Like) -> str:
    return f"{_operand(node, node.operand)} {'NOT ' if node.negated else ''}LIKE {quote_string(node.pattern)}"


def _case(node: t.Case) -> str:
    parts = ["CASE"]
    for condition, value in node.whens:
        parts.append(f"WHEN {render(condition)} THEN {render(value)}")
    if node.default is not None:
        parts.append(f"ELSE {render(node.default)}")
    parts.append("END")
    return " ".join(parts)


def _call(node: t.Call) -> str:
    spec = FUNCTIONS[node.name]
    parts = spec.interleave([render(a) for a in node.args], [_const(c) for c in node.consts])
    return f"{node.name}({', '.join(parts)})"


def _const(value: int | str) -> str:
    return quote_string(value) if isinstance(value, str) else str(value)


_RENDERERS: dict[type, Callable] = {
    t.Lit: _literal,
    t.Name: lambda node: render_name(node.name),
    t.AsOf: lambda node: AS_OF,
    t.Not: _not,
    t.Neg: lambda node: f"-{_operand(node, node.operand)}",
    t.Logic: _logic,
    t.Compare: lambda node: _binary(node, node.op),
    t.Arith: lambda node: _binary(node, node.op),
    t.Concat: lambda node: _binary(node, "||"),
    t.IsNull: _is_null,
    t.InList: _in_list,
    t.Between: _between,
    t.Like: _like,
    t.Case: _case,
    t.Call: _call,
}
