"""Russian working days: when the monthly and weekly reports are due.

A working day is a day of the Russian production calendar: Monday to Friday, less public
holidays and the days off the government moves each year (the January holidays, a Friday
bridged to a holiday), plus the Saturdays it makes working days. The calendar is the
``holidays`` package's (``country_holidays("RU")``), which carries each year's decree; for a year
whose decree it does not know yet it applies the Labour Code's rule (a holiday on a weekend
moves to the next working day), so keep the package current each autumn, when the next year's
decree is published.
"""

from __future__ import annotations

import datetime as dt
import threading
from functools import cache

import holidays

__all__ = [
    "is_working_day",
    "monthly_send_day",
    "next_working_day",
    "nth_working_day",
    "weekly_send_day",
]

_LOCK = threading.Lock()


@cache
def _calendar() -> holidays.HolidayBase:
    return holidays.country_holidays("RU")


def is_working_day(day: dt.date) -> bool:
    """True on a working day of the Russian production calendar."""
    with _LOCK:  # the calendar fills in a year on first use
        return bool(_calendar().is_working_day(day))


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def nth_working_day(year: int, month: int, n: int) -> dt.date:
    """The ``n``-th working day (from 1) of the month."""
    if n < 1:
        raise ValueError(f"n counts from 1, not {n}")
    day = dt.date(year, month, 1)
    count = 0
    while day.month == month:
        if is_working_day(day):
            count += 1
            if count == n:
                return day
        day += dt.timedelta(days=1)
    raise ValueError(f"{year}-{month:02d} has fewer than {n} working days")


def monthly_send_day(period_start: dt.date, n: int) -> dt.date:
    """When the monthly report of the month of ``period_start`` is due: the ``n``-th working day
    of the month after it (``monthly_on_working_day``)."""
    following = (period_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nth_working_day(following.year, following.month, n)


def weekly_send_day(week_start: dt.date, weekday: int) -> dt.date:
    """When the weekly report of the week of ``week_start`` is due: the ``weekday`` (Monday = 0,
    ``weekly_on``) of the next week, or the first working day after it when that is a day off."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday is 0 (Monday) to 6, not {weekday}")
    monday = week_start - dt.timedelta(days=week_start.weekday())
    return next_working_day(monday + dt.timedelta(days=7 + weekday))
