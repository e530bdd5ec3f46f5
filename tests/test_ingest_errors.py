"""Bad input: row-level problems are quarantined with file, line and column; file-level ones are fatal."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kequn.core.errors import MappingError, SourceFileError
from kequn.ingest import ingest_sources

AS_OF = date(2026, 10, 31)
MAPPING = """
source: test
files:
  - path: products.csv
    target: product
    columns: {product_id: code, category: cat}
  - path: accounts.csv
    target: account
    encoding: ENCODING
    columns:
      account_id: acct
      party_source: {value: core}
      party_key: cust
      product_id: prod
      opened_on: {from: opened, format: "%Y%m%d"}
      status: {from: status, map: {N: N, C: C}}
  - path: txns.csv
    target: txn
    columns:
      txn_id: id
      account_id: acct
      ts: time
      amount: amount
      direction: {from: dc, map: {C: in, D: out}}
"""
PRODUCTS = "code,cat\nP1,demand_deposit\n"
ACCOUNTS = (
    "acct,cust,prod,opened,status\nA1,张三,P1,20200101,N\nA2,李四,P1,20200230,N\nA3,王五,P9,20200101,N\n"
)
TXNS = (
    "id,acct,time,amount,dc\n"  # line 1
    "T1,A1,2026-10-01 10:00:00,10.00,C\n"  # 2 ok
    "T2,A1,2026-10-01 10:00:00,1O.00,C\n"  # 3 bad amount
    "T3,A1,2026-10-01\n"  # 4 wrong field count
    "T4,A1,2026-10-01 25:00:00,10.00,D\n"  # 5 bad time
    "T1,A1,2026-10-02 10:00:00,11.00,C\n"  # 6 duplicate of line 2
    "T6,A9,2026-10-02 10:00:00,11.00,C\n"  # 7 unknown account
    "T7,A1,2026-10-02 10:00:00,11.00,X\n"  # 8 unknown code
    "T8,A1,2026-10-02 10:00:00,11.00,D\n"  # 9 ok
    ",A1,2026-10-02 10:00:00,11.00,D\n"  # 10 key missing
)


def make_sources(tmp_path: Path, encoding: str = "utf-8", declared: str | None = None) -> tuple[Path, Path]:
    src, maps = tmp_path / "src", tmp_path / "maps"
    src.mkdir(exist_ok=True)
    maps.mkdir(exist_ok=True)
    (maps / "test.yaml").write_text(MAPPING.replace("ENCODING", declared or encoding), encoding="utf-8")
    (src / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    (src / "accounts.csv").write_bytes(ACCOUNTS.encode(encoding))
    (src / "txns.csv").write_text(TXNS, encoding="utf-8")
    return src, maps


def quarantine_rows(engine) -> list[dict]:
    engine.use_snapshot("quarantine")
    return engine.query("SELECT * FROM quarantine ORDER BY source_file, line").to_pylist()


def test_row_problems_are_quarantined_with_line_and_column(engine, tmp_path):
    src, maps = make_sources(tmp_path)
    report = ingest_sources(engine, src, maps, as_of=AS_OF)
    got = [(r["source_file"], r["line"], r["column"], r["reason"]) for r in quarantine_rows(engine)]
    assert got == [
        ("accounts.csv", 3, "opened", "not a valid DATE (%Y%m%d)"),
        ("accounts.csv", 4, "product_id", "unknown product_id"),
        ("txns.csv", 3, "amount", "not a valid DECIMAL(18,2)"),
        ("txns.csv", 4, None, "expected 5 fields, found 3"),
        ("txns.csv", 5, "time", "not a valid TIMESTAMP"),
        ("txns.csv", 6, "txn_id", "duplicate key"),
        ("txns.csv", 7, "account_id", "unknown account_id"),
        ("txns.csv", 8, "dc", "unknown code"),
        ("txns.csv", 10, "id", "required value missing"),
    ]
    txns = next(f for f in report.files if f.file == "txns.csv")
    assert (txns.read, txns.loaded, txns.quarantined) == (9, 2, 7)
    assert all(f.read == f.loaded + f.skipped + f.quarantined for f in report.files)
    engine.use_snapshot("txn")
    assert sorted(engine.query("SELECT txn_id FROM txn").column(0).to_pylist()) == ["T1", "T8"]


def test_quarantine_keeps_the_raw_row_even_for_late_rejections(engine, tmp_path):
    src, maps = make_sources(tmp_path)
    ingest_sources(engine, src, maps, as_of=AS_OF)
    by_line = {(r["source_file"], r["line"]): r for r in quarantine_rows(engine)}
    assert json.loads(by_line[("txns.csv", 6)]["raw"])["amount"] == "11.00"  # duplicate: found after staging
    assert json.loads(by_line[("txns.csv", 4)]["raw"]) == "T3,A1,2026-10-01"
    assert by_line[("accounts.csv", 4)]["target_table"] == "account"


def test_gb18030_file_is_decoded(engine, tmp_path):
    src, maps = make_sources(tmp_path, encoding="gb18030")
    ingest_sources(engine, src, maps, as_of=AS_OF)
    engine.use_snapshot("account")
    assert engine.scalar("SELECT party_key FROM account WHERE account_id = 'A1'") == "张三"


def test_gb18030_bytes_declared_as_utf8_fail_with_the_line(engine, tmp_path):
    src, maps = make_sources(tmp_path, encoding="gb18030", declared="utf-8")
    with pytest.raises(SourceFileError, match=r"^accounts.csv: line 2: cannot decode as utf-8$"):
        ingest_sources(engine, src, maps, as_of=AS_OF)
    assert not engine.warehouse.has("txn")  # nothing published for a failed run


def test_undecodable_line_in_a_gb18030_file(engine, tmp_path):
    src, maps = make_sources(tmp_path, encoding="gb18030")
    data = (src / "accounts.csv").read_bytes().replace(b"A3", b"\x81\x20")
    (src / "accounts.csv").write_bytes(data)
    with pytest.raises(SourceFileError, match=r"^accounts.csv: line 4: cannot decode as gb18030$"):
        ingest_sources(engine, src, maps, as_of=AS_OF)


def test_missing_column_and_strict_header(engine, tmp_path):
    src, maps = make_sources(tmp_path)
    (src / "txns.csv").write_text(TXNS.replace("amount", "amt", 1), encoding="utf-8")
    with pytest.raises(SourceFileError, match=r"^txns.csv: column 'amount' missing from header$"):
        ingest_sources(engine, src, maps, as_of=AS_OF)
    src, maps = make_sources(tmp_path)
    text = (maps / "test.yaml").read_text().replace("target: txn\n", "target: txn\n    strict_header: true\n")
    (maps / "test.yaml").write_text(text)
    (src / "txns.csv").write_text(TXNS.replace("dc\n", "dc,extra\n", 1).replace(",C\n", ",C,\n"))
    with pytest.raises(SourceFileError, match=r"^txns.csv: unknown column 'extra' \(strict_header\)$"):
        ingest_sources(engine, src, maps, as_of=AS_OF)


def test_invalid_mappings_name_the_file_and_field(engine, tmp_path):
    src, maps = make_sources(tmp_path)
    cases = {
        "target: txn": ("target: txns", r"test.yaml: files\[2\].target: unknown canonical table 'txns'"),
        "      amount: amount": (
            "      amonut: amount",
            r"test.yaml: files\[2\].columns.amonut: unknown column",
        ),
        "source: test": ("source: [", r"test.yaml: line \d+: invalid YAML"),
    }
    for old, (new, message) in cases.items():
        (maps / "test.yaml").write_text(MAPPING.replace("ENCODING", "utf-8").replace(old, new))
        with pytest.raises(MappingError, match=message):
            ingest_sources(engine, src, maps, as_of=AS_OF)


def test_bad_sql_expression_is_a_mapping_error(engine, tmp_path):
    src, maps = make_sources(tmp_path)
    (maps / "test.yaml").write_text(
        MAPPING.replace("ENCODING", "utf-8").replace("party_key: cust", "party_key: {sql: 'upper(custt)'}")
    )
    with pytest.raises(MappingError, match=r"test.yaml: accounts.csv: columns.party_key.sql: Binder Error"):
        ingest_sources(engine, src, maps, as_of=AS_OF)


def test_missing_file_exits_2_with_one_line(tmp_path):
    from kequn.core.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    src, maps = make_sources(tmp_path)
    (src / "txns.csv").unlink()
    kequn = Path(sys.executable).with_name("kequn")
    cmd = [
        str(kequn),
        "ingest",
        str(src),
        "--mapping",
        str(maps),
        "--as-of",
        "2026-10-31",
        "-w",
        str(ws.root),
    ]
    done = subprocess.run(
        cmd, capture_output=True, text=True, env={"KEQUN_NO_PROGRESS": "1", "COLUMNS": "200"}
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: txns.csv: file not found"
    assert "Traceback" not in done.stderr + done.stdout


def test_quarantine_listing_never_prints_raw_values(tmp_path):
    from typer.testing import CliRunner

    from kequn.cli import _register, app
    from kequn.core.workspace import init_workspace

    _register()
    ws = init_workspace(tmp_path / "ws")
    src, maps = make_sources(tmp_path)
    runner = CliRunner()
    env = {"KEQUN_NO_PROGRESS": "1", "COLUMNS": "200"}
    args = ["ingest", str(src), "-m", str(maps), "--as-of", "2026-10-31", "-w", str(ws.root)]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "9 quarantined" in result.output
    listing = runner.invoke(app, ["ingest", "quarantine", "-w", str(ws.root)], env=env)
    assert listing.exit_code == 0, listing.output
    assert (
        "duplicate key" in listing.output and "1O.00" not in listing.output and "李四" not in listing.output
    )


def test_reingest_republishes_identical_snapshots(engine, tmp_path):
    src, maps = make_sources(tmp_path)
    ingest_sources(engine, src, maps, as_of=AS_OF)
    tables = ("product", "account", "txn", "quarantine")

    def content() -> dict:
        out = {}
        for t in tables:
            engine.use_snapshot(t)
            out[t] = engine.query(f"SELECT * FROM {t} ORDER BY ALL").to_pylist()
        return out

    first = content()
    ingest_sources(engine, src, maps, as_of=AS_OF)
    assert content() == first
    assert engine.warehouse.snapshots("txn") == [AS_OF]
