"""Compile a checked tree to SQL through sqlglot, for DuckDB, Spark or any dialect sqlglot writes.

Nothing of the user's text reaches the SQL: identifiers are always quoted, literals are re-rendered
from their values. Arithmetic is done in DOUBLE (one operand is cast), so an integer column cannot
overflow and the result matches the Python compilation; divisors go through NULLIF(x, 0) so dividing
by zero is NULL on every engine (DuckDB would give inf or an error, Spark ANSI mode an error).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import reduce

from sqlglot import exp

from kequn.expr import tree as t
from kequn.expr.functions import FUNCTIONS
from kequn.expr.literals import format_number

_SQL_TYPES = {"number": "DOUBLE", "string": "VARCHAR", "boolean": "BOOLEAN", "date": "DATE"}
_COMPARE: dict[str, type[exp.Expr]] = {
    "=": exp.EQ, "<>": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE,
}  # fmt: skip
_ARITH: dict[str, type[exp.Expr]] = {
    "+": exp.Add,
    "-": exp.Sub,
    "*": exp.Mul,
    "/": exp.Div,
    "%": exp.Mod,
}


def compile_sql(node: t.Node, *, qualify: str | None, as_of: date | None) -> exp.Expr:
    """The sqlglot tree of a checked expression; call ``.sql(dialect=...)`` on it."""
    return _Compiler(qualify, as_of).build(node)


class _Compiler:
    def __init__(self, qualify: str | None, as_of: date | None) -> None:
        self.qualify = qualify
        self.as_of = as_of

    def build(self, node: t.Node) -> exp.Expr:
        return getattr(self, f"_{type(node).__name__.lower()}")(node)

    def operand(self, parent: t.Node, child: t.Node, *, right: bool = False) -> exp.Expr:
        built = self.build(child)
        return exp.Paren(this=built) if t.needs_parens(parent, child, right=right) else built

    def double(self, node: t.Node) -> exp.Expr:
        """A number as DOUBLE: computed values already are; a column or literal is cast."""
        built = self.build(node)
        return built if is_double(node) else exp.cast(built, exp.DataType.build("DOUBLE"))

    # --- leaves ----------------------------------------------------------------------------------

    def _lit(self, node: t.Lit) -> exp.Expr:
        return literal(node.value, node.type)

    def _name(self, node: t.Name) -> exp.Expr:
        return exp.column(node.name, table=self.qualify, quoted=True)

    def _asof(self, node: t.AsOf) -> exp.Expr:
        assert self.as_of is not None, "CheckedExpr refuses to compile as_of without a date"
        return literal(self.as_of, "date")

    # --- operators -------------------------------------------------------------------------------

    def _not(self, node: t.Not) -> exp.Expr:
        return exp.Not(this=self.operand(node, node.operand))

    def _neg(self, node: t.Neg) -> exp.Expr:
        operand = self.double(node.operand)
        return exp.Neg(this=exp.Paren(this=operand) if t.needs_parens(node, node.operand) else operand)

    def _logic(self, node: t.Logic) -> exp.Expr:
        kind = exp.And if node.op == "and" else exp.Or
        parts = [self.operand(node, p) for p in node.operands]
        return reduce(lambda left, right: kind(this=left, expression=right), parts)

    def _compare(self, node: t.Compare) -> exp.Expr:
        left, right = self.operand(node, node.left), self.operand(node, node.right, right=True)
        return _COMPARE[node.op](this=left, expression=right)

    def _arith(self, node: t.Arith) -> exp.Expr:
        left, right = self.operand(node, node.left), self.operand(node, node.right, right=True)
        if not (is_double(node.left) or is_double(node.right)):
            left = exp.cast(left, exp.DataType.build("DOUBLE"))
        if node.op in "/%":
            right = exp.Nullif(this=right, expression=exp.Literal.number(0))
        return _ARITH[node.op](this=left, expression=right)

    def _concat(self, node: t.Concat) -> exp.Expr:
        left, right = self.operand(node, node.left), self.operand(node, node.right, right=True)
        return exp.DPipe(this=left, expression=right, safe=True)

    # --- predicates ------------------------------------------------------------------------------

    def _isnull(self, node: t.IsNull) -> exp.Expr:
        test = exp.Is(this=self.operand(node, node.operand), expression=exp.Null())
        return exp.Not(this=test) if node.negated else test

    def _inlist(self, node: t.InList) -> exp.Expr:
        items = [self.operand(node, item) for item in node.items]
        test = exp.In(this=self.operand(node, node.operand), expressions=items)
        return exp.Not(this=test) if node.negated else test

    def _between(self, node: t.Between) -> exp.Expr:
        low, high = self.operand(node, node.low), self.operand(node, node.high)
        test = exp.Between(this=self.operand(node, node.operand), low=low, high=high)
        return exp.Not(this=test) if node.negated else test

    def _like(self, node: t.Like) -> exp.Expr:
        test = exp.Like(this=self.operand(node, node.operand), expression=exp.Literal.string(node.pattern))
        return exp.Not(this=test) if node.negated else test

    def _case(self, node: t.Case) -> exp.Expr:
        ifs = [exp.If(this=self.build(c), true=self.build(v)) for c, v in node.whens]
        default = self.build(node.default) if node.default is not None else None
        return exp.Case(ifs=ifs, default=default)

    def _call(self, node: t.Call) -> exp.Expr:
        spec = FUNCTIONS[node.name]
        args = [self.double(a) if spec.double_args else self.build(a) for a in node.args]
        return spec.sql(*spec.interleave(args, node.consts))


def is_double(node: t.Node) -> bool:
    """Whether the SQL for ``node`` is already DOUBLE (so arithmetic on it is done in double)."""
    if isinstance(node, t.Arith | t.Neg):
        return True
    if isinstance(node, t.Call):
        return FUNCTIONS[node.name].double_args
    return isinstance(node, t.Lit) and node.value is None and node.type == "number"


def literal(value: Decimal | str | bool | date | None, type_name: str) -> exp.Expr:
    """A SQL literal rebuilt from a value (never from the user's text); NULL carries its type."""
    if value is None:
        sql_type = _SQL_TYPES.get(type_name)
        return exp.cast(exp.Null(), exp.DataType.build(sql_type)) if sql_type else exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, Decimal):
        number = exp.Literal.number(format_number(abs(value)))
        return exp.Neg(this=number) if value < 0 else number
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE"))
    return exp.Literal.string(value)
