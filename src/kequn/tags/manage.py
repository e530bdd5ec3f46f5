"""Changing the catalog: create, edit, approve and retire tags, each change validated and versioned.

Every change is checked before it is stored: shape (name, kind, group, names), the expression against the
features and the other tags (types, unknown names with a suggestion, cycles), and that no live tag is left
using a retired one. `preview_tag` shows a definition's coverage on the latest features snapshot without
saving anything, so the CLI, the API and the console all show it before the save.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pyarrow as pa
from sqlalchemy import delete

from kequn.core.errors import NotFound, UserInputError
from kequn.engine.base import Engine
from kequn.expr import parse_expr
from kequn.features.catalog import FEATURES
from kequn.store import ManualTagValue, session_scope
from kequn.tags.catalog import (
    TagDef,
    add_version,
    check_shape,
    ensure_catalog,
    get_tag,
    list_tags,
    live_tags,
)
from kequn.tags.compute import catalog_namespace, infer_value_type, layers, tags_sql


def validate_tag(url: str, tag: TagDef) -> TagDef:
    """Check a definition against the catalog it would join; returns it with its value type filled in."""
    check_shape(tag)
    if tag.name in {f.name for f in FEATURES}:
        raise UserInputError(f"tag name '{tag.name}' is already a feature name; choose another")
    others = [t for t in live_tags(url) if t.name != tag.name]
    if not tag.computed:
        return tag
    checked = parse_expr(tag.expression or "", catalog_namespace(others))
    if tag.kind == "rule" and checked.type != "boolean":
        raise UserInputError(
            f"tag {tag.name}: a rule tag needs a yes/no expression, this one is a {checked.type}"
        )
    tag = replace(tag, value_type=checked.type)
    if tag.status == "approved":
        layers([*others, tag], catalog_namespace([*others, tag]))  # raises on a cycle
    return tag


def create_tag(url: str, tag: TagDef, *, by: str, note: str = "") -> TagDef:
    ensure_catalog(url, infer_type=infer_value_type)
    if any(t.name == tag.name for t in list_tags(url)):
        raise UserInputError(f"tag '{tag.name}' already exists; edit it instead")
    tag = validate_tag(url, replace(tag, owner=tag.owner or by))
    return add_version(url, replace(tag, changed_by=by, change_note=note or "created"))


def edit_tag(url: str, name: str, changes: dict[str, Any], *, by: str, note: str = "") -> TagDef:
    """A new version of ``name`` with ``changes`` applied (fields of TagDef); status becomes draft unless
    ``changes`` says otherwise, so the live version keeps running until the new one is approved.
    """
    ensure_catalog(url, infer_type=infer_value_type)
    current = get_tag(url, name)
    allowed = {"name_zh", "name_en", "group", "expression", "description", "owner", "status", "value_type"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise UserInputError(
            f"tag {name}: cannot change '{unknown[0]}' (changeable: {', '.join(sorted(allowed))})"
        )
    changes = {"status": "draft", **{k: v for k, v in changes.items() if v is not None}}
    if changes["status"] == "retired":
        raise UserInputError(f"tag {name}: use retire to retire a tag")
    tag = validate_tag(url, replace(current, **changes))
    return add_version(url, replace(tag, changed_by=by, change_note=note or "edited"))


def approve_tag(url: str, name: str, *, by: str, note: str = "") -> TagDef:
    current = get_tag(url, name)
    if current.status != "draft":
        raise UserInputError(f"tag {name}: only a draft can be approved (it is {current.status})")
    tag = validate_tag(url, replace(current, status="approved"))
    return add_version(url, replace(tag, changed_by=by, change_note=note or "approved"))


def retire_tag(url: str, name: str, *, by: str, note: str = "") -> TagDef:
    current = get_tag(url, name)
    if current.status == "retired":
        raise UserInputError(f"tag {name}: already retired")
    users = [
        t.name
        for t in live_tags(url)
        if t.name != name and t.computed and name in parse_expr(t.expression or "", _namespace_all(url)).names
    ]
    if users:
        raise UserInputError(f"tag {name}: still used by live tag(s) {', '.join(users)}; change them first")
    return add_version(url, replace(current, status="retired", changed_by=by, change_note=note or "retired"))


def _namespace_all(url: str) -> Any:
    return catalog_namespace(live_tags(url))


def preview_tag(engine: Engine, url: str, tag: TagDef, as_of: date | None = None) -> dict[str, Any]:
    """Coverage of a definition on the latest features snapshot (nothing is saved).

    A rule tag reports how many customers it marks; a metric tag its non-empty count and top values.
    """
    ensure_catalog(url, infer_type=infer_value_type)
    tag = validate_tag(url, tag)
    if not tag.computed:
        return {
            "tag": tag.name,
            "as_of": None,
            "customers": None,
            "covered": None,
            "share": None,
            "values": [],
        }
    if not engine.warehouse.has("features", as_of):
        raise UserInputError("no features snapshot to preview on: run `kequn run` first")
    day = engine.use_snapshot("features", as_of)
    others = [t for t in live_tags(url) if t.name != tag.name and t.value_type]
    used = [*others, tag]
    manual = [t.name for t in used if t.kind == "manual"]
    empty = {"customer_id": pa.array([], pa.string()), **{n: pa.array([], pa.string()) for n in manual}}
    engine.register("manual_tag_values", pa.table(empty))  # preview ignores manual values: coverage of rules
    sql = tags_sql(used, catalog_namespace(used), as_of=day)
    column = f'"{tag.name}"'
    covered = f"count(*) FILTER (WHERE {column})" if tag.value_type == "boolean" else f"count({column})"
    row = engine.query(f"SELECT count(*) AS n, {covered} AS covered FROM ({sql}) p").to_pylist()[0]
    values = engine.query(
        f"SELECT CAST({column} AS VARCHAR) AS value, count(*) AS n FROM ({sql}) p"
        f" GROUP BY 1 ORDER BY n DESC, value LIMIT 10"
    ).to_pylist()
    n = int(row["n"])
    return {
        "tag": tag.name,
        "value_type": tag.value_type,
        "as_of": day.isoformat(),
        "customers": n,
        "covered": int(row["covered"]),
        "share": round(int(row["covered"]) / n, 4) if n else 0.0,
        "values": values,
    }


def set_manual_values(
    url: str, name: str, values: dict[str, str], *, by: str, replace_all: bool = False
) -> int:
    """Set a manual tag for some customers (customer id → value); returns how many were set."""
    tag = get_tag(url, name)
    if tag.kind != "manual":
        raise UserInputError(f"tag {name} is a {tag.kind} tag; only manual tags take values")
    if tag.status == "retired":
        raise UserInputError(f"tag {name} is retired")
    with session_scope(url) as s:
        if replace_all:
            s.execute(delete(ManualTagValue).where(ManualTagValue.tag_name == name))
        else:
            s.execute(
                delete(ManualTagValue).where(
                    ManualTagValue.tag_name == name, ManualTagValue.customer_id.in_(list(values))
                )
            )
        for customer_id, value in values.items():
            s.add(ManualTagValue(tag_name=name, customer_id=customer_id, value=str(value), set_by=by))
    return len(values)


def require_tag(url: str, name: str) -> TagDef:
    try:
        return get_tag(url, name)
    except NotFound:
        known = [t.name for t in list_tags(url)]
        import difflib

        close = difflib.get_close_matches(name, known, n=1)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        raise NotFound(f"tag '{name}' not found{hint}") from None
