"""Literal values: numbers kept exact and bounded, dates checked, so a literal means the same in
Python, DuckDB and Spark.

>>> parse_number("1_000.50")
Decimal('1000.50')
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

MAX_DIGITS = 15  # significant digits a double holds exactly, so Python and SQL see the same number
MAX_MAGNITUDE = Decimal(10) ** MAX_DIGITS
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class LiteralError(ValueError):
    """A literal outside what the language accepts; the checker adds the position."""


def parse_number(text: str) -> Decimal:
    """A number literal as written (digits, optional '.', exponent, '_' separators), checked for range."""
    try:
        value = Decimal(text.replace("_", ""))
    except ArithmeticError:  # InvalidOperation, or an exponent beyond Decimal's own range
        raise LiteralError(f"invalid number {_short(text)}") from None
    if not value.is_finite() or abs(value) >= MAX_MAGNITUDE:
        raise LiteralError(f"number {_short(text)} is out of range (magnitude below 10^{MAX_DIGITS})")
    shape = value.normalize().as_tuple()
    if value != 0 and len(shape.digits) > MAX_DIGITS:
        raise LiteralError(f"number {_short(text)} has more than {MAX_DIGITS} significant digits")
    if isinstance(shape.exponent, int) and shape.exponent < -MAX_DIGITS:
        raise LiteralError(f"number {_short(text)} has more than {MAX_DIGITS} decimal places")
    return value


def parse_date(text: str) -> date:
    """A DATE literal: exactly YYYY-MM-DD and a real calendar day."""
    if not _ISO_DATE.fullmatch(text):
        raise LiteralError(f"invalid date {_short(text)}: write DATE 'YYYY-MM-DD'")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise LiteralError(f"invalid date {_short(text)}: no such day") from None


def format_number(value: Decimal) -> str:
    """Canonical text of a number literal: plain digits, no exponent, no trailing zeros.

    >>> format_number(Decimal("1.50")), format_number(Decimal("5E+2")), format_number(Decimal("-0.000001"))
    ('1.5', '500', '-0.000001')
    """
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")
