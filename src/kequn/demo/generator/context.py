"""What every step needs: the window of days, the seed for each step and chunk, the bank's structure."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np

CHUNK = 50_000  # people per chunk: bounds memory (~1.5 GiB per worker); seeds are per chunk
DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class BankContext:
    customers: int
    seed: int
    days: int
    as_of: date
    org: object = field(default=None, compare=False)  # an Org, set once built

    @property
    def end(self) -> np.datetime64:
        return np.datetime64(self.as_of, "D")

    @property
    def start(self) -> np.datetime64:
        return self.end - (self.days - 1) * DAY

    def rng(self, step: str, chunk: int = 0) -> np.random.Generator:
        """An independent stream per (step, chunk): adding a step never shifts another step's numbers."""
        step_key = zlib.crc32(step.encode())  # stable across runs, unlike hash()
        seq = np.random.SeedSequence([self.seed, step_key, chunk])
        return np.random.Generator(np.random.PCG64(seq))

    def chunks(self) -> list[tuple[int, int, int]]:
        """(chunk number, first person, end person) over all customers."""
        return [
            (i, lo, min(lo + CHUNK, self.customers)) for i, lo in enumerate(range(0, self.customers, CHUNK))
        ]


def permuted_ids(index: np.ndarray, space: int, multiplier: int, offset: int) -> np.ndarray:
    """A bijection of ``0..space-1`` (multiplier coprime with ``space``): unique keys that do not
    reveal the order in which people were generated."""
    return (index.astype(np.int64) * multiplier + offset) % space
