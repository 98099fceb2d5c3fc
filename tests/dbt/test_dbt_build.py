"""Build the dbt project once on a small hand-made raw database and check the marts by hand.

The scenario (clients, calls, invoices, the bank statement) is described and defined once, in
tests/dbt/scenario.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from dashboard import tables
from tests.dbt.scenario import Warehouse


def test_every_model_and_test_passes_and_known_data_problems_only_warn(warehouse: Warehouse) -> None:
    statuses = {r["status"] for r in warehouse.results.values()}
    assert statuses <= {"success", "pass", "warn"}
    # The unknown ИНН, the negative Calltouch duration and the unmatched payments are reported,
    # not fatal.
    assert warehouse.status_of("assert_invoices_match_a_client") == "warn"
    assert warehouse.status_of("assert_no_negative_call_durations") == "warn"
    assert warehouse.status_of("assert_payments_are_matched") == "warn"
    assert warehouse.failures_of("assert_payments_are_matched") == 2  # the two unmatched payments
    for reconciliation in (
        "assert_spend_reconciles_with_staging",
        "assert_payments_reconcile_with_staging",
        "assert_receivables_reconcile",
        "assert_invoice_amounts_reconcile",
        "assert_economics_reconcile",
    ):
        assert warehouse.status_of(reconciliation) == "pass", reconciliation
    unit_tests = {
        uid.rsplit(".", 1)[-1]: r for uid, r in warehouse.results.items() if uid.startswith("unit_test.")
    }
    assert len(unit_tests) >= 19 and all(r["status"] == "pass" for r in unit_tests.values())
    # The matching rules keep their tests (ported from the former Python matcher).
    assert {
        "invoice_number_is_found_in_the_ways_purposes_write_it",
        "several_numbers_split_only_when_the_amounts_add_up",
        "a_settled_invoice_does_not_take_a_second_payment_by_amount",
        "invoice_paid_from_register_and_bank_payments",
        "health_reasons_thresholds",
        "churn_gap_of_one_month_is_returning_not_new",
        "concentration_churn_rate_and_dso_per_manager_and_agency",
        "dso_and_aging_at_month_ends",
        "comparisons_across_a_leap_day",
        "a_contract_signed_before_its_first_spend_is_new",
        "churn_rate_is_unknown_in_a_month_to_date",
    } <= set(unit_tests)


def test_the_marts_refuse_nulls_where_their_contracts_say_not_null(warehouse: Warehouse) -> None:
    """The marts' NOT NULL columns are table constraints (decision 41), checked by DuckDB as the
    rows are written instead of by a test per column afterwards: each one is in the built table."""
    constrained = {
        (node["name"], column)
        for node in warehouse.manifest["nodes"].values()
        if node["resource_type"] == "model"
        for column, props in node["columns"].items()
        if any(c["type"] == "not_null" for c in props.get("constraints", []))
    }
    assert len(constrained) >= 100
    not_nullable = set(
        warehouse.query(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and is_nullable = 'NO'"
        )
    )
    assert constrained <= not_nullable, sorted(constrained - not_nullable)
    # The largest mart is incremental: its nightly inserts meet the same constraint.
    with (
        duckdb.connect(str(warehouse.database)) as con,
        pytest.raises(duckdb.ConstraintException, match="spend"),
    ):
        con.execute(
            "insert into marts.client_channel_daily (client_id, date, channel, spend) "
            "values ('c1', date '2026-11-30', 'seo', null)"
        )


def test_spend_per_client_and_channel_is_net_of_vat(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select client_id, channel, sum(spend) from marts.client_channel_daily group by all order by all"
    )
    assert rows == [
        ("c1", "direct", Decimal("0.00")),
        ("c1", "seo", Decimal("0.00")),
        ("c1", "vk_ads", Decimal("500.00")),
        ("c1", "yandex_direct", Decimal("5000.00")),  # 3 000 + 765.44 + 1 234.56 (the stale 9 999 ignored)
        ("c2", "direct", Decimal("0.00")),
        ("c2", "google_ads", Decimal("11500.00")),  # 12 200 / 1.22 + 1 220 / 1.22 + 500
        ("c3", "yandex_direct", Decimal("100.00")),
    ]


def test_calls_land_on_the_clients_local_day_and_channel(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select client_id, date, channel, spend, calls, unique_calls, target_calls, leads "
        "from marts.client_channel_daily where date >= date '2026-11-17' order by all"
    )
    d = date.fromisoformat
    assert rows == [
        ("c1", d("2026-11-21"), "yandex_direct", Decimal("765.44"), 1, 1, 1, 1),
        ("c1", d("2026-11-22"), "direct", Decimal("0.00"), 1, 1, 0, 0),
        ("c1", d("2026-11-22"), "seo", Decimal("0.00"), 1, 1, 0, 0),
        ("c1", d("2026-11-22"), "vk_ads", Decimal("500.00"), 0, 0, 0, 0),
        ("c1", d("2026-11-22"), "yandex_direct", Decimal("1234.56"), 1, 0, 1, 0),
        ("c1", d("2026-11-23"), "vk_ads", Decimal("0.00"), 1, 1, 0, 0),
        ("c2", d("2026-11-17"), "google_ads", Decimal("10000.00"), 0, 0, 0, 0),
        ("c2", d("2026-11-18"), "google_ads", Decimal("1000.00"), 1, 1, 1, 1),
        ("c2", d("2026-11-19"), "direct", Decimal("0.00"), 1, 1, 0, 0),
        ("c2", d("2026-11-19"), "google_ads", Decimal("500.00"), 2, 1, 1, 0),
    ]


def test_campaign_grain_keeps_accounts_and_campaigns(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select channel, platform_account_id, campaign_id, campaign_name, sum(spend) "
        "from marts.client_campaign_daily where client_id in ('c1', 'c2') group by all order by all"
    )
    assert rows == [
        ("google_ads", "google_ads", "КМС", "КМС", Decimal("500.00")),
        ("google_ads", "google_ads", "Поиск", "Поиск", Decimal("11000.00")),
        ("vk_ads", "vk1", "555", "555", Decimal("500.00")),
        ("yandex_direct", "alfa-direct", "d1", "Кампания d1", Decimal("5000.00")),
    ]


def test_monthly_results_plan_and_pacing(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select month, spend, clicks, impressions, calls, leads, ctr, cpl, plan_budget, plan_cpl, "
        "budget_fulfilment, budget_pacing, invoiced, paid, outstanding "
        "from marts.client_monthly where client_id = 'c1' order by month"
    )
    october, november = rows
    assert october[:6] == (date(2026, 10, 1), Decimal("3000.00"), 100, 2000, 3, 3)
    assert october[7] == Decimal("1000.00")
    # A-4 (declined) is left out; the bank paid the rest of A-2.
    assert october[12:] == (Decimal("18100.00"), Decimal("18100.00"), Decimal("0.00"))
    assert november[:6] == (date(2026, 11, 1), Decimal("2500.00"), 120, 12000, 5, 1)
    assert november[6] == pytest.approx(0.01)  # 120 / 12 000, from sums
    assert november[7:10] == (Decimal("2500.00"), Decimal("3000.00"), Decimal("300.00"))
    assert november[10] == pytest.approx(2500 / 3000)
    assert november[11] == pytest.approx(2500 / (3000 * 22 / 30))  # 22 full days of 30 elapsed
    assert november[12:] == (Decimal("2440.00"), Decimal("2440.00"), Decimal("0.00"))  # A-3, paid by bank

    # c2's calendar is dense from its first invoice (July) through November, zeros included.
    c2 = warehouse.query(
        "select month, spend, invoiced, plan_cpl, paid, outstanding from marts.client_monthly "
        "where client_id = 'c2' order by month"
    )
    assert [r[0] for r in c2] == [date(2026, m, 1) for m in range(7, 12)]
    assert c2[1][:4] == (date(2026, 8, 1), Decimal("0.00"), Decimal("0.00"), None)
    assert c2[4][3] == Decimal("6000.00")  # 30 000 budget / 5 leads when no CPL target is set
    paid = [(r[0].month, r[2], r[4], r[5]) for r in c2 if r[2]]
    assert paid == [
        (7, Decimal("24000.00"), Decimal("0.00"), Decimal("24000.00")),
        (9, Decimal("1000.00"), Decimal("1000.00"), Decimal("0.00")),  # 200 (register) + 800 (bank)
        (10, Decimal("3000.00"), Decimal("3000.00"), Decimal("0.00")),
        (11, Decimal("1500.00"), Decimal("1500.00"), Decimal("0.00")),
    ]


def test_invoices_status_due_dates_and_overdue(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select client_id, invoice_number, due_on, paid_amount, bank_paid_amount, outstanding, paid_on, "
        "status, is_overdue, days_overdue from marts.invoices order by invoice_number"
    )
    d = date.fromisoformat
    zero = Decimal("0.00")
    assert rows == [
        ("c1", "A-1", d("2026-10-11"), Decimal("12000.00"), zero, zero, None, "paid", False, 0),
        # 1 000 per the register (25.10) + 5 100 from the bank (10.11): paid in full on 10.11.
        (
            "c1",
            "A-2",
            d("2026-10-30"),
            Decimal("6100.00"),
            Decimal("5100.00"),
            zero,
            d("2026-11-10"),
            "paid",
            False,
            0,
        ),
        (
            "c1",
            "A-3",
            d("2026-11-30"),
            Decimal("2440.00"),
            Decimal("2440.00"),
            zero,
            d("2026-11-21"),
            "paid",
            False,
            0,
        ),
        ("c1", "A-4", d("2026-10-15"), zero, zero, zero, None, "declined", False, 0),
        ("c2", "B-1", d("2026-07-10"), zero, zero, Decimal("24000.00"), None, "unpaid", True, 136),
        (
            "c2",
            "B-2",
            d("2026-09-20"),
            Decimal("1000.00"),
            Decimal("800.00"),
            zero,
            d("2026-11-18"),
            "paid",
            False,
            0,
        ),
        ("c2", "B-3", d("2026-10-15"), Decimal("3000.00"), zero, zero, None, "paid", False, 0),
        (
            "c2",
            "B-5",
            d("2026-11-15"),
            Decimal("1500.00"),
            Decimal("1500.00"),
            zero,
            d("2026-11-18"),
            "paid",
            False,
            0,
        ),
    ]


def test_payments_mart_lists_every_incoming_payment(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select client_id, payer_inn, document_number, paid_on, amount, payment_amount, invoice_number, "
        "match_method, unmatched_reason_code, unmatched_amount_reason_code, unmatched_invoice_number "
        "from marts.payments order by paid_on, invoice_number"
    )
    d = date.fromisoformat
    assert rows == [
        (
            "c1",
            "7701000001",
            "201",
            d("2026-11-10"),
            Decimal("5100.00"),
            Decimal("5100.00"),
            "A-2",
            "inn+amount",
            None,
            None,
            None,
        ),
        (
            "c2",
            "7702000002",
            "301",
            d("2026-11-18"),
            Decimal("800.00"),
            Decimal("2300.00"),
            "B-2",
            "number+inn",
            None,
            None,
            None,
        ),
        (
            "c2",
            "7702000002",
            "301",
            d("2026-11-18"),
            Decimal("1500.00"),
            Decimal("2300.00"),
            "B-5",
            "number+inn",
            None,
            None,
            None,
        ),
        (
            "c2",
            "7702000002",
            "302",
            d("2026-11-19"),
            Decimal("777.00"),
            Decimal("777.00"),
            None,
            "unmatched",
            "invoice_not_found",
            "no_open_invoice_for_amount",
            "B-9",
        ),
        (
            None,  # the payer is no client
            "500100732259",
            "77",
            d("2026-11-20"),
            Decimal("1000.00"),
            Decimal("1000.00"),
            None,
            "unmatched",
            "no_invoice_for_inn",
            None,
            None,
        ),
        (
            "c1",
            "7701000001",
            "202",
            d("2026-11-21"),
            Decimal("2440.00"),
            Decimal("2440.00"),
            "A-3",
            "number+inn",
            None,
            None,
            None,
        ),
    ]
    # The outgoing payment is no incoming money.
    assert warehouse.one("select count(distinct payment_id) from marts.payments") == (5,)
    # The dashboard words every reason from the published codes and values, in either language.
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        unmatched = con.execute(
            "select * from marts.payments where match_method = 'unmatched' order by paid_on"
        ).df()
    assert tables.payment_reasons(unmatched, "ru") == [
        "счёт № B-9 для ИНН 7702000002 не найден; нет открытого счёта ИНН 7702000002 ровно на 777,00",
        "на ИНН 500100732259 не выставлено ни одного счёта",
    ]
    assert tables.payment_reasons(unmatched, "en") == [
        "invoice № B-9 of INN 7702000002 is not found; "
        "no open invoice of INN 7702000002 is for exactly 777.00",
        "no invoice was issued to INN 500100732259",
    ]


def test_source_freshness_per_configured_account(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select client_id, source, feed, account_id, last_data_date, days_stale from marts.source_freshness "
        "where client_id in ('c1', 'c2') order by all"
    )
    d = date.fromisoformat
    assert rows == [
        ("c1", "calltouch", "calls", "111", d("2026-11-23"), 0),
        ("c1", "invoice_register", "invoices", "7701000001", d("2026-11-20"), 2),
        ("c1", "vk_ads", "ad_stats", "vk1", d("2026-11-22"), 0),
        ("c1", "yandex_direct", "ad_stats", "alfa-direct", d("2026-11-22"), 0),
        ("c2", "cabinet", "ad_stats", "google_ads", d("2026-11-19"), 3),
        ("c2", "comagic", "calls", "cm1", d("2026-11-19"), 3),
        ("c2", "invoice_register", "invoices", "7702000002", d("2026-11-10"), 12),
        ("c2", "yandex_direct", "ad_stats", "beta-direct", None, None),
    ]


def test_client_status_health_and_reasons(warehouse: Warehouse) -> None:
    c1 = warehouse.one(
        "select leads_last_30d, leads_prev_30d, cpl_last_30d, cpl_prev_30d, overdue_total, overdue_1_30, "
        "max_days_overdue, health, health_reason_codes from marts.client_status where client_id = 'c1'"
    )
    # A-2 was 24 days overdue until the bank statement showed it paid.
    assert c1 == (
        1,
        3,
        Decimal("2500.00"),
        Decimal("1000.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        0,
        "attention",
        "leads_down,cpl_up",
    )
    c2 = warehouse.one(
        "select spend_mtd, budget_pacing, outstanding_total, overdue_61_90, overdue_90_plus, last_data_date, "
        "max_days_stale, health, health_reason_codes from marts.client_status where client_id = 'c2'"
    )
    assert c2[:2] == (Decimal("11500.00"), pytest.approx(11500 / 22000))
    assert c2[2:] == (
        Decimal("24000.00"),  # B-2's 800 paid by the split payment
        Decimal("0.00"),
        Decimal("24000.00"),
        date(2026, 11, 19),
        3,
        "attention",
        "pacing_off,invoice_overdue,source_stale,source_no_data",
    )
    assert warehouse.one(
        "select health, health_reason_codes from marts.client_status where client_id = 'c3'"
    ) == ("churned", "")
    rows = warehouse.query(
        "select client_id, as_of_date, reason_code, reason_order, value_pct, value_days "
        "from marts.client_health_reasons order by client_id, reason_order"
    )
    as_of = date(2026, 11, 23)
    assert rows == [
        ("c1", as_of, "leads_down", 1, 67, None),
        ("c1", as_of, "cpl_up", 2, 150, None),
        ("c2", as_of, "pacing_off", 3, 52, None),
        ("c2", as_of, "invoice_overdue", 4, None, 136),
        ("c2", as_of, "source_stale", 5, None, 3),
        ("c2", as_of, "source_no_data", 6, None, None),
    ]
    # Worded by the dashboard exactly as the mart used to publish them.
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        reasons = con.execute("select * from marts.client_health_reasons").df()
    assert tables.health_reasons_by_client(reasons, "ru") == {
        "c1": "лиды за 30 дней снизились на 67 %; CPL за 30 дней вырос на 150 %",
        "c2": "темп расхода бюджета 52 % от плана; счёт просрочен на 136 дн.; "
        "данные источника отстают на 3 дн.; нет данных от подключённого источника",
    }


def test_dim_channels_publishes_the_channel_names(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select channel, name_ru, name_en, is_paid, sort_order from marts.dim_channels order by 5"
    )
    assert len(rows) == 10
    assert rows[0] == ("yandex_direct", "Яндекс Директ", "Yandex Direct", True, 1)
    assert rows[-1] == ("other", "Прочее", "Other", False, 10)


def test_manager_portfolio_counts_active_clients(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select manager_id, manager_name, month, active_clients, spend, leads, cpl, invoiced "
        "from marts.manager_portfolio where month >= date '2026-10-01' order by all"
    )
    assert rows == [
        (
            "m1",
            "Анна Петрова",
            date(2026, 10, 1),
            1,
            Decimal("3000.00"),
            3,
            Decimal("1000.00"),
            Decimal("18100.00"),
        ),
        (
            "m1",
            "Анна Петрова",
            date(2026, 11, 1),
            1,
            Decimal("2500.00"),
            1,
            Decimal("2500.00"),
            Decimal("2440.00"),
        ),
        ("m2", "Борис Орлов", date(2026, 10, 1), 1, Decimal("0.00"), 0, None, Decimal("3000.00")),
        (
            "m2",
            "Борис Орлов",
            date(2026, 11, 1),
            1,
            Decimal("11500.00"),
            1,
            Decimal("11500.00"),
            Decimal("1500.00"),
        ),
    ]


def test_dim_clients_churn_and_activity_span(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select client_id, manager_name, is_churned, first_activity_date, last_activity_date "
        "from marts.dim_clients order by client_id"
    )
    d = date.fromisoformat
    assert rows == [
        ("c1", "Анна Петрова", False, d("2026-10-01"), d("2026-11-23")),
        ("c2", "Борис Орлов", False, d("2026-07-01"), d("2026-11-19")),
        ("c3", "Анна Петрова", True, d("2026-09-15"), d("2026-09-15")),
    ]


def test_agency_economics_on_the_scenario(warehouse: Warehouse) -> None:
    """c2 is invoiced in July, not in August (churned), again from September (returning, not
    new); c3 spends in September only (then churned in October); c1 begins in October. Every
    contract started on 1 January, before the data: no client is new in its first month. Every
    client's fee_share is 1: the fee is the whole invoice net of VAT."""
    d = date.fromisoformat
    statuses = warehouse.query(
        "select client_id, month, lifecycle_status from marts.client_lifecycle_monthly "
        "where month >= first_active_month order by all"
    )
    assert statuses == [
        ("c1", d("2026-10-01"), "retained"),
        ("c1", d("2026-11-01"), "retained"),
        ("c2", d("2026-07-01"), "retained"),
        ("c2", d("2026-08-01"), "churned"),
        ("c2", d("2026-09-01"), "returning"),
        ("c2", d("2026-10-01"), "retained"),
        ("c2", d("2026-11-01"), "retained"),
        ("c3", d("2026-09-01"), "retained"),
        ("c3", d("2026-10-01"), "churned"),
        ("c3", d("2026-11-01"), "inactive"),  # a month to date declares no churn
    ]
    october = warehouse.one(
        "select active_clients, churned_clients, clients_active_window_ago, churn_rate, fee_invoiced_net "
        "from marts.manager_economics_monthly where scope = 'agency' and month = date '2026-10-01'"
    )
    # c1's A-1 12 000 and A-2 6 100 (A-4 declined), c2's B-3 3 000, all with 22 % VAT
    assert october == (2, 1, 2, 0.5, Decimal("17295.09"))
    # c2 at the end of October: B-1 (24 000, due 10.07) 113 days past due, B-2 (1 000, due
    # 20.09, paid 18.11) 42 days; B-3 paid without a date counts as paid on its due date.
    # DSO = 25 000 / (1 000 + 3 000 invoiced in August-October) x 92 days.
    assert warehouse.one(
        "select outstanding, overdue_31_60, overdue_over_90, dso_days from marts.receivables_monthly "
        "where client_id = 'c2' and month = date '2026-10-01'"
    ) == (Decimal("25000.00"), Decimal("1000.00"), Decimal("24000.00"), 575.0)
    assert warehouse.query(
        "select client_id, due_on, expected_amount, is_overdue from marts.expected_inflows"
    ) == [("c2", d("2026-07-10"), Decimal("24000.00"), True)]


def test_ad_account_balances_days_left_at_the_last_week_of_spend(warehouse: Warehouse) -> None:
    # c1 spent 765.44 + 1 234.56 = 2 000 in 16-22 Nov (the 10 Oct day is outside): 285.71 a day;
    # the latest snapshot (1 000, not the earlier 50 000) lasts 3.5 days: ok at the default 3.
    rows = warehouse.query(
        "select client_id, account_id, amount, avg_daily_spend_7d, days_left, status, last_error"
        " from marts.ad_account_balances order by client_id"
    )
    assert rows == [
        ("c1", "alfa-direct", Decimal("1000.00"), Decimal("285.71"), Decimal("3.5"), "ok", None),
        ("c2", "beta-direct", None, Decimal("0.00"), None, "unknown", "AccessDeniedError: Нет прав [54]"),
    ]


def test_the_revenue_plan_and_its_fulfilment(warehouse: Warehouse) -> None:
    """c1 has a revenue (fee) plan of 500 for November, c2 a plan without one: the manager of c1
    (m1, also c3's) is judged on all of their fee revenue against it; m2 has no plan (NULL, not 0)."""
    november = date(2026, 11, 1)
    fee = dict(
        warehouse.query(
            "select client_id, fee_invoiced_net from marts.client_revenue_monthly where month = ?", [november]
        )
    )
    assert fee["c1"] > 0
    assert warehouse.query(
        "select client_id, fee_plan_net, fee_plan_fulfilment from marts.client_revenue_monthly "
        "where month = ? order by client_id",
        [november],
    ) == [
        ("c1", Decimal("500.00"), pytest.approx(float(fee["c1"] / 500))),
        ("c2", None, None),
        ("c3", None, None),
    ]
    rows = warehouse.query(
        "select scope, manager_id, fee_invoiced_net, fee_plan_net, fee_plan_fulfilment "
        "from marts.manager_economics_monthly where month = ? order by scope, manager_id",
        [november],
    )
    m1 = fee["c1"] + fee["c3"]
    total = m1 + fee["c2"]
    assert rows == [
        ("agency", None, total, Decimal("500.00"), pytest.approx(float(total / 500))),
        ("manager", "m1", m1, Decimal("500.00"), pytest.approx(float(m1 / 500))),
        ("manager", "m2", fee["c2"], None, None),
    ]
