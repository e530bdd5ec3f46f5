"""Run records: one row per pipeline step (what ran, for which date, rows, seconds)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from kequn.store.db import session_scope
from kequn.store.models import RunRecord


def new_run_id() -> str:
    return uuid.uuid4().hex[:16]


def record_step(
    url: str,
    *,
    run_id: str,
    step: str,
    as_of: date | None,
    rows: int,
    seconds: float,
    status: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    with session_scope(url) as session:
        session.add(
            RunRecord(
                run_id=run_id,
                step=step,
                as_of=as_of,
                rows=rows,
                seconds=seconds,
                status=status,
                detail=detail,
            )
        )


def run_steps(url: str, run_id: str) -> list[RunRecord]:
    with session_scope(url) as session:
        return list(
            session.scalars(select(RunRecord).where(RunRecord.run_id == run_id).order_by(RunRecord.id))
        )
