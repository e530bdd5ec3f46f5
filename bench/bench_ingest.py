"""Ingest throughput for core transactions: `kequn ingest` path vs a naive pandas + row loop.

Usage: .venv/bin/python bench/bench_ingest.py [--rows 10000000] [--keep DIR]

Writes a transactions CSV with the contract's columns (docs/synthetic-bank.md) plus the products and
accounts it references, ingests them with the built-in `synthetic` core mappings, prints rows/s and
appends a dated section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import tempfile
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import yaml

from kequn.engine import DuckDBEngine, Warehouse
from kequn.ingest import ingest_sources
from kequn.ingest.mapping import resolve_mapping_folder

HERE = Path(__file__).resolve().parent
ACCOUNTS = 200_000
CORE_FILES = ("core/products.csv", "core/accounts.csv", "core/transactions.csv")


def write_sources(out: Path, rows: int) -> None:
    """A bank's core exports, written by DuckDB (fast): per million rows one bad amount, one duplicate
    key and one unknown account, so both the staging and the late rejections are measured."""
    (out / "core").mkdir(parents=True)
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT 'P01' AS prod_code, '活期' AS prod_name, 'demand_deposit' AS category, 'R1' AS "
        f"risk_rating, 0 AS min_amount, NULL AS term_days, 0.2 AS rate) TO '{out}/core/products.csv'"
    )
    con.execute(
        f"COPY (SELECT '6' || lpad(i::VARCHAR, 18, '0') AS acct_no, "
        f"'C' || lpad(i::VARCHAR, 10, '0') AS cust_no, 'P01' AS prod_code, '2020-01-01' AS open_dt, "
        f"NULL AS close_dt, 'N' AS acct_status, 'CNY' AS ccy, "
        f"NULL AS maturity_dt, NULL AS credit_limit FROM range({ACCOUNTS}) t(i)) TO '{out}/core/accounts.csv'"
    )
    con.execute(
        # per million rows: a bad amount, a duplicate txn_id and an unknown account (late rejects)
        "COPY (SELECT 'T' || lpad((CASE WHEN i % 1000000 = 500 THEN i - 1 ELSE i END)::VARCHAR, 12, '0') "
        "AS txn_id, CASE WHEN i % 1000000 = 700 THEN '9999999999999999999' ELSE "
        f"'6' || lpad((hash(i) % {ACCOUNTS})::VARCHAR, 18, '0') END AS acct_no, "
        "strftime(TIMESTAMP '2026-08-03' + to_seconds(i % 7776000), '%Y-%m-%d %H:%M:%S') AS txn_time, "
        "CASE WHEN i % 1000000 = 999 THEN '12,34' ELSE printf('%.2f', (hash(i * 7) % 1000000) / 100.0) END "
        "AS amount, CASE WHEN i % 3 = 0 THEN 'C' ELSE 'D' END AS dc_flag, "
        "(['ATM','CNT','MOB','NET','POS','API'])[1 + i % 6] AS channel, "
        "(['CASH','TRF','SAL','PUR','RPY','INT','FEE'])[1 + i % 7] AS txn_code, "
        "CASE WHEN i % 2 = 0 THEN lpad((hash(i) % 99999)::VARCHAR, 16, '8') END AS cpty_acct, "
        "CASE WHEN i % 2 = 0 THEN '张伟' END AS cpty_name, "
        "CASE WHEN i % 2 = 0 THEN '交通银行' END AS cpty_bank, "
        f"'N' AS cross_border, 'CNY' AS ccy FROM range({rows}) t(i)) TO '{out}/core/transactions.csv'"
    )  # fmt: skip


def core_mappings(out: Path) -> Path:
    """The built-in core mapping restricted to the three files the benchmark writes."""
    doc = yaml.safe_load((resolve_mapping_folder("synthetic") / "core.yaml").read_text(encoding="utf-8"))
    doc["files"] = [f for f in doc["files"] if f["path"] in CORE_FILES]
    folder = out / "mappings"
    folder.mkdir()
    (folder / "core.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return folder


def naive_rows_per_second(path: Path, sample: int) -> float:
    """pandas read_csv + a Python loop validating each row: what a first attempt often looks like."""
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, nrows=sample, keep_default_na=False)
    good = []
    for row in frame.itertuples(index=False):
        try:
            ts = dt.datetime.strptime(row.txn_time, "%Y-%m-%d %H:%M:%S")
            amount = Decimal(row.amount)
        except (ValueError, InvalidOperation):
            continue
        if row.dc_flag in ("C", "D"):
            good.append((row.txn_id, row.acct_no, ts, amount, "in" if row.dc_flag == "C" else "out"))
    pd.DataFrame(good).to_parquet(path.parent / "naive.parquet")
    return sample / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--naive-sample", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        run(root, args.rows, args.naive_sample)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


def run(root: Path, rows: int, sample: int) -> None:
    source = root / "src"
    write_sources(source, rows)
    size_mb = (source / "core/transactions.csv").stat().st_size / 1e6
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    engine = DuckDBEngine(Warehouse(root / "warehouse"))
    cpu_before = _cpu_seconds()
    report = ingest_sources(engine, source, core_mappings(root), as_of=dt.date(2026, 10, 31))
    cpu = _cpu_seconds() - cpu_before
    engine.close()
    parquet_mb = sum(p.stat().st_size for p in (root / "warehouse" / "txn").rglob("*.parquet")) / 1e6
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    txn = next(f for f in report.files if f.target == "txn")
    fast = txn.read / txn.seconds
    end_to_end = txn.read / report.seconds
    naive = naive_rows_per_second(source / "core/transactions.csv", sample)
    lines = [
        f"transactions: {txn.read:,} rows ({size_mb:,.0f} MB), {txn.loaded:,} loaded, {txn.quarantined:,} "
        f"quarantined",
        f"read + validate (stage): {txn.seconds:.2f} s = {fast:,.0f} rows/s",
        f"whole run incl. keys, references, Parquet publish: {report.seconds:.2f} s "
        f"= {end_to_end:,.0f} rows/s",
        f"process CPU time (all threads): {cpu:.1f} s = {cpu / report.seconds:.2f} of {os.cpu_count()} cores "
        f"busy on average; published txn Parquet {parquet_mb:,.0f} MB ({engine.parquet_options})",
        f"naive pandas read_csv + row loop ({sample:,} rows): {naive:,.0f} rows/s "
        f"-> kequn ingest is {end_to_end / naive:,.0f}x faster end to end",
        f"target >= 1,000,000 rows/s end to end: {'MET' if end_to_end >= 1e6 else 'NOT met'}",
        f"load average (1/5/15 min) before: {' '.join(load_before)}, after: {' '.join(load_after)} "
        f"({os.cpu_count()} cores)",
    ]
    print("\n".join(lines))
    append_results(rows, lines)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def append_results(rows: int, lines: list[str]) -> None:
    results = HERE / "RESULTS.md"
    if not results.exists():
        results.write_text("# Benchmark results\n", encoding="utf-8")
    section = [
        "",
        f"## {dt.date.today().isoformat()} ingest (bench/bench_ingest.py --rows {rows})",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, DuckDB {duckdb.__version__}.",
        "",
        *[f"- {line}" for line in lines],
        "",
    ]
    with results.open("a", encoding="utf-8") as f:
        f.write("\n".join(section))


if __name__ == "__main__":
    main()
