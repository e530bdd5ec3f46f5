"""Segments (智慧分群): rule segments, static uploaded lists and k-means clusterings of the customer base.

A segment's members on a date are computed from the ``audience`` view of that date (features ⋈ tags ⋈
tiers, kequn.tags.audience) with the segment's *current* definition:

- rule: the customers meeting its expression (the rule language, kequn.expr);
- static: its uploaded ids that are customers on that date (the list keeps every id, known or not);
- cluster: every customer, assigned to the nearest stored centroid (kequn.tags.clustering).

``refresh_segments`` (the daily run's last step) writes the membership of every active segment to the
warehouse snapshot ``segment_members`` (segment_id, customer_id, cluster) of the run's date, so what a
segment held on a past day stays a query. The other functions evaluate live on the snapshot asked for.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv

from kequn.core.errors import KequnError, UserInputError
from kequn.engine.base import Engine
from kequn.tags import clustering, segment_sql
from kequn.tags.segment_audience import check_rule, labels, namespace, open_audience_view
from kequn.tags.segment_cluster import DEFAULT_SEED, TRAINING_ROWS, train
from kequn.tags.segment_profile import MEMBERS, audience_fields, profile_fields
from kequn.tags.segment_store import (
    ACTIVE,
    RETIRED,
    SegmentDef,
    check_names,
    get_segment_def,
    list_segment_defs,
    new_segment_id,
    ready,
    save_segment,
    set_status,
    static_lists,
)
from kequn.tags.segment_upload import EXAMPLES, IdList

log = logging.getLogger(__name__)

PAGE_MAX = 1000


# ---- creating ---------------------------------------------------------------------------------------------


def _new(
    kind: str, name_zh: str, name_en: str | None, owner: str, description: str, **extra: Any
) -> SegmentDef:
    name_en = name_en or name_zh
    check_names(name_zh, name_en, owner)
    return SegmentDef(
        new_segment_id(),
        name_zh.strip(),
        name_en.strip(),
        kind,
        owner.strip(),
        description=description,
        **extra,
    )


def create_rule_segment(
    engine: Engine | None,
    store_url: str,
    *,
    name_zh: str,
    expression: str,
    owner: str,
    name_en: str | None = None,
    description: str = "",
    as_of: date | None = None,
) -> SegmentDef:
    """A segment of the customers meeting ``expression`` (checked now against the audience's names)."""
    check_rule(engine, expression, as_of, store_url)
    seg = _new("rule", name_zh, name_en, owner, description, expression=expression.strip())
    return save_segment(store_url, seg)


def create_static_segment(
    engine: Engine,
    store_url: str,
    *,
    name_zh: str,
    ids: IdList,
    owner: str,
    name_en: str | None = None,
    description: str = "",
    source: str = "",
) -> SegmentDef:
    """A segment of uploaded ids. Every id is kept; the report in ``config`` says which are unknown."""
    report = _upload_report(engine, ids, source)
    seg = _new("static", name_zh, name_en, owner, description, config=report)
    return save_segment(store_url, seg, ids.ids)


def _upload_report(engine: Engine, ids: IdList, source: str) -> dict[str, Any]:
    """Counts of the upload and the ids the latest customer snapshot does not know."""
    day = engine.use_snapshot("customer", None, alias="segment_known_customers")
    engine.register("segment_upload", pa.table({"customer_id": ids.ids, "pos": list(range(len(ids.ids)))}))
    unknown = (
        engine.query(
            "SELECT u.customer_id FROM segment_upload u"
            " LEFT JOIN segment_known_customers c ON c.customer_id = u.customer_id"
            " WHERE c.customer_id IS NULL ORDER BY u.pos"
        )
        .column(0)
        .to_pylist()
    )
    return {
        "source": source,
        "rows": ids.rows,
        "distinct": len(ids.ids),
        "duplicates": ids.duplicates,
        "duplicate_examples": ids.duplicate_examples,
        "unknown": len(unknown),
        "unknown_examples": unknown[:EXAMPLES],
        "checked_against": day.isoformat(),
    }


def create_cluster_segment(
    engine: Engine,
    store_url: str,
    *,
    name_zh: str,
    features: list[str],
    owner: str,
    k: int | None = None,
    seed: int = DEFAULT_SEED,
    name_en: str | None = None,
    description: str = "",
    as_of: date | None = None,
    training_rows: int = TRAINING_ROWS,
) -> SegmentDef:
    """K-means on the chosen features of the audience snapshot (k by silhouette unless given).

    The model and the clusters' descriptions are in ``config`` (kequn.tags.clustering explains both).
    """
    check_names(name_zh, name_en or name_zh, owner)
    config = train(engine, store_url, features, k=k, seed=seed, as_of=as_of, training_rows=training_rows)
    return save_segment(store_url, _new("cluster", name_zh, name_en, owner, description, config=config))


# ---- reading and retiring ---------------------------------------------------------------------------------


def list_segments(store_url: str, *, status: str | None = None, kind: str | None = None) -> list[SegmentDef]:
    return list_segment_defs(store_url, status=status, kind=kind)


def get_segment(store_url: str, segment_id: str) -> SegmentDef:
    return get_segment_def(store_url, segment_id)


def retire_segment(store_url: str, segment_id: str) -> SegmentDef:
    """Stop refreshing a segment (its past memberships stay in their snapshots)."""
    return set_status(store_url, segment_id, RETIRED)


# ---- membership -------------------------------------------------------------------------------------------


def _members_sql(engine: Engine, store_url: str, seg: SegmentDef, day: date) -> str:
    """Membership SQL of one segment over the open audience (static lists must be registered)."""
    if seg.kind == "rule":
        checked = check_rule(engine, seg.expression or "", day, store_url)
        return segment_sql.rule_members_sql(checked.sql(dialect="duckdb", as_of=day))
    if seg.kind == "static":
        return segment_sql.static_members_sql(seg.segment_id)
    if seg.kind == "cluster":
        return clustering.assignment_sql(clustering.ClusterModel.from_config(seg.config))
    raise UserInputError(f"segment {seg.segment_id}: unknown kind '{seg.kind}'")


def _prepare(engine: Engine, store_url: str, segs: Iterable[SegmentDef], as_of: date | None) -> date:
    """Open the audience and register the uploaded lists the segments need; returns the snapshot date."""
    day = open_audience_view(engine, as_of)
    static = [s.segment_id for s in segs if s.kind == "static"]
    engine.register(segment_sql.LIST_TABLE, static_lists(store_url, static))
    return day


def _one(engine: Engine, store_url: str, segment_id: str, as_of: date | None) -> tuple[SegmentDef, date, str]:
    seg = get_segment_def(store_url, segment_id)
    day = _prepare(engine, store_url, [seg], as_of)
    return seg, day, _members_sql(engine, store_url, seg, day)


def live_count(
    engine: Engine, expression: str, as_of: date | None = None, *, store_url: str | None = None
) -> int:
    """How many customers meet ``expression`` now (or on the snapshot on or before ``as_of``)."""
    from kequn.tags.audience import count_audience

    if store_url:
        ready(store_url)
    return count_audience(engine, expression, as_of, store_url=store_url)


def segment_count(engine: Engine, store_url: str, segment_id: str, as_of: date | None = None) -> int:
    """Members of a segment on the snapshot on or before ``as_of``."""
    seg = get_segment_def(store_url, segment_id)
    if seg.kind == "rule":
        return live_count(engine, seg.expression or "", as_of, store_url=store_url)
    seg, _, sql = _one(engine, store_url, segment_id, as_of)
    return int(engine.scalar(segment_sql.count_sql(sql)) or 0)


def segment_members(
    engine: Engine,
    store_url: str,
    segment_id: str,
    as_of: date | None = None,
    *,
    page: int = 1,
    size: int = 100,
) -> dict[str, Any]:
    """One page of members (customer ids in order; the cluster for clusterings) and the total."""
    if page < 1 or not 1 <= size <= PAGE_MAX:
        raise UserInputError(f"page starts at 1 and size is 1..{PAGE_MAX}")
    _, day, sql = _one(engine, store_url, segment_id, as_of)
    total = int(engine.scalar(segment_sql.count_sql(sql)) or 0)
    items = engine.query(segment_sql.page_sql(sql, limit=size, offset=(page - 1) * size)).to_pylist()
    return {
        "segment_id": segment_id,
        "as_of": day.isoformat(),
        "total": total,
        "page": page,
        "size": size,
        "items": items,
    }


def export_segment(
    engine: Engine, store_url: str, segment_id: str, out: Path, as_of: date | None = None
) -> int:
    """Write the members to a CSV (customer_id, and cluster for clusterings; no personal data)."""
    table = _export_table(engine, store_url, segment_id, as_of)
    out.parent.mkdir(parents=True, exist_ok=True)
    pa_csv.write_csv(table, out)
    return table.num_rows


def export_csv_text(engine: Engine, store_url: str, segment_id: str, as_of: date | None = None) -> str:
    """The export as CSV text (what the REST endpoint returns)."""
    buffer = io.BytesIO()
    pa_csv.write_csv(_export_table(engine, store_url, segment_id, as_of), buffer)
    return buffer.getvalue().decode("utf-8")


def _export_table(engine: Engine, store_url: str, segment_id: str, as_of: date | None) -> pa.Table:
    seg, _, sql = _one(engine, store_url, segment_id, as_of)
    columns = "customer_id, cluster" if seg.kind == "cluster" else "customer_id"
    return engine.query(f"SELECT {columns} FROM ({sql}) m ORDER BY customer_id")


# ---- profile and overlap ----------------------------------------------------------------------------------


def segment_profile(
    engine: Engine,
    store_url: str,
    segment_id: str,
    as_of: date | None = None,
    *,
    top: int = 15,
    cluster: int | None = None,
) -> dict[str, Any]:
    """The segment (or one of its clusters) against the whole base: its most distinctive fields first."""
    seg, day, sql = _one(engine, store_url, segment_id, as_of)
    if cluster is not None:
        sql = f"SELECT customer_id, cluster FROM ({sql}) c WHERE cluster = {int(cluster)}"
    engine.execute(f"CREATE OR REPLACE TEMP TABLE {MEMBERS} AS SELECT DISTINCT customer_id FROM ({sql}) m")
    fields = audience_fields(engine, labels(namespace(engine, day, store_url)))
    base, size, ranked = profile_fields(engine, fields)
    return {
        "segment_id": seg.segment_id,
        "name_zh": seg.name_zh,
        "name_en": seg.name_en,
        "as_of": day.isoformat(),
        "cluster": cluster,
        "size": size,
        "base": base,
        "share": round(size / base, 4) if base else None,
        "fields": ranked[: max(top, 0)] if size else [],
    }


def segment_overlap(
    engine: Engine, store_url: str, segment_ids: list[str], as_of: date | None = None
) -> dict[str, Any]:
    """Sizes, pairwise shared members and Jaccard index of the chosen segments on one snapshot."""
    ids = list(dict.fromkeys(segment_ids))
    if len(ids) < 2:
        raise UserInputError("overlap needs at least two different segments")
    segs = [get_segment_def(store_url, sid) for sid in ids]
    day = _prepare(engine, store_url, segs, as_of)
    union = segment_sql.memberships_sql({s.segment_id: _members_sql(engine, store_url, s, day) for s in segs})
    engine.execute(f"CREATE OR REPLACE TEMP TABLE segment_overlap_members AS {union}")
    sizes = {
        r["segment_id"]: int(r["size"])
        for r in engine.query(segment_sql.sizes_sql("segment_overlap_members")).to_pylist()
    }
    shared = {
        (r["a"], r["b"]): int(r["both_count"])
        for r in engine.query(segment_sql.overlap_sql("segment_overlap_members")).to_pylist()
    }
    return {
        "as_of": day.isoformat(),
        "segments": [
            {
                "segment_id": s.segment_id,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "size": sizes.get(s.segment_id, 0),
            }
            for s in segs
        ],
        "pairs": [_pair(a, b, sizes, shared) for i, a in enumerate(ids) for b in ids[i + 1 :]],
    }


def _pair(a: str, b: str, sizes: dict[str, int], shared: dict[tuple[str, str], int]) -> dict[str, Any]:
    both = shared.get((min(a, b), max(a, b)), 0)
    union = sizes.get(a, 0) + sizes.get(b, 0) - both
    return {"a": a, "b": b, "both": both, "jaccard": round(both / union, 4) if union else 0.0}


# ---- the daily step ---------------------------------------------------------------------------------------


def refresh_segments(engine: Engine, as_of: date, store_url: str) -> int:
    """Write ``segment_members`` for ``as_of``: every active segment's members; returns the row count.

    Members come from the audience on or before ``as_of`` (the daily run computes that date's first).

    A rule segment whose expression no longer checks (a tag it names was retired) is skipped with a
    warning rather than stopping the daily run; its membership for the day is absent, not empty-looking.
    """
    segs = list_segment_defs(store_url, status=ACTIVE)
    day = _prepare(engine, store_url, segs, as_of)
    members = {}
    for seg in sorted(segs, key=lambda s: s.segment_id):
        try:
            members[seg.segment_id] = _members_sql(engine, store_url, seg, day)
        except KequnError as exc:
            log.warning("segment %s skipped on %s: %s", seg.segment_id, as_of, exc)
    return engine.write_snapshot(segment_sql.MEMBERS_TABLE, as_of, segment_sql.memberships_sql(members))
