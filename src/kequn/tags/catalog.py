"""The tag catalog: governed tag definitions with versions, owners and a draft → approved → retired life.

Definitions live in the operational store (``tag_definition``): every change adds a version with who, when and
why, and nothing is ever updated in place. The built-in catalog (``builtin_tags.yaml``) seeds version 1.
The tag computed on a snapshot is the latest *approved* version, unless the latest version retires the tag,
so editing a live tag does not take it away while the new version waits for approval.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import func, select

from kequn.core.errors import NotFound, UserInputError
from kequn.store import TagDefinition, session_scope

KINDS = ("rule", "metric", "model", "manual")
STATUSES = ("draft", "approved", "retired")
VALUE_TYPES = ("boolean", "number", "string")
SYSTEM_OWNER = "kequn"
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")


@dataclass(frozen=True)
class TagDef:
    """One version of one tag."""

    name: str
    name_zh: str
    name_en: str
    group: str
    kind: str
    value_type: str
    expression: str | None = None
    description: str = ""
    owner: str = SYSTEM_OWNER
    status: str = "approved"
    version: int = 1
    changed_by: str = SYSTEM_OWNER
    changed_at: datetime | None = None
    change_note: str = ""

    @property
    def computed(self) -> bool:
        """Whether the daily run derives its values from an expression (rule and metric tags)."""
        return self.kind in ("rule", "metric") and bool(self.expression)

    def label(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh

    def as_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["changed_at"] = self.changed_at.isoformat(timespec="seconds") if self.changed_at else None
        return out


@cache
def _builtin() -> dict[str, Any]:
    text = resources.files("kequn.tags").joinpath("builtin_tags.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def groups() -> dict[str, tuple[str, str]]:
    """Group path → (zh-CN name, English name); ``assets/aum`` sits under ``assets`` in the tree."""
    return {path: (g["zh"], g["en"]) for path, g in _builtin()["groups"].items()}


def builtin_tags() -> list[TagDef]:
    """The catalog kequn ships, before any change a bank makes."""
    out = []
    for t in _builtin()["tags"]:
        kind = t["kind"]
        value_type = t.get("type") or ("boolean" if kind == "rule" else "")
        out.append(
            TagDef(
                name=t["name"],
                name_zh=t["zh"],
                name_en=t["en"],
                group=t["group"],
                kind=kind,
                value_type=value_type,
                expression=t.get("expr"),
                description=t.get("description", ""),
                status=t.get("status", "approved"),
            )
        )
    return out


# ---- the store -------------------------------------------------------------------------------------------


def _from_row(row: TagDefinition) -> TagDef:
    return TagDef(
        name=row.name,
        name_zh=row.name_zh,
        name_en=row.name_en,
        group=row.group_path,
        kind=row.kind,
        value_type=row.value_type,
        expression=row.expression,
        description=row.description,
        owner=row.owner,
        status=row.status,
        version=row.version,
        changed_by=row.changed_by,
        changed_at=row.changed_at,
        change_note=row.change_note,
    )


def _to_row(tag: TagDef) -> TagDefinition:
    return TagDefinition(
        name=tag.name,
        version=tag.version,
        name_zh=tag.name_zh,
        name_en=tag.name_en,
        group_path=tag.group,
        kind=tag.kind,
        value_type=tag.value_type,
        expression=tag.expression,
        description=tag.description,
        owner=tag.owner,
        status=tag.status,
        changed_by=tag.changed_by,
        changed_at=datetime.now().replace(microsecond=0),
        change_note=tag.change_note,
    )


def ensure_catalog(url: str, infer_type: Any = None) -> None:
    """Seed the built-in tags as version 1 when the catalog is empty.

    ``infer_type(tag) -> value type`` fills the value type of metric tags from their expression.
    """
    with session_scope(url) as s:
        if s.scalar(select(func.count()).select_from(TagDefinition)):
            return
        for tag in builtin_tags():
            if not tag.value_type and infer_type is not None:
                tag = replace(tag, value_type=infer_type(tag))
            s.add(_to_row(replace(tag, change_note="built-in catalog")))


def _versions(url: str, name: str | None = None) -> list[TagDef]:
    with session_scope(url) as s:
        query = select(TagDefinition).order_by(TagDefinition.name, TagDefinition.version)
        if name is not None:
            query = query.where(TagDefinition.name == name)
        return [_from_row(r) for r in s.scalars(query)]


def _by_name(versions: Iterable[TagDef]) -> dict[str, list[TagDef]]:
    out: dict[str, list[TagDef]] = {}
    for v in versions:
        out.setdefault(v.name, []).append(v)
    return out


def list_tags(url: str, *, status: str | None = None, group: str | None = None) -> list[TagDef]:
    """The latest version of every tag (optionally of one status, or under one group path)."""
    latest = [vs[-1] for vs in _by_name(_versions(url)).values()]
    if status:
        latest = [t for t in latest if t.status == status]
    if group:
        latest = [t for t in latest if t.group == group or t.group.startswith(group + "/")]
    return sorted(latest, key=lambda t: (t.group, t.name))


def live_tags(url: str) -> list[TagDef]:
    """The version of each tag the daily run computes: latest approved, unless the tag is retired."""
    out = []
    for versions in _by_name(_versions(url)).values():
        if versions[-1].status == "retired":
            continue
        approved = [v for v in versions if v.status == "approved"]
        if approved:
            out.append(approved[-1])
    return sorted(out, key=lambda t: t.name)


def get_tag(url: str, name: str) -> TagDef:
    versions = _versions(url, name)
    if not versions:
        raise NotFound(f"tag '{name}' not found")
    return versions[-1]


def tag_history(url: str, name: str) -> list[TagDef]:
    """Every version of a tag, oldest first."""
    versions = _versions(url, name)
    if not versions:
        raise NotFound(f"tag '{name}' not found")
    return versions


def add_version(url: str, tag: TagDef) -> TagDef:
    """Store ``tag`` as the next version of its name (the caller has validated it)."""
    with session_scope(url) as s:
        last = s.scalar(select(func.max(TagDefinition.version)).where(TagDefinition.name == tag.name))
        saved = replace(tag, version=(last or 0) + 1)
        row = _to_row(saved)
        s.add(row)
        s.flush()
        return replace(saved, changed_at=row.changed_at)


def check_shape(tag: TagDef) -> None:
    """The checks that need no data: name, kind, status, group, value type and expression presence."""
    if not _NAME.match(tag.name):
        raise UserInputError(
            f"tag name '{tag.name}': use 2-63 lowercase letters, digits and '_', starting with a letter"
        )
    if tag.kind not in KINDS:
        raise UserInputError(f"tag {tag.name}: kind '{tag.kind}' is not one of {', '.join(KINDS)}")
    if tag.status not in STATUSES:
        raise UserInputError(f"tag {tag.name}: status '{tag.status}' is not one of {', '.join(STATUSES)}")
    top = tag.group.split("/")[0]
    if top not in {g.split("/")[0] for g in groups()}:
        known = ", ".join(sorted({g.split("/")[0] for g in groups()}))
        raise UserInputError(f"tag {tag.name}: group '{tag.group}' is not under a known group ({known})")
    if not tag.name_zh.strip() or not tag.name_en.strip():
        raise UserInputError(f"tag {tag.name}: both a zh-CN and an English name are required")
    if tag.kind in ("rule", "metric") and not (tag.expression or "").strip():
        raise UserInputError(f"tag {tag.name}: a {tag.kind} tag needs an expression")
    if tag.kind in ("manual", "model") and tag.value_type not in VALUE_TYPES:
        raise UserInputError(f"tag {tag.name}: a {tag.kind} tag needs a type ({', '.join(VALUE_TYPES)})")
