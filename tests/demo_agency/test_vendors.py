"""The fake lead endpoints answer the real connector clients like the vendors would."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from demo_agency import Agency, ground_truth, write_demo
from demo_agency.vendors import DEMO_CREDENTIALS, DemoVendors, load_world

pytest.importorskip("connectors")

from connectors.amocrm import AmoCrmClient
from connectors.bitrix24 import Bitrix24Client
from connectors.calltouch import CalltouchClient
from connectors.http import AccessDeniedError, AuthError, BadRequestError
from connectors.yandex_metrika import MetrikaClient, is_automatic, lead_goals
from tests.fakes import FakeTime

TODAY = dt.date(2026, 3, 20)
FIRST, LAST = dt.date(2026, 1, 1), dt.date(2026, 3, 19)


@pytest.fixture(scope="module")
def vendors(small: Agency) -> DemoVendors:
    """The small demo's endpoints (4 clients, 2 months to 19 March 2026: every lead source)."""
    return DemoVendors(small)


@pytest.fixture
def transports(vendors: DemoVendors) -> dict[str, httpx.BaseTransport]:
    return vendors.transports()


OPEN: list[Any] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def opened(client: Any) -> Any:
    OPEN.append(client)
    return client


def test_transports_are_keyed_by_the_registry_source_names(
    transports: dict[str, httpx.BaseTransport],
) -> None:
    assert set(transports) == {
        "yandex_direct",
        "vk_ads",
        "calltouch",
        "calltouch_requests",
        "comagic",
        "yandex_metrika",
        "amocrm",
        "bitrix24_leads",
    }
    assert {
        "YANDEX_METRIKA_TOKEN",
        "AMOCRM_TOKEN",
        "BITRIX24_LEADS_WEBHOOK_URL",
        "CALLTOUCH_API_TOKEN",
    } <= set(DEMO_CREDENTIALS)


# --- Calltouch requests ----------------------------------------------------------------------


def calltouch(transport: httpx.BaseTransport, token: str | None = None) -> CalltouchClient:
    fake = FakeTime()
    client = CalltouchClient(
        token or DEMO_CREDENTIALS["CALLTOUCH_API_TOKEN"], transport=transport, sleep=fake.sleep, clock=fake
    )
    return opened(client)  # type: ignore[no-any-return]


def test_the_requests_journal_serves_every_request_of_the_site_by_cabinet_day(
    small: Agency, transports: dict[str, httpx.BaseTransport]
) -> None:
    client = small.client("romashka")
    account = client.account("calltouch_requests")
    assert account is not None
    result = calltouch(transports["calltouch_requests"]).requests(account.id, FIRST, LAST)
    forms = {f.request_id: f for f in small.requests if f.account_id == account.id}
    assert sorted(int(str(row["request_id"])) for row in result.rows) == sorted(forms)
    moscow = ZoneInfo("Europe/Moscow")
    for row in result.rows:
        form = forms[int(str(row["request_id"]))]
        assert row["request_timestamp_utc"] == form.created_at.replace(tzinfo=None)
        assert row["request_date_local"] == form.created_at.astimezone(moscow).replace(tzinfo=None)
        assert row["uniq_target_request"] == form.uniq_target
        assert row["client_phone"] == form.phone and row["client_email"] == form.email
    assert any(row["uniq_target_request"] is False for row in result.rows)
    assert any(row["uniq_target_request"] is None for row in result.rows)  # chats
    # one day: only that cabinet day's requests (the same handler serves the calls transport)
    day = dt.date(2026, 2, 10)
    one = calltouch(transports["calltouch"]).requests(account.id, day, day)
    assert {r["request_id"] for r in one.rows} == {
        i for i, f in forms.items() if f.created_at.astimezone(moscow).date() == day
    }


def test_the_requests_journal_refuses_a_wrong_token_site_or_date_format(
    small: Agency, transports: dict[str, httpx.BaseTransport]
) -> None:
    site = small.client("romashka").account("calltouch_requests")
    assert site is not None
    with pytest.raises(AuthError):
        calltouch(transports["calltouch_requests"], "wrong").requests(site.id, FIRST, LAST)
    with pytest.raises(AccessDeniedError):
        calltouch(transports["calltouch_requests"]).requests("99999", FIRST, LAST)
    with httpx.Client(transport=transports["calltouch_requests"]) as http:
        params = {
            "clientApiId": DEMO_CREDENTIALS["CALLTOUCH_API_TOKEN"],
            "siteId": site.id,
            "dateFrom": "20/01/2026",  # dd/mm: the calls diary's format, not the journal's
            "dateTo": "01/31/2026",
        }
        reply = http.get("https://api.calltouch.ru/calls-service/RestAPI/requests", params=params)
        assert reply.status_code == 400


# --- Yandex Metrika ------------------------------------------------------------------------------


def metrika(
    transport: httpx.BaseTransport, token: str | None = None, page_limit: int = 10_000
) -> MetrikaClient:
    fake = FakeTime()
    client = MetrikaClient(
        token or DEMO_CREDENTIALS["YANDEX_METRIKA_TOKEN"],
        transport=transport,
        page_limit=page_limit,
        sleep=fake.sleep,
        clock=fake,
    )
    return opened(client)  # type: ignore[no-any-return]


def test_metrika_goals_include_automatic_ones_the_client_rule_leaves_out(
    small: Agency, transports: dict[str, httpx.BaseTransport]
) -> None:
    account = small.client("romashka").account("yandex_metrika")
    assert account is not None
    goals = metrika(transports["yandex_metrika"]).goals(int(account.id))
    assert [g.type for g in goals] == ["action", "phone", "call"]
    assert [is_automatic(g) for g in goals] == [False, True, True]
    assert [g.id for g in lead_goals(goals, account.goals)] == [account.goals[0]]


def test_metrika_goal_reaches_page_by_offset_and_add_up_to_the_model(
    small: Agency, transports: dict[str, httpx.BaseTransport], vendors: DemoVendors
) -> None:
    account = small.client("romashka").account("yandex_metrika")
    assert account is not None
    before = vendors.requests["yandex_metrika"]
    result = metrika(transports["yandex_metrika"], page_limit=40).goal_reaches(
        int(account.id), list(account.goals), FIRST, LAST, attribution="lastsign"
    )
    assert vendors.requests["yandex_metrika"] - before > 3  # paged
    got: Counter[tuple[int, dt.date]] = Counter()
    for row in result.rows:
        got[(int(str(row["goal_id"])), row["date"])] += int(str(row["reaches"]))  # type: ignore[index]
        assert row["attribution"] == "lastsign"
        assert row["traffic_source"] != "ad" or row["utm_source"]
    expected: Counter[tuple[int, dt.date]] = Counter()
    for reach in small.goal_reaches:
        if reach.counter_id == account.id and reach.goal_id in account.goals:
            expected[(reach.goal_id, reach.date)] += reach.reaches
    assert got == expected


def test_metrika_answers_errors_in_its_format(
    small: Agency, transports: dict[str, httpx.BaseTransport]
) -> None:
    account = small.client("romashka").account("yandex_metrika")
    assert account is not None
    with pytest.raises(AuthError):
        metrika(transports["yandex_metrika"], "wrong").goals(int(account.id))
    with pytest.raises(AccessDeniedError):
        metrika(transports["yandex_metrika"]).goals(12345)
    with pytest.raises(BadRequestError):
        metrika(transports["yandex_metrika"]).goal_reaches(
            int(account.id), [1], FIRST, LAST, attribution="last"
        )
    with httpx.Client(transport=transports["yandex_metrika"]) as http:
        params = {
            "ids": account.id,
            "metrics": f"ym:s:goal{account.goals[0]}reaches",
            "dimensions": "ym:s:date,ym:s:lastTrafficSource",  # the model inlined
            "attribution": "last",
            "date1": "2026-02-01",
            "date2": "2026-02-28",
        }
        headers = {"Authorization": f"OAuth {DEMO_CREDENTIALS['YANDEX_METRIKA_TOKEN']}"}
        body = http.get("https://api-metrika.yandex.net/stat/v1/data", params=params, headers=headers).json()
        assert body["query"]["attribution"] == "last" and body["total_rows"] == len(body["data"]) > 0
        assert all(isinstance(m, float) for row in body["data"] for m in row["metrics"])
        bad = http.get(
            "https://api-metrika.yandex.net/stat/v1/data",
            params={**params, "dimensions": "ym:s:date,ym:s:regionCity"},
            headers=headers,
        )
        assert bad.status_code == 400 and bad.json()["errors"][0]["error_type"] == "invalid_parameter"


# --- amoCRM ------------------------------------------------------------------------------------


def amo(transport: httpx.BaseTransport, token: str | None = None) -> AmoCrmClient:
    fake = FakeTime()
    client = AmoCrmClient(
        "stroymaster",
        token or DEMO_CREDENTIALS["AMOCRM_TOKEN"],
        transport=transport,
        sleep=fake.sleep,
        clock=fake,
    )
    return opened(client)  # type: ignore[no-any-return]


def test_amocrm_leads_page_by_250_with_their_contacts(agency: Agency) -> None:
    vendors = DemoVendors(agency)  # the full-size demo: months of deals
    first, last = dt.date(2026, 6, 1), dt.date(2026, 9, 30)
    zone = ZoneInfo("Europe/Moscow")
    deals = {
        d.lead_id: d
        for d in agency.crm_leads
        if d.system == "amocrm" and first <= d.created_at.astimezone(zone).date() <= last
    }
    assert len(deals) > 500  # pages
    result = amo(vendors.transports()["amocrm"]).leads(first, last, tz=zone, contacts=False)
    assert vendors.requests["amocrm"] == -(-len(deals) // 250)  # lead pages only
    assert sorted(int(str(r["lead_id"])) for r in result.rows) == sorted(deals)
    for row in result.rows:
        deal = deals[int(str(row["lead_id"]))]
        assert row["is_deleted"] == deal.deleted and row["contact_id"] == deal.contact_id
        assert row["created_at"] == deal.created_at.replace(tzinfo=None)
        assert row["utm_source"] == deal.utm_source
    assert any(row["is_deleted"] for row in result.rows)


def test_amocrm_contacts_by_id_carry_phone_and_e_mail_fields(
    small: Agency, transports: dict[str, httpx.BaseTransport]
) -> None:
    deals = [d for d in small.crm_leads if d.system == "amocrm"]
    wanted = sorted({d.contact_id or 0 for d in deals if d.email} | {d.contact_id or 0 for d in deals[:5]})
    headers = {"Authorization": f"Bearer {DEMO_CREDENTIALS['AMOCRM_TOKEN']}"}
    params: list[tuple[str, str | int | float | bool | None]] = [
        *(("filter[id][]", str(c)) for c in wanted),
        ("limit", "250"),
        ("page", "1"),
    ]
    with httpx.Client(transport=transports["amocrm"], headers=headers) as http:
        body = http.get("https://stroymaster.amocrm.ru/api/v4/contacts", params=params).json()
        contacts = body["_embedded"]["contacts"]
        assert [c["id"] for c in contacts] == wanted[:250]
        by_contact = {d.contact_id: d for d in deals}
        for contact in contacts:
            fields = {f["field_code"]: f["values"][0]["value"] for f in contact["custom_fields_values"] or []}
            deal = by_contact[contact["id"]]
            assert fields.get("PHONE") == deal.phone and fields.get("EMAIL") == deal.email
        assert ("next" in body["_links"]) == (len(wanted) > 250)
        none = http.get("https://stroymaster.amocrm.ru/api/v4/contacts", params={"filter[id][]": "1"})
        assert none.status_code == 204 and not none.content
        over = http.get("https://stroymaster.amocrm.ru/api/v4/leads", params={"limit": "251"})
        assert over.status_code == 400


def test_amocrm_answers_204_for_no_leads_and_401_for_a_wrong_token(
    small: Agency, transports: dict[str, httpx.BaseTransport]
) -> None:
    assert amo(transports["amocrm"]).leads(dt.date(2025, 1, 1), dt.date(2025, 1, 31)).rows == []
    with pytest.raises(AuthError):
        amo(transports["amocrm"], "wrong").leads(FIRST, LAST)


# --- Bitrix24 ----------------------------------------------------------------------------------


def bitrix(transport: httpx.BaseTransport, webhook: str | None = None) -> Bitrix24Client:
    fake = FakeTime()
    client = Bitrix24Client(
        webhook or DEMO_CREDENTIALS["BITRIX24_LEADS_WEBHOOK_URL"],
        transport=transport,
        sleep=fake.sleep,
        clock=fake,
    )
    return opened(client)  # type: ignore[no-any-return]


def test_bitrix24_leads_page_by_50_with_the_portals_offset(
    small: Agency, transports: dict[str, httpx.BaseTransport], vendors: DemoVendors
) -> None:
    deals = {d.lead_id: d for d in small.crm_leads if d.system == "bitrix24_leads"}
    before = vendors.requests["bitrix24_leads"]
    result = bitrix(transports["bitrix24_leads"]).leads(FIRST, LAST)
    assert vendors.requests["bitrix24_leads"] - before == -(-len(deals) // 50)
    assert sorted(int(str(r["lead_id"])) for r in result.rows) == sorted(deals)
    for row in result.rows:
        deal = deals[int(str(row["lead_id"]))]
        assert row["created_at"] == deal.created_at.replace(tzinfo=None)
        email = deal.email.strip() if deal.email else None  # the parser trims what the CRM holds
        assert (row["phone"], row["email"], row["status_id"]) == (deal.phone, email, deal.status)
    assert any(row["status_id"] == "JUNK" for row in result.rows)


def test_bitrix24_reads_a_date_without_offset_in_the_portals_time_and_answers_get_too(
    small: Agency, transports: dict[str, httpx.BaseTransport]
) -> None:
    zone = ZoneInfo(small.client("uralteplo").timezone)
    day = dt.date(2026, 2, 10)
    expected = sorted(
        d.lead_id
        for d in small.crm_leads
        if d.system == "bitrix24_leads" and d.created_at.astimezone(zone).date() == day
    )
    webhook = DEMO_CREDENTIALS["BITRIX24_LEADS_WEBHOOK_URL"]
    with httpx.Client(transport=transports["bitrix24_leads"]) as http:
        params = {
            "filter[>=DATE_CREATE]": f"{day}T00:00:00",
            "filter[<=DATE_CREATE]": f"{day}T23:59:59",
            "select[]": "ID",
        }
        body = http.get(f"{webhook}crm.lead.list.json", params=params).json()
        assert [int(r["ID"]) for r in body["result"]] == expected[:50]
        assert body["total"] == len(expected) and all(set(r) == {"ID"} for r in body["result"])
        first = http.post(f"{webhook}crm.lead.list", json={"filter": {"STATUS_ID": "JUNK"}}).json()
        assert "PHONE" not in first["result"][0]  # multiple fields only when selected
        assert first.get("next") == (50 if first["total"] > 50 else None)
        assert {r["STATUS_ID"] for r in first["result"]} == {"JUNK"}
        assert first["result"][0]["DATE_CREATE"].endswith("+05:00")  # Yekaterinburg
    with pytest.raises(AuthError):
        bitrix(transports["bitrix24_leads"], webhook.replace("demo-bitrix24", "stolen")).leads(FIRST, LAST)


# --- the world file ----------------------------------------------------------------------------


def test_the_world_file_rebuilds_the_same_leads(small: Agency, tmp_path: Path) -> None:
    written = write_demo(small, tmp_path)
    assert json.loads(written.world_path.read_text()) == {
        "today": "2026-03-20",
        "seed": 3,
        "months": 2,
        "clients": 4,
    }
    again = load_world(written.world_path)
    assert again.requests == small.requests and again.crm_leads == small.crm_leads
    assert again.goal_reaches == small.goal_reaches and again.goals == small.goals
    truth = ground_truth(again)
    by_source: dict[str, int] = defaultdict(int)
    for lead in truth.leads:
        by_source[lead.source] += 1
    assert set(by_source) == {
        "calltouch",
        "comagic",
        "calltouch_requests",
        "yandex_metrika",
        "amocrm",
        "bitrix24_leads",
    }
