"""End to end, in-process: the demo agency's fake vendor APIs and inbox files -> raw -> dbt build
-> publish, checked against the simulator's ground truth."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from demo_agency import GroundTruth, write_demo
from demo_agency.pipeline import main as demo_pipeline_main
from demo_agency.pipeline import vendor_apis_for
from demo_agency.vendors import low_balance_client
from pipelines.defs.runner import RefreshOutcome, run_refresh
from pipelines.load.config import load_config
from pipelines.load.publish import PUBLIC_MARTS, read_publish_meta
from pipelines.load.settings import Settings
from pipelines.load.sources import SOURCES
from pipelines.load.windows import PullRange, nightly_range
from tests.mart_comparison import VOLATILE_COLUMNS

TODAY = dt.date(2026, 11, 23)


def refresh(settings: Settings, pull_range: PullRange) -> RefreshOutcome:
    """The production refresh, its API clients served by the demo agency's fake endpoints."""
    return run_refresh(settings, pull_range, vendor_apis=vendor_apis_for(settings))


def nightly(settings: Settings) -> RefreshOutcome:
    return refresh(settings, nightly_range(load_config(settings.config_path), TODAY))


def query(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def mart_snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for name in PUBLIC_MARTS:
            cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall() if r[0] not in VOLATILE_COLUMNS]
            out[name] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {name}").fetchall(), key=repr)
    return out


@pytest.fixture
def demo(published_demo: tuple[Settings, GroundTruth, Any]) -> tuple[Settings, GroundTruth, Any]:
    """The session's published demo agency (tests/conftest.py), as of TODAY."""
    assert published_demo[1].as_of == TODAY
    return published_demo


def test_every_source_arrived_through_its_path_and_nothing_failed(
    demo: tuple[Settings, GroundTruth, Any],
) -> None:
    settings, _, _ = demo
    kinds = query(settings.build_db, "SELECT status, kind, count(*) FROM raw.load_log GROUP BY ALL")
    assert {k for status, k, _ in kinds if status == "loaded"} == {
        "api:yandex_direct",
        "api:vk_ads",
        "api:calltouch",
        "api:comagic",
        "api:calltouch_requests",
        "api:yandex_metrika",
        "api:amocrm",
        "api:bitrix24_leads",
        "balance:yandex_direct",
        "cabinet_csv",
        "invoice_register",
        "calltouch_requests_json",
    }
    assert all(status == "loaded" for status, _, _ in kinds)
    assert not list(settings.inbox_dir.rglob("*.*")), "loaded files must leave the inbox"
    assert list(settings.archive_dir.rglob("*.csv"))


def test_every_registered_source_is_published_with_its_freshness_rows(
    demo: tuple[Settings, GroundTruth, Any],
) -> None:
    settings, _, _ = demo
    published = {name for (name,) in query(settings.serving_db, "SELECT source FROM dim_sources")}
    assert published == {s.name for s in SOURCES.values() if s.shares_staging_with is None}
    config = load_config(settings.config_path)
    configured = {a.source for c in config.clients for a in c.accounts}
    expected = {
        s.name
        for s in SOURCES.values()
        if (s.freshness == "account" and s.name in configured) or s.freshness == "client"
    }
    fresh = {name for (name,) in query(settings.serving_db, "SELECT DISTINCT source FROM source_freshness")}
    assert fresh == expected


def test_client_channel_daily_equals_ground_truth(demo: tuple[Settings, GroundTruth, Any]) -> None:
    settings, truth, _ = demo
    expected: dict[tuple[str, dt.date, str], list[Any]] = defaultdict(
        lambda: [Decimal("0.00"), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    )
    for a in truth.ad_days:
        row = expected[(a.client_id, a.date, a.channel)]
        row[0] += a.spend
        row[1] += a.impressions
        row[2] += a.clicks
    for c in truth.call_days:
        row = expected[(c.client_id, c.date, c.channel)]
        row[3] += c.calls
        row[4] += c.target_calls
        row[5] += c.unique_calls
    for d in truth.lead_days:
        row = expected[(d.client_id, d.date, d.channel)]
        row[6] += d.leads
        row[7:11] = [d.call_leads, d.form_leads, d.chat_leads, d.crm_leads]
    actual = {
        (r[0], r[1], r[2]): list(r[3:])
        for r in query(
            settings.serving_db,
            "SELECT client_id, date, channel, spend, impressions, clicks, "
            "calls, target_calls, unique_calls, leads, call_leads, form_leads, chat_leads, crm_leads "
            "FROM client_channel_daily",
        )
    }
    expected = {k: v for k, v in expected.items() if any(v)}
    actual = {k: v for k, v in actual.items() if any(v)}
    assert set(actual) == set(expected)
    mismatches = {k: (actual[k], expected[k]) for k in expected if actual[k] != expected[k]}
    assert not mismatches, list(mismatches.items())[:5]


def test_client_totals_and_invoices_equal_ground_truth(demo: tuple[Settings, GroundTruth, Any]) -> None:
    settings, truth, _ = demo
    monthly = {
        r[0]: r[1:]
        for r in query(
            settings.serving_db,
            "SELECT client_id, sum(spend), sum(leads), sum(invoiced), sum(paid) "
            "FROM client_monthly GROUP BY 1",
        )
    }
    for client_id, totals in truth.all_totals().items():
        assert monthly[client_id] == (totals.spend, totals.leads, totals.invoiced, totals.paid), client_id
    invoices = {
        (r[0], r[1]): r[2:]
        for r in query(
            settings.serving_db,
            "SELECT client_id, invoice_number, issued_on, due_on, amount, vat_amount, paid_amount, paid_on "
            "FROM invoices",
        )
    }
    assert invoices == {
        (i.client_id, i.invoice_number): (
            i.issued_on,
            i.due_on,
            i.amount,
            i.vat_amount,
            i.paid_amount,
            i.paid_on,
        )
        for i in truth.invoices
    }


def test_agency_revenue_and_client_lifecycle_equal_ground_truth(
    demo: tuple[Settings, GroundTruth, Any],
) -> None:
    """The fee apart from the pass-through budget (the configured fee_share, within its rounding
    of the simulator's own fee) and each client's lifecycle month by month; the
    churned client shows its churn, and the late payer's overdue money is in its DSO."""
    settings, truth, agency = demo
    revenue = {
        (r[0], r[1]): r[2:]
        for r in query(
            settings.serving_db,
            "SELECT client_id, month, invoiced, fee_invoiced_net FROM client_revenue_monthly "
            "WHERE invoiced <> 0",
        )
    }
    assert revenue == {(r.client_id, r.month): (r.invoiced, r.fee_invoiced_net) for r in truth.revenue_months}
    for r in truth.revenue_months:
        # the configured share has 6 decimals: off by at most 5e-7 of the amount, plus kopecks
        tolerance = Decimal("0.01") * r.invoices + r.invoiced * Decimal("0.000001")
        assert abs(r.fee_invoiced_net - r.simulated_fee_net) <= tolerance, r
    lifecycle = {
        (r[0], r[1]): (r[2], r[3])
        for r in query(
            settings.serving_db,
            "SELECT client_id, month, is_active, lifecycle_status FROM client_lifecycle_monthly "
            "WHERE month >= first_active_month",
        )
    }
    assert lifecycle == {(r.client_id, r.month): (r.is_active, r.status) for r in truth.lifecycle_months}
    behaviours = {c.id: c.behaviour for c in agency.clients}
    churned = {c for (c, _), (_, status) in lifecycle.items() if status == "churned"}
    assert {c for c, b in behaviours.items() if b == "churned"} <= churned
    late = [c for c, b in behaviours.items() if b == "late_payer"]
    dso = dict(
        query(
            settings.serving_db,
            "SELECT client_id, dso_days FROM receivables_monthly WHERE month = ?",
            [TODAY.replace(day=1)],
        )
    )
    assert late and all(dso[c] is not None and dso[c] > 0 for c in late)
    agency_rows = query(
        settings.serving_db,
        "SELECT sum(churned_clients), sum(new_clients) FROM manager_economics_monthly WHERE scope = 'agency'",
    )
    assert agency_rows == [
        (
            sum(1 for r in truth.lifecycle_months if r.status == "churned"),
            sum(1 for r in truth.lifecycle_months if r.status == "new"),
        )
    ]


def test_every_lead_type_and_the_reconciliation_equal_ground_truth(
    demo: tuple[Settings, GroundTruth, Any],
) -> None:
    """Calls, forms, chats and CRM leads through their systems' fake APIs and an inbox export,
    merged by contact into the ledger: per client and month by type, and per system the
    records, exclusions (automatic Metrika goals, deleted and junk CRM leads, requests the
    tracker does not flag), merges and ledger shares, all equal the simulator's own ledger."""
    settings, truth, _ = demo
    monthly = {
        (r[0], r[1]): r[2:]
        for r in query(
            settings.serving_db,
            "SELECT client_id, month, leads, call_leads, form_leads, chat_leads, crm_leads "
            "FROM client_monthly",
        )
    }
    expected = {
        (m.client_id, m.month): (m.leads, m.call_leads, m.form_leads, m.chat_leads, m.crm_leads)
        for m in truth.lead_months
    }
    assert {k: v for k, v in monthly.items() if any(v)} == {k: v for k, v in expected.items() if any(v)}
    for lead_type in ("call", "form", "chat", "crm"):
        assert sum(m[("call", "form", "chat", "crm").index(lead_type) + 1] for m in expected.values()) > 0, (
            f"the demo has no {lead_type} leads: the test would not cover them"
        )
    reconciliation = {
        (r[0], r[1], r[2]): r[3:]
        for r in query(
            settings.serving_db,
            "SELECT client_id, month, source, records, excluded_records, source_leads, merged_leads, "
            "ledger_leads FROM lead_reconciliation",
        )
    }
    assert reconciliation == {
        (r.client_id, r.month, r.source): (
            r.records,
            r.excluded_records,
            r.source_leads,
            r.merged_leads,
            r.ledger_leads,
        )
        for r in truth.lead_reconciliation
    }
    merged = sum(r.merged_leads for r in truth.lead_reconciliation)
    excluded = {r.source for r in truth.lead_reconciliation if r.excluded_records and r.source != "calltouch"}
    assert merged > 0 and {"yandex_metrika", "amocrm", "bitrix24_leads"} <= excluded
    ledger = query(
        settings.serving_db,
        "SELECT count(*), count(DISTINCT lead_key), sum(merged_events), "
        "count(*) FILTER (WHERE contact_hash IS NOT NULL AND length(contact_hash) <> 64) FROM lead_ledger",
    )
    assert ledger == [(len(truth.leads), len(truth.leads), merged, 0)]


def test_no_phone_or_e_mail_is_published(demo: tuple[Settings, GroundTruth, Any]) -> None:
    settings, _, agency = demo
    phones = {c.caller_number for c in agency.calls}
    digits = {"".join(ch for ch in p if ch.isdigit())[-10:] for p in phones if p}
    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        for name in PUBLIC_MARTS:
            text_columns = [
                r[0] for r in con.execute(f"DESCRIBE {name}").fetchall() if r[1].upper() == "VARCHAR"
            ]
            for column in text_columns:
                rows = con.execute(f'SELECT DISTINCT "{column}" FROM {name}').fetchall()
                values = {v for (v,) in rows if v}
                leaked = {v for v in values if "@" in v or any(d in v for d in digits)}
                assert not leaked, (name, column, sorted(leaked)[:3])


def test_the_nightly_run_with_the_same_files_again_leaves_identical_marts(
    demo: tuple[Settings, GroundTruth, Any],
) -> None:
    settings, _, agency = demo
    before = mart_snapshot(settings.serving_db)
    raw_before = raw_totals(settings.build_db)
    write_demo(agency, settings.data_dir)  # the very same export files dropped again
    assert list(settings.inbox_dir.rglob("*.csv"))
    outcome = nightly(settings)
    assert outcome.success
    # the restatement windows: ads 14 days, calls 3 days, up to yesterday
    assert outcome.pulls["yandex_direct_campaign_stats"]["days"] == "2026-11-09 – 2026-11-22"
    assert outcome.pulls["calltouch_calls"]["days"] == "2026-11-20 – 2026-11-22"
    assert raw_totals(settings.build_db) == raw_before
    assert mart_snapshot(settings.serving_db) == before


def test_the_nightly_refresh_command_prints_a_short_report_and_no_warnings(
    demo: tuple[Settings, GroundTruth, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    settings, _, _ = demo
    shutil.copytree(settings.data_dir, tmp_path / "data")
    data = tmp_path / "data"
    for name, value in {
        "AGENCY_CONFIG": settings.config_path,
        "AGENCY_DATA_DIR": data,
        "AGENCY_BUILD_DB": data / "warehouse" / "build.duckdb",
        "AGENCY_SERVING_DB": data / "serving" / "serving.duckdb",
        "AGENCY_AS_OF": TODAY.isoformat(),
    }.items():
        monkeypatch.setenv(name, str(value))
    code = demo_pipeline_main(["refresh"])
    out, err = capfd.readouterr()
    lines = [line.strip() for line in (out + err).splitlines() if line.strip()]
    assert code == 0, "\n".join(lines)
    assert lines[0].startswith("refresh: API pulls of restatement windows ending 2026-11-22")
    summary = {line.split()[0]: line for line in lines[1:]}
    assert re.fullmatch(r"files\s+\d+ loaded, 0 rejected", summary["files"])
    assert re.fullmatch(r"accounts\s+\d+ pulled, 0 failed \(\d+ rows from the APIs\)", summary["accounts"])
    assert re.fullmatch(r"checks\s+\d+ passed, \d+ warned, 0 failed", summary["checks"])
    assert re.search(r"published\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(data up to", summary["published"])
    log = data / "logs" / "refresh.log"
    assert summary["log"] == f"log of dbt and Dagster: {log}"
    assert summary["serving"] == f"serving file: {data / 'serving' / 'serving.duckdb'}"
    assert not [line for line in lines if re.search(r"\w+Warning\b|AssetObservation|WARNING", line)], lines
    assert not [line for line in lines if re.search(r"PASS|OK created|STEP_START|dagster - ", line)], lines
    assert len(lines) < 15, lines  # dbt's progress and Dagster's log are in the log file
    logged = log.read_text(encoding="utf-8")
    assert "PASS" in logged and "STEP_START" in logged

    # dbt keeps its parse state in the data folder (decision 39): the next night's build skips
    # parsing the project again; the freshness check runs no dbt process of its own (decision 58).
    dbt_target = data / "dbt" / "target"
    for old_log in dbt_target.glob("dbt.log*"):
        old_log.unlink()
    code = demo_pipeline_main(["refresh", "-v"])  # -v: everything on the terminal, as before
    out, err = capfd.readouterr()
    assert code == 0
    assert " PASS " in out + err and " - dagster - INFO - " in out + err
    dbt_log = "".join(f.read_text(encoding="utf-8") for f in dbt_target.glob("dbt.log*"))
    runs = re.findall(r'"msg": "Running with dbt=', dbt_log)
    parsing = set(re.findall(r'"msg": "([^"]*partial pars[^"]*)"', dbt_log))
    assert len(runs) == 1 and parsing == {"Nothing changed, skipping partial parsing."}, parsing


RAW_TOTALS = {
    "yandex_direct_campaign_stats": "count(*), sum(cost_micros), sum(clicks), min(date), max(date)",
    "vk_ads_campaign_stats": "count(*), sum(spent), sum(shows), min(date), max(date)",
    "calltouch_calls": "count(*), sum(duration), min(call_date_local), max(call_date_local)",
    "comagic_calls": "count(*), sum(talk_duration), min(start_time), max(start_time)",
}


def raw_totals(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: query(path, f"SELECT client_id, {totals} FROM raw.{table} GROUP BY 1 ORDER BY 1")
        for table, totals in RAW_TOTALS.items()
    }


def test_the_demo_client_running_out_of_money_is_flagged(demo: tuple[Settings, GroundTruth, Any]) -> None:
    settings, _, agency = demo
    rows = query(settings.serving_db, "SELECT client_id, days_left, status FROM ad_account_balances")
    low = low_balance_client(agency)
    assert [(days, status) for client, days, status in rows if client == low] == [(Decimal("1.5"), "low")]
    others = [(days, status) for client, days, status in rows if client != low]
    assert others and all(status == "ok" and days >= 10 for days, status in others)


def test_a_90_day_backfill_of_two_clients_then_a_rerun_gives_identical_totals(
    demo: tuple[Settings, GroundTruth, Any], tmp_path: Path
) -> None:
    demo_settings, truth, _ = demo
    settings = Settings.for_directory(tmp_path, demo_settings.config_path, as_of=TODAY)
    # Direct, VK, Calltouch calls and requests, Metrika; Direct, VK, CoMagic, Bitrix24 leads
    clients = ("romashka", "uralteplo")
    backfill = PullRange(TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=1), clients=clients)
    first = refresh(settings, backfill)
    assert first.success and not first.failed_pulls
    raw, marts = raw_totals(settings.build_db), mart_snapshot(settings.serving_db)
    assert {client for rows in raw.values() for client, *_ in rows} == set(clients)
    # only the API feeds of the two clients (they have no cabinet exports), exactly the world's 90 days
    spend = query(settings.serving_db, "SELECT client_id, sum(spend) FROM client_channel_daily GROUP BY 1")
    expected: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for a in truth.ad_days:
        if a.client_id in clients and backfill.first <= a.date <= backfill.last:
            expected[a.client_id] += a.spend
    assert dict(spend) == dict(expected)
    second = refresh(settings, backfill)
    assert second.success
    assert raw_totals(settings.build_db) == raw
    assert mart_snapshot(settings.serving_db) == marts
    config = load_config(settings.config_path)
    api_accounts = sum(1 for c in config.clients if c.id in clients for a in c.accounts if a.pulled_via_api)
    assert api_accounts == 9
    # each account asked once per run, in one chunk
    pulls = query(settings.build_db, "SELECT count(*) FROM raw.load_log WHERE kind LIKE 'api:%'")
    assert pulls == [(2 * api_accounts,)]


def test_a_failing_check_keeps_the_last_good_serving_file(
    demo: tuple[Settings, GroundTruth, Any], tmp_path: Path
) -> None:
    settings, _, _ = demo
    # Work on a copy so the other tests keep their database.
    shutil.copytree(settings.data_dir, tmp_path / "data")
    copy = Settings.for_directory(tmp_path / "data", settings.config_path, as_of=TODAY)
    good = read_publish_meta(copy.serving_db)
    assert good is not None
    with duckdb.connect(str(copy.build_db)) as con:
        # Data for a client that is not in the configuration breaks the client_id relationship tests.
        con.execute(
            "INSERT INTO raw.yandex_direct_campaign_stats (client_id, account_id, date, campaign_id, "
            "impressions, clicks, cost_micros, _origin, _load_id, _loaded_at) "
            "VALUES ('ghost', 'ghost-login', DATE '2026-11-20', '1', 10, 1, 1000000, 'test', 'test', now())"
        )
    outcome = nightly(copy)
    assert not outcome.success
    failed = [e.step_key for e in outcome.result.all_events if e.is_step_failure]
    assert failed == ["agency_dbt_models"]
    assert read_publish_meta(copy.serving_db) == good
    assert query(copy.serving_db, "SELECT count(*) FROM dim_clients WHERE client_id = 'ghost'") == [(0,)]


def test_dashboard_renders_the_published_demo(
    demo: tuple[Settings, GroundTruth, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    settings, truth, _ = demo
    monkeypatch.setenv("AGENCY_SERVING_DB", str(settings.serving_db))
    monkeypatch.delenv("AGENCY_DASHBOARD_MANAGER", raising=False)
    app = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
    names = dict(
        query(settings.serving_db, "SELECT client_id, client_name FROM dim_clients WHERE NOT is_churned")
    )
    client_id = sorted(names)[0]
    all_names = dict(query(settings.serving_db, "SELECT client_id, client_name FROM dim_clients"))
    # the agency head's page: a churned client in its churn month (tests/dashboard/
    # test_agency_demo.py checks the page's figures against the ground truth)
    churn = next(r for r in truth.lifecycle_months if r.status == "churned")
    agency = ({"month": churn.month.isoformat()}, all_names[churn.client_id])
    pages: tuple[tuple[str, dict[str, str], str], ...] = (
        ("views/portfolio.py", {}, names[client_id]),
        ("views/client_report.py", {"client": client_id}, "Канал"),
        ("views/agency.py", *agency),
    )
    for page, params, expected in pages:
        at = AppTest.from_file(str(app), default_timeout=60)
        at.query_params.update(params)
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = "\n".join([d.value.to_string() for d in at.dataframe] + [str(s.value) for s in at.selectbox])
        assert expected in shown
    assert truth.as_of == TODAY
