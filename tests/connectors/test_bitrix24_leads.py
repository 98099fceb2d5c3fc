import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import httpx
import pytest

from connectors.bitrix24 import LEAD_FIELDS, LEADS_KIND, Bitrix24Client, parse_leads
from connectors.errors import FormatError
from connectors.http import AuthError, RetryPolicy
from tests.fakes import FakeResponse, FakeServer, FakeTime, scripted

SECRET = "k3x9secretwebhookcode7"
WEBHOOK = f"https://agency.bitrix24.ru/rest/1/{SECRET}/"
POLICY = RetryPolicy(max_attempts=5, max_total_wait=600.0, jitter=0.0)
JSON = {"Content-Type": "application/json"}


def lead(n: int, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ID": str(n),
        "TITLE": f"Заявка с сайта #{n}",
        "DATE_CREATE": "2026-03-01T10:15:00+03:00",
        "DATE_MODIFY": "2026-03-02T09:00:00+03:00",
        "STATUS_ID": "NEW",
        "SOURCE_ID": "WEB",
        "ASSIGNED_BY_ID": "1",
        "COMPANY_ID": "0",
        "CONTACT_ID": None,
        "HAS_PHONE": "Y",
        "HAS_EMAIL": "Y",
        "PHONE": [{"ID": "11", "VALUE_TYPE": "WORK", "VALUE": "+7 (916) 123-45-67", "TYPE_ID": "PHONE"}],
        "EMAIL": [{"ID": "12", "VALUE_TYPE": "WORK", "VALUE": "ivanov@example.ru", "TYPE_ID": "EMAIL"}],
        "UTM_SOURCE": "yandex",
        "UTM_MEDIUM": "cpc",
        "UTM_CAMPAIGN": "brand_msk",
        "UTM_CONTENT": None,
        "UTM_TERM": "",
    }
    item.update(fields)
    return item


def page(items: list[dict[str, Any]], next_start: int | None, total: int) -> dict[str, Any]:
    body: dict[str, Any] = {"result": items, "total": total, "time": {"start": 1.0, "operating": 0.1}}
    if next_start is not None:
        body["next"] = next_start
    return body


ALL = [lead(n) for n in range(1, 111)]
PAGES = [page(ALL[0:50], 50, 110), page(ALL[50:100], 100, 110), page(ALL[100:], None, 110)]

OPEN: list[Bitrix24Client] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def client(transport: httpx.BaseTransport | None, time: FakeTime, url: str = WEBHOOK) -> Bitrix24Client:
    OPEN.append(Bitrix24Client(url, transport=transport, sleep=time.sleep, clock=time.clock, retry=POLICY))
    return OPEN[-1]


def reply(body: object, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_a_lead_row_keeps_utc_the_first_phone_and_email_and_the_utms():
    result = parse_leads(json.dumps(page([lead(7, CONTACT_ID="15", COMPANY_ID="3")], None, 1)).encode())
    assert result.kind == LEADS_KIND == "bitrix24_leads_json"
    assert result.rows == [
        {
            "lead_id": 7,
            "title": "Заявка с сайта #7",
            "created_at": datetime(2026, 3, 1, 7, 15),
            "updated_at": datetime(2026, 3, 2, 6, 0),
            "status_id": "NEW",
            "source_id": "WEB",
            "assigned_by_id": 1,
            "company_id": 3,
            "contact_id": 15,
            "phone": "+7 (916) 123-45-67",
            "email": "ivanov@example.ru",
            "utm_source": "yandex",
            "utm_medium": "cpc",
            "utm_campaign": "brand_msk",
            "utm_content": None,
            "utm_term": None,
            "_origin_line": 1,
        }
    ]
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 1))


def test_no_company_no_phone_and_a_saved_list_parse():
    (row,) = parse_leads(json.dumps([lead(1, PHONE=None, EMAIL=[], HAS_PHONE="N")]).encode()).rows
    assert (row["company_id"], row["contact_id"], row["phone"], row["email"]) == (None, None, None, None)


@pytest.mark.parametrize(
    ("fields", "field", "match"),
    [
        ({"DATE_CREATE": "01.03.2026 10:15:00"}, "result[1].DATE_CREATE", "with an offset"),
        ({"DATE_CREATE": "2026-03-01T10:15:00"}, "result[1].DATE_CREATE", "with an offset"),
        ({"DATE_CREATE": None}, "result[1].DATE_CREATE", "creation time is missing"),
        ({"PHONE": "+79161234567"}, "result[1].PHONE", "not a list"),
        ({"CONTACT_ID": "abc"}, "result[1].CONTACT_ID", "not a whole number"),
    ],
)
def test_a_bad_lead_is_named_with_its_field(fields, field, match):
    with pytest.raises(FormatError, match=match) as caught:
        parse_leads(json.dumps(page([lead(1), lead(2, **fields)], None, 2)).encode())
    assert caught.value.field == field and "lead 2" in str(caught.value)


def test_leads_page_by_start_with_utm_fields_selected_and_the_creation_filter():
    transport, seen = scripted(*[reply(p) for p in PAGES])
    result = client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert [row["lead_id"] for row in result.rows] == list(range(1, 111))
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 31))
    bodies = [json.loads(r.content) for r in seen]
    assert [b["start"] for b in bodies] == [0, 50, 100]
    assert str(seen[0].url) == WEBHOOK + "crm.lead.list" and seen[0].method == "POST"
    assert bodies[0]["filter"] == {
        ">=DATE_CREATE": "2026-03-01T00:00:00",
        "<=DATE_CREATE": "2026-03-31T23:59:59",
    }
    assert bodies[0]["order"] == {"ID": "ASC"} and bodies[0]["select"] == list(LEAD_FIELDS)
    assert {"UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM", "PHONE", "EMAIL"} <= set(
        bodies[0]["select"]
    )


def test_query_limit_exceeded_503_is_retried_with_backoff():
    limit = reply({"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}, 503)
    transport, seen = scripted(reply(PAGES[0]), limit, reply(PAGES[1]), reply(PAGES[2]))
    time = FakeTime()
    assert len(client(transport, time).leads(date(2026, 3, 1), date(2026, 3, 31)).rows) == 110
    assert [json.loads(r.content)["start"] for r in seen] == [0, 50, 50, 100]
    assert 1.0 in time.sleeps


def test_an_expired_webhook_is_one_request_without_the_secret():
    transport, seen = scripted(
        reply({"error": "expired_token", "error_description": "The token has expired."}, 401)
    )
    with pytest.raises(AuthError, match="has expired") as caught:
        client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert len(seen) == 1 and SECRET not in str(caught.value)


def test_over_a_socket_two_pages_with_a_limit_hit():
    first, second = page(ALL[:50], 50, 60), page(ALL[50:60], None, 60)
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(200, json.dumps(first).encode(), JSON),
            FakeResponse(
                503, b'{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}', JSON
            ),
            FakeResponse(200, json.dumps(second).encode(), JSON),
        )
        result = client(None, FakeTime(), url=f"{server.url}rest/1/{SECRET}/").leads(
            date(2026, 3, 1), date(2026, 3, 31)
        )
    assert [row["lead_id"] for row in result.rows] == list(range(1, 61))
    assert [r.path for r in server.requests] == [f"/rest/1/{SECRET}/crm.lead.list"] * 3
    assert [json.loads(r.body)["start"] for r in server.requests] == [0, 50, 50]
