"""What the language refuses and how it says so: messages and hints for syntax outside it, and the
words used for types in error messages."""

from __future__ import annotations

import difflib

from sqlglot import exp

from kequn.expr import tree as t
from kequn.expr.functions import FUNCTIONS
from kequn.expr.namespace import AS_OF

# Syntax sqlglot understands but the language refuses, with what to write instead.
_REFUSED: dict[type, tuple[str, str | None]] = {
    exp.Star: ("'*' is not allowed", "name the fields you need"),
    exp.Window: ("window functions (OVER) are not allowed", None),
    exp.Placeholder: ("parameters are not allowed", "write the value itself"),
    exp.IntDiv: ("'//' is not supported", "use floor(a / b)"),
    exp.Pow: ("powers are not supported", "multiply instead"),
    exp.ILike: ("ILIKE is not supported", "use lower(x) LIKE 'pattern'"),
    exp.Escape: ("LIKE ... ESCAPE is not supported", None),
    exp.NullSafeEQ: ("IS NOT DISTINCT FROM is not supported", "use = together with IS NULL"),
    exp.NullSafeNEQ: ("IS DISTINCT FROM is not supported", "use <> together with IS NULL"),
    exp.CurrentDate: ("the current date is not allowed", f"use {AS_OF} (the snapshot date)"),
    exp.CurrentTimestamp: ("the current time is not allowed", f"use {AS_OF} (the snapshot date)"),
    exp.If: ("if() is not supported", "use CASE WHEN ... THEN ... ELSE ... END"),
    exp.Interval: ("intervals are not supported", "use date_diff('day', a, b)"),
    exp.Abs: ("operator '@' is not supported", "use abs(x)"),
    exp.Alias: ("aliases are not allowed", None),
}
AGGREGATES = {"count", "sum", "avg", "min", "max", "median", "any_value", "string_agg", "list", "array_agg"}
_SUBQUERY = (exp.Query, exp.Subquery, exp.Exists, exp.DDL, exp.DML, exp.Command)


def why_refused(node: exp.Expr) -> tuple[str, str | None]:
    """Message and hint for a syntax node the checker has no rule for."""
    if isinstance(node, _SUBQUERY):
        return "subqueries and statements are not allowed", None
    for kind, (message, hint) in _REFUSED.items():
        if isinstance(node, kind):
            return message, hint
    return f"{node.key.upper()} is not part of the expression language", "see docs/expr.md"


def a_type(type_name: str) -> str:
    return {
        "null": "NULL",
        "number": "a number",
        "string": "text",
        "boolean": "a condition",
        "date": "a date",
    }[type_name]


def plural(type_name: str) -> str:
    return {"number": "numbers", "string": "text", "boolean": "conditions", "date": "dates"}.get(
        type_name, type_name
    )


def type_hint(node: t.Node, wanted: str) -> str | None:
    """What the user probably meant when a value has the wrong type."""
    if isinstance(node, t.Lit) and isinstance(node.value, str):
        if wanted == "date":
            return f"write DATE '{node.value}'"
        if wanted == "number":
            return "numbers are written without quotes"
    if wanted == "boolean" and node.type in ("number", "string", "date"):
        return "compare it, e.g. x > 0 or x = 'value'"
    return None


def function_hint(name: str) -> str:
    close = difflib.get_close_matches(name, list(FUNCTIONS), n=1, cutoff=0.7)
    if close:
        return f"did you mean {close[0]!r}?"
    return "allowed: " + ", ".join(sorted(FUNCTIONS))
