"""The fast paths: guarded TRIM, late rows (duplicates, references) settled without a second copy."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from kequn.ingest import ingest_sources
from kequn.ingest.validate import trimmed

AS_OF = date(2026, 10, 31)

MAPPING = """
source: test
files:
  - path: products.csv
    target: product
    columns: {product_id: code, category: cat}
  - path: accounts.csv
    target: account
    columns: {account_id: acct, party_source: {value: core}, party_key: cust, product_id: prod}
  - path: accounts2.csv
    target: account
    columns: {account_id: acct, party_source: {value: core}, party_key: cust, product_id: prod}
  - path: txns.csv
    target: txn
    columns:
      txn_id: id
      account_id: acct
      ts: time
      amount: amount
      direction: {from: dc, map: {C: in, D: out}}
      counterparty_name: name
"""
PRODUCTS = "code,cat\nP1,demand_deposit\n"
ACCOUNTS = "acct,cust,prod\nA1,c1,P1\nA2,c2,P9\nA3,c3,P1\n"  # A2: unknown product (line 3)
ACCOUNTS2 = "acct,cust,prod\nA3,c3b,P1\nA4,c4,P1\n"  # A3 again: duplicate across files (line 2)
TXNS = (
    "id,acct,time,amount,dc,name\n"  # line 1
    "T1,A2,2026-10-01 10:00:00,1.00,C,x\n"  # 2 account rejected late -> unknown account_id
    "T1,A1,2026-10-01 10:00:00,2.00,C,x\n"  # 3 duplicate of line 2 (duplicate wins over nothing)
    "T2, A1 ,2026-10-01 10:00:00, 3.00 ,D,\u3000张三\u3000\n"  # 4 ok once trimmed
    "T3,A4,2026-10-01 10:00:00,4.00,D,\tx\t\n"  # 5 ok; tab is not trimmed
    "T4,A9,2026-10-01 10:00:00,5.00,D,x\n"  # 6 unknown account_id
    "T4,A9,2026-10-01 10:00:00,5.00,D,x\n"  # 7 duplicate of line 6 (duplicate first)
)


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    src, maps = tmp_path / "src", tmp_path / "maps"
    src.mkdir()
    maps.mkdir()
    (maps / "test.yaml").write_text(MAPPING, encoding="utf-8")
    for name, text in [
        ("products.csv", PRODUCTS),
        ("accounts.csv", ACCOUNTS),
        ("accounts2.csv", ACCOUNTS2),
        ("txns.csv", TXNS),
    ]:
        (src / name).write_text(text, encoding="utf-8")
    return src, maps


@pytest.mark.parametrize(
    "text",
    ["", " ", "a", " a", "a ", "  a  b  ", "\ta\t", "\u3000a\u3000", "\u00a0a", "a\u2009", "张三", " 张 "],
)
def test_guarded_trim_equals_trim(text):
    con = duckdb.connect()
    got, want = con.execute(f"SELECT {trimmed('$1')}, TRIM($1)", [text]).fetchone()
    assert got == want


def test_late_rows_quarantined_once_with_first_reason(engine, sources):
    src, maps = sources
    report = ingest_sources(engine, src, maps, as_of=AS_OF)
    engine.use_snapshot("quarantine")
    rows = engine.query("SELECT * FROM quarantine ORDER BY source_file, line").to_pylist()
    got = [(r["source_file"], r["line"], r["column"], r["reason"]) for r in rows]
    assert got == [
        ("accounts.csv", 3, "product_id", "unknown product_id"),
        ("accounts2.csv", 2, "account_id", "duplicate key"),
        ("txns.csv", 2, "account_id", "unknown account_id"),
        ("txns.csv", 3, "txn_id", "duplicate key"),
        ("txns.csv", 6, "account_id", "unknown account_id"),
        ("txns.csv", 7, "txn_id", "duplicate key"),
    ]
    assert all(r["raw"] for r in rows)
    assert json.loads(rows[3]["raw"])["amount"] == "2.00"
    counts = {f.file: (f.read, f.loaded, f.skipped, f.quarantined) for f in report.files}
    assert counts["accounts.csv"] == (3, 2, 0, 1)
    assert counts["accounts2.csv"] == (2, 1, 0, 1)
    assert counts["txns.csv"] == (6, 2, 0, 4)
    engine.use_snapshot("txn")
    txn = engine.query("SELECT txn_id, account_id, amount, counterparty_name FROM txn ORDER BY 1").to_pylist()
    assert [(t["txn_id"], t["account_id"], str(t["amount"]), t["counterparty_name"]) for t in txn] == [
        ("T2", "A1", "3.00", "张三"),
        ("T3", "A4", "4.00", "\tx\t"),
    ]
    engine.use_snapshot("account")
    accounts = engine.query("SELECT account_id, party_key FROM account ORDER BY 1").to_pylist()
    assert accounts == [
        {"account_id": "A1", "party_key": "c1"},
        {"account_id": "A3", "party_key": "c3"},
        {"account_id": "A4", "party_key": "c4"},
    ]


def test_no_staging_or_late_tables_are_left_behind(engine, sources):
    src, maps = sources
    ingest_sources(engine, src, maps, as_of=AS_OF)
    left = engine.query("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'ingest_%'")
    assert left.num_rows == 0
