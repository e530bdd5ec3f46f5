"""One ingest run: check every source, stage each file, settle keys and references, publish.

Each file is read once into a typed staging table; duplicate keys and dangling references only
produce a small table of overruled rows, which the publish anti-joins (no second full copy).

Nothing is published until every file has been read, so a fatal input error leaves the warehouse
as it was. Each canonical table is published once, with the rows of all the files that feed it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import sqlglot
from sqlglot import exp

from kequn.core.errors import MappingError, SourceFileError, UserInputError
from kequn.engine.base import Engine
from kequn.ingest import fastcsv, reader, validate
from kequn.ingest import quarantine as q
from kequn.ingest.mapping import FileSpec, MappingSet, load_mapping_set
from kequn.ingest.report import FileReport, IngestReport
from kequn.model.schemas import TABLES

ProgressCallback = Callable[[str, int, int], None]  # (file label, bytes done, bytes total)
RAW = "ingest_raw"
# UTF-8 CSV through DuckDB's read_csv when the numbering can be proven (fastcsv.py). Off by default: on
# the 2-core reference machine the pyarrow stream stages faster (its parser runs beside DuckDB's two
# validation threads; read_csv competes with them and needs preserve_insertion_order), docs/ingest.md.
FAST_CSV = os.environ.get("KEQUN_INGEST_READER", "pyarrow") == "duckdb"


@dataclass
class _Entry:
    """One mapping entry bound to its file in this run."""

    index: int
    spec: FileSpec
    label: str
    columns: list[str]
    first_line: int
    stream: reader.BatchStream | None = None
    seconds: float = 0.0
    malformed: list[reader.Malformed] = field(default_factory=list)
    rows: int = 0
    lines: fastcsv.LineIndex | None = None  # set when the fast path read the file
    base: int = 0  # fast path: the staging rowid of the file's first row (its __row is rowid)


def ingest_sources(
    engine: Engine,
    source_dir: Path,
    mapping: str | Path = "synthetic",
    *,
    as_of: date | None = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Read every file of a mapping set from ``source_dir`` into the warehouse at ``as_of``."""
    started = time.perf_counter()
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise SourceFileError(f"{source_dir}: folder not found")
    mappings = load_mapping_set(mapping)
    day = resolve_as_of(source_dir, mappings, as_of)
    entries = [_bind(i, spec, source_dir) for i, spec in enumerate(mappings.files)]
    # TABLES lists referenced tables before the tables that reference them.
    targets = [t for t in TABLES if any(e.spec.target == t for e in entries)]
    try:
        for target in targets:
            engine.execute(validate.create_stage_sql(TABLES[target]))
        lookups = [e for e in entries if e.spec.is_lookup]
        for entry in lookups:
            _stage(engine, entry, progress)
        for entry in entries:  # expressions may read lookups, so they are checked once those exist
            _probe_expressions(engine, entry)
        for entry in entries:
            if not entry.spec.is_lookup:
                _stage(engine, entry, progress)
        for target in targets:
            engine.execute(validate.late_sql(TABLES[target], _checked_refs(target, targets)))
        _fill_late_raw(engine, entries, targets)
        files = _file_reports(engine, entries, targets)
        tables = _publish(engine, entries, targets, day)
    finally:
        _drop_temp_tables(engine, entries)
    return IngestReport(day, mappings.name, files, tables, time.perf_counter() - started)


def resolve_as_of(source_dir: Path, mappings: MappingSet, as_of: date | None) -> date:
    """``--as-of``, else the manifest's ``as_of``, else the mapping set's, else an error."""
    if as_of is not None:
        return as_of
    manifest = source_dir / "manifest.json"
    if manifest.is_file():
        try:
            return date.fromisoformat(json.loads(manifest.read_text(encoding="utf-8"))["as_of"])
        except (ValueError, KeyError, TypeError):
            raise SourceFileError("manifest.json: as_of: missing or not a date (YYYY-MM-DD)") from None
    if mappings.as_of is not None:
        return mappings.as_of
    raise UserInputError(f"{source_dir}: no manifest.json with as_of; give --as-of YYYY-MM-DD")


def _bind(index: int, spec: FileSpec, source_dir: Path) -> _Entry:
    """Check the file exists and its header has every mapped column."""
    if spec.path is None:
        columns = list(dict.fromkeys(k for row in spec.rows for k in row))
        entry = _Entry(index, spec, spec.label, columns, 1)
    else:
        stream = reader.open_stream(source_dir / spec.path, spec, spec.path)
        entry = _Entry(index, spec, spec.path, stream.columns, stream.first_line, stream)
    _check_header(entry, _visible_columns(entry))
    return entry


def _visible_columns(entry: _Entry) -> list[str]:
    """The raw column names mapping expressions can use."""
    return validate.jsonl_fields(entry.spec) if entry.spec.format == "jsonl" else entry.columns


def _check_header(entry: _Entry, visible: list[str]) -> None:
    spec, present = entry.spec, set(visible)
    for col in spec.columns:
        if col.source and col.source not in present:
            raise SourceFileError(f"{entry.label}: column '{col.source}' missing from header")
    if spec.strict_header and spec.format == "csv":
        used = {c.source for c in spec.columns if c.source} | set(spec.fields) | _sql_columns(spec)
        extra = [c for c in entry.columns if c not in used]
        if extra:
            raise SourceFileError(f"{entry.label}: unknown column '{extra[0]}' (strict_header)")


def _sql_columns(spec: FileSpec) -> set[str]:
    names: set[str] = set()
    for text in [c.sql for c in spec.columns] + [spec.where, spec.order_by]:
        if text:
            names |= {c.name for c in sqlglot.parse_one(text, read="duckdb").find_all(exp.Column)}
    return names


def _probe_expressions(engine: Engine, entry: _Entry) -> None:
    spec, visible = entry.spec, _visible_columns(entry)
    probes = [(f"columns.{c.target}.sql", c.sql) for c in spec.columns if c.sql]
    probes += [(key, text) for key, text in (("where", spec.where), ("order_by", spec.order_by)) if text]
    for field_name, text in probes:
        try:
            engine.query(validate.probe_sql(text, visible))
        except Exception as exc:
            first = str(exc).strip().splitlines()[0]
            raise MappingError(f"{spec.mapping_file}: {entry.label}: {field_name}: {first}") from None


def _register_source(engine: Engine, entry: _Entry, progress: ProgressCallback | None) -> None:
    if entry.stream is None:
        rows = entry.spec.rows
        data = {c: pa.array([r.get(c) for r in rows], pa.string()) for c in entry.columns}
        data[reader.ROW] = pa.array(range(len(rows)), pa.int64())
        entry.rows = len(rows)
        engine.register(RAW, pa.table(data))
        return
    stream = entry.stream
    report = None if progress is None else (lambda done: progress(entry.label, done, stream.size))
    engine.register(RAW, reader.batches(stream, entry.label, report))  # type: ignore[arg-type]


def _stage(engine: Engine, entry: _Entry, progress: ProgressCallback | None) -> None:
    started = time.perf_counter()
    spec = entry.spec
    stream = entry.stream
    fast = FAST_CSV and stream is not None and not spec.is_lookup and fastcsv.usable(stream)
    if fast and stream is not None and _stage_fast(engine, entry, stream):
        if progress is not None:
            progress(entry.label, stream.size, stream.size)
        entry.seconds = time.perf_counter() - started
        return
    _register_source(engine, entry, progress)
    if spec.is_lookup:
        sql = f"CREATE OR REPLACE TEMP TABLE {_lookup(spec)} AS SELECT * EXCLUDE ({reader.ROW}) FROM {RAW}"
    else:
        stage = validate.stage_table(spec.target)
        sql = f"INSERT INTO {stage} BY NAME ({validate.stage_sql(spec, entry.index, RAW, entry.columns)})"
    try:
        engine.execute(sql)
    except Exception:
        if entry.stream is not None and entry.stream.error is not None:
            raise entry.stream.error from None
        raise
    _after_read(entry)
    entry.seconds = time.perf_counter() - started


def _stage_fast(engine: Engine, entry: _Entry, stream: reader.BatchStream) -> bool:
    """Stage a CSV file with DuckDB's reader; False (and nothing staged) when it cannot be proven exact."""
    spec, index = entry.spec, entry.index
    stage, rejects = validate.stage_table(spec.target), f"ingest_rejects_{index}"
    relation = fastcsv.relation_sql(stream, rejects)
    counter = fastcsv.IndexThread(stream.path)
    counter.start()
    engine.execute("SET preserve_insertion_order = true")  # rowid follows the file: the row index
    try:
        engine.execute(
            f"INSERT INTO {stage} BY NAME ({validate.stage_sql(spec, index, relation, entry.columns)})"
        )
    except Exception:
        counter.join()
        _drop_rejects(engine, rejects)
        return False  # the pyarrow reader reads it again and reports the problem its own way
    finally:
        engine.execute("SET preserve_insertion_order = false")
    lines = counter.result()
    found = [
        (int(r["line"]), int(r["line_byte_position"]), str(r["error_type"]), r["csv_line"] or "")
        for r in engine.query(
            f"SELECT line, line_byte_position, error_type::VARCHAR AS error_type, csv_line FROM {rejects}"
        ).to_pylist()
    ]
    _drop_rejects(engine, rejects)
    if any(kind == fastcsv.BAD_UTF8 for _, _, kind, _ in found):
        engine.execute(f"DELETE FROM {stage} WHERE __file = {index}")
        line = reader.first_undecodable_line(stream.path, reader.UTF8)
        raise SourceFileError(f"{entry.label}: line {line}: cannot decode as {reader.UTF8}")
    first, rows = (
        engine.query(f"SELECT min(rowid), count(*) FROM {stage} WHERE __file = {index}")
        .to_pylist()[0]
        .values()
    )
    malformed = fastcsv.malformed_rows(lines, stream, found)
    if malformed is None or rows + len(malformed) + stream.first_line - 1 != lines.lines:
        engine.execute(f"DELETE FROM {stage} WHERE __file = {index}")
        return False
    stream.rows, stream.malformed = rows, malformed
    entry.malformed, entry.rows, entry.lines = malformed, rows + len(malformed), lines
    entry.base = int(first or 0)
    return True


def _drop_rejects(engine: Engine, rejects: str) -> None:
    engine.execute(f"DROP TABLE IF EXISTS {rejects}")
    engine.execute(f"DROP TABLE IF EXISTS {rejects}_scan")


def _after_read(entry: _Entry) -> None:
    stream = entry.stream
    if stream is None:
        return
    if stream.malformed:
        reader.locate_malformed(stream)
    entry.malformed, entry.rows = stream.malformed, stream.rows + len(stream.malformed)


def _lookup(spec: FileSpec) -> str:
    return f"lookup_{spec.name}"


def _checked_refs(target: str, targets: list[str]) -> list[tuple[str, str, str]]:
    """References of ``target`` whose referenced table is loaded in this same run."""
    return [r for r in TABLES[target].references if r[1] in targets and r[1] != target]


def _fill_late_raw(engine: Engine, entries: list[_Entry], targets: list[str]) -> None:
    """Rows rejected after staging (duplicate, dangling reference) get their raw row from a re-read."""
    for entry in entries:
        if entry.spec.is_lookup:
            continue
        final = validate.late_table(entry.spec.target)
        pending = f"SELECT {reader.ROW} FROM {final} WHERE __file = {entry.index} AND __status = 'rejected' "
        pending += "AND __raw IS NULL"
        if not engine.scalar(f"SELECT count(*) FROM ({pending})"):
            continue
        if _line_addressable(entry) and _fill_late_by_line(engine, entry, final, pending):
            continue
        if entry.stream is not None:
            entry.stream = reader.open_stream(entry.stream.path, entry.spec, entry.label)
        _register_source(engine, entry, None)
        raw = validate.raw_json_expr(entry.spec, entry.columns)
        engine.execute(
            f"UPDATE {final} SET __raw = r.raw FROM (SELECT {reader.ROW}, {raw} AS raw FROM "
            f"({validate.raw_sql(entry.spec, RAW)}) WHERE {reader.ROW} IN ({pending})) r "
            f"WHERE {final}.__file = {entry.index} AND {final}.{reader.ROW} = r.{reader.ROW}"
        )


def _line_addressable(entry: _Entry) -> bool:
    """Whether row r of the file is line ``fastcsv.line_of_row(r, ...)``: always after the fast path; for a
    UTF-8 CSV read by pyarrow (records never span lines) when the file's newline count proves it (a
    bare CR line end, which pyarrow also splits at, would not add up).
    """
    spec, stream = entry.spec, entry.stream
    if entry.lines is None and stream is not None and spec.format == "csv" and spec.encoding == reader.UTF8:
        lines = fastcsv.LineIndex.build(stream.path)
        if lines.lines == entry.rows + entry.first_line - 1:
            entry.lines = lines
    return entry.lines is not None


def _fill_late_by_line(engine: Engine, entry: _Entry, final: str, pending: str) -> bool:
    """Late rows of a UTF-8 CSV file: fetch just their lines through the line index (no full re-read)."""
    assert entry.lines is not None
    rows = [int(r) for r in engine.query(pending).column(0).to_pylist()]
    skipped = [m.line for m in entry.malformed]
    at = {r: fastcsv.line_of_row(r - entry.base, entry.first_line, skipped) for r in rows}
    texts = entry.lines.read_lines(list(at.values()))
    values = [fastcsv.parse_line(texts[at[r]].decode(reader.UTF8), entry.spec) for r in rows]
    if any(len(v) != len(entry.columns) for v in values):
        return False
    data = {c: pa.array([v[i] for v in values], pa.string()) for i, c in enumerate(entry.columns)}
    data[reader.ROW] = pa.array(rows, pa.int64())
    engine.register(RAW, pa.table(data))
    raw = validate.raw_json_expr(entry.spec, entry.columns)
    engine.execute(
        f"UPDATE {final} SET __raw = r.raw FROM (SELECT {reader.ROW}, {raw} AS raw FROM {RAW}) r "
        f"WHERE {final}.__file = {entry.index} AND {final}.{reader.ROW} = r.{reader.ROW}"
    )
    return True


def _file_reports(engine: Engine, entries: list[_Entry], targets: list[str]) -> list[FileReport]:
    counts: dict[tuple[int, str], int] = {}
    for target in targets:
        for row in engine.query(validate.counts_sql(target)).to_pylist():
            counts[(row["__file"], row["__status"])] = row["n"]
    out = []
    for e in entries:
        target = f"lookup:{e.spec.name}" if e.spec.is_lookup else e.spec.target
        loaded = e.rows if e.spec.is_lookup else counts.get((e.index, validate.OK), 0)
        bad = counts.get((e.index, validate.REJECTED), 0) + len(e.malformed)
        skipped = counts.get((e.index, validate.SKIPPED), 0)
        report = FileReport(e.label, target, e.rows, loaded, bad, skipped, round(e.seconds, 3))
        if not report.reconciles:  # a bug, never bad input: fail loudly rather than publish
            raise AssertionError(f"{e.label}: counts do not reconcile: {report}")
        out.append(report)
    return out


def _publish(engine: Engine, entries: list[_Entry], targets: list[str], day: date) -> dict[str, int]:
    published = {t: engine.write_snapshot(t, day, validate.publish_sql(TABLES[t])) for t in targets}
    canonical = [e for e in entries if not e.spec.is_lookup]
    engine.register(
        q.FILES, q.files_table([(e.index, e.label, e.first_line - e.base, e.spec.target) for e in canonical])
    )
    by_file = {e.index: (e.first_line - e.base, e.malformed) for e in canonical}  # __row = rowid
    engine.register(q.SKIPS, q.skips_table(by_file))
    engine.register(q.MALFORMED, q.malformed_table(by_file))
    published[q.TABLE] = engine.write_snapshot(q.TABLE, day, q.quarantine_sql(targets))
    return published


def _drop_temp_tables(engine: Engine, entries: list[_Entry]) -> None:
    names = {validate.stage_table(e.spec.target) for e in entries if not e.spec.is_lookup}
    names |= {validate.late_table(e.spec.target) for e in entries if not e.spec.is_lookup}
    names |= {_lookup(e.spec) for e in entries if e.spec.is_lookup}
    for name in sorted(names):
        engine.execute(f"DROP TABLE IF EXISTS {name}")
