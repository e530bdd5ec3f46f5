"""The daily run: ingest → OneID → features → tags → tiers → audience → segments for one ``as_of`` date.

Every step writes snapshots keyed by ``as_of``, so running a date again replaces that date's snapshots with
the same result (idempotent), and each step is recorded (step, rows, seconds) in the operational store.
Ingest and OneID run only when the workspace names its sources (``[sources]`` in kequn.toml) and those
sources are the export of that very date: a past month-end is computed from the snapshots already there
(point in time: nothing after ``as_of`` is read), never by loading today's export as if it were old.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kequn.core.errors import UserInputError
from kequn.core.progress import counter_reporter, phase_progress
from kequn.core.workspace import Workspace
from kequn.engine import Engine, engine_for
from kequn.store import new_run_id, record_step, upgrade_store

STEPS = ("ingest", "identity", "features", "tags", "tiers", "audience", "segments")


@dataclass
class StepResult:
    step: str
    rows: int
    seconds: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sources:
    """Where the workspace's source exports are and which mapping set reads them."""

    directory: Path
    mapping: str

    @classmethod
    def of(cls, ws: Workspace) -> Sources | None:
        section = ws.config.get("sources") or {}
        if not section.get("dir"):
            return None
        directory = Path(str(section["dir"]).replace("{workspace}", str(ws.root)))
        return cls(
            directory if directory.is_absolute() else ws.root / directory, section.get("mapping", "synthetic")
        )


def month_ends(first: date, last: date) -> list[date]:
    """The last day of every month whose last day lies in [first, last]."""
    out, day = [], first
    while day <= last:
        end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        if first <= end <= last:
            out.append(end)
        day = end + timedelta(days=1)
    return out


def run_daily(
    ws: Workspace,
    as_of: date,
    *,
    engine: Engine | None = None,
    progress: Any = None,
    steps: Iterable[str] = STEPS,
    run_id: str | None = None,
    sources: Sources | None = None,
) -> list[StepResult]:
    """Run the steps for ``as_of`` and record each one; returns what each step did.

    ``sources`` overrides the workspace's ``[sources]`` (the demo passes the bank it generated).
    """
    wanted = list(steps)
    unknown = [s for s in wanted if s not in STEPS]
    if unknown:
        raise UserInputError(f"unknown step '{unknown[0]}' (steps: {', '.join(STEPS)})")
    upgrade_store(ws.database_url)
    run_id = run_id or new_run_id()
    own_engine = engine is None
    engine = engine or engine_for(ws)
    exported = (
        _exported_on(sources or Sources.of(ws), as_of) if {"ingest", "identity"} & set(wanted) else None
    )
    results: list[StepResult] = []
    try:
        for step in [s for s in STEPS if s in wanted]:
            result = _STEP_FUNCTIONS[step](ws, engine, as_of, progress, exported)
            if result is None:
                continue
            record_result(ws.database_url, run_id, as_of, result)
            results.append(result)
    finally:
        if own_engine:
            engine.close()
    return results


def timed(step: str, fn: Callable[[], tuple[int, dict[str, Any]]]) -> StepResult:
    """Run one step's work and time it."""
    start = time.perf_counter()
    rows, detail = fn()
    return StepResult(step, rows, time.perf_counter() - start, detail)


def record_result(url: str, run_id: str, as_of: date | None, result: StepResult) -> None:
    """A step's run record in the operational store (dates in its detail as ISO text)."""
    detail = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in result.detail.items()}
    record_step(
        url,
        run_id=run_id,
        step=result.step,
        as_of=as_of,
        rows=result.rows,
        seconds=result.seconds,
        detail=detail,
    )


def _exported_on(sources: Sources | None, as_of: date) -> Sources | None:
    """``sources`` when they are the export of ``as_of`` (read once per run), else None."""
    from kequn.ingest.mapping import load_mapping_set
    from kequn.ingest.run import resolve_as_of

    if sources is None or not sources.directory.is_dir():
        return None
    exported = resolve_as_of(sources.directory, load_mapping_set(sources.mapping), None)
    return sources if exported == as_of else None


def _duckdb(engine: Engine) -> Engine:
    """Ingest and OneID are DuckDB-only (read_csv, Splink's DuckDB backend), whatever the workspace runs."""
    from kequn.engine.duckdb_engine import DuckDBEngine

    return engine if isinstance(engine, DuckDBEngine) else DuckDBEngine(engine.warehouse)


def _ingest(
    ws: Workspace, engine: Engine, as_of: date, progress: Any, sources: Sources | None
) -> StepResult | None:
    from kequn.ingest import ingest_sources

    if sources is None:
        return None
    engine = _duckdb(engine)

    def run() -> tuple[int, dict[str, Any]]:
        report = ingest_sources(
            engine,
            sources.directory,
            sources.mapping,
            as_of=as_of,
            progress=counter_reporter(progress, "ingest "),
        )
        return report.loaded, {
            "read": report.read,
            "loaded": report.loaded,
            "quarantined": report.quarantined,
        }

    return timed("ingest", run)


def _identity(
    ws: Workspace, engine: Engine, as_of: date, progress: Any, sources: Sources | None
) -> StepResult | None:
    from kequn.identity import resolve_identity

    if sources is None:
        return None
    engine = _duckdb(engine)

    def run() -> tuple[int, dict[str, Any]]:
        with phase_progress(progress, "OneID ") as report_phase:
            report = resolve_identity(engine, as_of=as_of, store_url=ws.database_url, progress=report_phase)
        return report.records, {"records": report.records, "customers": report.customers}

    return timed("identity", run)


def _features(ws: Workspace, engine: Engine, as_of: date, progress: Any, _: Sources | None) -> StepResult:
    from kequn.features import compute_features

    def run() -> tuple[int, dict[str, Any]]:
        with phase_progress(progress, f"features {as_of} ") as report_phase:
            rows = compute_features(engine, as_of, progress=report_phase)
        return rows, {"customers": rows}

    return timed("features", run)


def _tags(ws: Workspace, engine: Engine, as_of: date, progress: Any, _: Sources | None) -> StepResult:
    from kequn.tags.catalog import live_tags
    from kequn.tags.compute import compute_tags

    def run() -> tuple[int, dict[str, Any]]:
        rows = compute_tags(engine, as_of, ws.database_url)
        return rows, {"tags": len(live_tags(ws.database_url))}

    return timed("tags", run)


def _tiers(ws: Workspace, engine: Engine, as_of: date, progress: Any, _: Sources | None) -> StepResult:
    from kequn.tags.tiers import compute_tiers, tier_distribution

    def run() -> tuple[int, dict[str, Any]]:
        rows = compute_tiers(engine, as_of, store_url=ws.database_url)
        shares = {r["tier"]: r["customers"] for r in tier_distribution(engine, as_of)["tiers"]}
        return rows, {"tiers": shares}

    return timed("tiers", run)


def _audience(ws: Workspace, engine: Engine, as_of: date, progress: Any, _: Sources | None) -> StepResult:
    from kequn.tags.audience import build_audience_index

    return timed("audience", lambda: (build_audience_index(engine, as_of), {}))


def _segments(ws: Workspace, engine: Engine, as_of: date, progress: Any, _: Sources | None) -> StepResult:
    from kequn.tags.segments import refresh_segments

    def run() -> tuple[int, dict[str, Any]]:
        rows = refresh_segments(engine, as_of, ws.database_url)
        return rows, {"memberships": rows}

    return timed("segments", run)


StepFunction = Callable[[Workspace, Engine, date, Any, Sources | None], StepResult | None]
_STEP_FUNCTIONS: dict[str, StepFunction] = {
    "ingest": _ingest,
    "identity": _identity,
    "features": _features,
    "tags": _tags,
    "tiers": _tiers,
    "audience": _audience,
    "segments": _segments,
}
