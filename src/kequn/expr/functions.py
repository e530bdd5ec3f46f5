"""The whitelist of functions: signature, result type, and both compilations of each.

Numeric functions compute in IEEE double on both sides (the SQL compiler casts their argument to
DOUBLE), so Python and SQL agree bit for bit. Literal-only parameters (round's digits, substr's
positions, date_diff's unit) are checked when the expression is, and kept apart from the arguments.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlglot import exp

# A parameter type: one of the value types, "same" (all such arguments share one type), or a Const.
ANY_ORDERED = ("number", "string", "date")


@dataclass(frozen=True)
class Const:
    """A parameter that must be written as a literal: an integer in [low, high], or one of ``choices``."""

    low: int = 0
    high: int = 0
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    params: tuple[str | Const, ...]
    result: str  # a value type, or "same": the type the arguments share
    python: Callable[..., Any]
    sql: Callable[..., exp.Expr]
    summary: str
    required: int | None = None  # how many params are required (default: all)
    variadic: tuple[
        str, ...
    ] = ()  # for least/greatest/coalesce: the types allowed, any count >= min_variadic
    min_variadic: int = 1
    strict: bool = True  # NULL in any argument gives NULL without calling ``python``
    double_args: bool = False  # number arguments are computed as DOUBLE (SQL casts them)

    @property
    def min_args(self) -> int:
        if self.variadic:
            return self.min_variadic
        return self.required if self.required is not None else len(self.params)

    @property
    def max_args(self) -> int | None:
        return None if self.variadic else len(self.params)

    def interleave(self, args: Sequence[Any], consts: Sequence[Any]) -> list[Any]:
        """Arguments and literal-only parameters, back in the order the signature declares them."""
        if self.variadic:
            return list(args)
        values, literals = iter(args), iter(consts)
        declared = self.params[: len(args) + len(consts)]
        return [next(literals) if isinstance(p, Const) else next(values) for p in declared]

    def signature(self) -> str:
        if self.variadic:
            return f"{self.name}({', '.join(['x'] * self.min_variadic)}, ...)"
        shown = [p if isinstance(p, str) else _const_label(p) for p in self.params]
        required = self.min_args
        head = ", ".join(shown[:required])
        tail = "".join(f"[, {s}]" for s in shown[required:])
        return f"{self.name}({head}{tail})"


def _const_label(const: Const) -> str:
    return "|".join(f"'{c}'" for c in const.choices) if const.choices else f"int {const.low}..{const.high}"


def round_half_away(x: float) -> float:
    """round() as DuckDB's std::round does it: halves away from zero (Python's round() goes to even)."""
    if not math.isfinite(x):
        return x
    whole = math.trunc(x)
    if abs(x - whole) >= 0.5:
        whole += int(math.copysign(1, x))
    return float(whole)


def round_digits(x: float, digits: int = 0) -> float:
    """DuckDB's round(DOUBLE, INTEGER): scale by a power of ten, round, scale back."""
    if digits >= 0:
        scale = 10.0**digits
        scaled = round_half_away(x * scale) / scale
        return x if not math.isfinite(scaled) else scaled
    scale = 10.0**-digits
    scaled = round_half_away(x / scale) * scale
    return 0.0 if not math.isfinite(scaled) else scaled


def _skip_nulls(pick: Callable[..., Any]) -> Callable[..., Any]:
    """least/greatest ignore NULL arguments (DuckDB and Spark both do); NULL only when all are NULL."""

    def run(*values: Any) -> Any:
        present = [v for v in values if v is not None]
        return pick(present) if present else None

    return run


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _date_diff(unit: str, start: date, end: date) -> int:
    """Boundaries crossed from start to end, as DuckDB's date_diff counts them."""
    if unit == "day":
        return (end - start).days
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months if unit == "month" else end.year - start.year


def _date_diff_sql(unit: str, start: exp.Expr, end: exp.Expr) -> exp.Expr:
    # Month and year differences are written with YEAR()/MONTH() so every engine counts boundaries
    # the same way (Spark's months_between is fractional, DuckDB's date_diff counts boundaries).
    if unit == "day":
        return exp.DateDiff(this=end, expression=start, unit=exp.var("DAY"))
    years = exp.Sub(this=exp.Year(this=end), expression=exp.Year(this=start))
    if unit == "year":
        return exp.Paren(this=years)
    months = exp.Sub(this=exp.Month(this=end), expression=exp.Month(this=start))
    return exp.Paren(
        this=exp.Add(
            this=exp.Mul(this=exp.Paren(this=years), expression=exp.Literal.number(12)),
            expression=exp.Paren(this=months),
        )
    )


def _substr(text: str, start: int, length: int | None = None) -> str:
    begin = start - 1
    return text[begin:] if length is None else text[begin : begin + length]


def _substr_sql(text: exp.Expr, start: int, length: int | None = None) -> exp.Expr:
    size = exp.Literal.number(length) if length is not None else None
    return exp.Substring(this=text, start=exp.Literal.number(start), length=size)


def _round_sql(x: exp.Expr, digits: int | None = None) -> exp.Expr:
    # Written as DuckDB computes it (scale by an exact power of ten, round half away from zero, scale
    # back) so every engine agrees: Spark's ROUND(x, 2) rounds the decimal text of x instead, and gives
    # 1.01 for round(1.005, 2) where DuckDB and Python give 1.0. ROUND(x) alone means the same on both.
    if not digits:
        return exp.Round(this=x)
    scale = exp.Literal.number(f"1e{abs(digits)}")  # a DOUBLE literal on DuckDB and Spark
    operand = exp.Paren(this=x) if isinstance(x, exp.Binary | exp.Unary) else x
    if digits > 0:
        scaled = exp.Round(this=exp.Mul(this=operand, expression=scale))
        return exp.Paren(this=exp.Div(this=scaled, expression=scale))
    scaled = exp.Round(this=exp.Div(this=operand, expression=scale))
    return exp.Paren(this=exp.Mul(this=scaled, expression=scale))


def _spec_list() -> list[FunctionSpec]:
    n, s, d = "number", "string", "date"
    return [
        FunctionSpec(
            "abs",
            (n,),
            n,
            lambda x: abs(float(x)),
            lambda x: exp.Abs(this=x),
            "absolute value",
            double_args=True,
        ),
        FunctionSpec(
            "round",
            (n, Const(-10, 10)),
            n,
            lambda x, k=0: round_digits(float(x), k),
            _round_sql,
            "round half away from zero to k decimal places (k a literal, default 0)",
            required=1,
            double_args=True,
        ),
        FunctionSpec(
            "floor",
            (n,),
            n,
            lambda x: float(math.floor(float(x))),
            lambda x: exp.Floor(this=x),
            "largest whole number <= x",
            double_args=True,
        ),
        FunctionSpec(
            "ceil",
            (n,),
            n,
            lambda x: float(math.ceil(float(x))),
            lambda x: exp.Ceil(this=x),
            "smallest whole number >= x",
            double_args=True,
        ),
        FunctionSpec(
            "least",
            (),
            "same",
            _skip_nulls(min),
            lambda *a: exp.Least(this=a[0], expressions=list(a[1:]), ignore_nulls=True),
            "smallest argument, NULLs ignored (numbers, text or dates)",
            variadic=ANY_ORDERED,
            min_variadic=2,  # Spark refuses least/greatest of one argument
            strict=False,
        ),
        FunctionSpec(
            "greatest",
            (),
            "same",
            _skip_nulls(max),
            lambda *a: exp.Greatest(this=a[0], expressions=list(a[1:]), ignore_nulls=True),
            "largest argument, NULLs ignored (numbers, text or dates)",
            variadic=ANY_ORDERED,
            min_variadic=2,  # Spark refuses least/greatest of one argument
            strict=False,
        ),
        FunctionSpec(
            "coalesce",
            (),
            "same",
            _coalesce,
            lambda *a: exp.Coalesce(this=a[0], expressions=list(a[1:])),
            "first argument that is not NULL (any type)",
            variadic=("number", "string", "date", "boolean"),
            strict=False,
        ),
        FunctionSpec("lower", (s,), s, str.lower, lambda x: exp.Lower(this=x), "lower case"),
        FunctionSpec("upper", (s,), s, str.upper, lambda x: exp.Upper(this=x), "upper case"),
        FunctionSpec(
            "trim",
            (s,),
            s,
            lambda x: x.strip(" "),
            lambda x: exp.Trim(this=x),
            "without leading and trailing spaces",
        ),
        FunctionSpec("length", (s,), n, len, lambda x: exp.Length(this=x), "number of characters"),
        FunctionSpec(
            "substr",
            (s, Const(1, 1_000_000), Const(0, 1_000_000)),
            s,
            _substr,
            _substr_sql,
            "characters from position start (1 = first) for length characters (literals)",
            required=2,
        ),
        FunctionSpec(
            "starts_with",
            (s, s),
            "boolean",
            str.startswith,
            lambda x, p: exp.StartsWith(this=x, expression=p),
            "whether text starts with prefix",
        ),
        FunctionSpec(
            "ends_with",
            (s, s),
            "boolean",
            str.endswith,
            lambda x, p: exp.EndsWith(this=x, expression=p),
            "whether text ends with suffix",
        ),
        FunctionSpec(
            "contains",
            (s, s),
            "boolean",
            lambda x, p: p in x,
            lambda x, p: exp.Contains(this=x, expression=p),
            "whether text contains part",
        ),
        FunctionSpec("year", (d,), n, lambda x: x.year, lambda x: exp.Year(this=x), "year of a date"),
        FunctionSpec(
            "month", (d,), n, lambda x: x.month, lambda x: exp.Month(this=x), "month of a date (1-12)"
        ),
        FunctionSpec("day", (d,), n, lambda x: x.day, lambda x: exp.Day(this=x), "day of the month (1-31)"),
        FunctionSpec(
            "date_diff",
            (Const(choices=("day", "month", "year")), d, d),
            n,
            _date_diff,
            _date_diff_sql,
            "days, or month/year boundaries, from start to end (end - start)",
        ),
    ]


FUNCTIONS: dict[str, FunctionSpec] = {spec.name: spec for spec in _spec_list()}
