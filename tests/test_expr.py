"""The rule language's public surface: namespaces, the canonical form, the SQL it writes, and the
Python function's NULL rules."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from kequn.core.errors import UserInputError
from kequn.expr import FUNCTIONS, ExprError, Field, FieldValueError, Namespace, parse_expr

BANK = Namespace(
    [
        Field("aum_mad", "number", "月日均资产", "Monthly average daily AUM"),
        Field("aum", "number", "资产余额", "AUM"),
        Field("risk_level", "number", "风险等级", "Risk level"),
        Field("age", "number", "年龄", "Age"),
        Field("city", "string", "城市", "City"),
        Field("tier", "string", "层级", "Tier"),
        Field("tier_since", "date", "入层日期", "In tier since"),
        Field("is_dormant", "boolean", "休眠", "Dormant"),
        Field("order", "number", "订单数", "Orders"),  # an SQL keyword as a field name
    ]
)
AS_OF = date(2024, 5, 31)


def canonical(text: str) -> str:
    return str(parse_expr(text, BANK))


# --- namespace ------------------------------------------------------------------------------------


def test_namespace_looks_up_names_case_insensitively_and_suggests_close_ones():
    assert BANK.lookup("AUM_MAD") == BANK["aum_mad"]
    assert BANK.lookup("nope") is None and "aum" in BANK and len(BANK) == 9
    assert BANK.names()[:2] == ["aum_mad", "aum"]
    assert BANK.suggest("aum_mda") == "aum_mad"
    assert BANK.suggest("ａｇｅ") == "age"  # full-width letters
    assert BANK.suggest("zzzzzz") is None


def test_namespace_refuses_duplicates_bad_types_and_the_built_in_as_of():
    with pytest.raises(ValueError, match="twice"):
        Namespace([Field("a", "number"), Field("a", "string")])
    with pytest.raises(ValueError, match="type"):
        Field("a", "integer")
    with pytest.raises(ValueError, match="built in"):
        Namespace([Field("as_of", "date")])


# --- the checked expression ---------------------------------------------------------------------


def test_checked_expression_reports_type_names_and_canonical_text():
    checked = parse_expr("aum_mad>=500000 and RISK_LEVEL>=3 and city like '上海%'", BANK)
    assert checked.type == "boolean"
    assert checked.names == {"aum_mad", "risk_level", "city"}
    assert str(checked) == "aum_mad >= 500000 AND risk_level >= 3 AND city LIKE '上海%'"
    assert isinstance(ExprError("x"), UserInputError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(aum + 1) * 2", "(aum + 1) * 2"),
        ("aum + (1 * 2)", "aum + 1 * 2"),
        ("aum - (1 - 2)", "aum - (1 - 2)"),
        ("-(-aum)", "-(-aum)"),
        ("- 5 + aum", "-5 + aum"),
        ("aum - -5", "aum - -5"),
        ("(is_dormant or age > 60) and risk_level >= 3", "(is_dormant OR age > 60) AND risk_level >= 3"),
        ("is_dormant or (age > 60 and risk_level >= 3)", "is_dormant OR age > 60 AND risk_level >= 3"),
        ("not (age > 60)", "NOT age > 60"),
        ("not (is_dormant and age > 1)", "NOT (is_dormant AND age > 1)"),
        ("NOT (city IN ('a'))", "city NOT IN ('a')"),
        ("city not like 'a%'", "city NOT LIKE 'a%'"),
        ("NOT age BETWEEN 1 AND 2", "age NOT BETWEEN 1 AND 2"),
        ("city is not null", "city IS NOT NULL"),
        ("1_000.50 + 1e3 + .5", "1000.5 + 1000 + 0.5"),
        ("'it''s'", "'it''s'"),
        ("date '2024-01-31'", "DATE '2024-01-31'"),
        ("CAST('2024-01-31' AS DATE)", "DATE '2024-01-31'"),
        ("CASE tier WHEN 'wealth' THEN 1 ELSE 0 END", "CASE WHEN tier = 'wealth' THEN 1 ELSE 0 END"),
        ("ROUND(aum, 2) + Least(aum, 1)", "round(aum, 2) + least(aum, 1)"),
        ("date_diff(DAY, tier_since, as_of)", "date_diff('day', tier_since, as_of)"),
        ('"order" > 1', '"order" > 1'),
        ('"aum" > 1', "aum > 1"),
        ("(age > 1) = (aum > 2)", "(age > 1) = (aum > 2)"),
        ("city || 'x' || tier", "city || 'x' || tier"),
    ],
)
def test_canonical_form(text, expected):
    assert canonical(text) == expected
    assert canonical(expected) == expected


def test_sql_quotes_identifiers_and_rebuilds_literals():
    checked = parse_expr("\"order\" >= 1 AND city = 'it''s' AND aum_mad >= 1_000.50", BANK)
    assert checked.sql() == '"order" >= 1 AND "city" = \'it\'\'s\' AND "aum_mad" >= 1000.5'
    assert checked.sql("spark") == "`order` >= 1 AND `city` = 'it\\'s' AND `aum_mad` >= 1000.5"
    assert (
        checked.sql(qualify="a")
        == '"a"."order" >= 1 AND "a"."city" = \'it\'\'s\' AND "a"."aum_mad" >= 1000.5'
    )


def test_sql_computes_in_double_and_guards_divisors():
    sql = parse_expr("aum / age + aum % 2", BANK).sql()
    assert sql == 'CAST("aum" AS DOUBLE) / NULLIF("age", 0) + CAST("aum" AS DOUBLE) % NULLIF(2, 0)'


def test_sql_never_contains_a_comment_marker():
    for text in ("aum - -5", "-(-aum)", "aum - -(-5)", "aum / -(-age)"):
        checked = parse_expr(text, BANK)
        for dialect in ("duckdb", "spark"):
            assert "--" not in checked.sql(dialect), (text, dialect)


def test_as_of_needs_a_date_at_compile_time():
    checked = parse_expr("date_diff('day', tier_since, as_of) >= 90", BANK)
    assert checked.names == {"tier_since"} and checked.uses_as_of
    with pytest.raises(ExprError, match="as_of needs a snapshot date here at 1:30"):
        checked.sql()
    with pytest.raises(ExprError, match="as_of"):
        checked.to_python()
    assert "CAST('2024-05-31' AS DATE)" in checked.sql(as_of=AS_OF)
    assert checked.to_python(as_of=AS_OF)({"tier_since": date(2024, 3, 1)}) is True


def test_expect_requires_a_result_type():
    assert parse_expr("age > 60", BANK, expect="boolean").type == "boolean"
    with pytest.raises(ExprError, match="must give a condition"):
        parse_expr("aum_mad", BANK, expect="boolean")


def test_the_sql_runs_on_duckdb_with_keyword_columns():
    con = duckdb.connect()
    con.execute('CREATE TABLE audience (aum_mad DOUBLE, risk_level INTEGER, "order" INTEGER)')
    con.execute("INSERT INTO audience VALUES (600000, 3, 1), (600000, 2, 1), (NULL, 5, 0), (10, 5, 2)")
    checked = parse_expr('aum_mad >= 500000 AND risk_level >= 3 OR "order" > 1', BANK)
    count = con.execute(f"SELECT count(*) FROM audience AS a WHERE {checked.sql(qualify='a')}").fetchone()
    assert count == (2,)


# --- Python compilation: SQL's NULL rules ---------------------------------------------------------


def evaluate(text: str, **row):
    return parse_expr(text, BANK).to_python(as_of=AS_OF)(row)


@pytest.mark.parametrize(
    ("text", "row", "expected"),
    [
        ("is_dormant AND age > 60", {"is_dormant": None, "age": 50}, False),
        ("is_dormant AND age > 60", {"is_dormant": None, "age": 70}, None),
        ("is_dormant OR age > 60", {"is_dormant": None, "age": 70}, True),
        ("is_dormant OR age > 60", {"is_dormant": None, "age": 50}, None),
        ("NOT is_dormant", {"is_dormant": None}, None),
        ("age > 60", {"age": None}, None),
        ("age > 60", {}, None),  # a missing field is NULL
        ("aum / age", {"aum": 10, "age": 0}, None),
        ("aum % age", {"aum": -7, "age": 3}, -1.0),
        ("age IN (1, NULL)", {"age": 1}, True),
        ("age IN (1, NULL)", {"age": 2}, None),
        ("age NOT IN (1, 2)", {"age": 3}, True),
        ("age BETWEEN NULL AND 3", {"age": 5}, False),
        ("city IS NULL", {"city": None}, True),
        ("coalesce(aum, age, 0)", {"aum": None, "age": 7}, 7),
        ("least(aum, age)", {"aum": None, "age": 7}, 7),
        ("CASE WHEN is_dormant THEN 1 ELSE 2 END", {"is_dormant": None}, 2),
        ("CASE WHEN is_dormant THEN 1 END", {"is_dormant": False}, None),
        ("round(2.5) + round(-2.5)", {}, 0.0),
        ("round(2.675, 2)", {}, 2.68),
        ("substr(city, 2, 1)", {"city": "上海市"}, "海"),
        ("city LIKE '上_%'", {"city": "上海市"}, True),
        ("city || '分行'", {"city": None}, None),
        ("date_diff('month', DATE '2024-01-31', DATE '2024-02-01')", {}, 1),
        ("tier_since < as_of", {"tier_since": "2024-01-01"}, True),
        ("aum > 1.5", {"aum": Decimal("1.50")}, False),
    ],
)
def test_python_follows_sql_null_rules(text, row, expected):
    assert evaluate(text, **row) == expected


def test_wrong_row_values_are_refused_without_showing_them():
    with pytest.raises(FieldValueError, match="field 'city' must be text, got a value of type int"):
        evaluate("city = 'x'", city=13812345678)
    with pytest.raises(FieldValueError, match="'age' must be a number"):
        evaluate("age > 1", age="13812345678")
    assert "138" not in str(pytest.raises(FieldValueError, evaluate, "age > 1", age="13812345678").value)


# --- the reference stays true ---------------------------------------------------------------------

DOC = (Path(__file__).resolve().parents[1] / "docs" / "expr.md").read_text(encoding="utf-8")


def test_every_function_is_documented():
    for spec in FUNCTIONS.values():
        assert f"| `{spec.signature()}` |".replace("'|'", "'\\|'") in DOC, spec.name


def _error_table() -> list[tuple[str, str]]:
    section = DOC.split("## Errors", 1)[1].split("\n## ", 1)[0]
    cells = re.findall(r"^\| `(.+?)`(?: \([^)]*\))? \| `(.+)` \|$", section, flags=re.MULTILINE)
    return [(text.replace("\\|", "|"), message.replace("\\|", "|")) for text, message in cells]


@pytest.mark.parametrize(("text", "message"), _error_table())
def test_documented_error_messages(text, message):
    ns = Namespace([Field("aum_mad", "number"), Field("aum", "number"), Field("city", "string")])
    with pytest.raises(ExprError) as caught:
        parse_expr(text, ns)
    assert str(caught.value).startswith(message.split("…")[0])
