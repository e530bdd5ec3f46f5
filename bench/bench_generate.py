"""Benchmark `kequn generate`: seconds, rows per file, transactions, peak memory; appends to RESULTS.md.

Run: .venv/bin/python bench/bench_generate.py --customers 1000000
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from kequn.demo.generator import generate_bank

RESULTS = Path(__file__).with_name("RESULTS.md")


def _peak_rss_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child (ru_maxrss is KiB on Linux)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, children / 1024


def _tree_rss_mib(pid: int) -> float:
    """Current resident memory of a process and all its descendants, from /proc."""
    total = 0.0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0]) / 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError):
            continue
    return total


class _TreeMemory(threading.Thread):
    """Samples the whole process tree twice a second: ru_maxrss cannot sum parallel workers."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, _tree_rss_mib(os.getpid()))
            time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sampler = _TreeMemory()
        sampler.start()
        started = time.perf_counter()
        manifest = generate_bank(Path(tmp), customers=args.customers, seed=args.seed, days=args.days)
        seconds = time.perf_counter() - started
        sampler.running = False
        size_mib = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file()) / 2**20
    files = manifest["files"]
    txns = files["core/transactions.csv"]
    own, child = _peak_rss_mib()
    lines = [
        f"\n## generate {args.customers:,} customers, {args.days} days ({datetime.now():%Y-%m-%d %H:%M})",
        f"- machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        f"- seconds: {seconds:.1f}; output {size_mib:,.0f} MiB",
        f"- peak RSS: main {own:,.0f} MiB, largest worker {child:,.0f} MiB, "
        f"whole process tree (sampled 2/s) {sampler.peak:,.0f} MiB",
        f"- core transactions: {txns:,} ({txns / seconds:,.0f}/s)",
        *(f"- {name}: {rows:,}" for name, rows in files.items()),
    ]
    print("\n".join(lines))
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n", encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
