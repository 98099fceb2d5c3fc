"""Report periods and the metric maths of the tables (pure functions, no Streamlit)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import tables
from dashboard.i18n import match_method_label, source_name
from dashboard.periods import Period, default_preset, preset_period

D = dt.date
AS_OF = D(2026, 11, 23)
CUTOFF = D(2026, 11, 22)


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("this_month", Period(D(2026, 11, 1), D(2026, 11, 22))),
        ("last_month", Period(D(2026, 10, 1), D(2026, 10, 31))),
        ("last_7", Period(D(2026, 11, 16), D(2026, 11, 22))),
        ("last_30", Period(D(2026, 10, 24), D(2026, 11, 22))),
        ("quarter", Period(D(2026, 10, 1), D(2026, 11, 22))),
    ],
)
def test_presets_as_of_a_date(preset, expected):
    assert preset_period(preset, AS_OF, CUTOFF) == expected


def test_periods_never_end_after_the_data_cutoff():
    lagging = D(2026, 11, 18)
    assert preset_period("last_7", AS_OF, lagging) == Period(D(2026, 11, 12), lagging)
    assert preset_period("this_month", AS_OF, lagging).end == lagging


def test_default_is_last_month_when_complete_else_last_30_days():
    assert default_preset(AS_OF, CUTOFF) == "last_month"
    # On 2 December with data only through 29 November, November is not complete yet.
    assert default_preset(D(2026, 12, 2), D(2026, 11, 29)) == "last_30"
    assert default_preset(D(2026, 12, 2), D(2026, 11, 30)) == "last_month"


def test_this_month_on_the_first_is_the_month_just_finished():
    assert preset_period("this_month", D(2026, 12, 1), D(2026, 11, 30)) == Period(
        D(2026, 11, 1), D(2026, 11, 30)
    )


def test_a_period_after_the_cutoff_is_empty():
    # The data stopped in October; "this month" (November) has no full days with data.
    assert preset_period("this_month", AS_OF, D(2026, 10, 30)).is_empty


def test_previous_period_has_equal_length_and_ends_the_day_before():
    october = Period(D(2026, 10, 1), D(2026, 10, 31))
    assert october.previous() == Period(D(2026, 8, 31), D(2026, 9, 30))
    assert october.previous().days == 31
    assert Period(D(2026, 3, 1), D(2026, 3, 1)).previous() == Period(D(2026, 2, 28), D(2026, 2, 28))


def test_months_touched_by_a_period():
    assert Period(D(2026, 10, 24), D(2026, 11, 22)).months() == (D(2026, 10, 1), D(2026, 11, 1))


def _results() -> pd.DataFrame:
    # As data.channel_results returns it: one row per channel, then the ROLLUP totals row.
    return pd.DataFrame(
        {
            "channel": ["yandex_direct", "seo", None],
            "spend": [1000.0, 0.0, 1000.0],
            "impressions": [10_000, 0, 10_000],
            "clicks": [100, 0, 100],
            "calls": [10, 6, 16],
            "unique_calls": [9, 5, 14],
            "target_calls": [6, 4, 10],
            "leads": [4, 4, 8],
        }
    )


CHANNEL_NAMES = {
    "yandex_direct": ("Яндекс Директ", "Yandex Direct"),
    "seo": ("Поиск (SEO)", "Organic search"),
}


def test_channel_table_ratios_come_from_each_rows_sums():
    table = tables.channel_table(_results(), "ru", CHANNEL_NAMES)
    assert list(table["Канал"]) == ["Яндекс Директ", "Поиск (SEO)", "Итого"]
    total = table.iloc[-1]
    assert total["CTR"] == pytest.approx(0.01)
    assert total["CPC"] == pytest.approx(10.0)
    assert total["CPL"] == pytest.approx(125.0)  # 1000 / 8, not the mean of 250 and 0
    assert total["Доля расхода"] == pytest.approx(1.0)
    seo = table.iloc[1]
    assert seo["CTR"] is None and seo["CPC"] is None  # no impressions, no clicks: "—", not 0 or inf
    assert seo["CPL"] == 0.0


def test_channel_table_in_english():
    table = tables.channel_table(_results(), "en", CHANNEL_NAMES)
    assert list(table["Channel"]) == ["Yandex Direct", "Organic search", "Total"]


def test_a_channel_missing_from_dim_channels_is_shown_as_its_code():
    table = tables.channel_table(_results(), "ru", {"seo": ("Поиск (SEO)", "Organic search")})
    assert list(table["Канал"]) == ["yandex_direct", "Поиск (SEO)", "Итого"]


def test_totals_from_the_rollup_row():
    totals = tables.Totals.from_channel_results(_results())
    assert (totals.spend, totals.leads, totals.calls) == (1000.0, 8, 16)
    assert totals.cpl == pytest.approx(125.0)
    empty = tables.Totals.from_channel_results(_results().iloc[0:0])
    assert empty.spend == 0 and empty.cpl is None and empty.ctr is None


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [(120, 100, 0.2), (80, 100, -0.2), (5, 0, None), (None, 100, None), (0, 50, -1.0)],
)
def test_relative_change(current, previous, expected):
    result = tables.relative_change(current, previous)
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_match_methods_have_labels():
    assert [match_method_label(m, "ru") for m in ("number+inn", "inn+amount", "unmatched")] == [
        "по номеру счёта",
        "по ИНН и сумме",
        "не разнесён",
    ]
    assert match_method_label("inn+amount", "en") == "by INN and amount"


def test_unmatched_payments_table_names_the_client_or_says_there_is_none():
    payments = pd.DataFrame(
        {
            "paid_on": [pd.Timestamp("2026-11-21"), pd.Timestamp("2026-11-20")],
            "client_id": [None, "alfa"],
            "payer_name": ["ИП Сидоров", "ООО Альфа"],
            "payer_inn": ["500100732259", "7707083893"],
            "document_number": ["31", "502"],
            "amount": [30000.0, 12000.0],
            "payment_amount": [30000.0, 12000.0],
            "purpose": ["Оплата по счету 17", "Аванс"],
            "unmatched_reason_code": ["payer_has_no_inn", None],
            "unmatched_amount_reason_code": [None, None],
            "unmatched_invoice_numbers": [None, None],
            "unmatched_invoice_number": [None, None],
            "unmatched_open_invoices": [None, None],
        }
    )
    table = tables.unmatched_payments_table(payments, "en", {"alfa": "Альфа Строй"})
    assert list(table["Client"]) == ["not a client", "Альфа Строй"]
    assert list(table["Reason"]) == ["the payer has no INN", ""]
    formats = tables.unmatched_payments_formats("ru")
    assert formats["Дата"](payments["paid_on"].iloc[0]) == "21.11.2026"
    assert formats["Сумма"](30000.0) == "30\u00a0000,00\u00a0₽"


def test_source_names_come_from_dim_sources_and_a_channel_account_adds_its_channel() -> None:
    sources = {"cabinet": ("Выгрузка из кабинета", "Cabinet export"), "calltouch": ("Calltouch", "Calltouch")}
    channels = {"google_ads": ("Google Ads", "Google Ads")}
    assert source_name("cabinet", "ru", channels, sources, "google_ads") == "Выгрузка из кабинета: Google Ads"
    assert source_name("cabinet", "en", channels, sources, "google_ads") == "Cabinet export: Google Ads"
    assert source_name("calltouch", "ru", channels, sources, "25918") == "Calltouch"
    assert source_name("roistat", "ru", channels, sources, "1") == "roistat"
