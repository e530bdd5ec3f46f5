"""Source mappings: YAML files that say how each exported file becomes a canonical table.

A mapping set is a folder of YAML files, one per source system (docs/ingest.md has the format).
Loading checks everything that can be checked without the data: targets, column names, options.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kequn.core.errors import MappingError
from kequn.model.schemas import TABLES, TableSchema

LOOKUP = "lookup"
FORMATS = ("csv", "jsonl", "parquet")
FILE_KEYS = {
    "path", "rows", "target", "name", "format", "encoding", "delimiter", "quote", "strict_header",
    "columns", "where", "dedupe", "order_by", "fields", "trim",
}  # fmt: skip
COLUMN_KEYS = {"from", "sql", "value", "map", "default", "format", "type", "required"}
KEEP_CODE = "keep"  # `default: keep` passes codes missing from a value map through unchanged


@dataclass(frozen=True)
class ColumnSpec:
    """How one canonical column is computed from a raw row."""

    target: str
    type: str
    source: str | None = None  # a raw column
    sql: str | None = None  # a DuckDB expression over raw columns
    value: str | None = None  # a constant
    value_map: dict[str, str] | None = None
    default: str | None = None  # for codes missing from value_map; KEEP_CODE keeps them
    formats: tuple[str, ...] = ()  # strptime formats for DATE / TIMESTAMP
    required: bool = False

    @property
    def label(self) -> str:
        """The column name a quarantine row reports: the raw column when there is one."""
        return self.source or self.target


@dataclass(frozen=True)
class FileSpec:
    """One source file (or inline rows) mapped to one canonical table or a lookup."""

    mapping_file: str
    target: str
    path: str | None = None
    rows: tuple[dict[str, str | None], ...] = ()
    name: str = ""
    format: str = "csv"
    encoding: str = "utf-8"
    delimiter: str = ","
    quote: str | None = '"'
    strict_header: bool = False
    trim: bool = True
    columns: tuple[ColumnSpec, ...] = ()
    where: str | None = None
    dedupe: str = "first"  # first: later duplicates are quarantined; last: earlier ones are superseded
    order_by: str | None = None
    fields: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.path or f"{self.mapping_file}#{self.name or self.target}"

    @property
    def is_lookup(self) -> bool:
        return self.target == LOOKUP


@dataclass(frozen=True)
class MappingSet:
    name: str
    files: tuple[FileSpec, ...]
    as_of: date | None = None
    folder: Path | None = field(default=None, compare=False)


def builtin_sets() -> list[str]:
    """Names of the mapping sets shipped with kequn."""
    root = resources.files("kequn.ingest") / "mappings"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))


def resolve_mapping_folder(mapping: str | Path) -> Path:
    """A built-in set name (``synthetic``, ``berka``) or a folder of YAML files."""
    if isinstance(mapping, str) and mapping in builtin_sets():
        return Path(str(resources.files("kequn.ingest") / "mappings" / mapping))
    folder = Path(mapping)
    if not folder.is_dir():
        raise MappingError(f"{mapping}: not a built-in mapping set ({', '.join(builtin_sets())}) or a folder")
    return folder


def load_mapping_set(mapping: str | Path) -> MappingSet:
    """Load and check every ``*.yaml`` file of a mapping set."""
    folder = resolve_mapping_folder(mapping)
    paths = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not paths:
        raise MappingError(f"{folder}: no *.yaml mapping files")
    files: list[FileSpec] = []
    dates: set[date] = set()
    for path in paths:
        doc = _read_yaml(path)
        files.extend(_parse_document(path.name, doc))
        if doc.get("as_of") is not None:
            dates.add(_parse_as_of(path.name, doc["as_of"]))
    if len(dates) > 1:
        raise MappingError(f"{folder}: mapping files disagree on as_of ({sorted(dates)})")
    return MappingSet(folder.name, tuple(files), next(iter(dates), None), folder)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f": line {mark.line + 1}" if mark is not None else ""
        raise MappingError(f"{path.name}{where}: invalid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list):
        raise MappingError(f"{path.name}: expected a mapping with a 'files' list")
    return doc


def _parse_as_of(where: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise MappingError(f"{where}: as_of: not a date (YYYY-MM-DD)") from None


def _parse_document(name: str, doc: dict[str, Any]) -> list[FileSpec]:
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise MappingError(f"{name}: defaults: expected a mapping")
    out = []
    for i, entry in enumerate(doc["files"]):
        where = f"{name}: files[{i}]"
        if not isinstance(entry, dict):
            raise MappingError(f"{where}: expected a mapping")
        out.append(_parse_file(name, where, {**defaults, **entry}))
    return out


def _parse_file(name: str, where: str, entry: dict[str, Any]) -> FileSpec:
    unknown = sorted(set(entry) - FILE_KEYS)
    if unknown:
        raise MappingError(f"{where}: unknown field '{unknown[0]}'")
    target = _text(where, "target", entry.get("target"))
    schema = _target_schema(where, target)
    if (entry.get("path") is None) == (entry.get("rows") is None):
        raise MappingError(f"{where}: give exactly one of 'path' or 'rows'")
    columns = _parse_columns(f"{where}.columns", schema, entry.get("columns") or {})
    spec = FileSpec(
        mapping_file=name,
        target=target,
        path=entry.get("path"),
        rows=_parse_rows(f"{where}.rows", entry.get("rows")),
        name=str(entry.get("name") or ""),
        format=_choice(where, "format", entry.get("format", "csv"), FORMATS),
        encoding=_encoding(where, entry.get("encoding", "utf-8")),
        delimiter=_single_char(where, "delimiter", entry.get("delimiter", ",")),
        quote=None if entry.get("quote", '"') in (None, False, "") else str(entry.get("quote", '"')),
        strict_header=bool(entry.get("strict_header", False)),
        trim=bool(entry.get("trim", True)),
        columns=columns,
        where=entry.get("where"),
        dedupe=_choice(where, "dedupe", entry.get("dedupe", "first"), ("first", "last")),
        order_by=entry.get("order_by"),
        fields=tuple(str(f) for f in entry.get("fields") or ()),
    )
    _check_complete(where, spec, schema)
    return spec


def _target_schema(where: str, target: str) -> TableSchema | None:
    if target == LOOKUP:
        return None
    if target not in TABLES or target in ("customer", "source_link"):
        raise MappingError(f"{where}.target: unknown canonical table '{target}'")
    return TABLES[target]


def _check_complete(where: str, spec: FileSpec, schema: TableSchema | None) -> None:
    if schema is None:
        if not spec.name:
            raise MappingError(f"{where}.name: a lookup needs a name")
        return
    mapped = {c.target for c in spec.columns}
    for col in schema.columns:
        if col.required and col.name not in mapped:
            raise MappingError(f"{where}.columns: required column '{col.name}' of {schema.name} not mapped")


def _parse_columns(where: str, schema: TableSchema | None, raw: Any) -> tuple[ColumnSpec, ...]:
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected a mapping of target column -> source")
    if schema is None:
        if raw:
            raise MappingError(f"{where}: a lookup keeps its raw columns; do not map columns")
        return ()
    out = []
    for target, spec in raw.items():
        if target not in schema.column_names:
            raise MappingError(f"{where}.{target}: unknown column of {schema.name}")
        out.append(_parse_column(f"{where}.{target}", schema, str(target), spec))
    return tuple(out)


def _parse_column(where: str, schema: TableSchema, target: str, spec: Any) -> ColumnSpec:
    if isinstance(spec, str):
        spec = {"from": spec}
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected a raw column name or a mapping")
    unknown = sorted(set(spec) - COLUMN_KEYS)
    if unknown:
        raise MappingError(f"{where}: unknown field '{unknown[0]}'")
    sources = [k for k in ("from", "sql", "value") if spec.get(k) is not None]
    if len(sources) != 1:
        raise MappingError(f"{where}: give exactly one of 'from', 'sql' or 'value'")
    column = schema.column(target)
    formats = spec.get("format") or ()
    return ColumnSpec(
        target=target,
        type=str(spec.get("type") or column.type),
        source=_opt_text(spec.get("from")),
        sql=_opt_text(spec.get("sql")),
        value=_code(where, spec["value"]) if "value" in spec and spec["value"] is not None else None,
        value_map=_value_map(where, spec.get("map")),
        default=_code(where, spec["default"]) if spec.get("default") is not None else None,
        formats=(formats,) if isinstance(formats, str) else tuple(str(f) for f in formats),
        required=bool(spec.get("required", column.required)),
    )


def _value_map(where: str, raw: Any) -> dict[str, str] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw:
        raise MappingError(f"{where}.map: expected a non-empty mapping of code -> value")
    out = {}
    for code, value in raw.items():
        if isinstance(code, bool):  # YAML 1.1 reads unquoted yes/no/on/off as booleans
            raise MappingError(f"{where}.map: quote the code '{code}' (YAML reads it as a boolean)")
        out[str(code)] = _code(where, value)
    return out


def _parse_rows(where: str, raw: Any) -> tuple[dict[str, str | None], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise MappingError(f"{where}: expected a list of mappings")
    return tuple({str(k): None if v is None else _code(where, v) for k, v in r.items()} for r in raw)


def _code(where: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        raise MappingError(f"{where}: expected a scalar value")
    return str(value)


def _text(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise MappingError(f"{where}.{key}: required text field missing")
    return value


def _opt_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _choice(where: str, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise MappingError(f"{where}.{key}: expected one of {', '.join(allowed)}")
    return str(value)


def _encoding(where: str, value: Any) -> str:
    try:
        return codecs.lookup(str(value)).name
    except LookupError:
        raise MappingError(f"{where}.encoding: unknown encoding '{value}'") from None


def _single_char(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) != 1:
        raise MappingError(f"{where}.{key}: expected a single character")
    return value
