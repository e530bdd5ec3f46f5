"""``parse_expr``: text in, a checked expression out, ready to compile to SQL or to Python."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from kequn.expr import tree as t
from kequn.expr.check import check
from kequn.expr.errors import ExprError, error_at
from kequn.expr.namespace import AS_OF, TYPES, Namespace
from kequn.expr.positions import offset_of
from kequn.expr.pretty import render
from kequn.expr.syntax import parse_syntax
from kequn.expr.to_python import compile_python
from kequn.expr.to_sql import compile_sql


def parse_expr(text: str, namespace: Namespace, *, expect: str | None = None) -> CheckedExpr:
    """Parse and check ``text`` against ``namespace``; ``expect`` requires a result type.

    >>> from kequn.expr import Field
    >>> ns = Namespace([Field("aum_mad", "number"), Field("risk_level", "number")])
    >>> checked = parse_expr("aum_mad>=500000 and risk_level>=3", ns, expect="boolean")
    >>> str(checked), checked.type, sorted(checked.names)
    ('aum_mad >= 500000 AND risk_level >= 3', 'boolean', ['aum_mad', 'risk_level'])
    >>> checked.sql()
    '"aum_mad" >= 500000 AND "risk_level" >= 3'
    >>> checked.to_python()({"aum_mad": 800000, "risk_level": None}) is None
    True
    """
    if expect is not None and expect not in TYPES:
        raise ValueError(f"expect must be one of {', '.join(TYPES)}")
    syntax = parse_syntax(text)
    node = check(syntax, text, namespace)
    if expect is not None and node.type not in (expect, t.NULL_TYPE):
        raise ExprError(f"the expression must give {_kind(expect)}, but it gives {_kind(node.type)}")
    as_of_at = next((offset_of(n) for n in syntax.walk() if _is_as_of(n)), None)
    return CheckedExpr(node, text=text, as_of_offset=as_of_at)


class CheckedExpr:
    """A checked expression: its typed tree, result type and names, and its two compilations."""

    def __init__(self, node: t.Node, *, text: str = "", as_of_offset: int | None = None) -> None:
        self.tree = node
        self.text = text
        self._as_of_offset = as_of_offset
        self._sql: dict[tuple[str, str | None, date | None], str] = {}  # generating SQL takes ~1 ms

    @property
    def type(self) -> str:
        """'number', 'string', 'boolean' or 'date' ('null' for an expression that is always NULL)."""
        return self.tree.type

    @property
    def names(self) -> frozenset[str]:
        """The namespace names the expression reads (``as_of`` is not one of them)."""
        return frozenset(n.name for n in t.walk(self.tree) if isinstance(n, t.Name))

    @property
    def uses_as_of(self) -> bool:
        return any(isinstance(n, t.AsOf) for n in t.walk(self.tree))

    def sql(self, dialect: str = "duckdb", *, qualify: str | None = None, as_of: date | None = None) -> str:
        """SQL text for ``dialect``; ``qualify`` prefixes every column with a table alias; ``as_of`` is the
        snapshot date the expression's ``as_of`` stands for."""
        key = (dialect, qualify, as_of)
        if key not in self._sql:
            self._need_as_of(as_of)
            self._sql[key] = compile_sql(self.tree, qualify=qualify, as_of=as_of).sql(dialect=dialect)
        return self._sql[key]

    def to_python(self, *, as_of: date | None = None) -> Callable[[Mapping[str, Any]], Any]:
        """A function of one row (a mapping of field name to value; a missing field is NULL)."""
        self._need_as_of(as_of)
        return compile_python(self.tree, as_of)

    def _need_as_of(self, as_of: date | None) -> None:
        if as_of is None and self.uses_as_of:
            offset = self._as_of_offset
            raise error_at(self.text, offset, f"{AS_OF} needs a snapshot date here", "pass as_of=<date>")

    def __str__(self) -> str:
        return render(self.tree)

    def __repr__(self) -> str:
        return f"CheckedExpr({str(self)!r}, type={self.type!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CheckedExpr) and other.tree == self.tree

    def __hash__(self) -> int:
        return hash(self.tree)


def _is_as_of(node: Any) -> bool:
    from sqlglot import exp

    return isinstance(node, exp.Column) and node.name.lower() == AS_OF and not node.table


def _kind(type_name: str) -> str:
    return {"boolean": "a condition (true/false)", "null": "always NULL"}.get(type_name, f"a {type_name}")
