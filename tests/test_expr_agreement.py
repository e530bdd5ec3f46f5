"""Property tests: the SQL and the Python compilations of random expressions agree on random rows
(NULLs included), and the canonical form parses back to the same expression.

Expressions are typed random text over a small namespace that covers every field type and the SQL
column types behind them. KEQUN_EXPR_EXAMPLES raises the number of expressions per result type
(default 150).
"""

from __future__ import annotations

import math
import os
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kequn.expr import Field, Namespace, parse_expr

AS_OF = date(2024, 5, 31)

# name → (field type, DuckDB column type). "group" is an SQL keyword: it has to be quoted everywhere.
COLUMNS = {
    "n1": ("number", "DOUBLE"),
    "n2": ("number", "DOUBLE"),
    "i1": ("number", "INTEGER"),
    "d1": ("number", "DECIMAL(12,2)"),
    "group": ("number", "BIGINT"),
    "s1": ("string", "VARCHAR"),
    "s2": ("string", "VARCHAR"),
    "b1": ("boolean", "BOOLEAN"),
    "b2": ("boolean", "BOOLEAN"),
    "t1": ("date", "DATE"),
    "t2": ("date", "DATE"),
}
NAMESPACE = Namespace([Field(name, kind) for name, (kind, _) in COLUMNS.items()])
NAMES_BY_TYPE = {
    kind: [f'"{n}"' if n == "group" else n for n, (k, _) in COLUMNS.items() if k == kind]
    for kind in ("number", "string", "boolean", "date")
}
ALPHABET = "aB _%中é"

# --- row values ---------------------------------------------------------------------------------

_floats = st.one_of(
    st.integers(-(10**6), 10**6).map(lambda i: i / 100),
    st.sampled_from([0.0, -0.0, 0.5, -2.5, 2.675, 1e-3, 123456.789]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(lambda x: x == 0 or abs(x) > 1e-6),
)
_VALUES = {
    "DOUBLE": _floats,
    "INTEGER": st.integers(-1000, 1000),
    "BIGINT": st.integers(-(10**9), 10**9),
    "DECIMAL(12,2)": st.integers(-(10**8), 10**8).map(lambda i: Decimal(i).scaleb(-2)),
    "VARCHAR": st.text(ALPHABET, max_size=5),
    "BOOLEAN": st.booleans(),
    "DATE": st.integers(-800, 800).map(lambda d: AS_OF + timedelta(days=d)),
}


def rows(max_rows: int = 6) -> st.SearchStrategy[list[dict]]:
    row = st.fixed_dictionaries(
        {name: st.one_of(st.none(), _VALUES[sql_type]) for name, (_, sql_type) in COLUMNS.items()}
    )
    return st.lists(row, min_size=1, max_size=max_rows)


# --- expressions (text, always parenthesised so precedence is not what is being tested) ---------


def _p(text: str) -> str:
    return f"({text})"


_number_literals = st.one_of(
    st.integers(-1000, 10**6).map(str),
    st.sampled_from(["0", "2.5", "0.1", "-3.75", "1_000", "1e3", "2.675", "100000000000000"]),
)
_string_literals = st.text(ALPHABET, max_size=4).map(lambda s: "'" + s.replace("'", "''") + "'")
_date_literals = st.integers(-800, 800).map(lambda d: f"DATE '{(AS_OF + timedelta(days=d)).isoformat()}'")


def _leaf(kind: str) -> st.SearchStrategy[str]:
    names = st.sampled_from(NAMES_BY_TYPE[kind])
    literal = {
        "number": _number_literals,
        "string": _string_literals,
        "boolean": st.sampled_from(["TRUE", "FALSE"]),
        "date": st.one_of(_date_literals, st.just("as_of")),
    }[kind]
    return st.one_of(names, names, literal, st.just("NULL"))


@cache
def expression(kind: str, depth: int = 3) -> st.SearchStrategy[str]:
    """Random expression text of result type ``kind``, nested at most ``depth`` levels."""
    if depth == 0:
        return _leaf(kind)
    sub = {k: expression(k, depth - 1) for k in ("number", "string", "boolean", "date")}
    return st.one_of(_leaf(kind), *_COMPOSITES[kind](sub))


def _fmt(template: str, **parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.fixed_dictionaries(parts).map(
        lambda values: template.format(**{k: _p(v) for k, v in values.items()})
    )


def _variadic(x: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """least/greatest of two or three values (Spark refuses one), coalesce of one to three."""
    return st.one_of(
        st.tuples(st.sampled_from(["least", "greatest"]), st.lists(x, min_size=2, max_size=3)),
        st.tuples(st.just("coalesce"), st.lists(x, min_size=1, max_size=3)),
    ).map(lambda v: f"{v[0]}({', '.join(v[1])})")


def _numbers(sub: dict) -> list[st.SearchStrategy[str]]:
    n, s, d, b = sub["number"], sub["string"], sub["date"], sub["boolean"]
    ops = st.sampled_from(["+", "-", "*", "/", "%"])
    return [
        st.tuples(n, ops, n).map(lambda x: f"{_p(x[0])} {x[1]} {_p(x[2])}"),
        _fmt("-{a}", a=n),
        st.tuples(st.sampled_from(["abs", "floor", "ceil", "round"]), n).map(lambda x: f"{x[0]}({x[1]})"),
        st.tuples(n, st.integers(-3, 3)).map(lambda x: f"round({x[0]}, {x[1]})"),
        _variadic(n),
        _fmt("CASE WHEN {c} THEN {a} ELSE {b} END", c=b, a=n, b=n),
        _fmt("CASE WHEN {c} THEN {a} END", c=b, a=n),
        st.tuples(st.sampled_from(["year", "month", "day"]), d).map(lambda x: f"{x[0]}({x[1]})"),
        _fmt("length({a})", a=s),
        st.tuples(st.sampled_from(["day", "month", "year"]), d, d).map(
            lambda x: f"date_diff('{x[0]}', {x[1]}, {x[2]})"
        ),
    ]


def _booleans(sub: dict) -> list[st.SearchStrategy[str]]:
    n, s, d, b = sub["number"], sub["string"], sub["date"], sub["boolean"]
    ordering = st.sampled_from(["=", "<>", "<", "<=", ">", ">="])
    # x = NULL is refused (it is never true), so a bare NULL is not compared here; NULL values are.
    compare = [
        st.tuples(x, ordering, x)
        .filter(lambda v: "NULL" not in (v[0], v[2]))
        .map(lambda v: f"{_p(v[0])} {v[1]} {_p(v[2])}")
        for x in (n, s, d)
    ]
    any_value = st.one_of(n, s, d, b)
    return [
        *compare,
        st.tuples(b, st.sampled_from(["=", "<>"]), b)
        .filter(lambda v: "NULL" not in (v[0], v[2]))
        .map(lambda v: f"{_p(v[0])} {v[1]} {_p(v[2])}"),
        st.tuples(b, st.sampled_from(["AND", "OR"]), b).map(lambda v: f"{_p(v[0])} {v[1]} {_p(v[2])}"),
        st.lists(b, min_size=3, max_size=5).map(lambda v: " AND ".join(map(_p, v))),
        st.lists(b, min_size=3, max_size=5).map(lambda v: " OR ".join(map(_p, v))),
        _fmt("NOT {a}", a=b),
        st.tuples(any_value, st.sampled_from(["IS NULL", "IS NOT NULL"])).map(lambda v: f"{_p(v[0])} {v[1]}"),
        *[
            st.tuples(x, st.sampled_from(["IN", "NOT IN"]), st.lists(x, min_size=1, max_size=3)).map(
                lambda v: f"{_p(v[0])} {v[1]} ({', '.join(v[2])})"
            )
            for x in (n, s)
        ],
        st.tuples(n, st.sampled_from(["BETWEEN", "NOT BETWEEN"]), n, n).map(
            lambda v: f"{_p(v[0])} {v[1]} {_p(v[2])} AND {_p(v[3])}"
        ),
        st.tuples(s, st.sampled_from(["LIKE", "NOT LIKE"]), st.text(ALPHABET + "%_", max_size=4)).map(
            lambda v: f"{_p(v[0])} {v[1]} '{v[2]}'"
        ),
        st.tuples(st.sampled_from(["starts_with", "ends_with", "contains"]), s, s).map(
            lambda v: f"{v[0]}({v[1]}, {v[2]})"
        ),
        _fmt("coalesce({a}, {b})", a=b, b=b),
    ]


def _strings(sub: dict) -> list[st.SearchStrategy[str]]:
    s, b = sub["string"], sub["boolean"]
    return [
        st.tuples(st.sampled_from(["lower", "upper", "trim"]), s).map(lambda v: f"{v[0]}({v[1]})"),
        st.tuples(s, st.integers(1, 4)).map(lambda v: f"substr({v[0]}, {v[1]})"),
        st.tuples(s, st.integers(1, 4), st.integers(0, 3)).map(lambda v: f"substr({v[0]}, {v[1]}, {v[2]})"),
        _fmt("{a} || {b}", a=s, b=s),
        _variadic(s),
        _fmt("CASE WHEN {c} THEN {a} ELSE {b} END", c=b, a=s, b=s),
    ]


def _dates(sub: dict) -> list[st.SearchStrategy[str]]:
    d, b = sub["date"], sub["boolean"]
    return [
        _variadic(d),
        _fmt("CASE WHEN {c} THEN {a} ELSE {b} END", c=b, a=d, b=d),
    ]


_COMPOSITES = {"number": _numbers, "boolean": _booleans, "string": _strings, "date": _dates}


# --- the properties ------------------------------------------------------------------------------

# The first parse raises Python's recursion limit (see kequn.expr.syntax); do it before Hypothesis
# records the limit, so it does not warn that a test changed it.
parse_expr("1", NAMESPACE)

EXAMPLES = int(os.environ.get("KEQUN_EXPR_EXAMPLES", "150"))


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, data: list[dict]) -> list:
    """SELECT <sql> FROM (VALUES ...) with every value a typed parameter, in row order."""
    columns = list(COLUMNS)
    one_row = ", ".join(["?"] + [f"CAST(? AS {COLUMNS[c][1]})" for c in columns])
    values = ", ".join(f"({one_row})" for _ in data)
    header = ", ".join(["rid"] + [f'"{c}"' for c in columns])
    query = f"SELECT {sql} FROM (VALUES {values}) AS t({header}) ORDER BY rid"
    params = [v for i, row in enumerate(data) for v in (i, *(row[c] for c in columns))]
    return [r[0] for r in con.execute(query, params).fetchall()]


def same(python_value, sql_value) -> bool:
    """Equal, with numbers compared as floats to a relative 1e-9 (SQL may answer DECIMAL or int)."""
    if python_value is None or sql_value is None:
        return python_value is None and sql_value is None
    if isinstance(python_value, bool) or isinstance(sql_value, bool):
        return type(python_value) is type(sql_value) and python_value == sql_value
    if isinstance(sql_value, int | float | Decimal):
        a, b = float(python_value), float(sql_value)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return python_value == sql_value


@pytest.mark.parametrize("kind", ["number", "boolean", "string", "date"])
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_sql_and_python_agree_and_the_canonical_form_round_trips(con, kind, data):
    text = data.draw(expression(kind), label="expression")
    table = data.draw(rows(), label="rows")
    checked = parse_expr(text, NAMESPACE)
    assert checked.type in (kind, "null")

    sql = checked.sql("duckdb", as_of=AS_OF)
    function = checked.to_python(as_of=AS_OF)
    for row, sql_value in zip(table, run_sql(con, sql, table), strict=True):
        python_value = function(row)
        assert same(python_value, sql_value), (
            f"SQL: {sql}\nrow: {row}\npython {python_value!r} != sql {sql_value!r}"
        )

    again = parse_expr(str(checked), NAMESPACE)
    assert again == checked and str(again) == str(checked)
