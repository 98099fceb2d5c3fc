"""The one module that reads the serving file: scoping, no held connections, swaps, paths."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import data, tables
from tests.dashboard.serving_fixture import AS_OF, DATA_CUTOFF

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
ALL = ["alfa", "beta", "gamma", "delta"]


def test_publish_meta(serving_db):
    meta = data.publish_meta()
    assert meta.as_of_date == AS_OF
    assert meta.data_cutoff == DATA_CUTOFF
    assert meta.published_at == dt.datetime(2026, 11, 23, 4, 5, tzinfo=dt.UTC)
    assert meta.last_full_day == DATA_CUTOFF


def test_every_client_query_returns_only_the_visible_clients(serving_db):
    mine = ["alfa", "beta"]
    assert set(data.client_status(mine)["client_id"]) == {"alfa", "beta"}
    assert set(data.source_freshness(mine)["client_id"]) == {"alfa", "beta"}
    assert data.client_status([]).empty
    # Asking for another manager's client by id returns nothing.
    assert data.channel_results(mine, "gamma", *OCTOBER).empty
    assert data.daily_results(mine, "gamma", *OCTOBER).empty
    assert data.monthly_plan(mine, "gamma", dt.date(2026, 10, 1), dt.date(2026, 11, 1)).empty
    assert data.top_campaigns(mine, "gamma", *OCTOBER).empty
    assert data.source_freshness(mine, "gamma").empty
    assert data.client_payments(mine, "gamma", dt.date(2026, 11, 1), dt.date(2026, 11, 22)).empty
    assert data.lead_reconciliation(mine, "gamma", dt.date(2026, 10, 1), dt.date(2026, 11, 1)).empty
    assert data.lead_ledger(mine, "gamma", *OCTOBER).empty
    assert set(data.unmatched_payments(mine)["client_id"]) == {"alfa"}


def test_unmatched_payments_of_unknown_payers_only_for_a_viewer_of_all_clients(serving_db):
    everything = data.unmatched_payments(ALL, include_unassigned=True)
    # Newest first; the payer who is no client has no client_id.
    assert list(everything["document_number"]) == ["31", "502", "1254"]
    assert list(everything["client_id"].isna()) == [True, False, False]
    assert everything["unmatched_reason_code"].iloc[0] == "no_invoice_for_inn"
    assert tables.payment_reasons(everything, "ru")[0] == "на ИНН 500100732259 не выставлено ни одного счёта"
    # Without the flag the unknown payer is not shown, even with every client id in the scope.
    assert list(data.unmatched_payments(ALL)["document_number"]) == ["502", "1254"]
    assert list(data.unmatched_payments(["gamma"])["document_number"]) == ["1254"]
    assert data.unmatched_payments(["beta", "delta"]).empty


def test_client_payments_of_the_period_with_their_invoices(serving_db):
    november = data.client_payments(ALL, "gamma", dt.date(2026, 11, 1), dt.date(2026, 11, 22))
    invoices = november["invoice_number"].fillna("")
    assert list(zip(november["document_number"], invoices, november["match_method"], strict=True)) == [
        ("1254", "", "unmatched"),
        ("1207", "2026-166", "number+inn"),
    ]
    assert data.client_payments(ALL, "gamma", *OCTOBER).empty
    assert list(data.client_payments(ALL, "alfa", *OCTOBER)["amount"]) == [240000]


def test_health_reasons_and_channel_names(serving_db):
    reasons = data.client_health_reasons(ALL)
    assert list(zip(reasons["client_id"], reasons["reason_code"], strict=True)) == [
        ("beta", "source_stale"),
        ("gamma", "leads_down"),
        ("gamma", "cpl_up"),
        ("gamma", "invoice_overdue"),
    ]
    assert data.client_health_reasons(["alfa", "delta"]).empty
    assert set(data.client_health_reasons(["beta"])["client_id"]) == {"beta"}
    names = data.channel_names()
    assert names["yandex_direct"] == ("Яндекс Директ", "Yandex Direct")
    assert list(names)[:2] == ["yandex_direct", "vk_ads"]  # dim_channels.sort_order


def test_portfolio_monthly_sums_only_the_visible_clients(serving_db):
    months = (dt.date(2026, 10, 1), dt.date(2026, 10, 1))
    both = data.portfolio_monthly(["alfa", "beta"], *months)["spend"].iloc[0]
    alfa = data.portfolio_monthly(["alfa"], *months)["spend"].iloc[0]
    beta = data.portfolio_monthly(["beta"], *months)["spend"].iloc[0]
    assert both == pytest.approx(alfa + beta)


def test_channel_results_totals_row_is_the_sum_of_the_channels(serving_db):
    results = data.channel_results(ALL, "alfa", *OCTOBER)
    channels, total = results[results["channel"].notna()], results[results["channel"].isna()]
    assert len(total) == 1 and total.index[0] == results.index[-1]
    for col in ("spend", "impressions", "clicks", "calls", "target_calls", "leads"):
        assert total[col].iloc[0] == pytest.approx(channels[col].sum())


NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 22))
LEAD_COUNTS = ("records", "excluded_records", "source_leads", "merged_leads", "ledger_leads")


def _by_channel(results: pd.DataFrame, col: str) -> dict[str, int]:
    """Channel (``total`` for the totals row) -> the column's count."""
    return dict(zip(results["channel"].fillna("total"), results[col].astype(int), strict=True))


def test_channel_results_split_leads_by_type(serving_db):
    results = data.channel_results(ALL, "alfa", *NOVEMBER)
    # alfa's November besides the generated calls (serving_fixture.lead_events): form R-103 and
    # Metrika reaches 301 (08.11, 20.11) on Direct, 302 on SEO; chat R-104 on VK; deals 7001 (SEO),
    # 7002 (VK), 7003 (Direct), 7004 (direct visits); call CT-9001 on Direct.
    assert _by_channel(results, "form_leads") == {
        "yandex_direct": 3,
        "vk_ads": 0,
        "seo": 1,
        "direct": 0,
        "total": 4,
    }
    assert _by_channel(results, "chat_leads")["vk_ads"] == 1
    assert _by_channel(results, "chat_leads")["total"] == 1
    assert _by_channel(results, "crm_leads") == {
        "yandex_direct": 1,
        "vk_ads": 1,
        "seo": 1,
        "direct": 1,
        "total": 4,
    }
    for row in results.to_dict("records"):
        parts = row["call_leads"] + row["form_leads"] + row["chat_leads"] + row["crm_leads"]
        assert parts == row["leads"], row["channel"]
    totals = tables.Totals.from_channel_results(results)
    assert totals.leads_by_type == {"call": 81, "form": 4, "chat": 1, "crm": 4}
    assert totals.leads == 90
    # October has calls only: every lead is a call, as before the other systems.
    october = tables.Totals.from_channel_results(data.channel_results(ALL, "alfa", *OCTOBER))
    assert october.leads_by_type == {"call": 108, "form": 0, "chat": 0, "crm": 0}


def test_lead_reconciliation_per_system_equals_the_events(serving_db):
    rows = data.lead_reconciliation(ALL, "alfa", dt.date(2026, 11, 1), dt.date(2026, 11, 1))
    got = {row["source"]: tuple(int(row[c]) for c in LEAD_COUNTS) for row in rows.to_dict("records")}
    november = tables.Totals.from_channel_results(data.channel_results(ALL, "alfa", *NOVEMBER))
    assert got == {
        # records, excluded, the system's own leads, merged into another system's lead, in the report
        "amocrm": (5, 1, 4, 0, 4),  # 7005 deleted
        "calltouch_requests": (5, 1, 4, 2, 2),  # R-105 not unique; R-101 into CT-9001, R-102 into 7001
        "yandex_metrika": (4, 1, 3, 0, 3),  # the automatic goal 305
        # every call is a record; CT-9002 and CT-9003 merged into deals 7001 and 7002
        "calltouch": (november.calls, november.calls - 83, 83, 2, 81),
    }
    assert list(rows["source"]) == ["calltouch", "amocrm", "calltouch_requests", "yandex_metrika"]
    assert int(rows["ledger_leads"].sum()) == november.leads  # a whole month: the report's leads


def test_lead_reconciliation_sums_the_months(serving_db):
    both = data.lead_reconciliation(ALL, "alfa", dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    calltouch = both[both["source"] == "calltouch"].iloc[0]
    assert (int(calltouch["merged_leads"]), int(calltouch["ledger_leads"])) == (2, 108 + 81)
    monthly = data.monthly_plan(ALL, "alfa", dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    assert int(both["ledger_leads"].sum()) == int(monthly["leads"].sum())
    for row in both.to_dict("records"):
        assert row["source_leads"] == row["records"] - row["excluded_records"]
        assert row["ledger_leads"] == row["source_leads"] - row["merged_leads"]
    # Calls only at beta: its tracker is CoMagic.
    beta = data.lead_reconciliation(ALL, "beta", dt.date(2026, 10, 1), dt.date(2026, 10, 1))
    assert list(beta["source"]) == ["comagic"] and int(beta["ledger_leads"].iloc[0]) == 57


def test_lead_ledger_of_the_period_without_contacts(serving_db):
    start, end = dt.date(2026, 11, 3), dt.date(2026, 11, 10)
    ledger = data.lead_ledger(ALL, "alfa", start, end)
    assert "contact_hash" not in ledger.columns
    totals = tables.Totals.from_channel_results(data.channel_results(ALL, "alfa", start, end))
    assert len(ledger) == totals.leads
    assert list(ledger["lead_at"]) == sorted(ledger["lead_at"], reverse=True)  # newest first
    placed = ledger[(ledger["source"] != "calltouch") | (ledger["merged_events"] > 0)]
    assert [
        (str(r["lead_at"]), r["lead_type"], r["source"], r["record_id"], r["counted_by"], r["merged_events"])
        for r in placed.to_dict("records")
    ] == [
        ("2026-11-10 15:30:00", "crm", "amocrm", "7002", "crm_record", 1),
        ("2026-11-08 12:00:00", "form", "yandex_metrika", "301:2026-11-08:1", "goal", 0),
        ("2026-11-07 11:00:00", "crm", "amocrm", "7001", "crm_record", 2),
        ("2026-11-03 10:05:00", "call", "calltouch", "CT-9001", "tracker_flag", 1),
    ]
    # Merged events are not leads of their own.
    assert not set(ledger["record_id"]) & {"R-101", "R-102", "CT-9002", "CT-9003"}


def test_daily_results_has_every_day_of_the_period(serving_db):
    daily = data.daily_results(ALL, "delta", dt.date(2026, 10, 25), dt.date(2026, 11, 5))
    assert len(daily) == 12  # delta churned on 31.10: November days are there, with zeros
    assert daily["spend"].iloc[-1] == 0


def test_no_connection_is_left_open(serving_db):
    data.client_status(ALL)
    data.channel_results(ALL, "alfa", *OCTOBER)
    # A read-write connection in this process fails while any other connection is open.
    con = duckdb.connect(str(serving_db))
    con.close()


def test_a_swapped_file_is_picked_up(serving_db, tmp_path, monkeypatch):
    path = tmp_path / "serving.duckdb"
    shutil.copy(serving_db, path)
    monkeypatch.setenv("AGENCY_SERVING_DB", str(path))
    assert data.publish_meta().run_id == "fixture-run-0001"

    staged = tmp_path / "staged.duckdb"
    shutil.copy(serving_db, staged)
    con = duckdb.connect(str(staged))
    try:
        con.execute("update _publish_meta set run_id = 'run-0002', data_cutoff = date '2026-11-23'")
        con.execute("checkpoint")
    finally:
        con.close()
    staged.replace(path)  # os.replace, as the publisher does
    meta = data.publish_meta()
    assert (meta.run_id, meta.data_cutoff) == ("run-0002", dt.date(2026, 11, 23))


def test_missing_file_raises_a_typed_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENCY_SERVING_DB", str(tmp_path / "nope.duckdb"))
    with pytest.raises(data.ServingNotPublishedError) as err:
        data.publish_meta()
    assert err.value.path == tmp_path / "nope.duckdb"


def test_relative_path_is_resolved_against_the_repo_root(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENCY_SERVING_DB", "data/x/serving.duckdb")
    repo_root = Path(__file__).resolve().parents[2]
    assert data.serving_path() == repo_root / "data/x/serving.duckdb"
    monkeypatch.delenv("AGENCY_SERVING_DB")
    assert data.serving_path() == repo_root / "data/serving/serving.duckdb"
