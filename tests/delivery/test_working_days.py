"""The Russian production calendar, checked against the government's decrees on moved days off."""

from __future__ import annotations

import datetime as dt

import pytest

from delivery import is_working_day, monthly_send_day, nth_working_day, weekly_send_day
from delivery.working_days import next_working_day

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 9), False),  # the day off moved from Saturday 3 January (decree of 24.09.2025)
        (D(2026, 1, 12), True),
        (D(2026, 3, 9), False),  # 8 March falls on a Sunday
        (D(2026, 5, 11), False),  # 9 May falls on a Saturday
        (D(2026, 12, 31), False),  # moved from Sunday 4 January
        (D(2024, 4, 27), True),  # a working Saturday (decree of 10.08.2023)
        (D(2024, 11, 2), True),  # another one
        (D(2024, 11, 4), False),  # Unity Day
        (D(2026, 10, 6), True),
        (D(2026, 10, 10), False),  # an ordinary Saturday
    ],
)
def test_working_days(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_the_nth_working_day_of_a_month() -> None:
    assert nth_working_day(2026, 1, 1) == D(2026, 1, 12)  # after the January holidays
    assert nth_working_day(2026, 1, 3) == D(2026, 1, 14)
    assert nth_working_day(2026, 5, 1) == D(2026, 5, 4)
    assert nth_working_day(2024, 11, 2) == D(2024, 11, 2)  # Friday the 1st, then the working Saturday
    assert nth_working_day(2026, 11, 3) == D(2026, 11, 5)  # 4 November is a holiday
    with pytest.raises(ValueError, match="fewer than 30 working days"):
        nth_working_day(2026, 1, 30)
    with pytest.raises(ValueError, match="from 1"):
        nth_working_day(2026, 1, 0)


def test_when_reports_are_due() -> None:
    assert monthly_send_day(D(2026, 10, 1), 3) == D(2026, 11, 5)  # October's report
    assert monthly_send_day(D(2026, 12, 1), 3) == D(2027, 1, 13)  # December's: after the holidays
    assert weekly_send_day(D(2026, 10, 26), 0) == D(2026, 11, 2)  # the next Monday
    assert weekly_send_day(D(2026, 10, 28), 0) == D(2026, 11, 2)  # any day of the week names it
    assert weekly_send_day(D(2026, 3, 2), 0) == D(2026, 3, 10)  # Monday 9 March is a day off
    assert weekly_send_day(D(2025, 12, 29), 0) == D(2026, 1, 12)  # the January holidays
    assert weekly_send_day(D(2026, 10, 26), 4) == D(2026, 11, 6)  # weekly_on: friday
    assert next_working_day(D(2026, 10, 10)) == D(2026, 10, 12)
