"""Writers that append chunk after chunk to one file: CSV in UTF-8 or GB18030, and JSON lines."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from kequn.demo.generator.arrays import concat


class CsvOut:
    """Header once, then rows; values never need quoting (the generator avoids delimiters in text)."""

    def __init__(self, path: Path, *, encoding: str = "utf-8", delimiter: str = ",") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.encoding, self.delimiter = path, encoding, delimiter
        self.file = path.open("wb")
        self.rows = 0
        self.header_written = False

    def write(self, table: pa.Table) -> None:
        if not self.header_written:  # pyarrow would quote the header names
            self.file.write((self.delimiter.join(table.column_names) + "\n").encode(self.encoding))
        options = pacsv.WriteOptions(include_header=False, delimiter=self.delimiter, quoting_style="none")
        if table.num_rows == 0:
            pass
        elif self.encoding == "utf-8":
            pacsv.write_csv(table, self.file, options)
        else:
            # pyarrow writes UTF-8 only: transcode the whole chunk in one call (fast, C codec).
            buffer = io.BytesIO()
            pacsv.write_csv(table, buffer, options)
            self.file.write(buffer.getvalue().decode("utf-8").encode(self.encoding))
        self.header_written = True
        self.rows += table.num_rows

    def close(self) -> None:
        self.file.close()


class JsonLinesOut:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.file = path.open("wb")
        self.rows = 0

    def write(self, lines: pa.Array) -> None:
        """Appends one line per string: the string buffer of ``line + "\\n"`` is the file content."""
        if len(lines) == 0:
            return
        text = concat(lines, "\n")
        offsets = np.frombuffer(text.buffers()[1], np.int32, len(text) + 1, text.offset * 4)
        self.file.write(memoryview(text.buffers()[2])[offsets[0] : offsets[-1]])
        self.rows += len(lines)

    def close(self) -> None:
        self.file.close()
