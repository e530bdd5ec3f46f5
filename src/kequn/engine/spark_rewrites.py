"""Rewrites of a DuckDB-dialect sqlglot tree so Spark computes what DuckDB computes (values and types).

sqlglot maps names and syntax between the dialects; these rules fix the places where the mapped SQL
runs on Spark but means something else there, or does not run at all. Each rule takes one node and
returns it (possibly changed in place) or its replacement; ``rewrite`` applies them bottom-up, so a
rule sees its operands already rewritten and never sees the nodes it built. docs/engines.md lists them.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from kequn.core.errors import KequnError

Rule = Callable[["exp.Expr"], "exp.Expr"]
DOUBLE = exp.DataType.Type.DOUBLE


class UnsupportedSQL(KequnError, ValueError):
    """SQL the Spark engine cannot run the way DuckDB would (names the construct and what to write)."""


def rewrite(tree: exp.Expr) -> exp.Expr:
    """Apply every rule to every node, operands before the expressions that use them."""
    root = tree
    for node in reversed(list(tree.dfs())):
        for rule in RULES:
            new = rule(node)
            if new is not node:
                if node is root:
                    root = new
                else:
                    node.replace(new)
                node = new
    return root


def _is_double(e: exp.Expr) -> bool:
    """A DOUBLE cast, or a division this module already rewrote (marked in its meta)."""
    while isinstance(e, exp.Paren) and not e.meta.get("double"):
        e = e.this
    return bool(e.meta.get("double")) or (isinstance(e, exp.Cast) and e.to.is_type(DOUBLE))


def _double(e: exp.Expr) -> exp.Expr:
    return e if _is_double(e) else exp.cast(e, DOUBLE)


def _nonzero_number(e: exp.Expr) -> bool:
    return isinstance(e, exp.Literal) and not e.is_string and float(e.this) != 0


def ieee_division(node: exp.Expr) -> exp.Expr:
    """DuckDB's ``/`` divides in DOUBLE (DECIMAL too) and x / 0 is ±inf or NaN; Spark (ANSI) raises.

    ``a / b`` becomes ``CASE WHEN b = 0 THEN a * inf ELSE a / b END`` in DOUBLE: a * inf gives +inf,
    -inf or NaN (for 0 / 0) exactly as IEEE division does, and NULL stays NULL.
    """
    if not isinstance(node, exp.Div) or node.args.get("typed") or node.args.get("safe"):
        return node
    numerator, divisor = _double(node.this), _double(node.expression)
    if _nonzero_number(node.expression):
        division = exp.Paren(this=exp.Div(this=numerator, expression=divisor))
        division.meta["double"] = True
        return division
    infinity = exp.cast(exp.Literal.string("Infinity"), DOUBLE)
    division = exp.Paren(
        this=exp.Case(
            ifs=[
                exp.If(
                    this=exp.EQ(this=divisor, expression=exp.Literal.number(0)),
                    true=exp.Mul(this=numerator.copy(), expression=infinity),
                )
            ],
            default=exp.Div(this=numerator.copy(), expression=divisor.copy()),
        )
    )
    division.meta["double"] = True
    return division


def _is_interval(e: exp.Expr) -> bool:
    """An interval-valued operand: INTERVAL ..., n * INTERVAL ..., -INTERVAL ..., (INTERVAL ...)."""
    if isinstance(e, exp.Interval):
        return True
    if isinstance(e, exp.Paren | exp.Neg):
        return _is_interval(e.this)
    if isinstance(e, exp.Mul):
        return _is_interval(e.this) or _is_interval(e.expression)
    return False


def interval_expression(node: exp.Expr) -> exp.Expr:
    """DuckDB's ``INTERVAL (n) DAY`` (a computed count) is ``n * INTERVAL '1' DAY`` in Spark."""
    if isinstance(node, exp.Interval) and node.this is not None and not isinstance(node.this, exp.Literal):
        unit = node.args.get("unit")
        one = exp.Interval(this=exp.Literal.string("1"), unit=unit.copy() if unit else None)
        return exp.Paren(this=exp.Mul(this=exp.Paren(this=node.this.copy()), expression=one))
    return node


def timestamp_interval_arithmetic(node: exp.Expr) -> exp.Expr:
    """DATE ± INTERVAL is a TIMESTAMP in DuckDB but a DATE in Spark: cast the date side to TIMESTAMP.

    The cast leaves a TIMESTAMP operand as it is (TIMESTAMP means TIMESTAMP_NTZ in the session).
    """
    if not isinstance(node, exp.Add | exp.Sub):
        return node
    left, right = node.this, node.expression
    if _is_interval(right) and not _is_interval(left):
        node.set("this", exp.cast(left, "TIMESTAMP"))
    elif isinstance(node, exp.Add) and _is_interval(left) and not _is_interval(right):
        node.set("expression", exp.cast(right, "TIMESTAMP"))
    return node


def _calendar_index(e: exp.Expr, per_year: int) -> exp.Expr:
    """Months (12), quarters (4) or years (1) since year 0: differences count the boundaries crossed."""
    year = exp.func("YEAR", e.copy())
    if per_year == 1:
        return year
    part = exp.func("MONTH" if per_year == 12 else "QUARTER", e.copy())
    scaled = exp.Mul(this=year, expression=exp.Literal.number(per_year))
    return exp.Paren(this=exp.Add(this=scaled, expression=part))


def _days_between(start: exp.Expr, end: exp.Expr) -> exp.Expr:
    return exp.func("DATEDIFF", exp.cast(end.copy(), "DATE"), exp.cast(start.copy(), "DATE"))


def _clock_difference(unit: str, start: exp.Expr, end: exp.Expr) -> exp.Expr:
    """Hour, minute or second boundaries: days apart, then each finer clock part's difference."""
    total = _days_between(start, end)
    for part, per in (("HOUR", 24), ("MINUTE", 60), ("SECOND", 60)):
        finer = exp.Sub(this=exp.func(part, end.copy()), expression=exp.func(part, start.copy()))
        scaled = exp.Mul(this=exp.Paren(this=total), expression=exp.Literal.number(per))
        total = exp.Add(this=scaled, expression=finer)
        if part == unit:
            break
    return total


_UNITS = {
    **dict.fromkeys(("DAY", "DAYS", "D"), "DAY"),
    **dict.fromkeys(("MONTH", "MONTHS", "MON"), "MONTH"),
    **dict.fromkeys(("QUARTER", "QUARTERS"), "QUARTER"),
    **dict.fromkeys(("YEAR", "YEARS", "Y"), "YEAR"),
    **dict.fromkeys(("HOUR", "HOURS", "H"), "HOUR"),
    **dict.fromkeys(("MINUTE", "MINUTES", "M"), "MINUTE"),
    **dict.fromkeys(("SECOND", "SECONDS", "S"), "SECOND"),
}


def _boundaries(unit: str, start: exp.Expr, end: exp.Expr) -> exp.Expr:
    name = _UNITS.get(unit)
    if name == "DAY":
        return _days_between(start, end)
    if name in ("MONTH", "QUARTER", "YEAR"):
        per_year = {"MONTH": 12, "QUARTER": 4, "YEAR": 1}[name]
        return exp.Sub(this=_calendar_index(end, per_year), expression=_calendar_index(start, per_year))
    if name in ("HOUR", "MINUTE", "SECOND"):
        return _clock_difference(name, start, end)
    raise UnsupportedSQL(
        f"date_diff('{unit.lower()}', ...) has no Spark rewrite;"
        " use day, month, quarter, year, hour, minute or second"
    )


def date_diff(node: exp.Expr) -> exp.Expr:
    """DuckDB's date_diff counts unit boundaries crossed (BIGINT); Spark's counts whole units elapsed."""
    if isinstance(node, exp.DateDiff) and node.args.get("date_part_boundary"):
        unit = node.args.get("unit")
        name = (unit.name if unit is not None else "DAY").upper()
        return exp.cast(exp.Paren(this=_boundaries(name, node.expression, node.this)), "BIGINT")
    return node


def series_table(node: exp.Expr) -> exp.Expr:
    """``FROM range(a, b[, step]) r(x)`` / ``generate_series(...)``: an EXPLODE(SEQUENCE(...)) subquery.

    Spark's SEQUENCE includes its end and fails when start > end; DuckDB's range excludes the end and
    is empty then. The rewrite guards the bounds and filters out the end. Steps must be positive.
    Integer series are BIGINT, as in DuckDB.
    """
    if not (isinstance(node, exp.Table) and isinstance(node.this, exp.GenerateSeries)):
        return node
    series = node.this
    exclusive = bool(series.args.get("is_end_exclusive"))
    start = series.args.get("start") or exp.Literal.number(0)
    end = series.args["end"]
    step = series.args.get("step") or exp.Literal.number(1)
    if not _is_interval(step):
        start, end, step = (exp.cast(e.copy(), "BIGINT") for e in (start, end, step))
    alias = node.args.get("alias")
    column = "range" if exclusive else "generate_series"
    if alias is not None and alias.columns:
        column = alias.columns[0].name
    table = alias.name if alias is not None and alias.name else column
    sequence = exp.func("SEQUENCE", start.copy(), end.copy(), step.copy())
    bounded = exp.If(this=exp.LTE(this=start.copy(), expression=end.copy()), true=sequence, false=exp.null())
    values = exp.select(exp.alias_(exp.func("EXPLODE", bounded), column)).subquery("series")
    query = exp.select(exp.column(column)).from_(values)
    if exclusive:
        query = query.where(exp.LT(this=exp.column(column), expression=end.copy()))
    return exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(table)))


def arg_max_skips_nulls(node: exp.Expr) -> exp.Expr:
    """DuckDB's arg_max(a, b) / arg_min skip rows where a is NULL; Spark's MAX_BY / MIN_BY return it.

    Rows with a NULL ``a`` get a NULL ordering value, which Spark's MAX_BY / MIN_BY do skip.
    """
    if isinstance(node, exp.ArgMax | exp.ArgMin) and node.expression is not None:
        present = exp.Not(this=exp.Is(this=node.this.copy(), expression=exp.null()))
        node.set("expression", exp.Case(ifs=[exp.If(this=present, true=node.expression.copy())]))
    return node


_INTEGERS = (
    exp.DataType.Type.TINYINT,
    exp.DataType.Type.SMALLINT,
    exp.DataType.Type.INT,
    exp.DataType.Type.BIGINT,
)


def integer_casts_round(node: exp.Expr) -> exp.Expr:
    """DuckDB rounds when it casts a fraction to an integer (DOUBLE half to even, DECIMAL half away
    from zero); Spark truncates. Where the operand is evidently a DOUBLE (a division, a DOUBLE cast) or
    a DECIMAL literal, round it the DuckDB way first. Other operands' types are unknown here: cast
    integral values only, or round explicitly (docs/engines.md)."""
    if not (isinstance(node, exp.Cast) and node.to.this in _INTEGERS):
        return node
    operand = node.this
    if _is_double(operand):
        node.set("this", exp.func("RINT", operand.copy()))
    elif isinstance(operand, exp.Literal) and not operand.is_string and "." in operand.this:
        node.set("this", exp.func("ROUND", operand.copy()))
    return node


def round_double_like_duckdb(node: exp.Expr) -> exp.Expr:
    """DuckDB rounds a DOUBLE to k places as round(x * 10^k) / 10^k in binary floating point; Spark
    rounds the shortest decimal text of x (round(1.005, 2): DuckDB 1.0, Spark 1.01). Where x is evidently
    a DOUBLE, the rewrite computes DuckDB's way (at 0 places the two agree). DECIMALs round exactly on
    both engines and are left alone."""
    if not isinstance(node, exp.Round) or not _is_double(node.this):
        return node
    places = node.args.get("decimals")
    if not (isinstance(places, exp.Literal) and not places.is_string and places.this.isdigit()):
        return node
    scale = exp.Literal.number(10 ** int(places.this))
    scaled = exp.Round(this=exp.Mul(this=node.this.copy(), expression=scale))
    division = exp.Paren(this=exp.Div(this=scaled, expression=scale.copy()))
    division.meta["double"] = True
    return division


def regexp_replace_flags(node: exp.Expr) -> exp.Expr:
    """DuckDB's regexp_replace replaces the first match unless the options say 'g'; Spark replaces
    every match and has no options. 'g' is Spark's behaviour; 'i' becomes an inline (?i). A first-match
    replace is refused unless the pattern is anchored with ^ (it can match only once then)."""
    if not isinstance(node, exp.RegexpReplace):
        return node
    modifiers = node.args.get("modifiers")
    flags = modifiers.name if isinstance(modifiers, exp.Literal) else ""
    pattern = node.expression
    anchored = isinstance(pattern, exp.Literal) and pattern.this.startswith("^")
    if "g" not in flags and not anchored:
        raise UnsupportedSQL(
            "regexp_replace without 'g' replaces only the first match in DuckDB; Spark has no such"
            " function: pass 'g' or anchor the pattern with ^"
        )
    if "i" in flags:
        if not isinstance(pattern, exp.Literal):
            raise UnsupportedSQL("regexp_replace with 'i' needs a literal pattern on Spark")
        node.set("expression", exp.Literal.string("(?i)" + pattern.this))
    node.set("modifiers", None)
    return node


def average_in_double(node: exp.Expr) -> exp.Expr:
    """DuckDB averages DECIMAL in DOUBLE; Spark's DECIMAL average rounds to 6 places (and 4 more digits)."""
    if isinstance(node, exp.Avg) and not isinstance(node.this, exp.Distinct):
        node.set("this", _double(node.this))
    return node


def _percentile_disc(value: exp.Expr, fraction: exp.Expr, desc: bool = False) -> exp.Expr:
    # An anonymous call: sqlglot's Spark generator would turn PercentileDisc into PERCENTILE_APPROX.
    order = exp.Order(expressions=[exp.Ordered(this=value.copy(), desc=desc)])
    call = exp.Anonymous(this="PERCENTILE_DISC", expressions=[fraction.copy()])
    return exp.WithinGroup(this=call, expression=order)


def percentiles(node: exp.Expr) -> exp.Expr:
    """Exact percentiles: DuckDB's quantile_cont / percentile_cont become Spark's exact PERCENTILE and
    quantile_disc / percentile_disc Spark's PERCENTILE_DISC (sqlglot would emit PERCENTILE_APPROX)."""
    if isinstance(node, exp.WithinGroup) and isinstance(node.this, exp.PercentileCont | exp.PercentileDisc):
        ordered = node.expression.expressions[0]
        fraction = node.this.this
        if isinstance(node.this, exp.PercentileDisc):
            return _percentile_disc(ordered.this, fraction, bool(ordered.args.get("desc")))
        if ordered.args.get("desc"):
            fraction = exp.Sub(this=exp.Literal.number(1), expression=fraction.copy())
        return exp.func("PERCENTILE", ordered.this.copy(), fraction.copy())
    if isinstance(node.parent, exp.WithinGroup) or node.expression is None:
        return node
    if isinstance(node, exp.PercentileCont):
        return exp.func("PERCENTILE", node.this.copy(), node.expression.copy())
    if isinstance(node, exp.PercentileDisc):
        return _percentile_disc(node.this, node.expression)
    return node


def day_of_week(node: exp.Expr) -> exp.Expr:
    """DuckDB's dayofweek is 0 (Sunday) .. 6 and isodow 1 (Monday) .. 7; Spark's DAYOFWEEK is 1 .. 7."""
    one = exp.Literal.number(1)
    if isinstance(node, exp.DayOfWeekIso):
        return exp.cast(
            exp.Paren(this=exp.Add(this=exp.func("WEEKDAY", node.this.copy()), expression=one)), "BIGINT"
        )
    if isinstance(node, exp.DayOfWeek):
        return exp.cast(
            exp.Paren(this=exp.Sub(this=exp.func("DAYOFWEEK", node.this.copy()), expression=one)), "BIGINT"
        )
    return node


_BIGINT_IN_DUCKDB = (
    exp.Length,
    exp.Extract,
    exp.Year,
    exp.Quarter,
    exp.Month,
    exp.Day,
    exp.DayOfYear,
    exp.WeekOfYear,
)
_BIGINT_WINDOWS = (exp.RowNumber, exp.Rank, exp.DenseRank, exp.Ntile)


def bigint_results(node: exp.Expr) -> exp.Expr:
    """Functions DuckDB types BIGINT and Spark INT (row_number, length, year, ...): cast to BIGINT."""
    if isinstance(node, exp.Window) and isinstance(node.this, _BIGINT_WINDOWS):
        return exp.cast(node, "BIGINT")
    if isinstance(node, _BIGINT_IN_DUCKDB):
        return exp.cast(node, "BIGINT")
    return node


def date_trunc_timestamp(node: exp.Expr) -> exp.Expr:
    """DuckDB's date_trunc returns a TIMESTAMP even for a DATE; Spark may return a DATE."""
    if isinstance(node, exp.TimestampTrunc | exp.DateTrunc) and not isinstance(node.parent, exp.Cast):
        return exp.cast(node, "TIMESTAMP")
    return node


_TYPES = {
    exp.DataType.Type.INT128: "DECIMAL(38, 0)",
    exp.DataType.Type.UINT128: "DECIMAL(38, 0)",
    exp.DataType.Type.UBIGINT: "DECIMAL(20, 0)",
    exp.DataType.Type.UINT: "BIGINT",
    exp.DataType.Type.USMALLINT: "INT",
    exp.DataType.Type.UTINYINT: "SMALLINT",
}


def spark_types(node: exp.Expr) -> exp.Expr:
    """HUGEINT and unsigned integers have no Spark type: the narrowest exact one that holds them."""
    if isinstance(node, exp.DataType) and node.this in _TYPES:
        return exp.DataType.build(_TYPES[node.this], dialect="spark")
    return node


RULES: tuple[Rule, ...] = (
    series_table,
    interval_expression,
    timestamp_interval_arithmetic,
    date_diff,
    ieee_division,
    arg_max_skips_nulls,
    integer_casts_round,
    round_double_like_duckdb,
    regexp_replace_flags,
    average_in_double,
    percentiles,
    day_of_week,
    bigint_results,
    date_trunc_timestamp,
    spark_types,
)
