"""Which month a tiers snapshot judges, and from when its tiers are in force.

A tiers snapshot at ``as_of`` judges the last *complete* month (its *basis month*): the month of ``as_of``
when ``as_of`` is that month's last day, else the month before. The tier it decides is in force for the
month after the basis month. So the snapshot at 2026-01-31 judges January and sets February's tiers, and a
snapshot at 2026-02-15 judges January too: it shows February's tiers, the ones in force that day.
"""

from __future__ import annotations

from datetime import date, timedelta


def month_end(day: date) -> date:
    """The last day of ``day``'s month.

    >>> month_end(date(2024, 2, 10))
    datetime.date(2024, 2, 29)
    """
    first_of_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next - timedelta(days=1)


def is_month_end(day: date) -> bool:
    return day == month_end(day)


def basis_month_end(as_of: date) -> date:
    """The last day of the basis month of a snapshot at ``as_of``.

    >>> basis_month_end(date(2026, 1, 31)), basis_month_end(date(2026, 2, 15))
    (datetime.date(2026, 1, 31), datetime.date(2026, 1, 31))
    """
    return as_of if is_month_end(as_of) else as_of.replace(day=1) - timedelta(days=1)


def in_force_from(as_of: date) -> date:
    """The first day of the month the tiers decided at ``as_of`` are in force for.

    >>> in_force_from(date(2026, 12, 31))
    datetime.date(2027, 1, 1)
    """
    return basis_month_end(as_of) + timedelta(days=1)


def months_apart(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier``'s month to ``later``'s month.

    >>> months_apart(date(2025, 11, 30), date(2026, 2, 28))
    3
    """
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def month_label(day: date) -> str:
    """``YYYY-MM``, how months are shown."""
    return f"{day.year:04d}-{day.month:02d}"
