"""The daily run (features, tags, tiers, audience index, segments) against a naive pandas computation.

Usage: .venv/bin/python bench/bench_daily.py [--customers 1000000] [--days 90] [--workspace DIR]
       [--naive-sample 5000] [--threads 2]

--workspace DIR reuses an existing generated + ingested + identified bank: DIR is a workspace
(kequn.toml) or a folder holding ``ws/`` (what bench_identity.py --keep and this script leave behind).
When DIR holds neither, the bank is built there first (generate --days, ingest, OneID) and kept.

The naive baseline (bench/naive_pandas.py) merges the frames and runs groupby(...).apply per customer.
With --naive-sample N it runs on N customers (every k-th customer id) and the time is scaled to the
whole bank, which the output says; loading the frames is not counted for pandas (in its favour).
Both results are compared on the sample, feature by feature.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from kequn.core.workspace import Workspace, init_workspace, open_workspace
from kequn.engine import DuckDBEngine, Engine, Warehouse, engine_for
from kequn.features import compute_features

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from naive_pandas import naive_features  # noqa: E402

StepRunner = Callable[[Engine, date, Callable[[str], None]], int]


def features_step(engine: Engine, as_of: date, phase: Callable[[str], None]) -> int:
    return compute_features(engine, as_of, phase)


def daily_steps(store_url: str) -> list[tuple[str, StepRunner]]:
    """The daily run after OneID, in order, as `kequn run` does it (kequn.daily)."""
    from kequn.tags.audience import build_audience_index
    from kequn.tags.compute import compute_tags
    from kequn.tags.segments import refresh_segments
    from kequn.tags.tiers import compute_tiers

    return [
        ("features", features_step),
        ("tags", lambda e, d, phase: compute_tags(e, d, store_url)),
        ("tiers", lambda e, d, phase: compute_tiers(e, d, store_url=store_url, progress=phase)),
        ("audience", lambda e, d, phase: build_audience_index(e, d)),
        ("segments", lambda e, d, phase: refresh_segments(e, d, store_url)),
    ]


def ensure_segments(ws: Workspace) -> None:
    """The demo's rule segments, so the segments step has work (as an analyst's first setup would)."""
    from kequn.demo.pipeline import ensure_demo_segments
    from kequn.store import upgrade_store

    upgrade_store(ws.database_url)
    ensure_demo_segments(ws)


def find_workspace(root: Path) -> Workspace | None:
    for candidate in (root, root / "ws"):
        if (candidate / "kequn.toml").is_file() and (candidate / "warehouse" / "customer").is_dir():
            return open_workspace(candidate)
    return None


def build_bank(root: Path, customers: int, days: int, seed: int) -> dict[str, float]:
    """Generate a bank into root/bank and ingest + resolve it into the workspace root/ws."""
    from kequn.demo.generator import generate_bank
    from kequn.identity import resolve_identity
    from kequn.ingest import ingest_sources

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    generate_bank(root / "bank", customers=customers, seed=seed, days=days)
    seconds["generate"] = time.perf_counter() - started
    ws = init_workspace(root / "ws")
    engine = engine_for(ws)
    try:
        started = time.perf_counter()
        ingest_sources(engine, root / "bank", "synthetic")
        seconds["ingest"] = time.perf_counter() - started
        started = time.perf_counter()
        resolve_identity(engine, store_url=ws.database_url)
        seconds["identity"] = time.perf_counter() - started
    finally:
        engine.close()
    return seconds


class PhaseClock:
    """A progress callback that times each phase of a step."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._phase: str | None = None
        self._started = 0.0

    def __call__(self, phase: str) -> None:
        self.stop()
        self._phase, self._started = phase, time.perf_counter()

    def stop(self) -> None:
        if self._phase is not None:
            self.seconds[self._phase] = time.perf_counter() - self._started
            self._phase = None


def run_daily(engine: Engine, as_of: date, store_url: str) -> list[dict]:
    results = []
    for name, runner in daily_steps(store_url):
        clock = PhaseClock()
        started, cpu = time.perf_counter(), time.process_time()
        rows = runner(engine, as_of, clock)
        clock.stop()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        results.append({"step": name, "rows": rows, "seconds": wall, "cpu": cpu, "phases": clock.seconds})
    return results


def sample_tables(engine: Engine, as_of: date, sample: int) -> tuple[dict[str, pd.DataFrame], int]:
    """The input frames restricted to ``sample`` customers (every k-th id): what pandas gets."""
    total = engine.scalar("SELECT count(*) FROM customer")
    step = max(1, total // sample) if sample else 1
    con = engine.con  # type: ignore[attr-defined]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE bench_sample AS SELECT customer_id FROM (SELECT customer_id,"
        f" row_number() OVER (ORDER BY customer_id) AS i FROM customer) WHERE (i - 1) % {step} = 0"
        + (f" LIMIT {sample}" if sample else "")
    )
    link = "source_link WHERE customer_id IN (SELECT customer_id FROM bench_sample)"
    party = f"(party_source, party_key) IN (SELECT source, source_key FROM {link})"
    accounts = f"account_id IN (SELECT account_id FROM account WHERE {party})"
    queries = {
        "customer": "SELECT * FROM customer WHERE customer_id IN (SELECT customer_id FROM bench_sample)",
        "source_link": f"SELECT * FROM {link}",
        "account": f"SELECT * FROM account WHERE {party}",
        "product": "SELECT * FROM product",
        "balance": f"SELECT * FROM balance WHERE {accounts}",
        "txn": f"SELECT * FROM txn WHERE {accounts}",
        "app_event": f"SELECT * FROM app_event WHERE {party}",
        "consent": f"SELECT * FROM consent WHERE {party}",
    }
    frames = {name: con.execute(sql).df() for name, sql in queries.items()}
    return frames, int(total)


def compare(engine: Engine, as_of: date, naive: pd.DataFrame, whole_bank: bool) -> dict[str, int]:
    """Per shared feature, how many sample customers differ (beyond 1e-6 relative) from kequn.

    RFM scores rank the whole bank, so on a sample they are compared only when it is the whole bank.
    """
    engine.use_snapshot("features", as_of, alias="bench_features")
    ours = (
        engine.query(
            "SELECT * FROM bench_features WHERE customer_id IN (SELECT customer_id FROM bench_sample)"
        )
        .to_pandas()
        .set_index("customer_id")
    )
    ours = ours.loc[naive.index]
    differ = {}
    shared = [c for c in naive.columns if c in ours.columns and (whole_bank or not c.startswith("rfm_"))]
    for col in shared:
        a, b = ours[col], naive[col]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            a, b = a.astype(float), b.astype(float)
            same = (a.isna() & b.isna()) | ((a - b).abs() <= 1e-6 * (1 + b.abs()))
        else:
            same = (a.isna() & b.isna()) | (a == b)
        differ[col] = int((~same.fillna(False)).sum())
    return differ


def run_naive(engine: Engine, as_of: date, sample: int) -> dict:
    frames, total = sample_tables(engine, as_of, sample)
    customers = len(frames["customer"])
    started = time.perf_counter()
    naive = naive_features(frames, as_of)
    seconds = time.perf_counter() - started
    return {
        "customers": customers,
        "seconds": seconds,
        "scaled": seconds * total / max(customers, 1),
        "differ": compare(engine, as_of, naive, whole_bank=customers == total),
    }


def section(args: argparse.Namespace, facts: dict, daily: list[dict], naive: dict, loads: tuple) -> str:
    total = sum(r["seconds"] for r in daily)
    lines = [
        f"## {datetime.now():%Y-%m-%d %H:%M} daily run (bench/bench_daily.py {' '.join(sys.argv[1:])})",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()};"
        f" DuckDB threads {args.threads}",
        f"- load average before: {loads[0]}, after: {loads[1]} (other sessions share these cores)",
        f"- bank: {facts['customers']:,} customers, {facts['txn']:,} transactions, {facts['balance']:,}"
        f" balance rows, {facts['app_event']:,} app events; as_of {facts['as_of']}",
    ]
    for r in daily:
        phases = ", ".join(f"{k} {v:.1f}" for k, v in r["phases"].items())
        lines.append(
            f"- {r['step']}: {r['seconds']:.1f} s wall, {r['cpu']:.1f} s CPU, {r['rows']:,} rows ({phases})"
        )
    lines.append(f"- daily run total: {total:.1f} s")
    if naive:
        how = "measured on all customers"
        if naive["customers"] < facts["customers"]:
            how = f"measured on {naive['customers']:,} customers ({naive['seconds']:.1f} s), scaled linearly"
        lines.append(
            f"- naive pandas groupby/apply: {naive['scaled']:.0f} s ({how}; loading the frames not counted)"
        )
        lines.append(
            f"- speed-up of the features step over pandas: {naive['scaled'] / daily[0]['seconds']:.1f}x"
        )
        bad = {k: v for k, v in naive["differ"].items() if v}
        checked = len(naive["differ"])
        lines.append(
            f"- agreement on the sample: {checked} features compared, "
            + ("all equal" if not bad else f"differences: {bad}")
        )
    return "\n".join(lines) + "\n"


def append_results(text: str) -> None:
    with (HERE / "RESULTS.md").open("a", encoding="utf-8") as handle:
        handle.write("\n" + text)


def bank_facts(engine: Engine, as_of: date) -> dict:
    facts: dict = {"as_of": as_of}
    for table in ("customer", "txn", "balance", "app_event"):
        facts["customers" if table == "customer" else table] = engine.scalar(f"SELECT count(*) FROM {table}")
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000, help="Bank size when building one.")
    parser.add_argument("--days", type=int, default=90, help="Days of history when building a bank.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workspace", type=Path, help="Reuse (or build and keep) the bank here.")
    parser.add_argument("--build-only", action="store_true", help="Build the bank and stop.")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (the target is 2 cores).")
    parser.add_argument(
        "--naive-sample", type=int, default=2_000, help="Customers for pandas (0: all, -1: skip)."
    )
    parser.add_argument("--no-record", action="store_true", help="Do not append to bench/RESULTS.md.")
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.WARNING)
    root = args.workspace or Path(tempfile.mkdtemp(prefix="bench-daily-"))
    try:
        ws = find_workspace(root)
        if ws is None:
            print(build_bank(root, args.customers, args.days, args.seed), flush=True)
            ws = find_workspace(root)
        if args.build_only or ws is None:
            return
        report(args, ws)
    finally:
        if not args.workspace:
            shutil.rmtree(root, ignore_errors=True)


def report(args: argparse.Namespace, ws: Workspace) -> None:
    engine = DuckDBEngine(Warehouse(ws.warehouse), threads=args.threads)
    try:
        as_of = engine.warehouse.snapshots("customer")[-1]
        before = os.getloadavg()
        ensure_segments(ws)
        daily = run_daily(engine, as_of, ws.database_url)
        after = os.getloadavg()
        facts = bank_facts(engine, as_of)
        naive = run_naive(engine, as_of, args.naive_sample) if args.naive_sample >= 0 else {}
    finally:
        engine.close()
    loads = tuple(" ".join(f"{x:.2f}" for x in load) for load in (before, after))
    text = section(args, facts, daily, naive, loads)
    print(text)
    if not args.no_record:
        append_results(text)


if __name__ == "__main__":
    main()
