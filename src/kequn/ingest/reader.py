"""Stream a source file as Arrow record batches of strings, each row tagged with its row index.

Every column is read as text so that every bad value can be reported by validation, not by the
reader. Rows are tagged with ``__row`` (0-based among the rows parsed); the physical line of a row
is ``__row + first_line`` plus the malformed lines skipped before it (see ``LineIndex``).
Records may not span lines (a newline inside quotes is a malformed row), so row = line.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from kequn.core.errors import SourceFileError
from kequn.ingest.mapping import FileSpec

ROW = "__row"
TEXT = "__text"  # the one column of a JSON-lines file: the line itself, parsed later in SQL
BLOCK_SIZE = 16 << 20  # large blocks: fewer, bigger batches for DuckDB
CHUNK = 8 << 20
UTF8 = "utf-8"

Progress = Callable[[int], None]  # called with the bytes consumed so far


@dataclass
class Malformed:
    """A row the parser could not split into the header's fields."""

    text: str
    expected: int
    actual: int
    line: int = 0


@dataclass
class BatchStream:
    """The batches of one file plus what the reader learnt while producing them."""

    path: Path
    spec: FileSpec
    columns: list[str]
    first_line: int
    malformed: list[Malformed] = field(default_factory=list)
    error: Exception | None = None
    rows: int = 0
    size: int = 0

    def schema(self) -> pa.Schema:
        return pa.schema([(c, pa.string()) for c in self.columns] + [(ROW, pa.int64())])


def display_name(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def read_header(path: Path, spec: FileSpec, label: str) -> list[str]:
    """The column names of a CSV file (first line), decoded with the file's encoding."""
    with open(path, "rb") as raw:
        first = raw.readline()
    try:
        text = first.decode("utf-8-sig" if spec.encoding == UTF8 else spec.encoding)
    except UnicodeDecodeError:
        raise SourceFileError(f"{label}: line 1: cannot decode as {spec.encoding}") from None
    row = next(csv.reader([text.rstrip("\r\n")], delimiter=spec.delimiter, quotechar=spec.quote or '"',
                          quoting=csv.QUOTE_MINIMAL if spec.quote else csv.QUOTE_NONE), [])  # fmt: skip
    names = [c.strip() for c in row]
    if not any(names):
        raise SourceFileError(f"{label}: empty header line")
    dup = [n for n, count in Counter(names).items() if count > 1]
    if dup:
        raise SourceFileError(f"{label}: column '{dup[0]}' appears twice in the header")
    return names


def open_stream(path: Path, spec: FileSpec, label: str) -> BatchStream:
    """Prepare a file for streaming; raises SourceFileError for a missing file or a bad header."""
    if not path.is_file():
        raise SourceFileError(f"{label}: file not found")
    if spec.format == "csv":
        return BatchStream(path, spec, read_header(path, spec, label), 2, size=path.stat().st_size)
    if spec.format == "jsonl":
        return BatchStream(path, spec, [TEXT], 1, size=path.stat().st_size)
    names = pq.ParquetFile(path).schema_arrow.names
    return BatchStream(path, spec, list(names), 1, size=path.stat().st_size)


def batches(stream: BatchStream, label: str, progress: Progress | None = None) -> pa.RecordBatchReader:
    """An Arrow stream of the file's rows (strings) with ``__row``; errors land in ``stream.error``."""

    def tagged() -> Iterator[pa.RecordBatch]:
        try:
            for batch, done in _raw_batches(stream):
                n = batch.num_rows
                rows = pa.array(np.arange(stream.rows, stream.rows + n, dtype=np.int64))
                stream.rows += n
                yield pa.RecordBatch.from_arrays([*batch.columns, rows], schema=stream.schema())
                if progress is not None:
                    progress(done)
        except Exception as exc:  # re-raised by the caller after DuckDB reports the failed scan
            stream.error = _as_source_error(exc, stream, label)
            raise stream.error from None

    return pa.RecordBatchReader.from_batches(stream.schema(), tagged())


def _raw_batches(stream: BatchStream) -> Iterator[tuple[pa.RecordBatch, int]]:
    if stream.spec.format == "parquet":
        yield from _parquet_batches(stream)
        return
    if stream.spec.encoding == UTF8:  # native file: no Python in the read path
        with pa.OSFile(str(stream.path)) as native:
            for batch in pacsv.open_csv(native, **_csv_options(stream)):
                yield batch, native.tell()
        return
    with open(stream.path, "rb") as raw:
        source = _Transcoder(raw, stream.spec.encoding)
        for batch in pacsv.open_csv(source, **_csv_options(stream)):
            yield batch, source.consumed


def _csv_options(stream: BatchStream) -> dict:
    spec, names = stream.spec, stream.columns

    def on_invalid(row: pacsv.InvalidRow) -> str:
        stream.malformed.append(Malformed(row.text, row.expected_columns, row.actual_columns))
        return "skip"

    jsonl = spec.format == "jsonl"
    return {
        "read_options": pacsv.ReadOptions(
            column_names=names, skip_rows=0 if jsonl else 1, block_size=BLOCK_SIZE, encoding=UTF8
        ),
        "parse_options": pacsv.ParseOptions(
            delimiter="\x1f" if jsonl else spec.delimiter,
            quote_char=False if jsonl or not spec.quote else spec.quote,
            newlines_in_values=False,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        ),
        "convert_options": pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    }  # fmt: skip


def _parquet_batches(stream: BatchStream) -> Iterator[tuple[pa.RecordBatch, int]]:
    parquet = pq.ParquetFile(stream.path)
    total = parquet.metadata.num_rows or 1
    seen = 0
    for batch in parquet.iter_batches(batch_size=256_000):
        seen += batch.num_rows
        yield (
            pa.RecordBatch.from_arrays([_as_text(c) for c in batch.columns], names=batch.schema.names),
            int(stream.size * seen / total),
        )


def _as_text(column: pa.Array) -> pa.Array:
    return column.cast(pa.string()) if column.type != pa.string() else column


class _CountingReader(io.RawIOBase):
    """Passes bytes through, counting them for the progress bar (the transcoder's base)."""

    def __init__(self, raw: io.BufferedReader):
        self.raw, self.consumed = raw, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.consumed += len(data)
        return data

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Transcoder(_CountingReader):
    """Decodes GB18030/GBK/... to UTF-8 in whole lines, so a decode error has a line number.

    Newline (0x0A) is never part of a multi-byte character in these encodings, so cutting blocks at
    newlines is safe.
    """

    def __init__(self, raw: io.BufferedReader, encoding: str):
        super().__init__(raw)
        self.encoding, self.lines_before = encoding, 0
        self.pending, self.carry = b"", b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.pending) < size:
            if not self._decode_next():
                break
        if size < 0:
            size = len(self.pending)
        out, self.pending = self.pending[:size], self.pending[size:]
        return out

    def _decode_next(self) -> bool:
        block = self.raw.read(CHUNK)
        self.consumed += len(block)
        data = self.carry + block
        cut = data.rfind(b"\n") + 1 if block else len(data)
        if not data:
            return False
        whole, self.carry = data[:cut], data[cut:]
        try:
            self.pending += whole.decode(self.encoding).encode(UTF8)
        except UnicodeDecodeError as exc:
            line = self.lines_before + whole.count(b"\n", 0, exc.start) + 1
            raise SourceFileError(f"line {line}: cannot decode as {self.encoding}") from None
        self.lines_before += whole.count(b"\n")
        return True


def _as_source_error(exc: Exception, stream: BatchStream, label: str) -> Exception:
    if isinstance(exc, SourceFileError):
        return SourceFileError(f"{label}: {exc}")
    if isinstance(exc, pa.ArrowInvalid) and "UTF8" in str(exc):
        line = first_undecodable_line(stream.path, UTF8)
        return SourceFileError(f"{label}: line {line}: cannot decode as {UTF8}")
    if isinstance(exc, pa.ArrowInvalid):
        return SourceFileError(f"{label}: cannot read as {stream.spec.format} ({str(exc).splitlines()[0]})")
    return exc


def _line_chunks(path: Path) -> Iterator[tuple[int, bytes]]:
    """(number of lines before, block of whole lines) over a file, cut at newlines."""
    lines, carry = 0, b""
    with open(path, "rb") as raw:
        while block := raw.read(CHUNK):
            data = carry + block
            cut = data.rfind(b"\n") + 1
            whole, carry = data[:cut], data[cut:]
            yield lines, whole
            lines += whole.count(b"\n")
    if carry:
        yield lines, carry


def first_undecodable_line(path: Path, encoding: str) -> int:
    """The 1-based line of the first byte sequence that is not valid ``encoding`` (0 if none)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    for before, block in _line_chunks(path):
        try:
            decoder.decode(block)
        except UnicodeDecodeError as exc:
            return before + block.count(b"\n", 0, exc.start) + 1
    return 0


def locate_malformed(stream: BatchStream) -> None:
    """Find the line of every malformed row by its text (only runs when the parser skipped rows).

    A malformed text never equals a well-formed line, so the n-th occurrence of a text as a whole
    line is the n-th skipped row with that text.
    """
    wanted: dict[bytes, list[Malformed]] = {}
    for m in stream.malformed:
        wanted.setdefault(m.text.encode(stream.spec.encoding), []).append(m)
    for before, block in _line_chunks(stream.path):
        if not any(needle in block for needle in wanted):
            continue
        for offset, line in enumerate(block.split(b"\n")):
            number = before + offset + 1
            pending = wanted.get(line.rstrip(b"\r"))
            if pending and number >= stream.first_line and any(m.line == 0 for m in pending):
                next(m for m in pending if m.line == 0).line = number
