"""``kequn identity resolve FILE... --out OUT.csv``: the warehouse matcher over CSV person records.

Input header (any column but record_id may be empty or absent):
``record_id,source,name,gender,birth_date,id_no,phone,email,address,city,postcode``.
Output: ``record_id,customer_id``, one row per input record, in input order.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from kequn.core.errors import SourceFileError, UserInputError
from kequn.identity.cluster import CLUSTERS
from kequn.identity.matcher import MatchStats, Progress, match
from kequn.identity.stable_ids import assign_ids_sql

HEADER = "record_id,source,name,gender,birth_date,id_no,phone,email,address,city,postcode"
COLUMNS = tuple(HEADER.split(","))


@dataclass(frozen=True)
class FilesReport:
    records: int
    customers: int
    stats: MatchStats


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise SourceFileError(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
            if "record_id" not in header:
                raise SourceFileError(f"{path}: line 1: no record_id column in the header")
            for row in reader:
                yield reader.line_num, row
        except UnicodeDecodeError:
            raise SourceFileError(f"{path}: line {reader.line_num + 1}: not valid UTF-8") from None
        except csv.Error as exc:
            raise SourceFileError(f"{path}: line {reader.line_num}: {exc}") from None


def _birth(path: Path, line: int, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserInputError(
            f"{path}: line {line} column birth_date: not a date (expected YYYY-MM-DD)"
        ) from None


def read_person_files(files: list[Path]) -> pa.Table:
    """Canonical person records from the CSV files; errors name the file, line and column (never values)."""
    cols: dict[str, list] = {c: [] for c in (*COLUMNS, "source_key")}
    seen: dict[str, str] = {}
    for path in map(Path, files):
        for line, row in _rows(path):
            rid = (row.get("record_id") or "").strip()
            if not rid:
                raise UserInputError(f"{path}: line {line} column record_id: empty")
            if rid in seen:
                raise UserInputError(
                    f"{path}: line {line}: duplicate record_id {rid!r} (first in {seen[rid]})"
                )
            seen[rid] = f"{path}"
            values: dict[str, object] = {c: (row.get(c) or "").strip() or None for c in COLUMNS}
            values.update(record_id=rid, source=values["source"] or "file", source_key=rid)
            values["birth_date"] = _birth(path, line, str(values["birth_date"] or ""))
            for c, v in values.items():
                cols[c].append(v)
    types = {c: pa.date32() if c == "birth_date" else pa.string() for c in cols}
    return pa.table({c: pa.array(v, type=types[c]) for c, v in cols.items()})


def resolve_files(files: list[Path], out: Path, *, progress: Progress | None = None) -> FilesReport:
    """Resolve person records in CSV files and write ``record_id,customer_id`` to ``out``."""
    records = read_person_files(files)
    con = duckdb.connect(":memory:")
    try:
        con.register("oneid_files_arrow", records)
        con.execute(
            "CREATE TEMP TABLE person_record AS SELECT *, row_number() OVER () AS ord FROM oneid_files_arrow"
        )
        stats = match(con, "person_record", progress=progress)
        con.execute(f"CREATE TEMP TABLE oneid_ids AS {assign_ids_sql(CLUSTERS, None, 0)}")
        rows = con.execute(
            f"SELECT p.record_id, i.customer_id FROM person_record p JOIN {CLUSTERS} c USING (record_id) "
            "JOIN oneid_ids i USING (cluster) ORDER BY p.ord"
        ).fetchall()
    finally:
        con.close()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "customer_id"])
        writer.writerows(rows)
    return FilesReport(len(rows), len({r[1] for r in rows}), stats)
