"""Report periods: what ``--period`` accepts, and how a period is named in a report.

``2026-10`` (a calendar month), ``2026-W44`` (an ISO week, Monday to Sunday) and
``2026-10-01:2026-10-31`` (any days, both inclusive) are parsed into a
:class:`dashboard.periods.Period`; the comparison periods (the previous one and the same days
a year earlier) are the dashboard's (:meth:`Period.previous`, :meth:`Period.year_ago`), so a
report compares what the client page compares. What kind of period it is (a month, a week,
other days) is read from its days, so ``2026-10-01:2026-10-31`` is October too.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from dashboard import fmt
from dashboard.fmt import Lang
from dashboard.periods import Period, month_end
from reports.errors import PeriodError

__all__ = [
    "PeriodError",
    "in_period_text",
    "iso_week",
    "month_name",
    "parse_period",
    "period_slug",
    "period_title",
]

_RU_MONTHS: Final = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
_RU_MONTHS_IN: Final = (
    "январе", "феврале", "марте", "апреле", "мае", "июне",
    "июле", "августе", "сентябре", "октябре", "ноябре", "декабре",
)  # fmt: skip
"""The prepositional case: "в сентябре"."""
_EN_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str) -> Period:
    """``2026-10``, ``2026-W44`` or ``2026-10-01:2026-10-31`` as a :class:`Period`."""
    value = text.strip()
    accepted = "use a month (2026-10), an ISO week (2026-W44) or days (2026-10-01:2026-10-31)"
    if match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"{text!r}: there is no month {month}; {accepted}")
        start = dt.date(year, month, 1)
        return Period(start, month_end(start))
    if match := _WEEK.match(value):
        year, week = int(match[1]), int(match[2])
        try:
            monday = dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            raise PeriodError(f"{text!r}: {year} has no ISO week {week}; {accepted}") from None
        return Period(monday, monday + dt.timedelta(days=6))
    if match := _RANGE.match(value):
        try:
            start, end = dt.date.fromisoformat(match[1]), dt.date.fromisoformat(match[2])
        except ValueError as exc:
            raise PeriodError(f"{text!r}: {exc}; {accepted}") from None
        if end < start:
            raise PeriodError(f"{text!r}: the last day is before the first")
        return Period(start, end)
    raise PeriodError(f"{text!r} is not a period: {accepted}")


def iso_week(period: Period) -> tuple[int, int] | None:
    """(ISO year, week number) when the period is one ISO week, Monday to Sunday; else None."""
    if period.days != 7 or period.start.isoweekday() != 1:
        return None
    year, week, _ = period.start.isocalendar()
    return year, week


def period_slug(period: Period) -> str:
    """The period in a file name: ``2026-10``, ``2026-W44``, else ``2026-10-01_2026-10-15``."""
    if period.whole_months == 1:
        return f"{period.start:%Y-%m}"
    week = iso_week(period)
    if week is not None:
        return f"{week[0]}-W{week[1]:02d}"
    return f"{period.start.isoformat()}_{period.end.isoformat()}"


def month_name(month: dt.date, lang: Lang, *, year: bool = True) -> str:
    """``октябрь 2026`` / ``October 2026``."""
    name = (_EN_MONTHS if lang == "en" else _RU_MONTHS)[month.month - 1]
    return f"{name} {month.year}" if year else name


def period_title(period: Period, lang: Lang) -> str:
    """``Октябрь 2026``; ``Июль – сентябрь 2026``; ``Неделя 44``; else the days."""
    months = period.whole_months
    if months == 1:
        return _upper_first(month_name(period.start, lang))
    if months > 1:
        first = month_name(period.start, lang, year=period.start.year != period.end.year)
        return _upper_first(f"{first} – {month_name(period.end, lang)}")
    week = iso_week(period)
    if week is not None:
        return f"Неделя {week[1]}" if lang == "ru" else f"Week {week[1]}"
    return fmt.date_range(period.start, period.end, lang)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def in_period_text(period: Period, lang: Lang, *, reference_year: int | None = None) -> str:
    """How a sentence names a comparison period: ``в сентябре`` / ``in September`` for a whole
    month (with its year when it differs from ``reference_year``: ``в октябре 2025``), else
    ``за 19.10.2026 – 25.10.2026`` / ``over 19 Oct 2026 – 25 Oct 2026``."""
    if period.whole_months == 1:
        index = period.start.month - 1
        year = "" if period.start.year == reference_year else f" {period.start.year}"
        return f"в {_RU_MONTHS_IN[index]}{year}" if lang == "ru" else f"in {_EN_MONTHS[index]}{year}"
    days = fmt.date_range(period.start, period.end, lang)
    return f"за {days}" if lang == "ru" else f"over {days}"
