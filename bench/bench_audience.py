"""Audience counts: how fast an analyst's 5-condition expression over tags and features is counted.

    python bench/bench_audience.py --customers 1000000 --customers 10000000

For each size it writes a synthetic ``features`` snapshot with every catalog feature (random values with
bank-like skew), then runs the real steps: tags (the built-in catalog), tiers, and the audience index.
It times `count_audience` (median of --runs after one warm-up) against the same count over the Parquet
snapshots joined per request (the naive path), and appends the figures to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import duckdb

from kequn.core.workspace import init_workspace
from kequn.engine import engine_for
from kequn.features.catalog import FEATURES
from kequn.store import upgrade_store
from kequn.tags.audience import VIEW, build_audience_index, count_audience, open_audience
from kequn.tags.compute import compute_tags
from kequn.tags.tiers import compute_tiers

DAY = date(2026, 10, 31)
EXPRESSION = (
    "aum_mad >= 50000 AND age BETWEEN 30 AND 60 AND app_active AND NOT unreachable AND risk_level >= 3"
)
RESULTS = Path(__file__).with_name("RESULTS.md")

_STRINGS = {
    "gender": "['M', 'F']",
    "city": "['上海', '北京', '广州', '深圳', '成都', '杭州', '武汉', '南京']",
    "customer_status": "['active', 'active', 'active', 'closed']",
}


def _synthetic(name: str, dtype: str) -> str:
    """A random column for one feature, skewed where banks' data is (money, counts)."""
    if name == "customer_id":
        return "'K' || lpad(CAST(i AS VARCHAR), 10, '0')"
    if name == "age":
        return "CAST(18 + random() * 72 AS INTEGER)"
    if name in ("risk_level", "rfm_recency", "rfm_frequency", "rfm_monetary"):
        return "CAST(1 + floor(random() * 5) AS INTEGER)"
    if dtype == "number":
        return "round(CASE WHEN random() < 0.1 THEN 0 ELSE exp(random() * 14) END, 2)"
    if dtype == "integer":
        return "CAST(floor(random() * random() * 40) AS INTEGER)"
    if dtype == "boolean":
        return "random() < 0.3"
    if dtype == "date":
        return "DATE '2020-01-01' + CAST(random() * 2000 AS INTEGER)"
    values = _STRINGS.get(name, "['a', 'b', 'c', NULL]")
    return f"list_extract({values}, CAST(1 + floor(random() * len({values})) AS INTEGER))"


def build(root: Path, customers: int) -> dict[str, float]:
    ws = init_workspace(root)
    upgrade_store(ws.database_url)
    engine = engine_for(ws)
    seconds: dict[str, float] = {}
    try:
        columns = ", ".join(f'{_synthetic(f.name, f.dtype)} AS "{f.name}"' for f in FEATURES)
        started = time.perf_counter()
        key = _synthetic("customer_id", "string")
        rows = f"SELECT {key} AS customer_id, {columns} FROM range({customers}) r(i)"
        engine.write_snapshot("features", DAY, rows)
        seconds["synthetic features"] = time.perf_counter() - started
        for step, run in (
            ("tags", lambda: compute_tags(engine, DAY, ws.database_url)),
            ("tiers", lambda: compute_tiers(engine, DAY, store_url=ws.database_url)),
            ("audience index", lambda: build_audience_index(engine, DAY)),
        ):
            started = time.perf_counter()
            run()
            seconds[step] = time.perf_counter() - started
    finally:
        engine.close()
    return seconds


def median_ms(fn, runs: int) -> tuple[float, int]:
    result = fn()  # warm-up: opens the index, fills caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def measure(root: Path, runs: int) -> dict[str, float]:
    from kequn.core.workspace import open_workspace

    ws = open_workspace(root)
    engine = engine_for(ws)
    try:
        indexed, count = median_ms(lambda: count_audience(engine, EXPRESSION, DAY), runs)
        open_audience(engine, DAY)
        naive, naive_count = median_ms(
            lambda: engine.scalar(f"SELECT count(*) FROM {VIEW} WHERE {EXPRESSION}"), max(3, runs // 5)
        )
    finally:
        engine.close()
    assert count == naive_count, (count, naive_count)
    return {"indexed_ms": indexed, "naive_ms": naive, "count": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, action="append", help="Sizes (repeatable).")
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--no-record", action="store_true", help="Print only; do not append to RESULTS.md.")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "kequn-bench-audience")
    args = parser.parse_args()
    sizes = args.customers or [1_000_000, 10_000_000]
    lines = [
        f"## {datetime.now():%Y-%m-%d %H:%M} audience count (bench/bench_audience.py)",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- expression (5 conditions over tags and features): `{EXPRESSION}`",
    ]
    for n in sizes:
        root = args.workdir / f"n{n}"
        if not (root / "warehouse" / "audience_index").is_dir():
            built = build(root, n)
            print(f"{n:,}: built " + ", ".join(f"{k} {v:.1f}s" for k, v in built.items()), flush=True)
        m = measure(root, args.runs)
        line = (
            f"- {n:,} customers: median {m['indexed_ms']:.1f} ms from the audience index "
            f"(naive Parquet join per request: {m['naive_ms']:.1f} ms; {int(m['count']):,} customers match)"
        )
        print(line, flush=True)
        lines.append(line)
    lines.append(f"- load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.no_record:
        return
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
