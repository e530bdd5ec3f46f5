"""The dates a feature run for ``as_of`` looks at, computed once in Python and written as SQL literals.

Keeping date arithmetic out of the SQL is what makes it portable: every engine compares a column
with ``DATE '2026-10-31'`` the same way, whereas interval arithmetic differs between dialects.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clipped to the month's last day.

    >>> add_months(date(2026, 8, 31), -6)
    datetime.date(2026, 2, 28)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def date_sql(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def ts_sql(day: date) -> str:
    """Midnight at the start of ``day`` as a timestamp literal."""
    return f"TIMESTAMP '{day.isoformat()} 00:00:00'"


@dataclass(frozen=True)
class Month:
    """A calendar month, or its first days up to as_of: [start, end) with ``days`` days."""

    start: date
    end: date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True)
class Windows:
    as_of: date

    @property
    def next_day(self) -> date:
        return self.as_of + timedelta(days=1)

    def days_start(self, days: int) -> date:
        """First day of the ``days`` days ending on as_of (as_of included)."""
        return self.as_of - timedelta(days=days - 1)

    def days_ago(self, days: int) -> date:
        return self.as_of - timedelta(days=days)

    def days_after(self, days: int) -> date:
        return self.as_of + timedelta(days=days)

    def month(self, back: int) -> Month:
        """``back`` = 0: as_of's month up to as_of; otherwise the whole month ``back`` months before."""
        first = self.as_of.replace(day=1)
        if back == 0:
            return Month(first, self.next_day)
        start = add_months(first, -back)
        return Month(start, add_months(start, 1))

    @property
    def six_months_start(self) -> date:
        """First day of the 6-month window: the day after the same date 6 months before as_of."""
        return add_months(self.as_of, -6) + timedelta(days=1)

    @property
    def one_year_ago(self) -> date:
        return add_months(self.as_of, -12)
