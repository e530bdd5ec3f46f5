"""The `quarantine` warehouse table: every row an ingest run rejected, with where and why.

``raw`` holds the row exactly as read (it may contain personal data): it is stored, never printed.
"""

from __future__ import annotations

import json

import pyarrow as pa

from kequn.ingest.reader import ROW, Malformed
from kequn.ingest.validate import literal, rejected_sql

TABLE = "quarantine"
FILES = "ingest_files"  # (__file, source_file, first_line, target_table)
SKIPS = "ingest_skips"  # (__file, t): a malformed line shifts the lines of rows with __row >= t
MALFORMED = "ingest_malformed"
NO_TEXT = "CAST(NULL AS VARCHAR)"
LISTED_COLUMNS = ("source_file", "line", "column", "reason", "target_table")


def files_table(entries: list[tuple[int, str, int, str]]) -> pa.Table:
    index, names, first, targets = zip(*entries, strict=True) if entries else ((), (), (), ())
    return pa.table(
        {
            "__file": pa.array(index, pa.int32()),
            "source_file": pa.array(names, pa.string()),
            "first_line": pa.array(first, pa.int64()),
            "target_table": pa.array(targets, pa.string()),
        }
    )


def skips_table(by_file: dict[int, tuple[int, list[Malformed]]]) -> pa.Table:
    """Row-index thresholds: row r sits on line r + first_line + #(thresholds <= r)."""
    files, thresholds = [], []
    for index, (first_line, malformed) in by_file.items():
        for j, line in enumerate(sorted(m.line for m in malformed)):
            files.append(index)
            thresholds.append(line - first_line - j)
    return pa.table({"__file": pa.array(files, pa.int32()), "t": pa.array(thresholds, pa.int64())})


def malformed_table(by_file: dict[int, tuple[int, list[Malformed]]]) -> pa.Table:
    rows = [(i, m) for i, (_, found) in by_file.items() for m in found]
    return pa.table(
        {
            "__file": pa.array([i for i, _ in rows], pa.int32()),
            "line": pa.array([m.line for _, m in rows], pa.int64()),
            "reason": [f"expected {m.expected} fields, found {m.actual}" for _, m in rows],
            "raw": [json.dumps(m.text, ensure_ascii=False) for _, m in rows],
        }
    )


def line_expr(alias: str) -> str:
    """The physical line of row ``alias.__row`` (only evaluated for the few quarantined rows)."""
    return (
        f"{alias}.{ROW} + f.first_line + (SELECT count(*) FROM {SKIPS} k "
        f"WHERE k.__file = {alias}.__file AND k.t <= {alias}.{ROW})"
    )


def quarantine_sql(targets: list[str]) -> str:
    """All rejected rows of a run, plus the malformed lines the parser could not split."""
    rejected = " UNION ALL ".join(rejected_sql(t) for t in targets)
    rejected = (
        rejected
        or f"SELECT 0 AS __file, 0::BIGINT AS {ROW}, {NO_TEXT} AS __column, {NO_TEXT} AS __reason, "
        + (f"{NO_TEXT} AS __raw LIMIT 0")
    )
    return (
        f'SELECT f.source_file, {line_expr("q")} AS line, q.__column AS "column", q.__reason AS reason, '
        f"q.__raw AS raw, f.target_table FROM ({rejected}) q JOIN {FILES} f USING (__file) "
        f"UNION ALL SELECT f.source_file, m.line, {NO_TEXT}, m.reason, m.raw, f.target_table "
        f"FROM {MALFORMED} m JOIN {FILES} f USING (__file) ORDER BY source_file, target_table, line"
    )


def listing_sql(limit: int, source_file: str | None = None) -> str:
    """Quarantined rows for display: where and why, never the raw values."""
    where = f"WHERE source_file = {literal(source_file)} " if source_file else ""
    cols = ", ".join(f'"{c}"' for c in LISTED_COLUMNS)
    return f"SELECT {cols} FROM {TABLE} {where}ORDER BY source_file, target_table, line LIMIT {int(limit)}"
