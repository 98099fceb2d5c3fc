"""Report periods: the presets of the client report and their comparison periods.

Presets are relative to the serving file's ``as_of_date`` (never the wall clock), and a period
never ends after the last full day with data (``last_full_day``). "This month" and "quarter"
are those of yesterday (the last full day), so on the 1st they show the month just finished.
A preset whose first day is after ``last_full_day`` (data lagging behind) is empty, which the
page says in words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal, get_args

__all__ = ["PRESETS", "Period", "Preset", "default_preset", "month_end", "month_start", "preset_period"]

Preset = Literal["this_month", "last_month", "last_7", "last_30", "quarter", "custom"]
PRESETS: Final[tuple[Preset, ...]] = get_args(Preset)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Days ``start``..``end``, both inclusive."""

    start: dt.date
    end: dt.date

    @property
    def is_empty(self) -> bool:
        return self.start > self.end

    @property
    def days(self) -> int:
        return max((self.end - self.start).days + 1, 0)

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def months(self) -> tuple[dt.date, dt.date]:
        """First days of the first and the last month the period touches."""
        return month_start(self.start), month_start(self.end)

    def clipped(self, last_full_day: dt.date) -> Period:
        return Period(self.start, min(self.end, last_full_day))


def preset_period(preset: Preset, as_of: dt.date, last_full_day: dt.date) -> Period:
    """The days a preset covers as of ``as_of``, ending no later than ``last_full_day``.

    ``custom`` has no days of its own: it starts as the last 30 days.
    """
    yesterday = as_of - dt.timedelta(days=1)
    end = min(yesterday, last_full_day)
    if preset == "this_month":
        return Period(month_start(yesterday), end)
    if preset == "last_month":
        last_month_end = month_start(as_of) - dt.timedelta(days=1)
        return Period(month_start(last_month_end), min(last_month_end, end))
    if preset == "last_7":
        return Period(end - dt.timedelta(days=6), end)
    if preset == "quarter":
        first_month = (yesterday.month - 1) // 3 * 3 + 1
        return Period(dt.date(yesterday.year, first_month, 1), end)
    return Period(end - dt.timedelta(days=29), end)  # last_30 and the starting point of custom


def default_preset(as_of: dt.date, last_full_day: dt.date) -> Preset:
    """Last month when its data is complete, else the last 30 days."""
    last_month_end = month_start(as_of) - dt.timedelta(days=1)
    return "last_month" if last_full_day >= last_month_end else "last_30"
