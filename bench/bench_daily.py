"""The daily run (features; the lead adds tags, tiers, segments) against a naive pandas computation.

Usage: .venv/bin/python bench/bench_daily.py [--customers 1000000] [--days 90] [--workspace DIR]
       [--naive-sample 50000] [--threads 2]

--workspace DIR reuses an existing generated + ingested + identified bank: DIR is a workspace
(kequn.toml) or a folder holding ``ws/`` (what bench_identity.py --keep and this script leave behind).
When DIR holds neither, the bank is built there first (generate --days, ingest, OneID) and kept.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
import time
from pathlib import Path

from kequn.core.workspace import Workspace, init_workspace, open_workspace
from kequn.engine import engine_for

HERE = Path(__file__).resolve().parent


def find_workspace(root: Path) -> Workspace | None:
    for candidate in (root, root / "ws"):
        if (candidate / "kequn.toml").is_file():
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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=90, help="Days of history when building a bank.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workspace", type=Path, help="Reuse (or build and keep) the bank here.")
    parser.add_argument("--build-only", action="store_true", help="Build the bank and stop.")
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.WARNING)
    root = args.workspace or Path(tempfile.mkdtemp(prefix="bench-daily-"))
    try:
        if find_workspace(root) is None:
            print(build_bank(root, args.customers, args.days, args.seed), flush=True)
    finally:
        if not args.workspace:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
