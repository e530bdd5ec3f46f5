"""The operational store: SQLAlchemy models, sessions and Alembic migrations."""

from kequn.store.db import session_scope, sql_engine, upgrade_store
from kequn.store.models import Base, IdentityOverride, RunRecord

__all__ = ["Base", "IdentityOverride", "RunRecord", "session_scope", "sql_engine", "upgrade_store"]
