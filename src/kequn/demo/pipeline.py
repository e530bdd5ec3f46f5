"""The demo job: generate a bank, run the daily pipeline on it, and summarise each step.

Each step is timed and recorded as a run record in the operational store, so the console and
`kequn runs` (later) show the same figures the terminal printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kequn.core.progress import counter_reporter, phase_progress
from kequn.core.workspace import Workspace
from kequn.engine import Engine, engine_for
from kequn.store import new_run_id, record_step, upgrade_store


@dataclass
class StepResult:
    step: str
    rows: int
    seconds: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class DemoSettings:
    customers: int = 20_000
    seed: int = 42
    days: int = 90


StepFn = Callable[[Engine, Any], StepResult]


def sources_dir(ws: Workspace) -> Path:
    return ws.path("sources", "synthetic")


def run_demo(ws: Workspace, settings: DemoSettings, progress: Any = None) -> list[StepResult]:
    """Generate the bank into the workspace and run ingest and OneID over it."""
    upgrade_store(ws.database_url)
    run_id = new_run_id()
    engine = engine_for(ws)
    results: list[StepResult] = []
    try:
        for step in (_generate, _ingest, _identity, _evaluate):
            result = step(ws, engine, settings, progress)
            record_step(
                ws.database_url,
                run_id=run_id,
                step=result.step,
                as_of=result.detail.get("as_of"),
                rows=result.rows,
                seconds=result.seconds,
                detail=_jsonable(result.detail),
            )
            results.append(result)
    finally:
        engine.close()
    return results


def _timed(step: str, fn: Callable[[], tuple[int, dict[str, Any]]]) -> StepResult:
    start = time.perf_counter()
    rows, detail = fn()
    return StepResult(step, rows, time.perf_counter() - start, detail)


def _generate(ws: Workspace, engine: Engine, s: DemoSettings, progress: Any) -> StepResult:
    from kequn.demo.generator import generate_bank

    def run() -> tuple[int, dict[str, Any]]:
        manifest = generate_bank(
            sources_dir(ws),
            customers=s.customers,
            seed=s.seed,
            days=s.days,
            progress=counter_reporter(progress, "generate "),
        )
        rows = sum(int(n) for n in manifest.get("files", {}).values())
        return rows, {"as_of": date.fromisoformat(manifest["as_of"]), "customers": s.customers}

    return _timed("generate", run)


def _ingest(ws: Workspace, engine: Engine, s: DemoSettings, progress: Any) -> StepResult:
    from kequn.ingest import ingest_sources

    def run() -> tuple[int, dict[str, Any]]:
        report = ingest_sources(
            engine, sources_dir(ws), "synthetic", progress=counter_reporter(progress, "ingest ")
        )
        return report.loaded, {
            "as_of": report.as_of,
            "read": report.read,
            "loaded": report.loaded,
            "quarantined": report.quarantined,
        }

    return _timed("ingest", run)


def _identity(ws: Workspace, engine: Engine, s: DemoSettings, progress: Any) -> StepResult:
    from kequn.identity import resolve_identity

    def run() -> tuple[int, dict[str, Any]]:
        with phase_progress(progress, "OneID ") as report_phase:
            report = resolve_identity(engine, store_url=ws.database_url, progress=report_phase)
        return report.records, {
            "as_of": report.as_of,
            "records": report.records,
            "customers": report.customers,
        }

    return _timed("identity", run)


def _evaluate(ws: Workspace, engine: Engine, s: DemoSettings, progress: Any) -> StepResult:
    from kequn.identity import evaluate_identity

    def run() -> tuple[int, dict[str, Any]]:
        m = evaluate_identity(engine, sources_dir(ws) / "ground_truth" / "persons.csv")
        return 0, {"precision": m.precision, "recall": m.recall, "f1": m.f1}

    return _timed("evaluate", run)


def _jsonable(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in detail.items()}
