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
    url = f"sqlite:///{ws}/kequn.db"
    with session_scope(url) as session:
        run_id = session.query(RunRecord.run_id).first()[0]
    steps = {s.step: s for s in run_steps(url, run_id)}
    assert (
        steps["ingest"].detail["read"]
        == steps["ingest"].detail["loaded"] + steps["ingest"].detail["quarantined"]
    )
    assert steps["evaluate"].detail["f1"] >= 0.95
    engine = engine_for(open_workspace(ws))
    engine.use_snapshot("customer")
    merged = engine.scalar("SELECT customer_id FROM customer WHERE record_count >= 3 ORDER BY 1 LIMIT 1")
    engine.close()
    shown = run("customer", "show", merged, "--workspace", str(ws))
    assert shown.returncode == 0, shown.stderr
    assert "Linked source records" in shown.stdout and "AUM today" in shown.stdout
