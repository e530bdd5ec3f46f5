"""`kequn demo --no-serve` end to end on a small generated bank."""

from __future__ import annotations

import pytest

from kequn.core.workspace import open_workspace
from kequn.engine import engine_for
from kequn.store import run_steps, session_scope
from kequn.store.models import RunRecord
from tests.test_cli import run

pytestmark = pytest.mark.slow


def test_demo_runs_the_pipeline_and_records_each_step(tmp_path):
    ws = tmp_path / "demo"
    result = run("demo", "--workspace", str(ws), "--customers", "1500", "--no-serve")
    assert result.returncode == 0, result.stderr[-2000:]
    for step in ("generate", "ingest", "identity", "evaluate"):
        assert step in result.stdout
    for month_end in ("2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31"):  # 150 days of history
        for step in ("features", "tags", "tiers", "segments"):
            assert f"{step} {month_end}" in result.stdout, (step, month_end)
    assert "2026-06-30" not in result.stdout  # June is only partly in the history
    url = f"sqlite:///{ws}/kequn.db"
    with session_scope(url) as session:
        run_id = session.query(RunRecord.run_id).first()[0]
    steps = {s.step: s for s in run_steps(url, run_id)}
    assert (
        steps["ingest"].detail["read"]
        == steps["ingest"].detail["loaded"] + steps["ingest"].detail["quarantined"]
    )
    assert steps["evaluate"].detail["f1"] >= 0.95
    monthly = [s for s in run_steps(url, run_id) if s.step == "tiers"]
    assert [str(s.as_of) for s in monthly] == ["2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31"]
    assert sum(monthly[-1].detail["tiers"].values()) == monthly[-1].rows
    engine = engine_for(open_workspace(ws))
    engine.use_snapshot("customer")
    merged = engine.scalar("SELECT customer_id FROM customer WHERE record_count >= 3 ORDER BY 1 LIMIT 1")
    engine.use_snapshot("segment_members", alias="members")
    assert engine.scalar("SELECT count(DISTINCT segment_id) FROM members") == 4
    engine.close()
    shown = run("customer", "show", merged, "--workspace", str(ws))
    assert shown.returncode == 0, shown.stderr
    assert "Linked source records" in shown.stdout and "AUM today" in shown.stdout
