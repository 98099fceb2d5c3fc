"""Numbers and dates as people read them: Russian by default, English on request."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pandas as pd
import pytest

from dashboard import fmt

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567.89, f"1{NBSP}234{NBSP}567,89{NBSP}₽"),
        (Decimal("1234567.89"), f"1{NBSP}234{NBSP}567,89{NBSP}₽"),
        (0, f"0,00{NBSP}₽"),
        (999.999, f"1{NBSP}000,00{NBSP}₽"),
        (0.125, f"0,13{NBSP}₽"),  # half-up on the decimal value, not binary float rounding
        (2.675, f"2,68{NBSP}₽"),
        (-1500.5, f"-1{NBSP}500,50{NBSP}₽"),
        (123, f"123,00{NBSP}₽"),
    ],
)
def test_money_russian(value, expected):
    assert fmt.money(value) == expected


def test_money_without_kopecks_for_cards():
    assert fmt.money(1280013.4, decimals=0) == f"1{NBSP}280{NBSP}013{NBSP}₽"


def test_money_english_puts_the_sign_first():
    assert fmt.money(1234567.891, "en") == "₽1,234,567.89"
    assert fmt.money(-1234, "en") == "-₽1,234.00"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, math.inf, "not a number"])
def test_missing_values_show_a_dash(missing):
    assert fmt.money(missing) == "—"
    assert fmt.integer(missing) == "—"
    assert fmt.percent(missing) == "—"
    assert fmt.delta_percent(missing) == "—"


def test_integers_group_thousands_with_nbsp():
    assert fmt.integer(1234567) == f"1{NBSP}234{NBSP}567"
    assert fmt.integer(999) == "999"
    assert fmt.integer(1000) == f"1{NBSP}000"
    assert fmt.integer(1234567, "en") == "1,234,567"


def test_numpy_and_pandas_integers_are_numbers():
    series = pd.Series([1234, None], dtype="Int64")
    assert fmt.integer(series.iloc[0]) == f"1{NBSP}234"
    assert fmt.integer(series.iloc[1]) == "—"


def test_numpy_floats_are_numbers():
    # numpy 2 writes repr(np.float64(0.95)) as "np.float64(0.95)": the value, not its repr, counts
    ratios = pd.Series([0.95, 1234.5], dtype="float64")
    assert fmt.percent(ratios.iloc[0], "ru", 0) == f"95{NBSP}%"
    assert fmt.money(ratios.iloc[1]) == f"1{NBSP}234,50{NBSP}₽"


def test_percent_from_a_ratio():
    assert fmt.percent(0.123) == f"12,3{NBSP}%"
    assert fmt.percent(0.01763, decimals=2) == f"1,76{NBSP}%"
    assert fmt.percent(1.0, decimals=0) == f"100{NBSP}%"
    assert fmt.percent(0.123, "en") == "12.3%"


def test_delta_percent_is_signed():
    assert fmt.delta_percent(0.123) == f"+12,3{NBSP}%"
    assert fmt.delta_percent(-0.05) == f"-5,0{NBSP}%"
    assert fmt.delta_percent(0.0) == f"0,0{NBSP}%"
    assert fmt.delta_percent(0.00004) == f"0,0{NBSP}%"  # rounds to zero: no sign
    assert fmt.delta_percent(1.736, "en", 0) == "+174%"


def test_negative_delta_starts_with_ascii_minus_for_st_metric():
    # st.metric decides the arrow (and the red/green) by a leading "-".
    assert fmt.delta_percent(-0.2).startswith("-")


def test_dates():
    day = dt.date(2026, 11, 23)
    assert fmt.date(day) == "23.11.2026"
    assert fmt.date(dt.date(2026, 1, 5)) == "05.01.2026"
    assert fmt.date(day, "en") == "23 Nov 2026"
    assert fmt.date(pd.Timestamp("2026-11-23 15:00")) == "23.11.2026"
    assert fmt.date(None) == "—"
    assert fmt.date(pd.NaT) == "—"


def test_date_range():
    assert fmt.date_range(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == "01.10.2026 – 31.10.2026"
    assert fmt.date_range(dt.date(2026, 10, 1), dt.date(2026, 10, 1)) == "01.10.2026"


def test_published_at_is_shown_in_moscow_time():
    utc = dt.datetime(2026, 11, 23, 4, 5, tzinfo=dt.UTC)
    assert fmt.datetime_msk(utc) == "23.11.2026 07:05 МСК"
    assert fmt.datetime_msk(utc.replace(tzinfo=None)) == "23.11.2026 07:05 МСК"  # naive = UTC
    assert fmt.datetime_msk(dt.datetime(2026, 12, 31, 22, 30, tzinfo=dt.UTC), "en") == "1 Jan 2027 01:30 MSK"
    assert fmt.datetime_msk(None) == "—"


def test_a_local_moment_is_shown_as_published():
    assert fmt.date_time(dt.datetime(2026, 11, 3, 10, 5)) == "03.11.2026 10:05"
    assert fmt.date_time(pd.Timestamp("2026-11-03 10:05"), "en") == "3 Nov 2026 10:05"
    assert fmt.date_time(pd.NaT) == "—"
    assert fmt.date_time(dt.date(2026, 11, 3)) == "—"  # a day has no time
