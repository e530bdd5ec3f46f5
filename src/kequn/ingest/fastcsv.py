"""The fast path for UTF-8 CSV files: DuckDB's parallel ``read_csv`` instead of the pyarrow stream.

DuckDB parses about twice as fast but has no row index, and its line numbers are unreliable once a
quoted value spans lines or an empty line is skipped. So the fast path only keeps a file when it can
prove the numbering exact, else the caller reads the file again with the pyarrow reader:

* rows are numbered by insertion order: the INSERT runs with ``preserve_insertion_order``, so the
  staging table's ``rowid`` follows the file and stands in for ``__row`` (validate.staged_rows);
* a ``LineIndex`` built in a parallel thread counts the file's lines: accepted rows + rejected lines
  + the header must equal it (a multi-line value or a skipped empty line breaks the equation);
* every rejected line must be a wrong field count whose text is found at its byte position (invalid
  UTF-8 is fatal with its exact line; any other DuckDB complaint falls back to pyarrow).

The line index also serves the late re-read: the few rows rejected after staging are fetched by line
number, not by parsing the whole file again.
"""

from __future__ import annotations

import csv
import threading
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from kequn.ingest.mapping import FileSpec
from kequn.ingest.reader import ROW, UTF8, BatchStream, Malformed
from kequn.ingest.validate import literal, quote

CHUNK = 16 << 20
WRONG_COUNT = ("MISSING COLUMNS", "TOO MANY COLUMNS")
BAD_UTF8 = "INVALID ENCODING"
EXTRA_OPTIONS = ""  # e.g. ", buffer_size=1048576": tests force a many-buffer parallel read


@dataclass
class LineIndex:
    """Newline counts at fixed byte offsets: line of a byte position, text of a line, in one block read."""

    path: Path
    offsets: list[int] = field(default_factory=lambda: [0])
    before: list[int] = field(default_factory=lambda: [0])  # newlines before offsets[i]
    lines: int = 0

    @classmethod
    def build(cls, path: Path) -> LineIndex:
        index, last = cls(path), b""
        with open(path, "rb") as raw:
            while block := raw.read(CHUNK):
                index.offsets.append(index.offsets[-1] + len(block))
                index.before.append(index.before[-1] + block.count(b"\n"))
                last = block[-1:]
        index.lines = index.before[-1] + (1 if last not in (b"", b"\n") else 0)
        return index

    def line_of(self, position: int) -> int:
        """The 1-based line holding byte ``position``."""
        i = bisect_right(self.offsets, position) - 1
        with open(self.path, "rb") as raw:
            raw.seek(self.offsets[i])
            return self.before[i] + raw.read(position - self.offsets[i]).count(b"\n") + 1

    def text_at(self, position: int) -> bytes:
        """The line starting at byte ``position``, without its line ending."""
        with open(self.path, "rb") as raw:
            raw.seek(position)
            return raw.readline().rstrip(b"\r\n")

    def read_lines(self, numbers: list[int]) -> dict[int, bytes]:
        """The text of the given 1-based lines (without line endings)."""
        out: dict[int, bytes] = {}
        by_block: dict[int, list[int]] = {}
        for n in sorted(set(numbers)):
            # the block must start at or before the newline that ends line n - 1
            by_block.setdefault(max(bisect_right(self.before, n - 2) - 1, 0), []).append(n)
        with open(self.path, "rb") as raw:
            for i, wanted in by_block.items():
                raw.seek(self.offsets[i])
                skip = wanted[-1] - 1 - self.before[i]  # newlines between the block start and the last line
                data = raw.read(CHUNK)
                while data.count(b"\n") <= skip and (more := raw.read(CHUNK)):
                    data += more
                parts = data.split(b"\n", skip + 1)
                for n in wanted:
                    out[n] = parts[n - 1 - self.before[i]].rstrip(b"\r")
        return out


def usable(stream: BatchStream) -> bool:
    """Whether a file can take the fast path at all (the rest is checked after the read)."""
    spec = stream.spec
    sql = " ".join(t for t in [spec.where, spec.order_by, *(c.sql for c in spec.columns)] if t)
    return (
        spec.format == "csv"
        and spec.encoding == UTF8
        and len(spec.delimiter) == 1
        and spec.quote in (None, '"')
        and all(stream.columns)
        and ROW not in sql
        and not spec.order_by  # its NULLs could not be told from the missing row order (staged_rows)
    )


def relation_sql(stream: BatchStream, rejects: str) -> str:
    """The file as text columns plus an empty ``__row``; '' stays '' as in the pyarrow reader."""
    spec = stream.spec
    types = ", ".join(f"{literal(c)}: 'VARCHAR'" for c in stream.columns)
    quote_char = spec.quote or ""
    read = (
        f"read_csv({literal(str(stream.path))}, columns={{{types}}}, header=true, auto_detect=false, "
        f"delim={literal(spec.delimiter)}, quote={literal(quote_char)}, escape={literal(quote_char)}, "
        f"strict_mode=true, null_padding=false, allow_quoted_nulls=false, encoding='utf-8', "
        f"ignore_errors=true, store_rejects=true, rejects_table={literal(rejects)}, "
        f"rejects_scan={literal(rejects + '_scan')}{EXTRA_OPTIONS})"
    )
    cols = ", ".join(f"coalesce({quote(c)}, '') AS {quote(c)}" for c in stream.columns)
    return f"(SELECT CAST(NULL AS BIGINT) AS {ROW}, {cols} FROM {read})"


class IndexThread(threading.Thread):
    """Builds the ``LineIndex`` while DuckDB parses (the count releases no GIL, the read does)."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path = path
        self.index: LineIndex | None = None
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self.index = LineIndex.build(self.path)
        except Exception as exc:  # reported by the caller
            self.error = exc

    def result(self) -> LineIndex:
        self.join()
        if self.error is not None or self.index is None:
            raise self.error or RuntimeError("line index not built")
        return self.index


def field_count(text: str, spec: FileSpec) -> int:
    row = next(csv.reader([text], delimiter=spec.delimiter, quotechar=spec.quote or '"',
                          quoting=csv.QUOTE_MINIMAL if spec.quote else csv.QUOTE_NONE), [])  # fmt: skip
    return max(len(row), 1)


def parse_line(text: str, spec: FileSpec) -> list[str]:
    return next(csv.reader([text], delimiter=spec.delimiter, quotechar=spec.quote or '"',
                           quoting=csv.QUOTE_MINIMAL if spec.quote else csv.QUOTE_NONE), [])  # fmt: skip


def line_of_row(row: int, first_line: int, malformed_lines: list[int]) -> int:
    """The physical line of row index ``row`` given the lines of the skipped malformed rows."""
    line = row + first_line
    for j, skipped in enumerate(sorted(malformed_lines)):
        if skipped - first_line - j <= row:
            line += 1
    return line


def malformed_rows(
    index: LineIndex, stream: BatchStream, rejects: list[tuple[int, int, str, str]]
) -> list[Malformed] | None:
    """Malformed rows from DuckDB's rejects (line, byte position, error type, text); None if unsure.

    DuckDB's ``line_byte_position`` points just past the start of the line; the line number is taken
    from our own index and must agree with DuckDB's, and the text found there must be the rejected text.
    """
    found: dict[int, tuple[int, str]] = {}
    for line, position, kind, text in rejects:
        if kind not in WRONG_COUNT or position < 1:
            return None
        found.setdefault(index.line_of(position - 1), (line, text))
    texts = index.read_lines(list(found))
    out = []
    for number, (line, reported) in sorted(found.items()):
        text = texts[number].decode(UTF8)
        if number != line or number < stream.first_line or text != reported.strip("\r\n"):
            return None
        out.append(Malformed(text, len(stream.columns), field_count(text, stream.spec), number))
    return out
