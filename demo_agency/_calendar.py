"""Dates: months, quarters and a simple Russian working-day calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

# Fixed non-working public holidays (Labour Code art. 112). Government day transfers between
# years are ignored: the simulator only needs believable invoice and payment dates.
_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    [(1, d) for d in range(1, 9)] + [(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)]
)


def is_holiday(day: dt.date) -> bool:
    return (day.month, day.day) in _HOLIDAYS


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the next one."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def nth_working_day(month: dt.date, n: int) -> dt.date:
    """The ``n``-th (1-based) working day of the month that ``month`` falls in."""
    day = month_start(month)
    seen = 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen == n:
                return day
        day += dt.timedelta(days=1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """First day of the month ``n`` months after the month of ``month`` (``n`` may be negative)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - dt.timedelta(days=1)


def days_in_month(day: dt.date) -> int:
    return month_end(day).day


def iter_days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every day from ``first`` to ``last`` inclusive."""
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def iter_months(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """First days of the months touched by ``first``..``last`` inclusive."""
    month = month_start(first)
    while month <= last:
        yield month
        month = add_months(month, 1)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1
