"""Report periods: the presets of the client report and their comparison periods.

Presets are relative to the serving file's ``as_of_date`` (never the wall clock), and a period
never ends after the last full day with data (``last_full_day``). "This month" and "quarter"
are those of yesterday (the last full day), so on the 1st they show the month just finished.
A preset whose first day is after ``last_full_day`` (data lagging behind) is empty, which the
page says in words.

A period is compared with the one before it (:meth:`Period.previous`): whole calendar months with
the same number of months before them (October with September, a quarter with the quarter
before), any other period with the same number of days just before it; and with the same days a
year earlier (:meth:`Period.year_ago`). The client reports (``reports/``) use the same rules, so
a report and the dashboard compare the same days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal, get_args

__all__ = [
    "PRESETS",
    "Period",
    "Preset",
    "add_months",
    "default_preset",
    "month_end",
    "month_start",
    "preset_period",
]

Preset = Literal["this_month", "last_month", "last_7", "last_30", "quarter", "custom"]
PRESETS: Final[tuple[Preset, ...]] = get_args(Preset)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months, clipped to the last day of the month reached
    (31.03 - 1 month = 28.02 or 29.02)."""
    index = day.year * 12 + day.month - 1 + months
    first = dt.date(index // 12, index % 12 + 1, 1)
    return first.replace(day=min(day.day, month_end(first).day))


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

    @property
    def whole_months(self) -> int:
        """How many calendar months the period is when it is whole months (01.10-31.10: 1;
        01.07-30.09: 3), else 0."""
        if self.is_empty or self.start.day != 1 or self.end != month_end(self.end):
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> Period:
        """The period this one is compared with: for whole calendar months the same number of
        months just before (October: September, 01.09-30.09); otherwise the period of equal
        length that ends the day before this one starts."""
        months = self.whole_months
        if months:
            start = add_months(self.start, -months)
            return Period(start, self.start - dt.timedelta(days=1))
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def year_ago(self) -> Period:
        """The same days a year earlier (whole months: the same months, so February stays whole)."""
        if self.whole_months:
            start = add_months(self.start, -12)
            return Period(start, month_end(add_months(self.end, -12)))
        return Period(add_months(self.start, -12), add_months(self.end, -12))

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
