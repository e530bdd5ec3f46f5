"""18-digit resident ID numbers (GB 11643): region code, birth date, sequence, ISO 7064 MOD 11-2 check.

>>> import numpy as np
>>> check_chars(np.array([11010519491231002]))
array([b'X'], dtype='|S1')
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from kequn.demo.generator.arrays import fixed_width_strings

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], np.int64)
CHECK = np.frombuffer(b"10X98765432", np.uint8)


def _body_digits(body: np.ndarray) -> np.ndarray:
    """The 17 digits of each body as an (n, 17) matrix, most significant first."""
    powers = 10 ** np.arange(16, -1, -1, dtype=np.int64)
    return (body[:, None] // powers) % 10


def check_chars(body: np.ndarray) -> np.ndarray:
    """The check character of each 17-digit body (an int64 array)."""
    remainder = (_body_digits(np.asarray(body, np.int64)) * WEIGHTS).sum(axis=1) % 11
    return CHECK[remainder].view("S1")


SEQUENCE_BANDS = 20  # chunks get disjoint bands of sequence numbers: unique ids up to 20 chunks (1M people)
BAND_WIDTH = 500 // SEQUENCE_BANDS


def id_bodies(region: np.ndarray, birth: np.ndarray, male: np.ndarray, chunk: int) -> np.ndarray:
    """17-digit bodies: region code, YYYYMMDD, a 3-digit sequence that is odd for men and even for women.

    Real ID numbers are unique, so the sequence is not drawn at random (the birthday paradox would give
    thousands of shared numbers in a million people): people with the same region, birth date and sex
    are numbered in turn, inside a band of sequence numbers that belongs to this chunk alone.

    >>> bodies = id_bodies(np.array([110105] * 3), np.array(["1990-01-02"] * 3, "datetime64[D]"),
    ...                    np.array([True, True, False]), chunk=1)
    >>> (bodies % 1000).tolist()
    [51, 53, 50]
    """
    ymd = _yyyymmdd(birth)
    group = (region.astype(np.int64) * 10**8 + ymd) * 2 + male.astype(np.int64)
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    starts = np.r_[True, sorted_group[1:] != sorted_group[:-1]]
    position = np.arange(len(group)) - np.maximum.accumulate(np.where(starts, np.arange(len(group)), 0))
    rank = np.empty(len(group), np.int64)
    rank[order] = position
    index = ((chunk % SEQUENCE_BANDS) * BAND_WIDTH + rank) % 500
    sequence = index * 2 + male.astype(np.int64)
    return region.astype(np.int64) * 10**11 + ymd * 1000 + sequence


def id_numbers(body: np.ndarray, wrong_check: np.ndarray | None = None) -> pa.Array:
    """ID strings; where ``wrong_check`` is true the check character is replaced by a wrong one (a typo)."""
    body = np.asarray(body, np.int64)
    chars = np.empty((len(body), 18), np.uint8)
    chars[:, :17] = _body_digits(body) + ord("0")
    check = check_chars(body).view(np.uint8)
    if wrong_check is not None:
        index = np.argmax(CHECK[None, :] == check[:, None], axis=1)
        shifted = CHECK[(index + 1 + (body % 9)) % 11]  # never equal to the right character
        check = np.where(wrong_check, shifted, check)
    chars[:, 17] = check
    return fixed_width_strings(chars, 18)


def _yyyymmdd(days: np.ndarray) -> np.ndarray:
    d = np.asarray(days, "datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return year * 10000 + month * 100 + day


def is_valid(id_no: str) -> bool:
    """True when ``id_no`` has 17 digits and the right check character.

    >>> is_valid("11010519491231002X")
    True
    >>> is_valid("110105194912310021")
    False
    """
    if len(id_no) != 18 or not id_no[:17].isdigit():
        return False
    return bytes(check_chars(np.array([int(id_no[:17])]))[0]).decode() == id_no[17]
