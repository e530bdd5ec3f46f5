"""Render chunks of rows to bytes (CSV in UTF-8 or GB18030, JSON lines) and append them to files.

Rendering happens in worker processes; only the parent writes, in chunk order, so output is deterministic.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from kequn.demo.generator.arrays import concat


@dataclass
class Rendered:
    """A file's share of one chunk: header line, body bytes and row count."""

    header: bytes
    body: bytes
    rows: int


def render_csv(table: pa.Table, *, encoding: str = "utf-8", delimiter: str = ",") -> Rendered:
    """Rows without quoting: the generator never puts the delimiter, a quote or a newline in text
    (pyarrow raises if it ever did)."""
    header = (delimiter.join(table.column_names) + "\n").encode(encoding)
    if table.num_rows == 0:
        return Rendered(header, b"", 0)
    options = pacsv.WriteOptions(include_header=False, delimiter=delimiter, quoting_style="none")
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, options)
    body = buffer.getvalue()
    if encoding != "utf-8":  # pyarrow writes UTF-8 only: transcode the whole chunk in one C-codec call
        body = body.decode("utf-8").encode(encoding)
    return Rendered(header, body, table.num_rows)


def render_json_lines(lines: pa.Array) -> Rendered:
    """One line per string: the string buffer of ``line + "\\n"`` is exactly the file content."""
    if len(lines) == 0:
        return Rendered(b"", b"", 0)
    text = concat(lines, "\n")
    offsets = np.frombuffer(text.buffers()[1], np.int32, len(text) + 1, text.offset * 4)
    return Rendered(b"", bytes(memoryview(text.buffers()[2])[offsets[0] : offsets[-1]]), len(lines))


@dataclass
class OutputFiles:
    """The export's files, appended to chunk by chunk; the first chunk seen writes each header."""

    root: Path
    names: list[str]
    rows: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.handles = {}
        for name in self.names:
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            self.handles[name] = path.open("wb")
            self.rows[name] = 0
        self.headed: set[str] = set()

    def append(self, name: str, part: Rendered) -> None:
        if name not in self.headed:
            self.handles[name].write(part.header)
            self.headed.add(name)
        self.handles[name].write(part.body)
        self.rows[name] += part.rows

    def close(self) -> dict[str, int]:
        for handle in self.handles.values():
            handle.close()
        return dict(self.rows)
