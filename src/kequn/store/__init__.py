"""The operational store: SQLAlchemy models, sessions and Alembic migrations."""

from kequn.store.db import session_scope, sql_engine, upgrade_store
from kequn.store.models import (
    Base,
    IdentityOverride,
    ManualTagValue,
    RunRecord,
    Segment,
    SegmentListMember,
    TagDefinition,
    TierScheme,
)
from kequn.store.runs import new_run_id, record_step, run_steps

__all__ = [
    "Base",
    "IdentityOverride",
    "ManualTagValue",
    "Segment",
    "SegmentListMember",
    "TagDefinition",
    "TierScheme",
    "RunRecord",
    "new_run_id",
    "record_step",
    "run_steps",
    "session_scope",
    "sql_engine",
    "upgrade_store",
]
