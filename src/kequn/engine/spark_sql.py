"""DuckDB-dialect SQL to Spark SQL: parameters bound as literals, sqlglot, and a few documented rewrites.

Pure functions (no pyspark here), so the translation is testable on its own and the list of rewrites
is in one place. docs/engines.md lists each rewrite and why it is needed.

>>> to_spark("SELECT count(*) FILTER (WHERE x > ?) AS n FROM t", [1])
'SELECT COUNT(*) FILTER(WHERE x > 1) AS n FROM t'
>>> to_spark("SELECT date_diff('month', a, b) FROM t")
'SELECT CAST(((YEAR(b) * 12 + MONTH(b)) - (YEAR(a) * 12 + MONTH(a))) AS BIGINT) FROM t'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from kequn.core.errors import KequnError
from kequn.engine.spark_rewrites import UnsupportedSQL, rewrite

READ = "duckdb"
WRITE = "spark"


# --- parameters -------------------------------------------------------------------------------------


def literal(value: Any) -> str:
    """A Python value as a DuckDB-dialect literal (what DuckDB's own binding would give it).

    >>> literal("it's"), literal(date(2026, 1, 31)), literal(1.5), literal(None)
    ("'it''s'", "DATE '2026-01-31'", 'CAST(1.5 AS DOUBLE)', 'NULL')
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value) if math.isfinite(value) else f"'{value}'"
        return f"CAST({text} AS DOUBLE)"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"cannot bind the decimal {value} as a SQL literal")
        return format(value, "f")
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, datetime):
        return f"TIMESTAMP '{_naive_utc(value).isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"cannot bind a {type(value).__name__} as a SQL literal")


def _naive_utc(value: datetime) -> datetime:
    """Timestamps are stored without time zone; an aware value is taken at its UTC wall-clock time."""
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)


def bind(sql: str, params: Sequence[Any] | None) -> str:
    """Replace each ``?`` placeholder (outside strings and comments) with the literal of its value.

    Placeholders are found by sqlglot's DuckDB tokenizer, so a ``?`` inside a string or a comment is
    never touched, and each value goes in as one quoted literal: no value can change the statement.

    >>> bind("SELECT ?::DATE, '?' -- ?", [date(2026, 1, 31)])
    "SELECT DATE '2026-01-31'::DATE, '?' -- ?"
    """
    values = list(params or [])
    marks = _placeholder_offsets(sql)
    if len(marks) != len(values):
        raise UserParameterError(f"the statement has {len(marks)} '?' placeholders but {len(values)} values")
    for offset, value in reversed(list(zip(marks, values, strict=True))):
        sql = sql[:offset] + literal(value) + sql[offset + 1 :]
    return sql


class UserParameterError(KequnError, ValueError):
    """The number of ``?`` placeholders and of values differ."""


def _placeholder_offsets(sql: str) -> list[int]:
    offsets = []
    for token in Dialect.get_or_raise(READ).tokenize(sql):
        # DuckDB's '?::DATE' is tokenized as one '?::' token (a JSON operator elsewhere).
        if token.token_type in (TokenType.PLACEHOLDER, TokenType.QDCOLON) and token.text.startswith("?"):
            offsets.append(token.start)
    return offsets


# --- parsing and generation -------------------------------------------------------------------------


def parse(sql: str, params: Sequence[Any] | None = None) -> list[exp.Expr]:
    """The statements of ``sql`` (DuckDB dialect) with parameters bound, as sqlglot trees."""
    return [s for s in sqlglot.parse(bind(sql, params), read=READ) if s is not None]


def generate(expression: exp.Expr) -> str:
    """Spark SQL for a DuckDB-dialect tree, after the rewrites of kequn.engine.spark_rewrites."""
    return rewrite(expression.copy()).sql(dialect=WRITE)


def to_spark(sql: str, params: Sequence[Any] | None = None) -> str:
    """One DuckDB-dialect statement as Spark SQL."""
    statements = parse(sql, params)
    if len(statements) != 1:
        raise UnsupportedSQL(f"expected one statement, got {len(statements)}")
    return generate(statements[0])
