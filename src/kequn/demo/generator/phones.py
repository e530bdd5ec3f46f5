"""Mobile numbers with real operator prefixes, and the formats other systems write them in."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kequn.demo.generator.arrays import concat, digits

PREFIXES = np.array(
    [134, 135, 136, 137, 138, 139, 150, 151, 152, 157, 158, 159, 182, 183, 187, 188, 198,
     130, 131, 132, 155, 156, 166, 185, 186, 133, 153, 173, 177, 180, 181, 189, 199],
    np.int64,
)  # fmt: skip
AREA_CODES = ("010", "021", "020", "0755", "0571", "025", "028", "027", "029", "023")


def mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    """11-digit mobile numbers as int64."""
    return PREFIXES[rng.integers(0, len(PREFIXES), n)] * 10**8 + rng.integers(0, 10**8, n)


def landlines(rng: np.random.Generator, n: int) -> pa.Array:
    """Landline numbers like ``021-64331234`` (shared by a household)."""
    area = pa.array(list(AREA_CODES)).take(pa.array(rng.integers(0, len(AREA_CODES), n)))
    return concat(area, "-", digits(rng.integers(2, 9, n) * 10**7 + rng.integers(0, 10**7, n)))


def formatted(rng: np.random.Generator, mobile: np.ndarray, messy_share: float) -> pa.Array:
    """Phones as a source system keeps them.

    Plain, ``+86 138 1234 5678``, ``138-1234-5678`` or ``+8613812345678``; ``messy_share`` are not plain.
    """
    text = digits(mobile)
    style = np.where(rng.random(len(mobile)) < messy_share, rng.integers(1, 4, len(mobile)), 0)
    head, mid = pc.utf8_slice_codeunits(text, 0, 3), pc.utf8_slice_codeunits(text, 3, 7)
    tail = pc.utf8_slice_codeunits(text, 7, 11)
    spaced = concat("+86 ", head, " ", mid, " ", tail)
    dashed = concat(head, "-", mid, "-", tail)
    prefixed = concat("+86", text)
    out = pc.if_else(pa.array(style == 1), spaced, text)
    out = pc.if_else(pa.array(style == 2), dashed, out)
    return pc.if_else(pa.array(style == 3), prefixed, out)
