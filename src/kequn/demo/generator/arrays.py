"""Vectorised helpers that turn numpy arrays into Arrow columns (strings, decimals, formatted dates)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Col = Any  # a pyarrow Array or ChunkedArray (pyarrow ships no type stubs)
Part = Any  # a column or a plain str repeated on every row


def concat(*parts: Part) -> pa.Array:
    """Element-wise string concatenation; a plain ``str`` part is repeated on every row."""
    return pc.binary_join_element_wise(*parts, "")


def digits(values: np.ndarray, width: int = 0) -> pa.Array:
    """Integers as decimal strings, left-padded with zeros to ``width``."""
    text = pc.cast(pa.array(values, pa.int64()), pa.string())
    return pc.utf8_lpad(text, width, "0") if width else text


def pick(table: Sequence[str], index: np.ndarray) -> pa.Array:
    """``table[index]`` for every row, as a string column."""
    return pa.array(list(table), pa.string()).take(pa.array(index, pa.int32()))


def blank_where(column: Col, mask: np.ndarray) -> Col:
    """Null (written as an empty field) where ``mask`` is true."""
    return pc.if_else(pa.array(mask), pa.scalar(None, column.type), column)


def choose(mask: np.ndarray, when_true: Col, when_false: Col) -> Col:
    return pc.if_else(pa.array(mask), when_true, when_false)


def money(cents: np.ndarray) -> pa.Array:
    """Amounts in cents as DECIMAL(18,2), written ``12345.67`` (built from raw 128-bit words: fast)."""
    cents = np.asarray(cents, np.int64)
    words = np.empty((len(cents), 2), np.int64)
    words[:, 0] = cents
    words[:, 1] = np.where(cents < 0, -1, 0)  # two's-complement sign extension of the high word
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(words)])


def to_cents(amount: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(amount, np.float64) * 100).astype(np.int64)


def dates(days: np.ndarray) -> pa.Array:
    """``datetime64[D]`` as an Arrow date (written ``YYYY-MM-DD``)."""
    return pa.array(np.asarray(days, "datetime64[D]"), pa.date32())


def fmt_dates(days: np.ndarray, pattern: str) -> pa.Array:
    """``datetime64[D]`` formatted with a strftime pattern (``%Y%m%d``, ``%Y/%m/%d``); NaT gives null.

    strftime is slow per row, so each distinct day in the range is formatted once and looked up.
    """
    d = np.asarray(days, "datetime64[D]")
    missing = np.isnat(d)
    serial = d.astype(np.int64)
    if missing.all():
        return pa.nulls(len(d), pa.string())
    lo, hi = serial[~missing].min(), serial[~missing].max()
    table = pc.strftime(
        pa.array(np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[s]")), pattern
    )
    return table.take(pa.array(np.where(missing, 0, serial - lo), mask=missing))


@cache
def _clock(pattern: str) -> pa.Array:
    """All 86,400 times of day in ``pattern`` (e.g. ``%H:%M:%S+08:00``)."""
    seconds = np.arange(86_400).astype("datetime64[s]")
    return pc.strftime(pa.array(seconds, pa.timestamp("s")), pattern)


def timestamps(seconds: np.ndarray) -> pa.Array:
    """``datetime64[s]`` as an Arrow timestamp (written ``YYYY-MM-DD HH:MM:SS``)."""
    return pa.array(np.asarray(seconds, "datetime64[s]"), pa.timestamp("s"))


def fmt_times(seconds: np.ndarray, pattern: str) -> pa.Array:
    """Timestamps formatted as ``<date pattern><time pattern>``, split at ``%H``, by table look-up."""
    split = pattern.index("%H")
    t = np.asarray(seconds, "datetime64[s]")
    day = t.astype("datetime64[D]")
    second_of_day = (t - day).astype(np.int64)
    return concat(fmt_dates(day, pattern[:split]), _clock(pattern[split:]).take(pa.array(second_of_day)))


def hex_ids(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    """Random lowercase hex strings (device ids, WeChat union ids)."""
    raw = rng.integers(0, 16, size=(n, width), dtype=np.uint8)
    chars = np.frombuffer(b"0123456789abcdef", np.uint8)[raw]
    return fixed_width_strings(chars, width)


def fixed_width_strings(chars: np.ndarray, width: int) -> pa.Array:
    """An (n, width) uint8 matrix of ASCII bytes as a string column, without a Python loop."""
    n = len(chars)
    offsets = np.arange(n + 1, dtype=np.int32) * width
    data = np.ascontiguousarray(chars, np.uint8).tobytes()
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
