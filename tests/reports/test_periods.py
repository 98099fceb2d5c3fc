"""--period forms, period names in file names and sentences."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dashboard.periods import Period
from reports import PeriodError, parse_period, period_slug, period_title
from reports.periods import in_period_text

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected", "slug"),
    [
        ("2026-10", Period(D(2026, 10, 1), D(2026, 10, 31)), "2026-10"),
        ("2028-02", Period(D(2028, 2, 1), D(2028, 2, 29)), "2028-02"),
        ("2026-W44", Period(D(2026, 10, 26), D(2026, 11, 1)), "2026-W44"),
        ("2026-w01", Period(D(2025, 12, 29), D(2026, 1, 4)), "2026-W01"),
        ("2026-10-01:2026-10-31", Period(D(2026, 10, 1), D(2026, 10, 31)), "2026-10"),
        ("2026-10-05:2026-10-18", Period(D(2026, 10, 5), D(2026, 10, 18)), "2026-10-05_2026-10-18"),
        (" 2026-11-03:2026-11-03 ", Period(D(2026, 11, 3), D(2026, 11, 3)), "2026-11-03_2026-11-03"),
    ],
)
def test_period_forms(text, expected, slug):
    period = parse_period(text)
    assert period == expected
    assert period_slug(period) == slug


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "there is no month 13"),
        ("2026-W54", "2026 has no ISO week 54"),
        ("2026-10-31:2026-10-01", "the last day is before the first"),
        ("2026-02-30:2026-03-01", "day is out of range"),
        ("October", "is not a period: use a month (2026-10), an ISO week (2026-W44) or days"),
    ],
)
def test_wrong_periods_say_what_is_accepted(text, message):
    with pytest.raises(PeriodError, match=re.escape(message)):
        parse_period(text)


def test_period_titles_and_comparison_names():
    october = parse_period("2026-10")
    assert period_title(october, "ru") == "Октябрь 2026"
    assert period_title(october, "en") == "October 2026"
    assert period_title(parse_period("2026-W44"), "ru") == "Неделя 44"
    assert period_title(Period(D(2026, 7, 1), D(2026, 9, 30)), "ru") == "Июль – сентябрь 2026"
    assert period_title(Period(D(2025, 12, 1), D(2026, 1, 31)), "en") == "December 2025 – January 2026"
    assert period_title(parse_period("2026-10-05:2026-10-18"), "ru") == "05.10.2026 – 18.10.2026"
    september = october.previous()
    assert in_period_text(september, "ru", reference_year=2026) == "в сентябре"
    assert in_period_text(october.year_ago(), "ru", reference_year=2026) == "в октябре 2025"
    assert in_period_text(october.year_ago(), "en", reference_year=2026) == "in October 2025"
    week = parse_period("2026-W44").previous()
    assert in_period_text(week, "ru", reference_year=2026) == "за 19.10.2026 – 25.10.2026"
