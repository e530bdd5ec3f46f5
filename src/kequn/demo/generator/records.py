"""Person records as other systems hold them: typos, 繁體, missing fields, moved addresses, bad IDs.

DOMAIN.md and docs/synthetic-bank.md list the rates; each record draws its own noise independently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kequn.demo.generator.idnumbers import id_numbers
from kequn.demo.generator.names import full_names
from kequn.demo.generator.people import People
from kequn.demo.generator.places import Address, draw_districts

NAME_TYPO, ID_TYPO, MOVED, MISSING = 0.05, 0.01, 0.08, 0.15


@dataclass
class Record:
    """One source's view of the people at ``index`` (positions in the chunk)."""

    index: np.ndarray
    name: pa.Array
    id_no: pa.Array
    address: Address
    missing: np.ndarray  # which optional field this record lacks: -1 none, else 0..3 (caller decides)

    def lacks(self, field: int) -> np.ndarray:
        return self.missing == field


def noisy_records(
    rng: np.random.Generator, people: People, index: np.ndarray, trad_share: float = 0.0
) -> Record:
    n = len(index)
    surname, given = people.surname[index], people.given[index]
    spelling = np.where(rng.random(n) < NAME_TYPO, 1, np.where(rng.random(n) < trad_share, 2, 0))
    name = full_names(surname, given)
    name = pc.if_else(pa.array(spelling == 1), full_names(surname, given, "typo"), name)
    name = pc.if_else(pa.array(spelling == 2), full_names(surname, given, "trad"), name)
    home = people.address.take(index)
    moved = rng.random(n) < MOVED
    new_home = Address.draw(rng, np.where(rng.random(n) < 0.6, home.district, draw_districts(rng, n)))
    return Record(
        index=index,
        name=name,
        id_no=id_numbers(people.id_body[index], rng.random(n) < ID_TYPO),
        address=home.replace_where(moved, new_home),
        missing=np.where(rng.random(n) < MISSING, rng.integers(0, 4, n), -1),
    )
