"""Pure SQL builders for validation: raw strings in, typed rows with a status and a reason out.

Stage (per file): text -> value map -> cast, with the first failing column's reason.
Late (per canonical table, over all its files): duplicate keys, then references, as a small table
of overruled rows; publishing anti-joins it, so the staged rows are materialised once.
Only the engine executes these; nothing here touches data.
"""

from __future__ import annotations

from kequn.ingest.mapping import KEEP_CODE, ColumnSpec, FileSpec
from kequn.ingest.reader import ROW, TEXT
from kequn.model.schemas import TableSchema

OK, SKIPPED, REJECTED = "ok", "skipped", "rejected"


def quote(name: str) -> str:
    """A quoted SQL identifier.

    >>> quote('a"b')
    '"a""b"'
    """
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A quoted SQL string literal.

    >>> literal("it's")
    "'it''s'"
    """
    return "'" + text.replace("'", "''") + "'"


def stage_table(target: str) -> str:
    return f"ingest_stage_{target}"


def staged_rows(target: str) -> str:
    """The staging table with every row's index and order. Rows staged by DuckDB's reader (fastcsv.py)
    carry no ``__row``: their ``rowid`` follows the file (insertion order), so it stands in for it and
    for the order derived from it; the run maps it back to lines. No second copy, no UPDATE.
    """
    return (
        f"(SELECT * REPLACE (coalesce({ROW}, rowid) AS {ROW}, CASE WHEN {ROW} IS NOT NULL THEN __order "
        f"WHEN __last THEN -rowid ELSE rowid END AS __order) FROM {stage_table(target)})"
    )


def late_table(target: str) -> str:
    return f"ingest_late_{target}"


def create_stage_sql(schema: TableSchema) -> str:
    """An empty staging table: the canonical columns plus the bookkeeping columns."""
    cols = [f"{quote(c.name)} {c.type}" for c in schema.columns]
    meta = "__file INTEGER, __row BIGINT, __status VARCHAR, __reason VARCHAR, __column VARCHAR, "
    meta += "__raw VARCHAR, __order DOUBLE, __last BOOLEAN"
    return f"CREATE OR REPLACE TEMP TABLE {stage_table(schema.name)} ({', '.join(cols)}, {meta})"


def jsonl_fields(spec: FileSpec) -> list[str]:
    """The keys read from each JSON line: the mapped ``from`` keys plus any declared ``fields``."""
    names = [c.source for c in spec.columns if c.source] + list(spec.fields)
    return list(dict.fromkeys(names))


def raw_sql(spec: FileSpec, relation: str) -> str:
    """The raw rows as named text columns (JSON lines are split into their keys here, in SQL)."""
    if spec.format != "jsonl":
        return f"SELECT * FROM {relation}"
    fields = jsonl_fields(spec)
    paths = ", ".join(literal(f"$.{quote(f)}") for f in fields)
    picks = "".join(f", __vals[{i + 1}] AS {quote(f)}" for i, f in enumerate(fields))
    return (
        f"SELECT {ROW}, {TEXT}, __json_ok{picks} FROM (SELECT *, CASE WHEN __json_ok THEN "
        f"json_extract_string({TEXT}, [{paths}]) END AS __vals FROM "
        f"(SELECT *, coalesce(json_valid({TEXT}), false) AS __json_ok FROM {relation}))"
    )


def text_expr(col: ColumnSpec, trim: bool) -> str:
    """The column's value as text, empty meaning missing."""
    if col.value is not None:
        return literal(col.value)
    inner = quote(col.source) if col.source else f"CAST(({col.sql}) AS VARCHAR)"
    return f"NULLIF({trimmed(inner) if trim else inner}, '')"


def trimmed(text: str) -> str:
    """``TRIM(text)``, called only on values that can change: DuckDB's TRIM is costly (~1.5 s per
    10M values) and almost every value is ASCII without an edge space. TRIM removes the ASCII space
    and Unicode spaces only, so a value needs it only when it starts or ends with a space or holds a
    non-ASCII character (``strlen`` counts bytes, ``length`` characters).
    """
    return (
        f"CASE WHEN {text} LIKE ' %' OR {text} LIKE '% ' OR strlen({text}) <> length({text}) "
        f"THEN TRIM({text}) ELSE {text} END"
    )


def mapped_expr(col: ColumnSpec, text: str) -> str:
    if not col.value_map:
        return text
    whens = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in col.value_map.items())
    otherwise = text if col.default == KEEP_CODE else literal(col.default) if col.default else "NULL"
    return f"CASE {text} {whens} ELSE {otherwise} END"


def cast_expr(col: ColumnSpec, mapped: str) -> str:
    base = col.type.split("(")[0].upper()
    if col.formats and base in ("DATE", "TIMESTAMP"):
        formats = (
            literal(col.formats[0]) if len(col.formats) == 1 else f"[{', '.join(map(literal, col.formats))}]"
        )
        return f"CAST(TRY_STRPTIME({mapped}, {formats}) AS {col.type})"
    if base == "VARCHAR":
        return mapped
    return f"TRY_CAST({mapped} AS {col.type})"


def _failures(col: ColumnSpec, n: int) -> list[tuple[str, str]]:
    """(condition, reason) pairs for column number ``n``, in the order they are checked."""
    t, m, v = f"__t{n}", f"__m{n}", f"__v{n}"
    out = []
    if col.value_map and col.default is None:
        out.append((f"{t} IS NOT NULL AND {m} IS NULL", "unknown code"))
    if col.type.upper() != "VARCHAR":
        fmt = f" ({' or '.join(col.formats)})" if col.formats else ""
        out.append((f"{m} IS NOT NULL AND {v} IS NULL", f"not a valid {col.type}{fmt}"))
    if col.required:
        out.append((f"{v} IS NULL", "required value missing"))
    return out


def raw_json_expr(spec: FileSpec, columns: list[str]) -> str:
    """The raw row as JSON text, for quarantine."""
    if spec.format == "jsonl":
        return TEXT
    return "to_json(struct_pack(" + ", ".join(f"{quote(c)} := {quote(c)}" for c in columns) + "))"


def stage_sql(spec: FileSpec, file_index: int, relation: str, columns: list[str]) -> str:
    """Typed rows of one file with status ok / skipped (``where``) / rejected and the first reason."""
    cols = spec.columns
    texts = ", ".join(f"{text_expr(c, spec.trim)} AS __t{i}" for i, c in enumerate(cols))
    maps = ", ".join(f"{mapped_expr(c, f'__t{i}')} AS __m{i}" for i, c in enumerate(cols))
    casts = ", ".join(f"{cast_expr(c, f'__m{i}')} AS __v{i}" for i, c in enumerate(cols))
    checks: list[tuple[str, str, str | None]] = []
    if spec.format == "jsonl":
        checks.append(("NOT __json_ok", "invalid JSON", None))
    checks += [(cond, why, c.label) for i, c in enumerate(cols) for cond, why in _failures(c, i)]
    reason = "CASE " + " ".join(f"WHEN {cond} THEN {literal(why)}" for cond, why, _ in checks) + " END"
    column = "CASE " + " ".join(
        f"WHEN {cond} THEN {literal(label) if label else 'NULL'}" for cond, _, label in checks
    ) + " END"  # fmt: skip
    keep = f"coalesce(({spec.where}), false)" if spec.where else "true"
    order = f"-CAST(({spec.order_by or ROW}) AS DOUBLE)" if spec.dedupe == "last" else ROW
    typed = ", ".join(f"__v{i} AS {quote(c.target)}" for i, c in enumerate(cols))
    if not checks:
        reason = column = "CAST(NULL AS VARCHAR)"
    return (
        f"SELECT {typed}, {file_index} AS __file, {ROW}, CASE WHEN NOT __keep THEN {literal(SKIPPED)} "
        f"WHEN __reason IS NOT NULL THEN {literal(REJECTED)} ELSE {literal(OK)} END AS __status, "
        f"CASE WHEN __keep THEN __reason END AS __reason, CASE WHEN __keep THEN __column END AS __column, "
        f"CASE WHEN __keep AND __reason IS NOT NULL THEN {raw_json_expr(spec, columns)} END AS __raw, "
        f"__order, {spec.dedupe == 'last'} AS __last "
        f"FROM (SELECT *, {reason} AS __reason, {column} AS __column FROM "
        f"(SELECT *, {casts} FROM (SELECT *, {maps} FROM "
        f"(SELECT *, {texts}, {keep} AS __keep, CAST({order} AS DOUBLE) AS __order "
        f"FROM ({raw_sql(spec, relation)}) raw))))"
    )


def probe_sql(expression: str, columns: list[str]) -> str:
    """A zero-row query that fails to bind when ``expression`` names an unknown column or function."""
    fake = ", ".join(f"CAST(NULL AS VARCHAR) AS {quote(c)}" for c in columns) or "1 AS __none"
    return f"SELECT ({expression}) FROM (SELECT {fake}) raw LIMIT 0"


def late_sql(schema: TableSchema, checked_refs: list[tuple[str, str, str]]) -> str:
    """The few staged ``ok`` rows that duplicate keys or dangling references overrule.

    Only keys that occur more than once are ranked, so the common case (unique keys) costs one hash
    aggregate; references are one anti-join against the keys accepted for the referenced table (its
    staged ``ok`` rows less its own late rows). Each overruled row appears once, with the first reason
    that applies: duplicate first, then the references in schema order. The staged rows are never
    copied: publishing anti-joins this small table.
    """
    stage, rows = stage_table(schema.name), staged_rows(schema.name)
    keys = ", ".join(quote(k) for k in schema.key)
    ok = "__status = 'ok'"
    dups = (
        f"SELECT __file, {ROW}, __last, row_number() OVER (PARTITION BY {keys} ORDER BY __file, __order, "
        f"{ROW}) AS __rank FROM {rows} st SEMI JOIN (SELECT {keys} FROM {stage} WHERE {ok} "
        f"GROUP BY ALL HAVING count(*) > 1) USING ({keys}) WHERE {ok}"
    )
    parts = [
        f"SELECT __file, {ROW}, CASE WHEN __last THEN {literal(SKIPPED)} ELSE {literal(REJECTED)} END "
        f"AS __status, CASE WHEN NOT __last THEN 'duplicate key' END AS __reason, CASE WHEN NOT __last "
        f"THEN {literal(','.join(schema.key))} END AS __column, 0 AS __check FROM ({dups}) WHERE __rank > 1"
    ]
    for i, (col, ref_table, ref_col) in enumerate(checked_refs, start=1):
        accepted = (
            f"SELECT {quote(ref_col)} AS __key FROM {staged_rows(ref_table)} ra ANTI JOIN "
            f"{late_table(ref_table)} USING (__file, {ROW}) WHERE {ok}"
        )
        parts.append(
            f"SELECT __file, {ROW}, {literal(REJECTED)}, {literal(f'unknown {col}')}, {literal(col)}, {i} "
            f"FROM {rows} s ANTI JOIN ({accepted}) r ON s.{quote(col)} = r.__key "
            f"WHERE s.{ok} AND s.{quote(col)} IS NOT NULL"
        )
    return (
        f"CREATE OR REPLACE TEMP TABLE {late_table(schema.name)} AS SELECT __file, {ROW}, __status, "
        f"__reason, __column, CAST(NULL AS VARCHAR) AS __raw FROM ({' UNION ALL '.join(parts)}) "
        f"QUALIFY row_number() OVER (PARTITION BY __file, {ROW} ORDER BY __check) = 1"
    )


def publish_sql(schema: TableSchema) -> str:
    """The accepted rows: staged ``ok`` rows less the late ones (a small anti-join, one pass)."""
    cols = ", ".join(quote(c) for c in schema.column_names)
    return (
        f"SELECT {cols} FROM {staged_rows(schema.name)} st ANTI JOIN {late_table(schema.name)} "
        f"USING (__file, {ROW}) WHERE __status = 'ok'"
    )


def counts_sql(target: str) -> str:
    """Rows per file and final status: staged counts, with the late rows moved out of ``ok``."""
    late = late_table(target)
    return (
        f"SELECT __file, __status, sum(n)::BIGINT AS n FROM (SELECT __file, __status, count(*) AS n FROM "
        f"{stage_table(target)} GROUP BY ALL UNION ALL SELECT __file, __status, count(*) FROM {late} "
        f"GROUP BY ALL UNION ALL SELECT __file, {literal(OK)}, -count(*) FROM {late} GROUP BY ALL) "
        f"GROUP BY ALL"
    )


def rejected_sql(target: str) -> str:
    """Every rejected row of a table: at staging, or late (duplicate key, dangling reference)."""
    cols = f"__file, {ROW}, __column, __reason, __raw"
    return (
        f"SELECT {cols} FROM {staged_rows(target)} st WHERE __status = 'rejected' UNION ALL "
        f"SELECT {cols} FROM {late_table(target)} WHERE __status = 'rejected'"
    )
