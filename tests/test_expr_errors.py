"""Everything outside the rule language is refused with one line that names the position and, where
it can, what to write instead. Hostile input (injection, nesting, huge literals, unicode tricks)
gets the same clean ExprError, never a traceback of another kind."""

from __future__ import annotations

import duckdb
import pytest

from kequn.expr import MAX_DEPTH, MAX_LENGTH, ExprError, Field, Namespace, parse_expr

NS = Namespace(
    [
        Field("aum_mad", "number", "月日均资产", "Monthly average daily AUM"),
        Field("aum", "number"),
        Field("age", "number"),
        Field("city", "string"),
        Field("tier_since", "date"),
        Field("is_dormant", "boolean"),
    ]
)


def refused(text: str) -> str:
    with pytest.raises(ExprError) as caught:
        parse_expr(text, NS)
    message = str(caught.value)
    assert "\n" not in message and message == message.strip()
    return message


def test_unknown_name_gives_position_and_suggestion():
    assert refused("aum_mda >= 500000") == "unknown name 'aum_mda' at 1:1 — did you mean 'aum_mad'?"
    assert refused("aum_mad > 1 AND\n  aum_mda > 2").endswith("at 2:3 — did you mean 'aum_mad'?")
    assert refused("zzz > 1") == "unknown name 'zzz' at 1:1"
    error = pytest.raises(ExprError, parse_expr, "age > 1 OR agee > 2", NS).value
    assert (error.line, error.column, error.hint) == (1, 12, "did you mean 'age'?")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("t.aum_mad > 1", "qualified name 't.aum_mad' is not allowed at 1:1 — write 'aum_mad' alone"),
        ("x.y.z > 1", "qualified name 'x.y.z' is not allowed at 1:1"),
        ("t.* > 1", "'*' is not allowed"),
        ("*", "'*' is not allowed at 1:1"),
        ("aum * *", "'*' is not allowed at 1:7"),
    ],
)
def test_qualified_names_and_star(text, expected):
    assert refused(text).startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sqrt(aum) > 1", "function 'sqrt' is not allowed at 1:1 — allowed: abs, ceil, coalesce"),
        ("substring(city, 1) = 'a'", "function 'substring' is not allowed at 1:1 — did you mean 'substr'?"),
        ("datediff('day', tier_since, tier_since) > 1", "did you mean 'date_diff'?"),
        ("count(*) > 1", "aggregate count() is not allowed: an expression is about one row at 1:1"),
        ("max(aum) > 1", "aggregate max() is not allowed"),
        ("sum(aum) OVER () > 1", "window functions (OVER) are not allowed at 1:1"),
        ("row_number() OVER (ORDER BY aum) = 1", "window functions (OVER) are not allowed"),
        ("if(is_dormant, 1, 2) = 1", "if() is not supported"),
        ("read_csv('/etc/passwd') = 1", "function 'read_csv' is not allowed"),
        ("struct_pack(a := 1)", "function 'struct_pack' is not allowed"),
    ],
)
def test_functions_outside_the_whitelist(text, expected):
    assert expected in refused(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT 1", "statements are not allowed (SELECT) at 1:1 — write one condition or value"),
        ("select * from customer", "statements are not allowed (SELECT)"),
        ("DROP TABLE features", "statements are not allowed (DROP) at 1:1"),
        ("WITH a AS (SELECT 1) SELECT * FROM a", "statements are not allowed (WITH)"),
        ("ATTACH 'other.db'", "statements are not allowed (ATTACH)"),
        ("COPY features TO '/tmp/x.csv'", "statements are not allowed (COPY)"),
        ("aum_mad > (SELECT max(aum) FROM features)", "subqueries and statements are not allowed"),
        ("aum IN (SELECT aum FROM features)", "IN takes a list of values, not a subquery at 1:1"),
        ("EXISTS (SELECT 1)", "subqueries and statements are not allowed"),
    ],
)
def test_statements_and_subqueries(text, expected):
    assert expected in refused(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'abc' > 5", "'>': cannot mix text with a number at 1:9"),
        ("1 AND 2", "AND needs a condition, got a number at 1:1 — compare it"),
        ("aum_mad OR is_dormant", "OR needs a condition, got a number at 1:1"),
        ("NOT aum", "NOT needs a condition, got a number at 1:5"),
        ("tier_since >= '2024-01-01'", "'>=': cannot mix a date with text at 1:15 — write DATE '2024-01-01'"),
        ("aum > '500000'", "'>': cannot mix a number with text at 1:7 — numbers are written without quotes"),
        ("city + city", "'+' does not join text at 1:1 — use a || b"),
        (
            "tier_since - tier_since > 1",
            "dates cannot be subtracted at 1:1 — use date_diff('day', start, end)",
        ),
        ("aum + 'x'", "'+' needs a number, got text at 1:7"),
        ("'a' || 1", "'||' needs text, got a number at 1:8"),
        ("abs(city)", "abs() argument 1 needs a number, got text at 1:5"),
        ("aum LIKE 'x%'", "LIKE needs text, got a number at 1:1"),
        ("CASE WHEN is_dormant THEN 1 ELSE 'a' END", "CASE results: cannot mix a number with text at 1:34"),
        ("CASE WHEN aum THEN 1 END", "WHEN needs a condition, got a number at 1:11"),
        ("age IN (1, 'a')", "IN: cannot mix a number with text at 1:12"),
        ("is_dormant > TRUE", "'>' does not work on conditions at 1:1"),
        ("is_dormant BETWEEN FALSE AND TRUE", "BETWEEN does not work on conditions"),
        ("aum BETWEEN 1 AND DATE '2024-01-01'", "BETWEEN: cannot mix a number with a date at 1:24"),
        ("least(aum, city)", "least(): cannot mix a number with text at 1:12"),
    ],
)
def test_type_errors(text, expected):
    assert refused(text).startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("round()", "round() takes 1 to 2 arguments, got 0 at 1:1 — round(number[, int -10..10])"),
        ("round(aum, 1, 2)", "round() takes 1 to 2 arguments, got 3"),
        (
            "round(aum, age)",
            "round() argument 2 must be a whole number from -10 to 10, written as is at 1:12",
        ),
        ("round(aum, 11)", "round() argument 2 must be a whole number from -10 to 10"),
        ("substr(city, 0) = 'a'", "substr() argument 2 must be a whole number from 1 to 1000000"),
        (
            "date_diff('week', tier_since, as_of)",
            "date_diff() argument 1 must be one of 'day', 'month', 'year'",
        ),
        ("date_diff('day', as_of, 5)", "date_diff() argument 3 needs a date, got a number at 1:25"),
    ],
)
def test_function_arguments(text, expected):
    assert refused(text).startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aum_mad = NULL", "'= NULL' is never true at 1:1 — use IS NULL or IS NOT NULL"),
        ("NULL <> NULL", "'<> NULL' is never true at 1:1"),
        ("is_dormant IS TRUE", "IS only tests for NULL at 1:15"),
        ("city ILIKE 'a%'", "ILIKE is not supported at 1:1 — use lower(x) LIKE 'pattern'"),
        ("city LIKE city", "LIKE needs a quoted pattern at 1:11"),
        ("city LIKE 'a\\%'", "backslashes are not allowed in LIKE patterns at 1:11"),
        ("city LIKE 'a!%' ESCAPE '!'", "LIKE ... ESCAPE is not supported"),
        ("aum // 2 > 1", "'//' is not supported at 1:1 — use floor(a / b)"),
        ("aum ** 2 > 1", "powers are not supported"),
        ("aum::INTEGER > 1", "CAST is not supported at 1:1 — write dates as DATE 'YYYY-MM-DD'"),
        (
            "tier_since < current_date",
            "the current date is not allowed at 1:14 — use as_of (the snapshot date)",
        ),
        ("tier_since > as_of - INTERVAL 30 DAY", "intervals are not supported"),
        ("aum > ?", "parameters are not allowed at 1:7"),
        ("aum > $1", "parameters are not allowed at 1:7"),
        ("aum IS DISTINCT FROM 1", "IS DISTINCT FROM is not supported"),
        ("aum IN ()", "IN needs at least one value at 1:1"),
        ("aum[1] > 1", "BRACKET is not part of the expression language at 1:1"),
        ("aum -> 'a'", "JSONEXTRACT is not part of the expression language"),
        ("", "empty expression"),
        ("   \n ", "empty expression"),
        ("aum >", "incomplete expression after '>' at 1:5"),
        ("(aum > 1", "missing ')' at 1:8"),
        ("aum > 1)", "unexpected ')' at 1:8"),
        ("aum > 1 2", "unexpected '2' at 1:9"),
        ("aum AS x", "unexpected 'AS' at 1:5"),
        ("CASE WHEN is_dormant THEN 1", "CASE without END at 1:27"),
        ("DATE '2024-02-30' < as_of", "invalid date '2024-02-30': no such day at 1:6"),
        ("DATE '2024-1-1' < as_of", "invalid date '2024-1-1': write DATE 'YYYY-MM-DD' at 1:6"),
    ],
)
def test_other_refusals(text, expected):
    assert refused(text).startswith(expected)


# --- hostile input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1=1; DROP TABLE x", "';' is not allowed: write one expression, not statements at 1:4"),
        ("aum > 1;", "';' is not allowed"),
        ("x' OR '1'='1", "unexpected \"' OR '\" at 1:2"),
        ("city = 'abc", "unterminated string, quoted name or comment at 1:8"),
        ("aum > 1 -- AND is_dormant", "comments are not allowed at 1:9"),
        ("aum > 1 /* hidden */ OR TRUE", "comments are not allowed at 1:9"),
        ("aum > 1 /* never closed", "unterminated string, quoted name or comment at 1:9"),
        ('"aum_mad"" OR 1=1 --" > 1', "unknown name 'aum_mad\" OR 1=1 --' at 1:1"),
        ("aum_mad\u200b > 1", "invisible or control character U+200B is not allowed at 1:8"),
        ("is_dormant \u202eDNA\u202c TRUE", "invisible or control character U+202E is not allowed at 1:12"),
        ("aum\x00 > 1", "invisible or control character U+0000 is not allowed at 1:4"),
        ("city = 'a\u2066b'", "invisible or control character U+2066 is not allowed at 1:10"),
        ("ａｕｍ_ｍａｄ > 1", "unknown name 'ａｕｍ_ｍａｄ' at 1:1 — did you mean 'aum_mad'?"),
        ("\u0430um_mad > 1", "unknown name '\u0430um_mad' at 1:1 — did you mean 'aum_mad'?"),  # Cyrillic а
        ("aum_mad ＞ 1", "unexpected '＞' at 1:9"),
    ],
)
def test_injection_and_unicode_tricks(text, expected):
    assert refused(text).startswith(expected)


def test_a_string_that_looks_like_injection_stays_a_string():
    # The classic payload is just a comparison of two strings here, rendered from values.
    assert str(parse_expr("city = 'x' OR '1'='1'", NS)) == "city = 'x' OR '1' = '1'"
    checked = parse_expr("city = 'x'' OR ''1''=''1' AND aum > 1", NS)
    assert checked.names == {"city", "aum"}
    con = duckdb.connect()
    con.execute("CREATE TABLE t (city VARCHAR, aum DOUBLE)")
    con.execute("INSERT INTO t VALUES ('x'' OR ''1''=''1', 5), ('x', 5)")
    assert con.execute(f"SELECT city FROM t WHERE {checked.sql()}").fetchall() == [("x' OR '1'='1",)]


def test_strange_field_names_are_quoted_safely():
    ns = Namespace([Field('we"ird', "number"), Field("drop table x; --", "number"), Field("余额", "number")])
    checked = parse_expr('"we""ird" + "drop table x; --" + "余额" > 1', ns)
    assert str(checked) == '"we""ird" + "drop table x; --" + "余额" > 1'
    assert checked.sql().startswith('CAST("we""ird" AS DOUBLE) + "drop table x; --" + "余额"')
    assert checked.sql("spark").startswith('CAST(`we"ird` AS DOUBLE) + `drop table x; --` + `余额`')
    assert parse_expr(str(checked), ns) == checked


@pytest.mark.parametrize(
    "text",
    [
        "(" * 2000 + "aum" + ")" * 2000 + " > 1",
        "NOT " * 2000 + "is_dormant",
        "- " * 4000 + "1 > 0",
        "abs(" * 1500 + "aum" + ")" * 1500 + " > 1",
        "CASE WHEN is_dormant THEN " * 300 + "1" + " END" * 300 + " > 0",
        "1 + " * 2400 + "1 > 0",
        "(NOT " * 1000 + "is_dormant" + ")" * 1000,
        "[" * 3000 + "]" * 3000,
    ],
)
def test_deep_nesting_is_refused_with_a_limit_not_a_recursion_error(text):
    assert len(text) <= MAX_LENGTH
    assert f"nested more than {MAX_DEPTH} levels deep" in refused(text)


def test_nesting_limit_is_exact_and_long_and_or_chains_are_one_level():
    def nested(calls: int) -> str:  # '>' + calls + the name: calls + 2 levels
        return "abs(" * calls + "aum" + ")" * calls + " > 1"

    checked = parse_expr(nested(MAX_DEPTH - 2), NS)
    assert checked.to_python()({"aum": -2}) is True
    assert duckdb.sql(f"SELECT {checked.sql()} FROM (SELECT -2 AS aum)").fetchall() == [(True,)]
    assert f"nested more than {MAX_DEPTH} levels deep at 1:" in refused(nested(MAX_DEPTH - 1))
    long_chain = " OR ".join(f"age = {i}" for i in range(700))
    assert len(long_chain) < MAX_LENGTH and parse_expr(long_chain, NS).to_python()({"age": 699}) is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aum > 1e400", "number '1e400' is out of range (magnitude below 10^15) at 1:7"),
        ("aum > 99999999999999999999", "number '99999999999999999999' is out of range"),
        ("aum > " + "9" * 5000, "is out of range"),
        ("aum > 1e99999999999999999999", "invalid number '1e99999999999999999999' at 1:7"),
        ("aum > 123456789.1234567", "has more than 15 significant digits"),
        ("aum > 0.0000000000000000001", "has more than 15 decimal places at 1:7"),
        (
            "city = '" + "x" * 1_000_000 + "'",
            f"expression too long (1,000,009 characters; at most {MAX_LENGTH:,})",
        ),
        ("aum > 1" + " " * MAX_LENGTH, "expression too long"),
    ],
)
def test_huge_literals_and_texts(text, expected):
    assert expected in refused(text)


def test_largest_literals_still_accepted():
    assert str(parse_expr("aum < 999999999999999 AND aum > -0.000000000000001", NS)).startswith(
        "aum < 999999999999999"
    )
    long_string = "x" * (MAX_LENGTH - 20)
    assert parse_expr(f"city = '{long_string}'", NS).to_python()({"city": long_string}) is True


def test_non_text_is_refused():
    with pytest.raises(ExprError, match="must be text"):
        parse_expr(b"aum > 1", NS)  # type: ignore[arg-type]
