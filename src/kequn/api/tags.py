"""/api/v1/tags: the governed catalog (list, versions, create, edit, approve, retire) and tag values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from kequn.api.deps import EngineDep, WorkspaceDep
from kequn.tags.catalog import TagDef, ensure_catalog, groups, list_tags, tag_history
from kequn.tags.compute import customer_tags, infer_value_type
from kequn.tags.manage import (
    approve_tag,
    create_tag,
    edit_tag,
    preview_tag,
    require_tag,
    retire_tag,
    set_manual_values,
)

router = APIRouter(prefix="/tags", tags=["tags"])

# Until users and sessions exist (issue 4) the caller names itself; every change records it.
UserHeader = Header(default="api", alias="X-Kequn-User", description="Who makes the change.")


class TagIn(BaseModel):
    name: str
    name_zh: str
    name_en: str
    group: str
    kind: str = "rule"
    expression: str | None = None
    value_type: str | None = None
    description: str = ""
    status: str = Field("draft", description="draft or approved")
    note: str = ""


class TagChange(BaseModel):
    name_zh: str | None = None
    name_en: str | None = None
    group: str | None = None
    expression: str | None = None
    description: str | None = None
    status: str = Field("draft", description="draft or approved")
    note: str = ""


class Note(BaseModel):
    note: str = ""


class ManualValues(BaseModel):
    values: dict[str, str] = Field(..., description="customer id → value")
    replace_all: bool = False


def _url(ws: WorkspaceDep) -> str:
    from kequn.store import upgrade_store

    upgrade_store(ws.database_url)
    ensure_catalog(ws.database_url, infer_type=infer_value_type)
    return ws.database_url


def _def(body: TagIn, owner: str) -> TagDef:
    return TagDef(
        body.name,
        body.name_zh,
        body.name_en,
        body.group,
        body.kind,
        body.value_type or "",
        body.expression,
        body.description,
        owner,
        body.status,
    )


@router.get("")
def list_catalog(ws: WorkspaceDep, group: str | None = None, status: str | None = None) -> dict[str, Any]:
    """The catalog (latest version of each tag), optionally under one group or of one status."""
    items = [t.as_dict() for t in list_tags(_url(ws), status=status, group=group)]
    return {"items": items, "total": len(items)}


@router.get("/groups")
def group_tree() -> dict[str, Any]:
    """The group tree with zh-CN and English names (``assets/aum`` is a child of ``assets``)."""
    return {
        "items": [
            {"path": p, "parent": p.rsplit("/", 1)[0] if "/" in p else None, "name_zh": zh, "name_en": en}
            for p, (zh, en) in groups().items()
        ]
    }


@router.post("/preview")
def preview(body: TagIn, ws: WorkspaceDep, engine: EngineDep, as_of: date | None = None) -> dict[str, Any]:
    """Validate a definition and show its coverage on the latest snapshot; nothing is saved."""
    return preview_tag(engine, _url(ws), _def(body, "api"), as_of)


@router.post("", status_code=201)
def create(body: TagIn, ws: WorkspaceDep, engine: EngineDep, user: str = UserHeader) -> dict[str, Any]:
    """Create a tag (validated and previewed, then saved as version 1)."""
    url = _url(ws)
    tag = _def(body, user)
    shown = preview_tag(engine, url, tag) if engine.warehouse.has("features") else None
    saved = create_tag(url, tag, by=user, note=body.note)
    return {"tag": saved.as_dict(), "preview": shown}


@router.get("/values/{customer_id}")
def values(
    customer_id: str, ws: WorkspaceDep, engine: EngineDep, as_of: date | None = None
) -> dict[str, Any]:
    """This customer's tags on a date (the snapshot on or before it), with their definitions."""
    return customer_tags(engine, customer_id, as_of, store_url=_url(ws))


@router.get("/{name}")
def get(name: str, ws: WorkspaceDep) -> dict[str, Any]:
    return require_tag(_url(ws), name).as_dict()


@router.get("/{name}/history")
def history(name: str, ws: WorkspaceDep) -> dict[str, Any]:
    """Every version: who changed what, when and why."""
    require_tag(_url(ws), name)
    return {"items": [v.as_dict() for v in tag_history(ws.database_url, name)]}


@router.put("/{name}")
def edit(
    name: str, body: TagChange, ws: WorkspaceDep, engine: EngineDep, user: str = UserHeader
) -> dict[str, Any]:
    """A new version (draft unless status=approved); the response carries its preview."""
    url = _url(ws)
    changes = body.model_dump(exclude={"note"}, exclude_none=True)
    draft = replace(require_tag(url, name), **changes)
    shown = preview_tag(engine, url, draft) if engine.warehouse.has("features") else None
    saved = edit_tag(url, name, changes, by=user, note=body.note)
    return {"tag": saved.as_dict(), "preview": shown}


@router.post("/{name}/approve")
def approve(name: str, ws: WorkspaceDep, body: Note | None = None, user: str = UserHeader) -> dict[str, Any]:
    return approve_tag(_url(ws), name, by=user, note=body.note if body else "").as_dict()


@router.post("/{name}/retire")
def retire(name: str, ws: WorkspaceDep, body: Note | None = None, user: str = UserHeader) -> dict[str, Any]:
    return retire_tag(_url(ws), name, by=user, note=body.note if body else "").as_dict()


@router.put("/{name}/values")
def set_values(name: str, body: ManualValues, ws: WorkspaceDep, user: str = UserHeader) -> dict[str, Any]:
    """Set a manual tag for customers; the next run's tags carry the values."""
    n = set_manual_values(_url(ws), name, body.values, by=user, replace_all=body.replace_all)
    return {"tag": name, "set": n}
