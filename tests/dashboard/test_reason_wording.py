"""The marts publish reason codes and numbers; the dashboard words them.

The Russian wording must read exactly as the phrases dbt used to publish (client_status's
former ``health_reasons`` and payments' former ``unmatched_reason``, built in SQL until the
codes replaced them), and the English as the dashboard used to translate them.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from dashboard import tables
from dashboard.i18n import (
    HealthReason,
    PaymentReason,
    health_reason_text,
    health_reasons_text,
    payment_reason_text,
)


@pytest.mark.parametrize(
    ("reason", "russian", "english"),
    [
        (
            HealthReason("leads_down", value_pct=62),
            "лиды за 30 дней снизились на 62 %",
            "leads down 62 % over 30 days",
        ),
        (HealthReason("cpl_up", value_pct=150), "CPL за 30 дней вырос на 150 %", "CPL up 150 % over 30 days"),
        (
            HealthReason("pacing_off", value_pct=52),
            "темп расхода бюджета 52 % от плана",
            "budget pacing at 52 % of plan",
        ),
        (
            HealthReason("pacing_off", value_pct=1234),
            "темп расхода бюджета 1234 % от плана",
            "budget pacing at 1234 % of plan",
        ),
        (
            HealthReason("invoice_overdue", value_days=103),
            "счёт просрочен на 103 дн.",
            "an invoice is 103 days overdue",
        ),
        (
            HealthReason("source_stale", value_days=3),
            "данные источника отстают на 3 дн.",
            "a source is 3 days behind",
        ),
        (
            HealthReason("source_no_data"),
            "нет данных от подключённого источника",
            "a configured source has sent no data",
        ),
        # pandas hands integer columns with NULLs over as floats
        (
            HealthReason("leads_down", value_pct=62.0, value_days=float("nan")),
            "лиды за 30 дней снизились на 62 %",
            "leads down 62 % over 30 days",
        ),
        (HealthReason("something_new"), "something_new", "something_new"),
    ],
)
def test_each_health_reason_in_both_languages(reason, russian, english):
    assert health_reason_text(reason, "ru") == russian
    assert health_reason_text(reason, "en") == english


def test_health_reasons_are_joined_in_order():
    reasons = [
        HealthReason("pacing_off", value_pct=52),
        HealthReason("invoice_overdue", value_days=136),
        HealthReason("source_stale", value_days=3),
        HealthReason("source_no_data"),
    ]
    assert health_reasons_text(reasons, "ru") == (
        "темп расхода бюджета 52 % от плана; счёт просрочен на 136 дн.; данные источника отстают на 3 дн.; "
        "нет данных от подключённого источника"
    )
    assert health_reasons_text([], "ru") == ""


def test_health_reasons_by_client_from_the_mart_rows():
    rows = pd.DataFrame(
        {
            "client_id": ["c2", "c1", "c1"],
            "reason_code": ["source_no_data", "cpl_up", "leads_down"],
            "reason_order": [6, 2, 1],
            "value_pct": [None, 150, 67],
            "value_days": [None, None, None],
        }
    )
    assert tables.health_reasons_by_client(rows, "ru") == {
        "c1": "лиды за 30 дней снизились на 67 %; CPL за 30 дней вырос на 150 %",
        "c2": "нет данных от подключённого источника",
    }
    assert (
        tables.health_reasons_by_client(rows, "en")["c1"]
        == "leads down 67 % over 30 days; CPL up 150 % over 30 days"
    )


INN = "7701234567"


@pytest.mark.parametrize(
    ("reason", "russian", "english"),
    [
        (PaymentReason("payer_has_no_inn"), "у плательщика нет ИНН", "the payer has no INN"),
        (
            PaymentReason("no_invoice_for_inn", payer_inn="500100732259", amount=Decimal("10.00")),
            "на ИНН 500100732259 не выставлено ни одного счёта",
            "no invoice was issued to INN 500100732259",
        ),
        (
            PaymentReason(
                "invoice_not_found",
                "no_open_invoice_for_amount",
                INN,
                Decimal("700.00"),
                invoice_number="А-17/2026",
            ),
            "счёт № А-17/2026 для ИНН 7701234567 не найден; "
            "нет открытого счёта ИНН 7701234567 ровно на 700,00",
            "invoice № А-17/2026 of INN 7701234567 is not found; "
            "no open invoice of INN 7701234567 is for exactly 700.00",
        ),
        (
            PaymentReason(
                "invoice_ambiguous",
                "several_open_invoices_for_amount",
                INN,
                Decimal("500.00"),
                "7",
                open_invoices=2,
            ),
            "несколько счетов № 7 для ИНН 7701234567; открытых счетов ИНН 7701234567 на 500,00: 2",
            "invoice № 7 of INN 7701234567 is ambiguous; 2 open invoices of INN 7701234567 are for 500.00",
        ),
        (
            PaymentReason("no_invoice_number", "no_open_invoice_for_amount", INN, Decimal("50000.00")),
            "в назначении платежа нет номера счёта; нет открытого счёта ИНН 7701234567 ровно на 50000,00",
            "no invoice number in the payment purpose; "
            "no open invoice of INN 7701234567 is for exactly 50000.00",
        ),
        (
            # from a DataFrame: floats, NaN for NULL
            PaymentReason(
                "no_invoice_number",
                "several_open_invoices_for_amount",
                INN,
                1234567.5,
                float("nan"),
                None,
                3.0,
            ),
            "в назначении платежа нет номера счёта; открытых счетов ИНН 7701234567 на 1234567,50: 3",
            "no invoice number in the payment purpose; 3 open invoices of INN 7701234567 are for 1234567.50",
        ),
        (
            PaymentReason("several_numbers_not_found", None, INN, Decimal("58000.00"), "14", "12, 14"),
            "несколько номеров счетов (12, 14), счёт № 14 не найден",
            "several invoice numbers (12, 14) and invoice № 14 is not found",
        ),
        (
            PaymentReason("several_numbers_ambiguous", None, INN, Decimal("1.00"), "7", "7, 8"),
            "несколько номеров счетов (7, 8), счетов № 7 несколько",
            "several invoice numbers (7, 8) and invoice № 7 is ambiguous",
        ),
        (
            PaymentReason("several_numbers_amount_mismatch", None, INN, Decimal("50000.00"), None, "12, 13"),
            "несколько номеров счетов (12, 13), сумма не равна их остатку к оплате",
            "several invoice numbers (12, 13) and the amount is not their outstanding total",
        ),
        (PaymentReason(None), "", ""),
        (PaymentReason("something_new"), "something_new", "something_new"),
    ],
)
def test_each_unmatched_payment_reason_in_both_languages(reason, russian, english):
    assert payment_reason_text(reason, "ru") == russian
    assert payment_reason_text(reason, "en") == english
