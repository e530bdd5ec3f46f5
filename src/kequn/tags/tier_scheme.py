"""The tier scheme (分层方案): tiers, thresholds, service models, downgrade rules and the asset definition.

A scheme is plain data: it round-trips through JSON and YAML (``to_dict`` / ``scheme_from_dict``), and every
rule it breaks is reported as one line (``UserInputError``) naming the field. The shipped default follows
DOMAIN.md §1; banks change it with ``kequn tier scheme set FILE`` (versions are kept, see ``tier_store``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kequn.core.errors import UserInputError

#: Asset categories the features snapshot averages per month (``aum_mad_<category>``).
CATEGORIES = ("demand_deposit", "time_deposit", "wealth", "fund", "insurance")
SERVICE_MODELS = ("rm", "digital")
#: Row labels of the migration matrix for customers absent from one of the two snapshots.
RESERVED_CODES = ("new", "left")
DEFAULT_DOWNGRADE_MONTHS = 3
MAX_DOWNGRADE_MONTHS = 24
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_TIER_KEYS = {"code", "name_zh", "name_en", "min_aum", "service_model", "downgrade_months"}


@dataclass(frozen=True)
class Tier:
    """One tier: a customer qualifies at a basis AUM of at least ``min_aum`` (and below the tier above)."""

    code: str
    name_zh: str
    name_en: str
    min_aum: float
    service_model: str  # rm: a relationship manager (管户); digital: central digital direct operations
    downgrade_months: int = DEFAULT_DOWNGRADE_MONTHS

    def label(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


@dataclass(frozen=True)
class AssetDefinition:
    """What counts as a customer's assets: Σ weight × monthly average per category, optionally minus loans."""

    weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 1.0))
    net_of_loans: bool = False

    @property
    def is_standard(self) -> bool:
        """Every category at weight 1, gross of loans: exactly the features' ``aum_mad``."""
        return not self.net_of_loans and all(self.weights.get(c) == 1.0 for c in CATEGORIES)


@dataclass(frozen=True)
class TierScheme:
    """Ordered tiers, highest first; the last tier (``min_aum`` 0) takes everyone below the one above it.

    ``version`` is assigned by the operational store (0 = the shipped default, never saved).
    """

    tiers: tuple[Tier, ...]
    assets: AssetDefinition = field(default_factory=AssetDefinition)
    version: int = 0

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.tiers)

    def tier(self, code: str) -> Tier | None:
        return next((t for t in self.tiers if t.code == code), None)

    def rank(self, code: str) -> int | None:
        """Higher is better: the lowest tier is 1. None for a code this scheme does not have."""
        codes = self.codes
        return len(codes) - codes.index(code) if code in codes else None

    def to_dict(self) -> dict[str, Any]:
        """The configuration as plain data (what the store keeps and ``scheme show`` prints)."""
        return {
            "tiers": [
                {
                    "code": t.code,
                    "name_zh": t.name_zh,
                    "name_en": t.name_en,
                    "min_aum": _plain_number(t.min_aum),
                    "service_model": t.service_model,
                    "downgrade_months": t.downgrade_months,
                }
                for t in self.tiers
            ],
            "assets": {
                "weights": {c: _plain_number(w) for c, w in self.assets.weights.items()},
                "net_of_loans": self.assets.net_of_loans,
            },
        }


DEFAULT_SCHEME = TierScheme(
    tiers=(
        Tier("private", "私人银行", "Private banking", 6_000_000, "rm", 6),
        Tier("wealth", "财富", "Wealth", 500_000, "rm"),
        Tier("affluent", "贵宾", "Affluent", 50_000, "rm"),
        Tier("mass", "大众", "Mass", 1_000, "digital"),
        Tier("longtail", "长尾", "Long tail", 0, "digital"),
    )
)


def _plain_number(value: float) -> int | float:
    """Whole amounts print as integers (6000000, not 6000000.0) so files stay readable."""
    return int(value) if float(value).is_integer() else value


def scheme_to_text(scheme: TierScheme, fmt: str = "yaml") -> str:
    """The scheme as a YAML (default) or JSON document that ``scheme_from_text`` reads back."""
    data = scheme.to_dict()
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def load_scheme_file(path: Path) -> TierScheme:
    """Read and validate a scheme file (.json, .yaml or .yml); errors name the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(f"{path}: cannot read the tier scheme ({exc.__class__.__name__})") from None
    return scheme_from_text(text, source=str(path))


def scheme_from_text(text: str, *, source: str = "tier scheme") -> TierScheme:
    """Parse YAML or JSON (JSON is YAML) into a validated scheme.

    >>> scheme_from_text("tiers: []").codes
    Traceback (most recent call last):
    ...
    kequn.core.errors.UserInputError: tier scheme: tiers: expected a list of at least 2 tiers
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise UserInputError(f"{source}: not valid YAML/JSON{where}: {problem}") from None
    return scheme_from_dict(data, source=source)


def scheme_from_dict(data: Any, *, source: str = "tier scheme", version: int = 0) -> TierScheme:
    """Validate plain data into a scheme; the first problem found is raised as one line."""
    if not isinstance(data, dict):
        raise UserInputError(f"{source}: expected a mapping with 'tiers' and 'assets'")
    unknown = sorted(set(data) - {"tiers", "assets", "version"})  # version: informational, store assigns
    if unknown:
        raise UserInputError(f"{source}: unknown key '{unknown[0]}' (expected tiers, assets)")
    tiers = _tiers(data.get("tiers"), source)
    assets = _assets(data.get("assets", {}), source)
    return TierScheme(tiers=tiers, assets=assets, version=version)


def _tiers(raw: Any, source: str) -> tuple[Tier, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise UserInputError(f"{source}: tiers: expected a list of at least 2 tiers")
    tiers = tuple(_tier(item, f"{source}: tiers[{i}]") for i, item in enumerate(raw))
    _check_order(tiers, source)
    return tiers


def _tier(raw: Any, where: str) -> Tier:
    if not isinstance(raw, dict):
        raise UserInputError(
            f"{where}: expected a mapping with code, name_zh, name_en, min_aum, service_model"
        )
    unknown = sorted(set(raw) - _TIER_KEYS)
    if unknown:
        raise UserInputError(f"{where}: unknown key '{unknown[0]}'")
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise UserInputError(f"{where}.code: {code!r} is not a code (lower-case letters, digits, _)")
    if code in RESERVED_CODES:
        raise UserInputError(f"{where}.code: '{code}' is reserved (migration rows 'new' and 'left')")
    names = [_name(raw.get(key), f"{where}.{key}") for key in ("name_zh", "name_en")]
    model = raw.get("service_model")
    if model not in SERVICE_MODELS:
        raise UserInputError(f"{where}.service_model: {model!r} is not one of rm, digital")
    months = raw.get("downgrade_months", DEFAULT_DOWNGRADE_MONTHS)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_DOWNGRADE_MONTHS:
        raise UserInputError(
            f"{where}.downgrade_months: {months!r} is not a whole number 1..{MAX_DOWNGRADE_MONTHS}"
        )
    amount = _amount(raw.get("min_aum"), f"{where}.min_aum")
    return Tier(code, names[0], names[1], amount, model, months)


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UserInputError(f"{where}: expected a non-empty name")
    return value.strip()


def _amount(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise UserInputError(f"{where}: {value!r} is not an amount >= 0")
    return float(value)


def _check_order(tiers: tuple[Tier, ...], source: str) -> None:
    seen: set[str] = set()
    for i, tier in enumerate(tiers):
        if tier.code in seen:
            raise UserInputError(f"{source}: tiers[{i}].code: '{tier.code}' appears twice")
        seen.add(tier.code)
        if i and tier.min_aum >= tiers[i - 1].min_aum:
            raise UserInputError(
                f"{source}: tiers[{i}].min_aum: {_plain_number(tier.min_aum)} must be below "
                f"tiers[{i - 1}].min_aum {_plain_number(tiers[i - 1].min_aum)} (list tiers highest first)"
            )
    if tiers[-1].min_aum != 0:
        raise UserInputError(
            f"{source}: tiers[{len(tiers) - 1}].min_aum: the lowest tier must start at 0 "
            "(it takes every customer below the tier above, zero and negative balances included)"
        )


def _assets(raw: Any, source: str) -> AssetDefinition:
    where = f"{source}: assets"
    if not isinstance(raw, dict):
        raise UserInputError(f"{where}: expected a mapping with weights and net_of_loans")
    unknown = sorted(set(raw) - {"weights", "net_of_loans"})
    if unknown:
        raise UserInputError(f"{where}: unknown key '{unknown[0]}' (expected weights, net_of_loans)")
    net = raw.get("net_of_loans", False)
    if not isinstance(net, bool):
        raise UserInputError(f"{where}.net_of_loans: {net!r} is not true or false")
    weights = _weights(raw.get("weights", dict.fromkeys(CATEGORIES, 1.0)), f"{where}.weights")
    return AssetDefinition(weights=weights, net_of_loans=net)


def _weights(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, dict) or not raw:
        raise UserInputError(f"{where}: expected a mapping category → weight ({', '.join(CATEGORIES)})")
    out: dict[str, float] = {}
    for category, weight in raw.items():
        if category not in CATEGORIES:
            raise UserInputError(
                f"{where}: unknown category {category!r} (expected one of {', '.join(CATEGORIES)})"
            )
        out[category] = _amount(weight, f"{where}.{category}")
    if not any(out.values()):
        raise UserInputError(f"{where}: at least one category needs a weight above 0")
    return out


__all__ = [
    "CATEGORIES",
    "DEFAULT_SCHEME",
    "SERVICE_MODELS",
    "AssetDefinition",
    "Tier",
    "TierScheme",
    "load_scheme_file",
    "scheme_from_dict",
    "scheme_from_text",
    "scheme_to_text",
]
