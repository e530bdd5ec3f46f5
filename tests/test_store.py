"""The operational store on SQLite and on PostgreSQL (127.0.0.1:5432, database test)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, inspect, text

from kequn.store import IdentityOverride, record_step, run_steps, session_scope, upgrade_store
from tests.conftest import require_or_skip

PG_URL = "postgresql+psycopg://127.0.0.1:5432/test"


def _postgres_available() -> bool:
    try:
        with create_engine(PG_URL).connect() as con:
            con.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/kequn.db"
        return
    require_or_skip(_postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as con:
        con.execute(text(f"CREATE SCHEMA {schema}"))
    # Each test gets its own schema so parallel runs and re-runs never collide.
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as con:
        con.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_migrations_create_every_table_and_are_idempotent(store_url):
    upgrade_store(store_url)
    upgrade_store(store_url)
    tables = set(inspect(create_engine(store_url)).get_table_names())
    assert {"run_record", "identity_override", "alembic_version"} <= tables


def test_run_records_round_trip(store_url):
    upgrade_store(store_url)
    record_step(
        store_url,
        run_id="r1",
        step="ingest",
        as_of=date(2026, 10, 31),
        rows=10,
        seconds=1.5,
        detail={"quarantined": 2},
    )
    record_step(store_url, run_id="r1", step="identity", as_of=date(2026, 10, 31), rows=8, seconds=2.0)
    steps = run_steps(store_url, "r1")
    assert [s.step for s in steps] == ["ingest", "identity"]
    assert steps[0].detail == {"quarantined": 2} and steps[0].as_of == date(2026, 10, 31)


def test_failed_transaction_rolls_back(store_url):
    upgrade_store(store_url)
    with pytest.raises(RuntimeError), session_scope(store_url) as session:
        session.add(IdentityOverride(kind="merge", source_a="core", key_a="C1", created_by="x", reason="y"))
        raise RuntimeError("boom")
    with session_scope(store_url) as session:
        assert session.query(IdentityOverride).count() == 0
