"""The profile of a segment against the whole base: which features and tags make it different.

Every audience column is compared, by kind:

- numbers: mean and median in the segment and the base; standardised difference
  ``(mean_segment − mean_base) / sd_base``;
- yes/no: share of customers with the value true in the segment and the base; lift (ratio of the shares);
  standardised difference ``(p_segment − p_base) / sqrt(p_base·(1 − p_base))``;
- categories (tier, city, gender …): the segment's top values with their share in segment and base; the
  standardised difference of the most over- or under-represented of them.

The standardised difference puts the three kinds on one scale; fields are ranked by its absolute value.
Two aggregate queries (numbers and yes/no in one pass, categories in one UNION ALL) run on the engine;
only their small results are handled in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from kequn.engine.base import Engine

MEMBERS = "segment_profile_members"  # temp table: customer_id of the segment
SKIPPED = {"customer_id", "scheme_version"}
TOP_VALUES = 5


@dataclass(frozen=True)
class FieldInfo:
    """An audience column to profile: its kind (number | boolean | string) and zh-CN / English names."""

    name: str
    kind: str
    name_zh: str
    name_en: str


def _kind(data_type: pa.DataType) -> str | None:
    if pa.types.is_boolean(data_type):
        return "boolean"
    if pa.types.is_integer(data_type) or pa.types.is_floating(data_type) or pa.types.is_decimal(data_type):
        return "number"
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return "string"
    return None  # dates and the rest are not profiled


def audience_fields(engine: Engine, labels: dict[str, tuple[str, str]]) -> list[FieldInfo]:
    """Profilable columns of the open ``audience`` view, named from ``labels`` (name → (zh, en))."""
    schema = engine.query("SELECT * FROM audience LIMIT 0").schema
    out = []
    for column in schema:
        kind = _kind(column.type)
        if kind is None or column.name in SKIPPED:
            continue
        zh, en = labels.get(column.name, (column.name, column.name))
        out.append(FieldInfo(column.name, kind, zh, en))
    return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value(f: FieldInfo) -> str:
    column = f"a.{_q(f.name)}"
    return f"CASE WHEN {column} THEN 1.0 ELSE 0.0 END" if f.kind == "boolean" else f"CAST({column} AS DOUBLE)"


def _in_segment(expr: str) -> str:
    return f"CASE WHEN m.customer_id IS NOT NULL THEN {expr} END"


def _joined() -> str:
    return f"audience a LEFT JOIN {MEMBERS} m ON m.customer_id = a.customer_id"


def stats_sql(fields: list[FieldInfo]) -> str:
    """One pass: base and segment sizes, then per number/yes-no field its means (medians, sd for numbers)."""
    parts = ["count(*) AS n_base", "count(m.customer_id) AS n_seg"]
    for i, f in enumerate(fields):
        v = _value(f)
        parts += [f"avg({v}) AS bm{i}", f"avg({_in_segment(v)}) AS sm{i}", f"stddev_pop({v}) AS bsd{i}"]
        if f.kind == "number":
            parts += [f"median({v}) AS bmed{i}", f"median({_in_segment(v)}) AS smed{i}"]
    return f"SELECT {', '.join(parts)} FROM {_joined()}"


def categories_sql(fields: list[FieldInfo]) -> str:
    """Base and segment counts of every value of every category field."""
    return " UNION ALL ".join(
        f"SELECT {i} AS field, CAST(a.{_q(f.name)} AS VARCHAR) AS value, count(*) AS base_n,"
        f" count(m.customer_id) AS seg_n FROM {_joined()} GROUP BY a.{_q(f.name)}"
        for i, f in enumerate(fields)
    )


def profile_fields(engine: Engine, fields: list[FieldInfo]) -> tuple[int, int, list[dict[str, Any]]]:
    """(base size, segment size, every field's comparison ranked by distinctiveness)."""
    measured = [f for f in fields if f.kind != "string"]
    stats = engine.query(stats_sql(measured)).to_pylist()[0]
    base, seg = int(stats["n_base"]), int(stats["n_seg"])
    items = [_measured(f, i, stats) for i, f in enumerate(measured)]
    categories = [f for f in fields if f.kind == "string"]
    if categories and seg:
        rows = engine.query(categories_sql(categories)).to_pylist()
        items += [
            _categorical(f, [r for r in rows if r["field"] == i], base, seg) for i, f in enumerate(categories)
        ]
    ranked = sorted(items, key=lambda item: (-abs(item["score"] or 0.0), item["field"]))
    return base, seg, ranked


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), digits)


def _named(f: FieldInfo) -> dict[str, Any]:
    return {"field": f.name, "name_zh": f.name_zh, "name_en": f.name_en, "kind": f.kind}


def _measured(f: FieldInfo, i: int, stats: dict[str, Any]) -> dict[str, Any]:
    base_mean, seg_mean, sd = stats[f"bm{i}"], stats[f"sm{i}"], stats[f"bsd{i}"]
    if f.kind == "boolean":
        return {**_named(f), **_shares(seg_mean, base_mean)}
    score = (seg_mean - base_mean) / sd if seg_mean is not None and base_mean is not None and sd else None
    return {
        **_named(f),
        "segment_mean": _round(seg_mean),
        "base_mean": _round(base_mean),
        "segment_median": _round(stats[f"smed{i}"]),
        "base_median": _round(stats[f"bmed{i}"]),
        "std_diff": _round(score, 3),
        "score": _round(score, 3),
    }


def _shares(seg_share: float | None, base_share: float | None) -> dict[str, Any]:
    """Share in segment vs base, lift, and the standardised difference of the shares."""
    score = None
    if seg_share is not None and base_share is not None and 0 < base_share < 1:
        score = (seg_share - base_share) / math.sqrt(base_share * (1 - base_share))
    lift = seg_share / base_share if seg_share is not None and base_share else None
    return {
        "segment_share": _round(seg_share),
        "base_share": _round(base_share),
        "lift": _round(lift, 3),
        "std_diff": _round(score, 3),
        "score": _round(score, 3),
    }


def _categorical(f: FieldInfo, rows: list[dict[str, Any]], base: int, seg: int) -> dict[str, Any]:
    """The segment's most common values (share vs base); scored by the most distinctive of them."""
    top = sorted(rows, key=lambda r: (-r["seg_n"], -r["base_n"], str(r["value"])))[:TOP_VALUES]
    values = [{"value": r["value"], **_shares(r["seg_n"] / seg, r["base_n"] / base)} for r in top]
    scores = [v["score"] for v in values if v["score"] is not None]
    score = max(scores, key=abs) if scores else None
    for v in values:
        del v["score"]
    return {**_named(f), "values": values, "score": score}
