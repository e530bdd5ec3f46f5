"""OneID end to end: generate a bank → ingest → resolve → evaluate against ground truth.

Usage: .venv/bin/python bench/bench_identity.py [--customers 1000000] [--seed 1] [--keep DIR] [--reuse DIR]

Prints seconds per phase, records, customers and pair precision / recall / F1, next to the naive baseline
(the ID-number rule alone), and appends a dated section to bench/RESULTS.md. ``--reuse DIR`` skips
generate + ingest and resolves a workspace a previous ``--keep DIR`` run left behind.
"""

from __future__ import annotations

import argparse
import logging
import platform
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from kequn.core.workspace import init_workspace, open_workspace
from kequn.engine import engine_for
from kequn.identity import evaluate_identity, resolve_identity
from kequn.identity.evaluate import pair_metrics
from kequn.identity.normalize import id_clean_sql, id_valid_sql

HERE = Path(__file__).resolve().parent


def id_rule_only_sql() -> str:
    """Naive baseline: records with the same valid ID number are one customer, every other record alone."""
    idc = id_clean_sql("id_no")
    return (
        f"SELECT source, source_key, CASE WHEN {id_valid_sql(idc)} THEN {idc} ELSE record_id END AS cluster "
        "FROM person_record"
    )


def prepare(root: Path, customers: int, seed: int) -> dict[str, float]:
    from kequn.demo.generator import generate_bank
    from kequn.ingest import ingest_sources

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    generate_bank(root / "bank", customers=customers, seed=seed, days=1)
    seconds["generate"] = time.perf_counter() - started
    ws = init_workspace(root / "ws")
    engine = engine_for(ws)
    started = time.perf_counter()
    ingest_sources(engine, root / "bank", "synthetic")
    seconds["ingest"] = time.perf_counter() - started
    engine.close()
    return seconds


def measure(root: Path) -> dict[str, object]:
    ws = open_workspace(root / "ws")
    truth = root / "bank" / "ground_truth" / "persons.csv"
    engine = engine_for(ws)
    try:
        started = time.perf_counter()
        report = resolve_identity(engine, store_url=ws.database_url)
        total = time.perf_counter() - started
        metrics = evaluate_identity(engine, truth)
        engine.use_snapshot("person_record", report.as_of)
        engine.execute(f"CREATE OR REPLACE TEMP TABLE id_only AS {id_rule_only_sql()}")
        baseline = pair_metrics(engine.con, "id_only", truth)  # type: ignore[attr-defined]
    finally:
        engine.close()
    return {"report": report, "total": total, "metrics": metrics, "baseline": baseline}


def section(args: argparse.Namespace, prep: dict[str, float], result: dict) -> str:
    report, m, b = result["report"], result["metrics"], result["baseline"]
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    lines = [
        f"## {datetime.now():%Y-%m-%d %H:%M} identity (bench/bench_identity.py --customers {args.customers})",
        f"- machine: {platform.machine()}, CPython {platform.python_version()}",
        *(f"- {k}: {v:.1f} s" for k, v in prep.items()),
        f"- records: {report.records:,} → customers: {report.customers:,}",
        f"- pairs: {report.deterministic_pairs:,} by ID number, {report.splink_pairs:,} Splink links",
        f"- OneID: {result['total']:.1f} s ({phases})",
        f"- OneID (rule + Splink): precision {m.precision:.4f}, recall {m.recall:.4f}, F1 {m.f1:.4f}",
        f"- naive ID-number rule alone: precision {b.precision:.4f}, recall {b.recall:.4f}, F1 {b.f1:.4f}",
    ]
    return "\n".join(lines) + "\n"


def append_results(text: str) -> None:
    results = HERE / "RESULTS.md"
    if not results.exists():
        results.write_text("# Benchmark results\n", encoding="utf-8")
    with results.open("a", encoding="utf-8") as handle:
        handle.write("\n" + text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="Folder to keep the bank and workspace in.")
    parser.add_argument("--reuse", type=Path, help="Resolve the workspace of an earlier --keep run.")
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.WARNING)
    root = args.reuse or args.keep or Path(tempfile.mkdtemp(prefix="bench-identity-"))
    try:
        prep = {} if args.reuse else prepare(root, args.customers, args.seed)
        result = measure(root)
    finally:
        if not (args.keep or args.reuse):
            shutil.rmtree(root, ignore_errors=True)
    text = section(args, prep, result)
    print(text)
    append_results(text)


if __name__ == "__main__":
    main()
