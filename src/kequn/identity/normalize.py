"""Normalise person records for matching: pure SQL, plus one small per-character table from Python.

Names and addresses go to simplified Chinese with ``translate()`` over a character map built once from the
distinct characters in the data (OpenCC t2s is per character for names); pinyin comes from the same map.
Phones become 11-digit mobiles, ID numbers are checked with the GB 11643 check digit (ISO 7064 MOD 11-2).

>>> id_check_char("11010519491231002")
'X'
>>> is_valid_id_no("11010519491231002X")
True
>>> is_valid_id_no("110105194912310021")
False
>>> normalize_phone("+86 138-1234 5678")
'13812345678'
"""

from __future__ import annotations

import re
from functools import lru_cache

import duckdb
import pyarrow as pa

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_PATTERN = r"^[0-9]{17}[0-9X]$"
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"

NORM_TABLE = "oneid_norm"
CHAR_TABLE = "oneid_char"


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def is_valid_id_no(id_no: str | None) -> bool:
    """True for an 18-character resident ID number whose check character is right."""
    if not id_no or not re.match(ID_PATTERN, id_no.strip().upper()):
        return False
    clean = id_no.strip().upper()
    return id_check_char(clean[:17]) == clean[17]


def normalize_phone(phone: str | None) -> str | None:
    """The 11-digit mobile number in ``phone``, or None (landlines and junk are not mobiles)."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits if re.match(MOBILE_PATTERN, digits) else None


def id_clean_sql(col: str) -> str:
    """SQL: the ID number upper-cased, without spaces or dashes."""
    return f"nullif(upper(regexp_replace({col}, '[\\s-]', '', 'g')), '')"


def id_valid_sql(col: str) -> str:
    """SQL: true when ``col`` (already cleaned) is an 18-character ID with a correct check character."""
    terms = " + ".join(f"{w} * (ascii(substr({col}, {i + 1}, 1)) - 48)" for i, w in enumerate(ID_WEIGHTS))
    check = f"substr('{ID_CHECK}', (({terms}) % 11) + 1, 1)"
    return (
        f"CASE WHEN coalesce(regexp_full_match({col}, '{ID_PATTERN}'), false) "
        f"THEN {check} = substr({col}, 18, 1) ELSE false END"
    )


def phone_sql(col: str) -> str:
    """SQL: the 11-digit mobile in ``col`` (``+86``, ``0086``, spaces and dashes removed) or NULL."""
    digits = f"regexp_replace({col}, '[^0-9]', '', 'g')"
    stripped = (
        f"CASE WHEN length({digits}) = 13 AND starts_with({digits}, '86') THEN substr({digits}, 3) "
        f"WHEN length({digits}) = 15 AND starts_with({digits}, '0086') THEN substr({digits}, 5) "
        f"ELSE {digits} END"
    )
    return f"CASE WHEN regexp_full_match({stripped}, '{MOBILE_PATTERN}') THEN {stripped} END"


def gender_sql(col: str) -> str:
    """SQL: gender as ``M`` / ``F`` from the codes the sources use (1/2, 男/女, M/F, male/female)."""
    return (
        f"CASE WHEN lower(trim({col})) IN ('1', 'm', '男', 'male') THEN 'M' "
        f"WHEN lower(trim({col})) IN ('2', 'f', '女', 'female') THEN 'F' END"
    )


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def char_rows(chars: list[str]) -> pa.Table:
    """Per character: its simplified form (when a single character) and its pinyin (lower case)."""
    from pypinyin import lazy_pinyin

    convert = _converter().convert
    simp = []
    for ch in chars:
        s = convert(ch)
        simp.append(s if len(s) == 1 else ch)
    py = ["".join(lazy_pinyin(s)).lower() for s in simp]
    return pa.table({"ch": chars, "simp": simp, "py": py})


def build_char_table(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Create ``oneid_char`` from the distinct characters of names and addresses in ``source``."""
    chars = con.execute(
        f"SELECT DISTINCT unnest(string_split(coalesce(name, '') || coalesce(address, ''), '')) AS ch "
        f"FROM {source}"
    ).fetchall()
    rows = char_rows(sorted(c[0] for c in chars if c[0]))
    con.register("oneid_char_arrow", rows)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {CHAR_TABLE} AS SELECT * FROM oneid_char_arrow")
    con.unregister("oneid_char_arrow")


def translate_args(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """The (from, to) strings for SQL ``translate()`` that turn traditional into simplified characters."""
    rows = con.execute(f"SELECT ch, simp FROM {CHAR_TABLE} WHERE ch <> simp ORDER BY ch").fetchall()
    return "".join(r[0] for r in rows), "".join(r[1] for r in rows)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def pinyin_sql(names: str) -> str:
    """SQL: ``(name_s, name_py)`` for the distinct simplified names in relation ``names``."""
    return f"""
        SELECT name_s, string_agg(coalesce(c.py, lower(ch)), '' ORDER BY pos) AS name_py
        FROM (
            SELECT name_s, unnest(chars) AS ch, generate_subscripts(chars, 1) AS pos
            FROM (SELECT name_s, string_split(name_s, '') AS chars FROM {names})
        ) LEFT JOIN {CHAR_TABLE} c USING (ch)
        GROUP BY name_s
    """


def simplified_sql(expr: str, t_from: str, t_to: str) -> str:
    """SQL: ``expr`` in simplified characters (``translate`` is slow, so only rows that need it)."""
    if not t_from:
        return expr
    pattern = "[" + t_from.replace("\\", "\\\\").replace("]", "\\]").replace("^", "\\^") + "]"
    return (
        f"CASE WHEN regexp_matches({expr}, {_quote(pattern)}) "
        f"THEN translate({expr}, {_quote(t_from)}, {_quote(t_to)}) ELSE {expr} END"
    )


def strip_sql(col: str, pattern: str) -> str:
    """SQL: ``col`` without the characters of regex class ``pattern`` (no rewrite when none occur)."""
    stripped = f"regexp_replace({col}, '{pattern}', '', 'g')"
    return f"CASE WHEN regexp_matches({col}, '{pattern}') THEN {stripped} ELSE {col} END"


def norm_sql(source: str, t_from: str, t_to: str) -> str:
    """SQL: one normalised row per person record, with a dense integer ``rid`` for Splink and graphs."""
    name = simplified_sql(strip_sql("name", "[\\s·•.]"), t_from, t_to)
    addr = simplified_sql(strip_sql("address", "\\s"), t_from, t_to)
    idc = id_clean_sql("id_no")
    return f"""
        WITH base AS (
            SELECT record_id, source, source_key,
                   nullif({name}, '') AS name_s,
                   {gender_sql("gender")} AS gender,
                   birth_date AS birth_raw,
                   {idc} AS id_no,
                   {phone_sql("phone")} AS phone,
                   nullif(lower(trim(email)), '') AS email,
                   nullif({addr}, '') AS address,
                   nullif(trim(city), '') AS city,
                   nullif(trim(postcode), '') AS postcode
            FROM {source}
        ), checked AS (
            SELECT *, {id_valid_sql("id_no")} AS id_valid FROM base
        )
        SELECT (row_number() OVER (ORDER BY record_id))::BIGINT - 1 AS rid,
               record_id, source, source_key, name_s, gender,
               coalesce(
                   birth_raw, CASE WHEN id_valid THEN try_strptime(substr(id_no, 7, 8), '%Y%m%d')::DATE END
               ) AS birth_date,
               id_no, id_valid, CASE WHEN id_valid THEN id_no END AS id_label,
               phone, email, address, city, postcode
        FROM checked
    """


def build_norm_table(con: duckdb.DuckDBPyConnection, source: str = "person_record") -> int:
    """Create temp table ``oneid_norm`` (with pinyin) from ``source``; returns its row count."""
    build_char_table(con, source)
    t_from, t_to = translate_args(con)
    con.execute(f"CREATE OR REPLACE TEMP TABLE oneid_norm0 AS {norm_sql(source, t_from, t_to)}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {NORM_TABLE} AS "
        f"SELECT n.*, p.name_py, CAST(n.birth_date AS VARCHAR) AS birth_str FROM oneid_norm0 n "
        f"LEFT JOIN ({pinyin_sql('(SELECT DISTINCT name_s FROM oneid_norm0 WHERE name_s IS NOT NULL)')}) p "
        "USING (name_s) ORDER BY rid"
    )
    con.execute("DROP TABLE oneid_norm0")
    return int(con.execute(f"SELECT count(*) FROM {NORM_TABLE}").fetchall()[0][0])
