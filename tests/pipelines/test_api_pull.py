"""API pulls into the raw layer, against the demo agency's fake vendor endpoints (real clients,
real vendor formats through ``httpx.MockTransport``) and a real DuckDB file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from demo_agency import Agency, config_yaml, simulate, write_demo
from demo_agency.vendors import DEMO_CREDENTIALS, DemoVendors, load_world
from pipelines.load.bitrix24 import pull_bitrix24_invoices
from pipelines.load.config import AgencyConfig, parse_config
from pipelines.load.pull import account_window, pull_source
from pipelines.load.vendors import VendorApis
from pipelines.load.warehouse import DuckDBRawStore
from tests.fakes import FakeTime

TODAY = dt.date(2026, 11, 23)
FIRST, LAST = dt.date(2026, 9, 1), dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def agency() -> Agency:
    return simulate(TODAY, seed=3, months=2, n_clients=4)


def config_of(agency: Agency, *, replace: tuple[str, str] | None = None) -> AgencyConfig:
    text = config_yaml(agency)
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    return parse_config(yaml.safe_load(text))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DuckDBRawStore]:
    with DuckDBRawStore(tmp_path / "build.duckdb") as s:
        s.ensure_schema()
        yield s


def apis_for(vendors: DemoVendors, **environ: str) -> VendorApis:
    fake = FakeTime()
    return VendorApis(
        {**DEMO_CREDENTIALS, **environ}, transports=vendors.transports(), sleep=fake.sleep, clock=fake
    )


def pull(source: str, agency: Agency, store: DuckDBRawStore, vendors: DemoVendors, **kwargs: Any) -> Any:
    config = kwargs.pop("config", None) or config_of(agency)
    environ = kwargs.pop("environ", {})
    with apis_for(vendors, **environ) as apis:
        return pull_source(
            source,
            config=config,
            store=store,
            apis=apis,
            date_from=kwargs.pop("date_from", FIRST),
            date_to=kwargs.pop("date_to", LAST),
            **kwargs,
        )


def rows(store: DuckDBRawStore, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    return store.con.execute(sql, params or []).fetchall()


def test_every_source_loads_exactly_what_the_vendor_holds(agency: Agency, store: DuckDBRawStore) -> None:
    vendors = DemoVendors(agency)
    for source in ("yandex_direct", "vk_ads", "calltouch", "comagic"):
        report = pull(source, agency, store, vendors)
        assert not report.failed, report.failure_lines()
        assert report.loaded
    spend: Counter[tuple[str, str]] = Counter()
    for s in agency.ad_stats:
        if s.channel in ("yandex_direct", "vk_ads") and FIRST <= s.date <= LAST:
            spend[(s.client_id, s.channel)] += int(s.cost * 100)
    loaded: Counter[tuple[str, str]] = Counter()
    for client, micros in rows(
        store, "SELECT client_id, sum(cost_micros) FROM raw.yandex_direct_campaign_stats GROUP BY 1"
    ):
        loaded[(client, "yandex_direct")] = int(micros) // 10_000
    for client, spent in rows(
        store, "SELECT client_id, sum(spent) FROM raw.vk_ads_campaign_stats GROUP BY 1"
    ):
        loaded[(client, "vk_ads")] = int(spent * 100)
    assert loaded == spend
    calls = Counter(c.client_id for c in agency.calls)
    got = Counter(
        dict(
            rows(
                store,
                "SELECT client_id, count(*) FROM (SELECT client_id FROM raw.calltouch_calls "
                "UNION ALL SELECT client_id FROM raw.comagic_calls) GROUP BY 1",
            )
        )
    )
    assert got == calls
    log = rows(store, "SELECT kind, status, count(*) FROM raw.load_log GROUP BY ALL ORDER BY 1")
    assert log == [
        ("api:calltouch", "loaded", 3),
        ("api:comagic", "loaded", 1),
        ("api:vk_ads", "loaded", 2),
        ("api:yandex_direct", "loaded", 4),
    ]
    # lineage names the pull, the load log records the days it covered
    (origin,) = rows(store, "SELECT DISTINCT _origin FROM raw.comagic_calls")[0]
    assert origin == "api:comagic/86553/20260901-20261122"
    assert rows(store, "SELECT DISTINCT date_from, date_to FROM raw.load_log WHERE kind = 'api:comagic'") == [
        (FIRST, LAST)
    ]


def snapshot(store: DuckDBRawStore, table: str) -> list[tuple[Any, ...]]:
    cols = [
        r[0]
        for r in rows(store, f"DESCRIBE raw.{table}")
        if r[0] not in ("_load_id", "_loaded_at", "_origin")
    ]
    return sorted(rows(store, f"SELECT {', '.join(cols)} FROM raw.{table}"), key=repr)


@pytest.mark.parametrize("source", ["yandex_direct", "calltouch"])
def test_pulling_the_same_days_again_changes_nothing(
    agency: Agency, store: DuckDBRawStore, source: str
) -> None:
    vendors = DemoVendors(agency)
    table = "yandex_direct_campaign_stats" if source == "yandex_direct" else "calltouch_calls"
    pull(source, agency, store, vendors)
    before = snapshot(store, table)
    pull(source, agency, store, vendors, date_from=LAST - dt.timedelta(days=13))
    pull(source, agency, store, vendors)
    assert snapshot(store, table) == before


def test_a_restated_day_replaces_the_old_figures_and_older_days_stay(
    agency: Agency, store: DuckDBRawStore
) -> None:
    vendors = DemoVendors(agency)
    pull("yandex_direct", agency, store, vendors)
    day = LAST - dt.timedelta(days=3)
    key = ("yandex_direct", "romashka-direct")
    stats = vendors._stats[key]
    target = next(s for s in stats if s.date == day)
    stats[stats.index(target)] = dataclasses.replace(target, cost=target.cost + Decimal("1000.00"), clicks=0)
    old_total = rows(store, "SELECT sum(cost_micros) FROM raw.yandex_direct_campaign_stats")[0][0]
    report = pull("yandex_direct", agency, store, vendors, date_from=LAST - dt.timedelta(days=13))
    assert not report.failed
    new_total = rows(store, "SELECT sum(cost_micros) FROM raw.yandex_direct_campaign_stats")[0][0]
    assert new_total - old_total == 1000 * 1_000_000
    (clicks,) = rows(
        store,
        "SELECT clicks FROM raw.yandex_direct_campaign_stats "
        "WHERE account_id = ? AND date = ? AND campaign_id = ?",
        ["romashka-direct", day, target.campaign_id],
    )[0]
    assert clicks == 0
    dupes = rows(
        store,
        "SELECT count(*) FROM (SELECT client_id, account_id, date, campaign_id FROM "
        "raw.yandex_direct_campaign_stats GROUP BY ALL HAVING count(*) > 1)",
    )
    assert dupes == [(0,)]


def test_a_failing_account_is_reported_and_the_others_still_load(
    agency: Agency, store: DuckDBRawStore
) -> None:
    vendors = DemoVendors(agency)
    pull("yandex_direct", agency, store, vendors)  # yesterday's good load of every client
    before = rows(store, "SELECT count(*) FROM raw.yandex_direct_campaign_stats WHERE client_id = 'vektor'")
    config = config_of(
        agency,
        replace=(
            '{source: yandex_direct, id: "vektor-direct"}',
            '{source: yandex_direct, id: "vektor-direct", credentials_env: VEKTOR_DIRECT_TOKEN}',
        ),
    )
    secret = "y0_expired-vektor-token-5d8e"
    report = pull(
        "yandex_direct", agency, store, vendors, config=config, environ={"VEKTOR_DIRECT_TOKEN": secret}
    )
    assert sorted(p.client_id for p in report.loaded) == ["romashka", "stroymaster", "uralteplo"]
    (failed,) = report.failed
    assert (failed.client_id, failed.source, failed.account_id, failed.error_type) == (
        "vektor",
        "yandex_direct",
        "vektor-direct",
        "AuthError",
    )
    assert "53" in (failed.error or "") and "OAuth" in (failed.error or "")
    assert (
        rows(store, "SELECT count(*) FROM raw.yandex_direct_campaign_stats WHERE client_id = 'vektor'")
        == before
    )  # nothing already loaded is lost
    log = rows(store, "SELECT client_id, error FROM raw.load_log WHERE status = 'failed'")
    assert [c for c, _ in log] == ["vektor"]
    assert log[0][1].startswith("AuthError: ") and secret not in log[0][1]
    assert all(secret not in line for line in report.failure_lines())


def test_a_missing_token_names_the_variable_to_set(agency: Agency, store: DuckDBRawStore) -> None:
    vendors = DemoVendors(agency)
    config = config_of(
        agency,
        replace=(
            '{source: calltouch, id: "55434"}',
            '{source: calltouch, id: "55434", credentials_env: CT_SECOND}',
        ),
    )
    report = pull("calltouch", agency, store, vendors, config=config)
    (failed,) = report.failed
    assert failed.client_id == "stroymaster" and failed.error_type == "MissingCredentialError"
    assert "CT_SECOND is not set" in (failed.error or "")
    assert len(report.loaded) == 2


def test_an_unexpected_crash_in_one_account_is_isolated_and_redacted(
    agency: Agency, store: DuckDBRawStore
) -> None:
    vendors = DemoVendors(agency)
    transports = vendors.transports()
    inner = transports["vk_ads"]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("campaigns.json") and "9001162" in request.headers["Authorization"]:
            raise RuntimeError(f"bug while reading {request.headers['Authorization']}")
        return inner.handle_request(request)

    transports["vk_ads"] = httpx.MockTransport(handler)
    fake = FakeTime()
    with VendorApis(DEMO_CREDENTIALS, transports=transports, sleep=fake.sleep, clock=fake) as apis:
        report = pull_source(
            "vk_ads", config=config_of(agency), store=store, apis=apis, date_from=FIRST, date_to=LAST
        )
    assert [p.client_id for p in report.loaded] == ["romashka"]
    (failed,) = report.failed
    assert failed.client_id == "uralteplo" and failed.error_type == "RuntimeError"
    assert "bug while reading" in (failed.error or "") and "demo-vk-token-9001162" not in (failed.error or "")


def test_pulls_are_clipped_to_the_client_contract_and_can_select_clients(
    agency: Agency, store: DuckDBRawStore
) -> None:
    config = config_of(agency, replace=("start_date: 2025-07-08", "start_date: 2026-11-01"))
    romashka = config.client("romashka")
    assert account_window(romashka, FIRST, LAST) == (dt.date(2026, 11, 1), LAST)
    assert account_window(romashka, FIRST, dt.date(2026, 10, 31)) is None
    report = pull(
        "yandex_direct", agency, store, DemoVendors(agency), config=config, clients=["romashka", "vektor"]
    )
    assert [(p.client_id, p.date_from) for p in report.loaded] == [
        ("romashka", dt.date(2026, 11, 1)),
        ("vektor", FIRST),
    ]
    assert rows(
        store, "SELECT min(date) FROM raw.yandex_direct_campaign_stats WHERE client_id = 'romashka'"
    ) == [(dt.date(2026, 11, 1),)]
    with pytest.raises(ValueError, match="unknown client id"):
        pull("yandex_direct", agency, store, DemoVendors(agency), clients=["nobody"])


def test_inbox_accounts_are_not_pulled(agency: Agency, store: DuckDBRawStore) -> None:
    config = config_of(
        agency,
        replace=(
            'id: "86553", timezone: Asia/Yekaterinburg}',
            'id: "86553", timezone: Asia/Yekaterinburg, via: inbox}',
        ),
    )
    vendors = DemoVendors(agency)
    report = pull("comagic", agency, store, vendors, config=config)
    assert report.pulls == [] and vendors.requests["comagic"] == 0


def test_the_fake_endpoints_speak_the_vendor_formats(agency: Agency, tmp_path: Path) -> None:
    vendors = DemoVendors(agency)
    transport = vendors.transports()["calltouch"]
    with httpx.Client(transport=transport) as http:
        url = "https://api.calltouch.ru/calls-service/RestAPI/42039/calls-diary/calls"
        token = DEMO_CREDENTIALS["CALLTOUCH_API_TOKEN"]
        params = {
            "clientApiId": token,
            "dateFrom": "01/09/2026",
            "dateTo": "22/11/2026",
            "page": "2",
            "limit": "50",
        }
        page = http.get(url, params=params).json()
        assert page["page"] == 2 and page["pageTotal"] > 2 and len(page["records"]) == 50
        assert http.get(url, params={**params, "clientApiId": "wrong"}).status_code == 401
    written = write_demo(agency, tmp_path)  # the world file rebuilds the very same agency
    again = load_world(written.world_path)
    assert again.ad_stats == agency.ad_stats and again.calls == agency.calls


# ---- Bitrix24 invoices -------------------------------------------------------------------------

WEBHOOK = "https://agency.bitrix24.ru/rest/7/s3cr3tw3bh00k/"


def bitrix_invoice(
    n: int, company: int, updated: str = "2026-10-01T10:00:00+03:00", **fields: Any
) -> dict[str, Any]:
    item = {
        "id": n,
        "accountNumber": f"Б-{n}",
        "title": f"Счёт {n}",
        "begindate": "2026-11-02T00:00:00+03:00",
        "closedate": "2026-11-12T00:00:00+03:00",
        "opportunity": 12200.0 + n,
        "taxValue": 2200.0,
        "currencyId": "RUB",
        "stageId": "DT31_1:N",
        "companyId": company,
        "movedTime": updated,
        "updatedTime": updated,
    }
    item.update(fields)
    return item


class FakeBitrix:
    """``crm.item.list`` over a list of smart invoices: 50 per page, the ``>=updatedTime`` filter."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.bodies: list[dict[str, Any]] = []
        self.status = 200

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.status != 200:
            return httpx.Response(
                self.status, json={"error": "expired_token", "error_description": "The token expired"}
            )
        assert str(request.url).startswith(WEBHOOK) and request.url.path.endswith("/crm.item.list")
        body = json.loads(request.content)
        self.bodies.append(body)
        since = body["filter"].get(">=updatedTime")
        items = [i for i in self.items if since is None or i["updatedTime"][:10] >= since]
        start = int(body.get("start", 0))
        page = {"result": {"items": items[start : start + 50]}, "total": len(items)}
        if start + 50 < len(items):
            page["next"] = start + 50
        return httpx.Response(200, json=page)


def with_companies(config: AgencyConfig, **companies: str) -> AgencyConfig:
    clients = tuple(c.model_copy(update={"bitrix24_company_id": companies.get(c.id)}) for c in config.clients)
    return config.model_copy(update={"clients": clients})


def bitrix_pull(
    agency: Agency, store: DuckDBRawStore, fake: FakeBitrix, config: AgencyConfig, **env: str
) -> Any:
    clock = FakeTime()
    transports = {"bitrix24": httpx.MockTransport(fake.handler)}
    with VendorApis(env, transports=transports, sleep=clock.sleep, clock=clock) as apis:
        return pull_bitrix24_invoices(config=config, store=store, apis=apis)


def test_bitrix24_invoices_of_configured_companies_are_upserted_and_others_counted(
    agency: Agency, store: DuckDBRawStore
) -> None:
    fake = FakeBitrix(
        [bitrix_invoice(n, company=7 if n % 3 else 8) for n in range(1, 61)] + [bitrix_invoice(99, 42)]
    )
    config = with_companies(config_of(agency), romashka="7", vektor="8")
    first = bitrix_pull(agency, store, fake, config, BITRIX24_WEBHOOK_URL=WEBHOOK)
    assert (first.status, first.rows, first.skipped, first.updated_since) == ("loaded", 60, {"42": 1}, None)
    assert len(fake.bodies) == 2 and fake.bodies[1]["start"] == 50  # two pages of 50
    assert rows(store, "SELECT client_id, count(*) FROM raw.invoice_register_rows GROUP BY 1 ORDER BY 1") == [
        ("romashka", 40),
        ("vektor", 20),
    ]
    (inn,) = rows(store, "SELECT DISTINCT inn FROM raw.invoice_register_rows WHERE client_id = 'vektor'")[0]
    assert inn == config.client("vektor").inn
    # the next night asks only for invoices changed since the last pull (less 3 days)
    last = store.last_loaded_at("api:bitrix24")
    assert last is not None
    fake.items[0] = bitrix_invoice(1, 7, stageId="DT31_1:P", updated=f"{last.date()}T09:00:00+03:00")
    second = bitrix_pull(agency, store, fake, config, BITRIX24_WEBHOOK_URL=WEBHOOK)
    assert second.updated_since == last.date() - dt.timedelta(days=3)
    assert fake.bodies[-1]["filter"] == {">=updatedTime": second.updated_since.isoformat()}
    assert second.rows == 1
    assert rows(
        store, "SELECT count(*), count(*) FILTER (payment_status = 'Оплачен') FROM raw.invoice_register_rows"
    ) == [(60, 1)]


def test_bitrix24_failures_are_reported_and_keep_what_was_loaded(
    agency: Agency, store: DuckDBRawStore
) -> None:
    fake = FakeBitrix([bitrix_invoice(1, 7)])
    config = with_companies(config_of(agency), romashka="7")
    assert bitrix_pull(agency, store, fake, config_of(agency)).status == "not_configured"
    missing = bitrix_pull(agency, store, fake, config)
    assert missing.status == "failed" and "BITRIX24_WEBHOOK_URL is not set" in (missing.error or "")
    assert bitrix_pull(agency, store, fake, config, BITRIX24_WEBHOOK_URL=WEBHOOK).rows == 1
    fake.status = 401
    expired = bitrix_pull(agency, store, fake, config, BITRIX24_WEBHOOK_URL=WEBHOOK)
    assert expired.status == "failed" and (expired.error or "").startswith("AuthError")
    assert "s3cr3tw3bh00k" not in (expired.error or "")
    assert rows(store, "SELECT count(*) FROM raw.invoice_register_rows") == [(1,)]
    log = rows(
        store,
        "SELECT status, error IS NOT NULL FROM raw.load_log WHERE kind = 'api:bitrix24' ORDER BY loaded_at",
    )
    assert log == [("failed", True), ("loaded", False), ("failed", True)]
