"""How amounts look in every face (terminal, console pages): one rule, so they always agree."""

from __future__ import annotations

from typing import Any


def money(value: Any) -> str:
    """An amount with thousands separators and 2 decimals; missing is zero.

    >>> money(1234567.891)
    '1,234,567.89'
    >>> money(None)
    '0.00'
    """
    return f"{float(value or 0):,.2f}"
