"""Compile a checked tree to a Python function of one row, with SQL's NULL rules.

NULL is ``None``. Logic is three-valued (FALSE AND NULL is FALSE, TRUE OR NULL is TRUE); a comparison,
arithmetic or function with a NULL operand is NULL (except coalesce, least, greatest); dividing by
zero is NULL, as the SQL compilation makes it with NULLIF. Arithmetic is IEEE double, as in SQL.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from numbers import Integral, Real
from typing import Any

from kequn.expr import tree as t
from kequn.expr.errors import FieldValueError
from kequn.expr.functions import FUNCTIONS

Row = Mapping[str, Any]
Fn = Callable[[Row], Any]

_COMPARE = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compile_python(node: t.Node, as_of: date | None) -> Fn:
    return _Compiler(as_of).compile(node)


class _Compiler:
    def __init__(self, as_of: date | None) -> None:
        self.as_of = as_of

    def compile(self, node: t.Node) -> Fn:
        return getattr(self, f"_{type(node).__name__.lower()}")(node)

    def _lit(self, node: t.Lit) -> Fn:
        value = _python_number(node.value) if isinstance(node.value, Decimal) else node.value
        return lambda row: value

    def _name(self, node: t.Name) -> Fn:
        name, read = node.name, _READERS[node.type]
        return lambda row: read(name, row.get(name))

    def _asof(self, node: t.AsOf) -> Fn:
        value = self.as_of
        return lambda row: value

    def _not(self, node: t.Not) -> Fn:
        operand = self.compile(node.operand)
        return lambda row: _not3(operand(row))

    def _neg(self, node: t.Neg) -> Fn:
        operand = self.compile(node.operand)
        return lambda row: None if (v := operand(row)) is None else -float(v)

    def _logic(self, node: t.Logic) -> Fn:
        parts = [self.compile(p) for p in node.operands]
        return _all3(parts) if node.op == "and" else _any3(parts)

    def _compare(self, node: t.Compare) -> Fn:
        return _strict2(_COMPARE[node.op], self.compile(node.left), self.compile(node.right))

    def _arith(self, node: t.Arith) -> Fn:
        return _strict2(_ARITH[node.op], self.compile(node.left), self.compile(node.right))

    def _concat(self, node: t.Concat) -> Fn:
        return _strict2(operator.add, self.compile(node.left), self.compile(node.right))

    def _isnull(self, node: t.IsNull) -> Fn:
        operand, negated = self.compile(node.operand), node.negated
        return lambda row: (operand(row) is None) != negated

    def _inlist(self, node: t.InList) -> Fn:
        operand, items, negated = (
            self.compile(node.operand),
            [self.compile(i) for i in node.items],
            node.negated,
        )

        def run(row: Row) -> bool | None:
            value = operand(row)
            if value is None:
                return None
            found = _any3_values(None if (item := f(row)) is None else item == value for f in items)
            return _not3(found) if negated else found

        return run

    def _between(self, node: t.Between) -> Fn:
        operand, low, high = self.compile(node.operand), self.compile(node.low), self.compile(node.high)
        above, below = _strict2(operator.ge, operand, low), _strict2(operator.le, operand, high)
        inside = _all3([above, below])
        return (lambda row: _not3(inside(row))) if node.negated else inside

    def _like(self, node: t.Like) -> Fn:
        operand, matcher, negated = self.compile(node.operand), like_regex(node.pattern), node.negated
        return lambda row: (
            None if (v := operand(row)) is None else (matcher.fullmatch(v) is not None) != negated
        )

    def _case(self, node: t.Case) -> Fn:
        whens = [(self.compile(c), self.compile(v)) for c, v in node.whens]
        default = self.compile(node.default) if node.default is not None else (lambda row: None)

        def run(row: Row) -> Any:
            for condition, value in whens:
                if condition(row) is True:
                    return value(row)
            return default(row)

        return run

    def _call(self, node: t.Call) -> Fn:
        spec = FUNCTIONS[node.name]
        args = [self.compile(a) for a in node.args]
        consts, impl, interleave = node.consts, spec.python, spec.interleave

        def run(row: Row) -> Any:
            values = [a(row) for a in args]
            if spec.strict and any(v is None for v in values):
                return None
            return impl(*interleave(values, consts))

        return run


def like_regex(pattern: str) -> re.Pattern[str]:
    """SQL LIKE as a regular expression: % any run of characters, _ exactly one, the rest literal.

    >>> bool(like_regex("上海%").fullmatch("上海市")), bool(like_regex("a_c").fullmatch("abbc"))
    (True, False)
    """
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.DOTALL)


def _python_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _div(a: Any, b: Any) -> float | None:
    return None if b == 0 else float(a) / float(b)


def _mod(a: Any, b: Any) -> float | None:
    # SQL's % on doubles is C's fmod: the sign follows the dividend (Python's % follows the divisor).
    if b == 0:
        return None
    try:
        return math.fmod(float(a), float(b))
    except ValueError:  # fmod(inf, y)
        return math.nan


_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: float(a) + float(b),
    "-": lambda a, b: float(a) - float(b),
    "*": lambda a, b: float(a) * float(b),
    "/": _div,
    "%": _mod,
}


def _strict2(op: Callable[[Any, Any], Any], left: Fn, right: Fn) -> Fn:
    """A binary operation that is NULL when either operand is."""

    def run(row: Row) -> Any:
        a = left(row)
        if a is None:
            return None
        b = right(row)
        return None if b is None else op(a, b)

    return run


def _not3(value: bool | None) -> bool | None:
    return None if value is None else not value


def _all3(parts: list[Fn]) -> Fn:
    def run(row: Row) -> bool | None:
        unknown = False
        for part in parts:
            value = part(row)
            if value is False:
                return False
            unknown = unknown or value is None
        return None if unknown else True

    return run


def _any3(parts: list[Fn]) -> Fn:
    def run(row: Row) -> bool | None:
        return _any3_values(part(row) for part in parts)

    return run


def _any3_values(values: Any) -> bool | None:
    unknown = False
    for value in values:
        if value is True:
            return True
        unknown = unknown or value is None
    return None if unknown else False


# --- reading row values: what each field type accepts ------------------------------------------


def _wrong(name: str, wanted: str, value: Any) -> FieldValueError:
    # The value itself is not shown: it may be personal data.
    return FieldValueError(f"field {name!r} must be {wanted}, got a value of type {type(value).__name__}")


def _read_number(name: str, value: Any) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _wrong(name, "a number", value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Decimal):
        return None if value.is_nan() else float(value)
    if isinstance(value, Real):
        number = float(value)
        return None if math.isnan(number) else number  # pandas writes a missing number as NaN
    raise _wrong(name, "a number", value)


def _read_string(name: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _wrong(name, "text", value)


def _read_boolean(name: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if type(value).__name__ in ("bool_", "bool"):  # numpy's booleans
        return bool(value)
    raise _wrong(name, "true or false", value)


def _read_date(name: str, value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _wrong(name, "a date (YYYY-MM-DD)", value) from None
    raise _wrong(name, "a date", value)


_READERS: dict[str, Callable[[str, Any], Any]] = {
    "number": _read_number,
    "string": _read_string,
    "boolean": _read_boolean,
    "date": _read_date,
}
