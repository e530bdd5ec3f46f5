"""Tag values per snapshot: one wide row per customer, one column per live tag.

Rule and metric tags are compiled from their expressions into one set-based query over the features
snapshot; a tag may use tags defined before it, so the query adds tags layer by layer (a tag's layer is one
more than the deepest tag it uses). Manual tags join their values from the operational store; model tags
stay empty until the insight models write scores.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pyarrow as pa
from sqlalchemy import select

from kequn.core.errors import NotFound, SnapshotMissing, UserInputError
from kequn.engine.base import Engine
from kequn.expr import Namespace, parse_expr
from kequn.store import ManualTagValue, session_scope
from kequn.tags.audience import feature_fields, tag_fields
from kequn.tags.catalog import TagDef, ensure_catalog, get_tag, live_tags

TABLE = "tags"
MANUAL = "manual_tag_values"
_SQL_TYPES = {"boolean": "BOOLEAN", "number": "DOUBLE", "string": "VARCHAR"}


def layers(tags: list[TagDef], namespace: Namespace) -> list[list[tuple[TagDef, Any]]]:
    """Computed tags grouped so each layer only uses features and tags of earlier layers.

    Raises UserInputError naming the tags of a cycle (a uses b uses a).
    """
    computed = {t.name: t for t in tags if t.computed}
    checked = {name: parse_expr(t.expression or "", namespace) for name, t in computed.items()}
    depth: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> int:
        if name in depth:
            return depth[name]
        if name in path:
            cycle = " → ".join([*path[path.index(name) :], name])
            raise UserInputError(f"tags use each other in a cycle: {cycle}")
        used = [n for n in checked[name].names if n in computed]
        depth[name] = 1 + max((visit(n, (*path, name)) for n in used), default=-1)
        return depth[name]

    for name in sorted(computed):
        visit(name, ())
    out: list[list[tuple[TagDef, Any]]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for name in sorted(computed):
        out[depth[name]].append((computed[name], checked[name]))
    return out


def tags_sql(
    tags: list[TagDef], namespace: Namespace, *, as_of: date | None = None, source: str = "features"
) -> str:
    """One query: ``customer_id`` and a column per tag, computed over ``source`` (the features view).

    Manual and model tags enter in the first layer, so computed tags may use them too.
    """
    given = [_given_column(t) for t in sorted(tags, key=lambda t: t.name) if not t.computed]
    manual_join = f" LEFT JOIN {MANUAL} m ON m.customer_id = f.customer_id" if _has_manual(tags) else ""
    ctes = [f"l0 AS (SELECT {', '.join(['f.*', *given])} FROM {source} f{manual_join})"]
    previous = "l0"
    for i, layer in enumerate(layers(tags, namespace), start=1):
        columns = ", ".join(
            f'CAST({c.sql(dialect="duckdb", as_of=as_of)} AS {_SQL_TYPES[t.value_type]}) AS "{t.name}"'
            for t, c in layer
        )
        ctes.append(f"l{i} AS (SELECT {previous}.*, {columns} FROM {previous})")
        previous = f"l{i}"
    outputs = ", ".join(["customer_id", *(f'"{t.name}"' for t in sorted(tags, key=lambda t: t.name))])
    return f"WITH {', '.join(ctes)} SELECT {outputs} FROM {previous}"


def _given_column(tag: TagDef) -> str:
    """A tag whose values are not computed here: manual values from the store, model tags empty for now."""
    if tag.kind == "manual":
        return _manual_column(tag)
    return f'CAST(NULL AS {_SQL_TYPES[tag.value_type]}) AS "{tag.name}"'


def _has_manual(tags: list[TagDef]) -> bool:
    return any(t.kind == "manual" for t in tags)


def _manual_column(tag: TagDef) -> str:
    value = f'm."{tag.name}"'
    if tag.value_type == "boolean":
        truthy = f"lower({value}) IN ('true', '1', 'yes', 'y')"
        return f'CASE WHEN {truthy} THEN TRUE WHEN {value} IS NOT NULL THEN FALSE END AS "{tag.name}"'
    return f'TRY_CAST({value} AS {_SQL_TYPES[tag.value_type]}) AS "{tag.name}"'


def catalog_namespace(tags: list[TagDef]) -> Namespace:
    """Features plus the given tags: what tag expressions may use."""
    return Namespace([*feature_fields(), *tag_fields(tags)])


def _register_manual_values(engine: Engine, url: str, tags: list[TagDef]) -> None:
    names = [t.name for t in tags if t.kind == "manual"]
    with session_scope(url) as s:
        rows = s.execute(
            select(ManualTagValue.tag_name, ManualTagValue.customer_id, ManualTagValue.value).where(
                ManualTagValue.tag_name.in_(names)
            )
        ).all()
    by_customer: dict[str, dict[str, str]] = {}
    for name, customer_id, value in rows:
        by_customer.setdefault(customer_id, {})[name] = value
    ids = sorted(by_customer)
    data = {"customer_id": pa.array(ids, pa.string())}
    for name in names:
        data[name] = pa.array([by_customer[c].get(name) for c in ids], pa.string())
    engine.register(MANUAL, pa.table(data))


def compute_tags(
    engine: Engine, as_of: date, store_url: str, *, progress: Callable[[str], None] | None = None
) -> int:
    """Write the ``tags`` snapshot for ``as_of`` from the features snapshot of that same date."""
    if not engine.warehouse.has("features", as_of) or engine.warehouse.resolve("features", as_of) != as_of:
        raise SnapshotMissing(f"no features snapshot for {as_of}: compute features first")
    ensure_catalog(store_url, infer_type=infer_value_type)
    tags = [t for t in live_tags(store_url) if t.value_type]
    engine.use_snapshot("features", as_of)
    if _has_manual(tags):
        _register_manual_values(engine, store_url, tags)
    if progress is not None:
        progress(f"{len(tags)} tags")
    return engine.write_snapshot(TABLE, as_of, tags_sql(tags, catalog_namespace(tags), as_of=as_of))


def infer_value_type(tag: TagDef) -> str:
    """The value type of a tag's expression (checked against features and the built-in tags)."""
    from kequn.tags.catalog import builtin_tags

    others = [t for t in builtin_tags() if t.name != tag.name and t.value_type]
    return parse_expr(tag.expression or "", catalog_namespace(others)).type


def customer_tags(
    engine: Engine, customer_id: str, as_of: date | None = None, *, store_url: str | None = None
) -> dict[str, Any]:
    """This customer's tags on date D (the snapshot on or before it), with their definitions."""
    if not engine.warehouse.has(TABLE, as_of):
        raise SnapshotMissing(f"no tags snapshot on or before {as_of or 'today'}: run `kequn run` first")
    day = engine.use_snapshot(TABLE, as_of)
    rows = engine.query(f"SELECT * FROM {TABLE} WHERE customer_id = ?", [customer_id]).to_pylist()
    if not rows:
        raise NotFound(f"customer {customer_id} has no tags on {day}")
    values = {k: v for k, v in rows[0].items() if k not in ("customer_id", "as_of")}
    definitions = {t.name: t for t in live_tags(store_url)} if store_url else {}
    items = []
    for name, value in values.items():
        tag = definitions.get(name)
        if tag is None and store_url:
            try:
                tag = get_tag(store_url, name)
            except NotFound:
                tag = None
        items.append(
            {
                "name": name,
                "value": value,
                "name_zh": tag.name_zh if tag else name,
                "name_en": tag.name_en if tag else name,
                "group": tag.group if tag else "",
                "kind": tag.kind if tag else "",
                "expression": tag.expression if tag else None,
                "version": tag.version if tag else None,
            }
        )
    return {
        "customer_id": customer_id,
        "as_of": day.isoformat(),
        "tags": items,
        "tier": _tier_of(engine, customer_id, day, store_url),
    }


def _tier_of(engine: Engine, customer_id: str, day: date, store_url: str | None) -> dict[str, Any] | None:
    """The customer's tier on the same date, named from the scheme in force (None before tiers ran)."""
    from kequn.tags.tiers import DEFAULT_SCHEME, current_scheme

    if not engine.warehouse.has("tiers", day) or engine.warehouse.resolve("tiers", day) != day:
        return None
    engine.use_snapshot("tiers", day, alias="customer_tier")
    rows = engine.query(
        "SELECT tier, tier_status, months_below, basis_aum, service_model, tier_since"
        " FROM customer_tier WHERE customer_id = ?",
        [customer_id],
    ).to_pylist()
    if not rows:
        return None
    row = rows[0]
    scheme = current_scheme(store_url) if store_url else DEFAULT_SCHEME
    tier = scheme.tier(row["tier"])
    return row | {
        "name_zh": tier.name_zh if tier else row["tier"],
        "name_en": tier.name_en if tier else row["tier"],
    }
