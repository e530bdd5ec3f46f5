"""Tables of the operational store (small, transactional). Alembic migrations create them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class RunRecord(Base):
    """One step of one pipeline run: what ran, on which date, how many rows, how long."""

    __tablename__ = "run_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(64), index=True)
    step: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date | None] = mapped_column(Date, nullable=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16), default="ok")
    detail: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class IdentityOverride(Base):
    """A manual OneID decision that every later run applies: merge two records, or split one out."""

    __tablename__ = "identity_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))  # merge | split
    source_a: Mapped[str] = mapped_column(String(64))
    key_a: Mapped[str] = mapped_column(String(128))
    source_b: Mapped[str | None] = mapped_column(String(64), nullable=True)
    key_b: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TagDefinition(Base):
    """One version of one catalog tag. A change adds a version; the highest version is the current one."""

    __tablename__ = "tag_definition"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    group_path: Mapped[str] = mapped_column(String(128))  # e.g. "assets/aum": codes, named in the catalog
    kind: Mapped[str] = mapped_column(String(16))  # rule | metric | model | manual
    value_type: Mapped[str] = mapped_column(String(16))  # boolean | number | string
    expression: Mapped[str | None] = mapped_column(Text, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # draft | approved | retired
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    change_note: Mapped[str] = mapped_column(Text, default="")


class ManualTagValue(Base):
    """A value of a manual tag set for one customer by a person (e.g. an RM's judgement)."""

    __tablename__ = "manual_tag_value"

    tag_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class TierScheme(Base):
    """One version of the tier scheme (names, thresholds, asset definition, downgrade rules)."""

    __tablename__ = "tier_scheme"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    config: Mapped[dict] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    change_note: Mapped[str] = mapped_column(Text, default="")


class Segment(Base):
    """A customer segment: a rule (expression), a static uploaded list, or a clustering."""

    __tablename__ = "segment"

    segment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # rule | static | cluster
    expression: Mapped[str | None] = mapped_column(Text, nullable=True)
    config: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # clustering: features, k, seed, ...
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | retired
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class SegmentListMember(Base):
    """A customer id of a static segment's uploaded list (ids unknown to the warehouse are kept too)."""

    __tablename__ = "segment_list_member"

    segment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
