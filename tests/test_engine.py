from datetime import date

import pytest

from kequn.core.errors import SnapshotMissing


def test_snapshot_roundtrip_and_latest_on_or_before(engine):
    engine.write_snapshot("t", date(2026, 1, 31), "SELECT 1 AS x UNION ALL SELECT 2")
    engine.write_snapshot("t", date(2026, 2, 28), "SELECT 3 AS x")
    assert engine.warehouse.snapshots("t") == [date(2026, 1, 31), date(2026, 2, 28)]
    assert engine.use_snapshot("t", date(2026, 2, 15)) == date(2026, 1, 31)
    assert engine.scalar("SELECT sum(x) FROM t") == 3
    assert engine.use_snapshot("t") == date(2026, 2, 28)
    assert engine.scalar("SELECT sum(x) FROM t") == 3


def test_republishing_a_snapshot_replaces_it_whole(engine):
    day = date(2026, 1, 31)
    engine.write_snapshot("t", day, "SELECT range AS x FROM range(10)")
    engine.write_snapshot("t", day, "SELECT range AS x FROM range(4)")
    engine.use_snapshot("t", day)
    assert engine.scalar("SELECT count(*) FROM t") == 4
    leftovers = [p.name for p in engine.warehouse.table_dir("t").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_missing_snapshot_is_a_clear_error(engine):
    with pytest.raises(SnapshotMissing, match="'nope' has no snapshot"):
        engine.use_snapshot("nope")
