"""Connecting to the operational store and bringing its schema up to date (Alembic)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def _alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@lru_cache(maxsize=8)
def sql_engine(url: str) -> Engine:
    return create_engine(url, future=True, pool_pre_ping=True)


def upgrade_store(url: str) -> None:
    """Create or migrate the operational store at ``url`` to the latest schema."""
    command.upgrade(_alembic_config(url), "head")


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    factory = sessionmaker(sql_engine(url), expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
