"""Report periods and the metric maths of the tables (pure functions, no Streamlit)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from dashboard import tables
from dashboard.i18n import (
    LEAD_TYPES,
    counted_by_label,
    lead_type_label,
    leads_by_type_text,
    match_method_label,
    source_name,
)
from dashboard.periods import Period, add_months, default_preset, preset_period

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
    month_to_date = Period(D(2026, 11, 1), D(2026, 11, 22))
    assert month_to_date.previous() == Period(D(2026, 10, 10), D(2026, 10, 31))
    week = Period(D(2026, 10, 26), D(2026, 11, 1))
    assert week.previous() == Period(D(2026, 10, 19), D(2026, 10, 25))
    assert Period(D(2026, 3, 1), D(2026, 3, 1)).previous() == Period(D(2026, 2, 28), D(2026, 2, 28))


def test_whole_months_are_compared_with_the_months_before():
    october = Period(D(2026, 10, 1), D(2026, 10, 31))
    assert october.whole_months == 1
    assert october.previous() == Period(D(2026, 9, 1), D(2026, 9, 30))  # September, not 31.08-30.09
    march = Period(D(2028, 3, 1), D(2028, 3, 31))
    assert march.previous() == Period(D(2028, 2, 1), D(2028, 2, 29))
    q3 = Period(D(2026, 7, 1), D(2026, 9, 30))
    assert q3.whole_months == 3 and q3.previous() == Period(D(2026, 4, 1), D(2026, 6, 30))
    assert Period(D(2026, 10, 1), D(2026, 10, 30)).whole_months == 0


def test_the_same_period_a_year_ago():
    assert Period(D(2026, 10, 1), D(2026, 10, 31)).year_ago() == Period(D(2025, 10, 1), D(2025, 10, 31))
    assert Period(D(2028, 2, 1), D(2028, 2, 29)).year_ago() == Period(D(2027, 2, 1), D(2027, 2, 28))
    assert Period(D(2027, 2, 1), D(2027, 2, 28)).year_ago() == Period(D(2026, 2, 1), D(2026, 2, 28))
    assert Period(D(2028, 2, 29), D(2028, 3, 6)).year_ago() == Period(D(2027, 2, 28), D(2027, 3, 6))
    assert Period(D(2026, 10, 26), D(2026, 11, 1)).year_ago() == Period(D(2025, 10, 26), D(2025, 11, 1))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
    ],
)
def test_add_months_clips_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


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
            "call_leads": [3, 4, 7],
            "form_leads": [1, 0, 1],
            "chat_leads": [0, 0, 0],
            "crm_leads": [0, 0, 0],
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
    assert seo["CPL"] is None  # leads but no ad spend: no cost per lead, "—" rather than "0,00 ₽"


def test_cost_ratios_of_a_row_without_spend_show_a_dash():
    table = tables.channel_table(_results().assign(clicks=[100, 40, 140]), "ru", CHANNEL_NAMES)
    seo = table.iloc[1]
    assert seo["CPC"] is None and seo["CPL"] is None
    html = tables.styled(table, tables.channel_formats("ru")).to_html()
    seo_cells = re.findall(r">([^<]*)</td>", html.split("Поиск (SEO)")[1].split("</tr>")[0])
    assert seo_cells[:2] == ["0,00\u00a0₽", "0"]  # spend and impressions: a real zero
    assert seo_cells[3:5] == ["—", "—"]  # CTR, CPC
    assert seo_cells[-2] == "—"  # CPL
    assert tables.cost_ratio(0, 5) is None and tables.cost_ratio(None, 5) is None
    assert tables.cost_ratio(100, 0) is None and tables.cost_ratio(100, 4) == 25.0
    assert tables.Totals(spend=0.0, clicks=10, leads=3).cpl is None


def test_channel_table_splits_leads_into_the_types_the_period_has():
    table = tables.channel_table(_results(), "ru", CHANNEL_NAMES)
    columns = list(table.columns)
    # Calls and forms only: no empty chat or CRM columns; the split follows the total, CPL after it.
    assert columns[columns.index("Лиды") : columns.index("CPL") + 1] == [
        "Лиды",
        "Лиды: звонки",
        "Лиды: заявки",
        "CPL",
    ]
    assert list(table["Лиды: звонки"]) == [3, 4, 7]
    assert list(table["Лиды: заявки"]) == [1, 0, 1]
    assert table.iloc[-1]["CPL"] == pytest.approx(1000 / 8)  # spend / all leads, not / call leads


def test_channel_table_of_one_lead_type_has_no_split():
    calls_only = _results().assign(call_leads=[4, 4, 8], form_leads=[0, 0, 0])
    assert tables.lead_type_columns(calls_only) == []
    assert not [c for c in tables.channel_table(calls_only, "en", CHANNEL_NAMES).columns if "Leads:" in c]


def test_channel_table_in_english():
    table = tables.channel_table(_results(), "en", CHANNEL_NAMES)
    assert list(table["Channel"]) == ["Yandex Direct", "Organic search", "Total"]


def test_a_channel_missing_from_dim_channels_is_shown_as_its_code():
    table = tables.channel_table(_results(), "ru", {"seo": ("Поиск (SEO)", "Organic search")})
    assert list(table["Канал"]) == ["yandex_direct", "Поиск (SEO)", "Итого"]


def test_totals_from_the_rollup_row():
    totals = tables.Totals.from_channel_results(_results())
    assert (totals.spend, totals.leads, totals.calls) == (1000.0, 8, 16)
    assert totals.leads_by_type == {"call": 7, "form": 1, "chat": 0, "crm": 0}
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


SOURCE_NAMES = {"amocrm": ("amoCRM", "amoCRM"), "calltouch": ("Calltouch", "Calltouch")}


def _reconciliation() -> pd.DataFrame:
    # As data.lead_reconciliation returns it: one row per lead system.
    return pd.DataFrame(
        {
            "source": ["calltouch", "amocrm", "bitrix24_leads"],
            "records": [40, 5, 3],
            "excluded_records": [28, 1, 1],
            "source_leads": [12, 4, 2],
            "merged_leads": [2, 0, 0],
            "ledger_leads": [10, 4, 2],
        }
    )


def test_reconciliation_table_names_the_systems_and_adds_a_total():
    table = tables.reconciliation_table(_reconciliation(), "ru", SOURCE_NAMES)
    assert list(table.columns) == [
        "Система",
        "Записей",
        "Не лиды",
        "Лиды системы",
        "Объединено с другой системой",
        "В отчёте",
    ]
    assert list(table["Система"]) == ["Calltouch", "amoCRM", "bitrix24_leads", "Итого"]  # unknown: its code
    assert table.iloc[-1].tolist()[1:] == [48, 30, 18, 2, 16]
    assert tables.reconciliation_totals(_reconciliation())["ledger_leads"] == 16
    english = tables.reconciliation_table(_reconciliation(), "en", SOURCE_NAMES)
    assert list(english.columns)[-2:] == ["Merged into another system", "In the report"]
    assert set(tables.RECONCILIATION_HELP) == {
        "col_records",
        "col_excluded",
        "col_source_leads",
        "col_merged",
        "col_ledger_leads",
    }


def test_lead_ledger_table_words_the_codes_and_shows_no_contact():
    ledger = pd.DataFrame(
        {
            "lead_at": [pd.Timestamp("2026-11-07 11:00"), pd.Timestamp("2026-11-03 10:05")],
            "lead_date": [D(2026, 11, 7), D(2026, 11, 3)],
            "lead_type": ["crm", "call"],
            "source": ["amocrm", "calltouch"],
            "account_id": ["alfastroy", "alfa-calltouch"],
            "record_id": ["7001", "CT-9001"],
            "channel": ["seo", None],
            "utm_campaign": [None, "brand"],
            "counted_by": ["crm_record", "agency_rule"],
            "merged_events": [2, 0],
            "contact_hash": ["ab12", "cd34"],  # never shown even when a frame carries it
        }
    )
    table = tables.lead_ledger_table(ledger, "ru", CHANNEL_NAMES, SOURCE_NAMES)
    assert list(table["Тип"]) == ["CRM", "звонок"]
    assert list(table["Система"]) == ["amoCRM", "Calltouch"]
    assert list(table["Канал"]) == ["Поиск (SEO)", "—"]
    assert list(table["Почему лид"]) == ["запись в CRM", "звонок по правилу агентства"]
    assert list(table["Объединено"]) == [2, 0]
    assert "ab12" not in table.to_string() and "cd34" not in table.to_string()
    assert tables.lead_ledger_formats("ru")["Когда"](ledger["lead_at"].iloc[1]) == "03.11.2026 10:05"
    english = tables.lead_ledger_table(ledger, "en", CHANNEL_NAMES, SOURCE_NAMES)
    assert list(english["Counted as a lead by"]) == ["a CRM record", "a call by the agency's rule"]
    assert tables.lead_ledger_formats("en")["When"](ledger["lead_at"].iloc[0]) == "7 Nov 2026 11:00"


@pytest.mark.parametrize(
    ("code", "russian", "english"),
    [
        ("tracker_flag", "уникально-целевой звонок по трекеру", "the tracker's unique-target call"),
        ("agency_rule", "звонок по правилу агентства", "a call by the agency's rule"),
        ("tracker_request_flag", "уникальная заявка по трекеру", "the tracker's unique request"),
        ("goal", "достижение цели Метрики", "a Metrika goal reached"),
        ("crm_record", "запись в CRM", "a CRM record"),
        ("some_new_rule", "some_new_rule", "some_new_rule"),  # an unknown code is shown as is
    ],
)
def test_counted_by_in_both_languages(code, russian, english):
    assert counted_by_label(code, "ru") == russian
    assert counted_by_label(code, "en") == english


def test_leads_by_type_leave_out_the_types_without_leads():
    counts = {"call": 1281, "form": 4, "chat": 0, "crm": 12}
    assert leads_by_type_text(counts, "ru") == "Лиды по типам: звонки — 1\u00a0281 · заявки — 4 · CRM — 12"
    assert leads_by_type_text(counts, "en") == "Leads by type: calls — 1,281 · forms — 4 · CRM — 12"
    assert leads_by_type_text({"call": 0, "form": 0, "chat": 0, "crm": 0}, "ru") == ""
    assert [lead_type_label(k, "en") for k in LEAD_TYPES] == ["call", "form", "chat", "CRM"]
