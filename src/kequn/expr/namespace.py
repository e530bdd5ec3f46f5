"""The names an expression may use: features, tags, tier fields (later event fields), each with a type.

>>> ns = Namespace([Field("aum_mad", "number", "月日均资产", "Monthly average daily AUM"),
...                 Field("age", "number")])
>>> ns["aum_mad"].name_zh
'月日均资产'
>>> ns.suggest("aum_mda")
'aum_mad'
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

TYPES = ("number", "string", "boolean", "date")

# A built-in name: the snapshot date the expression is evaluated for (see docs/expr.md).
AS_OF = "as_of"


@dataclass(frozen=True)
class Field:
    """One name an expression can refer to, with its value type and display names."""

    name: str
    type: str
    name_zh: str = ""
    name_en: str = ""

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"field {self.name!r}: type {self.type!r} is not one of {', '.join(TYPES)}")
        if not self.name or any(unicodedata.category(ch)[0] == "C" for ch in self.name):
            raise ValueError(f"field name {self.name!r} is empty or holds control characters")

    def label(self) -> str:
        """'zh / en' display name, or the bare name when none is known."""
        return " / ".join(n for n in (self.name_zh, self.name_en) if n) or self.name


class Namespace:
    """An immutable set of fields, looked up by name (exact, then case-insensitive as SQL does)."""

    def __init__(self, fields: Iterable[Field]) -> None:
        self._fields: dict[str, Field] = {}
        for field in fields:
            if field.name in self._fields:
                raise ValueError(f"field {field.name!r} is defined twice")
            if field.name.lower() == AS_OF:
                raise ValueError(f"{AS_OF!r} is built in (the snapshot date) and cannot be a field")
            self._fields[field.name] = field
        self._folded = _unique_casefold(self._fields)

    def __getitem__(self, name: str) -> Field:
        return self._fields[name]

    def __contains__(self, name: object) -> bool:
        return name in self._fields

    def __iter__(self) -> Iterator[Field]:
        return iter(self._fields.values())

    def __len__(self) -> int:
        return len(self._fields)

    def lookup(self, name: str) -> Field | None:
        """The field called ``name``; SQL identifiers are case-insensitive, so 'AUM_MAD' finds 'aum_mad'."""
        found = self._fields.get(name)
        if found is None and (canonical := self._folded.get(name.casefold())):
            found = self._fields[canonical]
        return found

    def names(self) -> list[str]:
        return list(self._fields)

    def suggest(self, name: str) -> str | None:
        """The closest known name (difflib), also through full-width or compatibility characters."""
        normal = unicodedata.normalize("NFKC", name)
        if normal != name and (field := self.lookup(normal)):
            return field.name
        matches = difflib.get_close_matches(normal.casefold(), list(self._folded), n=1, cutoff=0.6)
        return self._folded[matches[0]] if matches else None


def _unique_casefold(fields: dict[str, Field]) -> dict[str, str]:
    """casefolded name → name, leaving out names two fields share once case is ignored."""
    folded: dict[str, str] = {}
    clashes: set[str] = set()
    for name in fields:
        key = name.casefold()
        if key in folded:
            clashes.add(key)
        folded[key] = name
    return {k: v for k, v in folded.items() if k not in clashes}
