"""OneID normalisation: ID check digits, phone formats, traditional → simplified, pinyin."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from kequn.identity.normalize import (
    build_norm_table,
    id_check_char,
    id_clean_sql,
    id_valid_sql,
    is_valid_id_no,
    normalize_phone,
    phone_sql,
)

VALID = "11010519491231002X"


@pytest.mark.parametrize(
    ("id_no", "valid"),
    [
        (VALID, True),
        (VALID.lower(), True),
        ("110105194912310021", False),  # wrong check digit
        ("11010519491231002", False),  # 17 characters
        ("1101051949123100XX", False),
        ("", False),
        (None, False),
    ],
)
def test_id_check_digit(id_no, valid):
    assert is_valid_id_no(id_no) is valid


def test_every_single_digit_typo_breaks_the_check_digit():
    first17 = "44030619850505123"
    good = first17 + id_check_char(first17)
    for i in range(17):
        typo = good[:i] + str((int(good[i]) + 3) % 10) + good[i + 1 :]
        assert not is_valid_id_no(typo)


def test_sql_id_validation_agrees_with_python():
    ids = [VALID, VALID.lower(), "110105194912310021", "4403061985050512X3", " 11010519491231002x ", None]
    con = duckdb.connect()
    con.register("t", pa.table({"raw": ids}))
    got = con.execute(f"SELECT {id_valid_sql(id_clean_sql('raw'))} FROM t").fetchall()
    assert [g[0] for g in got] == [is_valid_id_no(i) for i in ids]


@pytest.mark.parametrize(
    ("raw", "mobile"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("010-12345678", None),  # landline
        ("12345", None),
        (None, None),
    ],
)
def test_phone_formats(raw, mobile):
    assert normalize_phone(raw) == mobile
    con = duckdb.connect()
    assert (
        con.execute(f"SELECT {phone_sql('p')} FROM (SELECT ?::VARCHAR AS p)", [raw]).fetchall()[0][0]
        == mobile
    )


def _norm(rows: list[dict]) -> list[dict]:
    con = duckdb.connect()
    cols = ["record_id", "source", "source_key", "name", "gender", "birth_date", "id_no", "phone", "email",
            "address", "city", "postcode"]  # fmt: skip
    types = {c: pa.date32() if c == "birth_date" else pa.string() for c in cols}
    table = pa.table({c: pa.array([r.get(c) for r in rows], type=types[c]) for c in cols})
    con.register("person_record", table)
    build_norm_table(con)
    return con.execute("SELECT * FROM oneid_norm ORDER BY record_id").to_arrow_table().to_pylist()


def test_traditional_names_and_addresses_become_simplified_with_pinyin():
    rows = _norm(
        [
            {
                "record_id": "cards:1",
                "name": "陳 麗華",
                "address": "上海市 浦東新區 世紀大道 100號",
                "gender": "女",
            },
            {
                "record_id": "core:1",
                "name": "陈丽华",
                "address": "上海市浦东新区世纪大道100号",
                "gender": "2",
            },
            {"record_id": "crm:1", "name": "陈莉华", "gender": "F"},
        ]
    )
    assert rows[0]["name_s"] == rows[1]["name_s"] == "陈丽华"
    assert rows[0]["address"] == rows[1]["address"] == "上海市浦东新区世纪大道100号"
    assert rows[0]["name_py"] == rows[2]["name_py"] == "chenlihua"  # homophone typo, same pinyin
    assert {r["gender"] for r in rows} == {"F"}


def test_birth_date_comes_from_a_valid_id_when_missing():
    rows = _norm(
        [
            {
                "record_id": "app:1",
                "id_no": VALID.lower(),
                "phone": "+86 138 1234 5678",
                "email": " A@B.com ",
            },
            {"record_id": "app:2", "id_no": "110105194912310021"},
        ]
    )
    assert rows[0]["id_valid"] and rows[0]["id_label"] == VALID and str(rows[0]["birth_date"]) == "1949-12-31"
    assert rows[0]["phone"] == "13812345678" and rows[0]["email"] == "a@b.com"
    assert not rows[1]["id_valid"] and rows[1]["id_label"] is None and rows[1]["birth_date"] is None
