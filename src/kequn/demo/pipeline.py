"""The demo job: generate a bank, run the daily pipeline on it, and summarise each step.

Each step is timed and recorded as a run record in the operational store, so the console and
`kequn runs` (later) show the same figures the terminal printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kequn.core.progress import counter_reporter
from kequn.core.workspace import Workspace
from kequn.daily import Sources, StepResult, month_ends, record_result, run_daily, timed
from kequn.engine import Engine, engine_for
from kequn.store import new_run_id, upgrade_store

# The daily run's steps after OneID, run for every month-end of the history so trends and tier
# migrations are real when the console opens.
MONTHLY_STEPS = ("features", "tags", "tiers", "audience", "segments")
SOURCE_STEPS = ("ingest", "identity")


@dataclass
class DemoSettings:
    customers: int = 20_000
    seed: int = 42
    days: int = 150


def sources_dir(ws: Workspace) -> Path:
    return ws.path("sources", "synthetic")


def run_demo(ws: Workspace, settings: DemoSettings, progress: Any = None) -> list[StepResult]:
    """Generate the bank into the workspace, ingest it and run OneID (the daily run of its export date),
    evaluate OneID, then the daily run for every month-end of its history (oldest first: tiers carry over
    from one month to the next)."""
    upgrade_store(ws.database_url)
    run_id = new_run_id()
    engine = engine_for(ws)
    try:
        generated = _generate(ws, settings, progress)
        export_day = generated.detail["as_of"]
        record_result(ws.database_url, run_id, export_day, generated)
        results = [generated]
        sources = Sources(sources_dir(ws), "synthetic")
        results += run_daily(
            ws,
            export_day,
            engine=engine,
            progress=progress,
            steps=SOURCE_STEPS,
            run_id=run_id,
            sources=sources,
        )
        evaluated = _evaluate(ws, engine)
        record_result(ws.database_url, run_id, export_day, evaluated)
        results.append(evaluated)
        first_day = export_day - timedelta(days=settings.days - 1)
        ensure_demo_segments(ws)
        for day in month_ends(first_day, export_day):
            if day.replace(day=1) < first_day:
                continue  # a month only partly in the history would give a wrong monthly average
            steps = run_daily(ws, day, engine=engine, progress=progress, steps=MONTHLY_STEPS, run_id=run_id)
            results.extend(_dated(r, day) for r in steps)
    finally:
        engine.close()
    return results


def _dated(result: StepResult, day: date) -> StepResult:
    return StepResult(f"{result.step} {day}", result.rows, result.seconds, result.detail)


def ensure_demo_segments(ws: Workspace) -> None:
    """A few segments an analyst would set up first, so the demo shows membership and overlap."""
    from kequn.tags.segments import create_rule_segment, list_segments

    if list_segments(ws.database_url):
        return
    for zh, en, expression in DEMO_SEGMENTS:
        create_rule_segment(
            None, ws.database_url, name_zh=zh, name_en=en, expression=expression, owner="demo"
        )


DEMO_SEGMENTS = (
    ("潜力财富客户", "Close to the wealth tier", "aum_mad >= 300000 AND aum_mad < 500000"),
    ("手机银行沉睡客户", "Dormant in the app", "app_dormant AND aum_mad >= 1000"),
    ("定期到期客户", "Time deposit maturing", "td_maturing_30d > 0"),
    ("代发未购理财", "Salary here, no wealth product", "salary_customer AND NOT wealth_holder"),
)


def _generate(ws: Workspace, s: DemoSettings, progress: Any) -> StepResult:
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

    return timed("generate", run)


def _evaluate(ws: Workspace, engine: Engine) -> StepResult:
    from kequn.identity import evaluate_identity

    def run() -> tuple[int, dict[str, Any]]:
        m = evaluate_identity(engine, sources_dir(ws) / "ground_truth" / "persons.csv")
        return 0, {"precision": m.precision, "recall": m.recall, "f1": m.f1}

    return timed("evaluate", run)
