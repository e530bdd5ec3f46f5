"""Customer id lists uploaded for static segments: a CSV with a ``customer_id`` column, or one id per line.

Nothing is dropped silently: duplicates are counted and named, and ids the warehouse does not know are
reported by ``unknown_ids`` (and kept in the list: they may be customers of a later snapshot).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from kequn.core.errors import UserInputError

ID_COLUMN = "customer_id"
MAX_ID_LENGTH = 64  # SegmentListMember.customer_id
EXAMPLES = 5


@dataclass(frozen=True)
class IdList:
    """The distinct ids of an upload, in first-seen order, and what was left out on the way."""

    ids: list[str]
    rows: int
    duplicates: int = 0
    duplicate_examples: list[str] = field(default_factory=list)


def read_id_file(path: Path) -> IdList:
    """Read an uploaded file (UTF-8, or GB18030 as spreadsheets in China often save)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_id_text(_decode(data, str(path)), source=str(path))


def _decode(data: bytes, source: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserInputError(f"{source}: not UTF-8 or GB18030 text")


def parse_id_text(text: str, *, source: str = "upload") -> IdList:
    """Ids from upload text: a CSV whose header has ``customer_id``, or one id per line.

    >>> parse_id_text("customer_id,name\\nK1,a\\nK2,b\\nK1,c\\n").duplicates
    1
    >>> parse_id_text("K1\\n\\nK2\\n").ids
    ['K1', 'K2']
    """
    lines = text.lstrip("\ufeff").splitlines()
    header = next((line for line in lines if line.strip()), "")
    if ID_COLUMN in [cell.strip().lower() for cell in _cells(header)]:
        values, first_line = _csv_column(text.lstrip("\ufeff"), source)
    else:
        values, first_line = [line.strip() for line in lines], 1
    return _distinct(values, first_line, source)


def _cells(line: str) -> list[str]:
    return next(csv.reader([line]), [])


def _csv_column(text: str, source: str) -> tuple[list[str], int]:
    reader = csv.reader(io.StringIO(text))
    header = next(row for row in reader if any(cell.strip() for cell in row))
    column = [cell.strip().lower() for cell in header].index(ID_COLUMN)
    values = [row[column].strip() if column < len(row) else "" for row in reader]
    return values, reader.line_num - len(values) + 1


def _distinct(values: list[str], first_line: int, source: str) -> IdList:
    seen: dict[str, None] = {}
    duplicates: list[str] = []
    rows = 0
    for offset, value in enumerate(values):
        if not value:
            continue
        _check_id(value, first_line + offset, source)
        rows += 1
        if value in seen:
            duplicates.append(value)
        else:
            seen[value] = None
    if not seen:
        raise UserInputError(
            f"{source}: no customer ids (expected a '{ID_COLUMN}' column or one id per line)"
        )
    examples = list(dict.fromkeys(duplicates))[:EXAMPLES]
    return IdList(list(seen), rows, len(duplicates), examples)


def _check_id(value: str, line: int, source: str) -> None:
    if len(value) > MAX_ID_LENGTH:
        raise UserInputError(f"{source} line {line}: id longer than {MAX_ID_LENGTH} characters")
    if "," in value or "\t" in value:
        raise UserInputError(
            f"{source} line {line}: several values on one line; "
            f"use a CSV with a '{ID_COLUMN}' header or one id per line"
        )
