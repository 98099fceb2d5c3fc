import copy
import json
import logging
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from connectors.amocrm import KIND, AmoCrmClient, Contact, parse_leads
from connectors.errors import FormatError
from connectors.http import AccessDeniedError, AuthError, RateLimitError, ResponseFormatError, RetryPolicy
from tests.connectors.conftest import FIXTURES
from tests.fakes import FakeResponse, FakeServer, FakeTime, scripted

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.longlivedSECRET.sig"
POLICY = RetryPolicy(max_attempts=5, max_total_wait=600.0, jitter=0.0)
HAL = {"Content-Type": "application/hal+json"}
PROBLEM = {"Content-Type": "application/problem+json"}

SAVED_PAGE: dict[str, Any] = json.loads((FIXTURES / "amocrm_leads_page.json").read_bytes())
TEMPLATE: dict[str, Any] = SAVED_PAGE["_embedded"]["leads"][1]


def lead(n: int, **fields: Any) -> dict[str, Any]:
    item = copy.deepcopy(TEMPLATE)
    item.update(
        {"id": n, "name": f"Сделка #{n}", "_links": {"self": {"href": f"/api/v4/leads/{n}"}}}, **fields
    )
    return item


def page(leads: list[dict[str, Any]], number: int, more: bool) -> dict[str, Any]:
    links: dict[str, Any] = {"self": {"href": f"https://agency.amocrm.ru/api/v4/leads?page={number}"}}
    if more:
        links["next"] = {"href": f"https://agency.amocrm.ru/api/v4/leads?page={number + 1}"}
    return {"_page": number, "_links": links, "_embedded": {"leads": leads}}


ALL = [lead(n) for n in range(1, 521)]
PAGES = [page(ALL[0:250], 1, True), page(ALL[250:500], 2, True), page(ALL[500:], 3, False)]


def reply(body: object, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers={**HAL, **headers})


def problem(status: int, title: str, detail: str, **headers: str) -> httpx.Response:
    body = {
        "title": title,
        "type": "https://httpstatus.es/" + str(status),
        "status": status,
        "detail": detail,
    }
    return httpx.Response(status, content=json.dumps(body).encode(), headers={**PROBLEM, **headers})


OPEN: list[AmoCrmClient] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def client(
    transport: httpx.BaseTransport | None, time: FakeTime, base: str = "agency", **kw: Any
) -> AmoCrmClient:
    kw.setdefault("retry", POLICY)
    OPEN.append(AmoCrmClient(base, TOKEN, transport=transport, sleep=time.sleep, clock=time.clock, **kw))
    return OPEN[-1]


def query(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}


def ids_asked(request: httpx.Request) -> list[int]:
    return [int(v) for v in parse_qs(urlsplit(str(request.url)).query).get("filter[id][]", [])]


def contact(n: int, phone: str | None = None, email: str | None = None) -> dict[str, Any]:
    """A contact as ``/api/v4/contacts`` returns it; no phone and no e-mail -> null custom fields."""
    fields: list[dict[str, Any]] = [
        {
            "field_id": 1001,
            "field_name": "Должность",
            "field_code": "POSITION",
            "field_type": "text",
            "values": [{"value": "Директор"}],
        }
    ]
    if phone is not None:
        values = [{"value": phone, "enum_id": 1, "enum_code": "WORK"}, {"value": "+7 900 000-00-00"}]
        fields.append(
            {
                "field_id": 1002,
                "field_name": "Телефон",
                "field_code": "PHONE",
                "field_type": "multitext",
                "values": values,
            }
        )
    if email is not None:
        fields.append(
            {
                "field_id": 1003,
                "field_name": "Email",
                "field_code": "EMAIL",
                "field_type": "multitext",
                "values": [{"value": email, "enum_id": 3, "enum_code": "PRIV"}],
            }
        )
    return {
        "id": n,
        "name": f"Контакт {n}",
        "first_name": "",
        "last_name": "",
        "responsible_user_id": 123321,
        "created_at": 1772359200,
        "updated_at": 1772359200,
        "custom_fields_values": fields if phone is not None or email is not None else None,
        "account_id": 5135160,
        "_links": {"self": {"href": f"https://agency.amocrm.ru/api/v4/contacts/{n}"}},
        "_embedded": {"tags": [], "companies": []},
    }


def contact_page(contacts: list[dict[str, Any]], number: int, more: bool) -> dict[str, Any]:
    links: dict[str, Any] = {"self": {"href": f"https://agency.amocrm.ru/api/v4/contacts?page={number}"}}
    if more:
        links["next"] = {"href": f"https://agency.amocrm.ru/api/v4/contacts?page={number + 1}"}
    return {"_page": number, "_links": links, "_embedded": {"contacts": contacts}}


def with_contact(n: int, contact_id: int) -> dict[str, Any]:
    link = {"self": {"href": f"https://agency.amocrm.ru/api/v4/contacts/{contact_id}"}}
    return lead(n, _embedded={"tags": [], "contacts": [{"id": contact_id, "is_main": True, "_links": link}]})


# ---- the parser ----


def test_a_saved_page_parses_to_one_row_per_lead():
    result = parse_leads((FIXTURES / "amocrm_leads_page.json").read_bytes())
    assert result.kind == KIND == "amocrm_leads_json"
    assert (result.date_from, result.date_to) == (date(2026, 3, 1), date(2026, 3, 1))
    first, second = result.rows
    assert first == {
        "lead_id": 19619,
        "name": "Заявка с сайта",
        "status_id": 142,
        "pipeline_id": 1300,
        "price": Decimal(46333),
        "created_at": datetime(2026, 3, 1, 10, 0),
        "updated_at": datetime(2026, 3, 2, 10, 0),
        "closed_at": datetime(2026, 3, 3, 10, 0),
        "responsible_user_id": 123321,
        "is_deleted": False,
        "utm_source": "yandex",
        "utm_medium": "cpc",
        "utm_campaign": "brand_msk",
        "utm_content": "ad_15",
        "utm_term": "купить окна",
        "contact_id": 7143560,  # the main contact, not the first listed
        "contact_phone": None,  # a lead holds only its contacts' ids
        "contact_email": None,
        "tags": '["Яндекс.Директ", "форма"]',
        "_origin_line": 1,
    }
    assert second["closed_at"] is None and second["contact_id"] is None and second["tags"] is None
    assert {second[k] for k in ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")} == {
        None
    }
    assert second["_origin_line"] == 2


def test_a_saved_list_of_leads_and_an_empty_204_body_parse():
    result = parse_leads(json.dumps([lead(5)]).encode())
    assert [row["lead_id"] for row in result.rows] == [5]
    empty = parse_leads(b"")
    assert empty.rows == [] and empty.date_from is None


def test_without_a_main_flag_the_first_contact_is_taken():
    contacts = [{"id": 11, "_links": {}}, {"id": 12, "_links": {}}]
    (row,) = parse_leads(json.dumps([lead(1, _embedded={"contacts": contacts})]).encode()).rows
    assert row["contact_id"] == 11


@pytest.mark.parametrize(
    ("fields", "field", "match"),
    [
        ({"created_at": "вчера"}, "[1].created_at", "not a whole number"),
        ({"created_at": None}, "[1].created_at", "creation time is missing"),
        ({"price": "много"}, "[1].price", "not a number"),
        ({"custom_fields_values": {"UTM_SOURCE": "x"}}, "[1].custom_fields_values", "expected a list"),
        ({"_embedded": {"contacts": [{"id": "abc"}]}}, "[1]._embedded.contacts[0].id", "not a whole number"),
    ],
)
def test_a_bad_lead_is_named_with_its_field(fields, field, match):
    content = json.dumps(page([lead(1), lead(2, **fields)], 1, False)).encode()
    with pytest.raises(FormatError, match=match) as caught:
        parse_leads(content)
    assert caught.value.field == "_embedded.leads" + field
    assert "lead 2" in str(caught.value)


def test_a_foreign_body_is_a_format_error():
    with pytest.raises(FormatError, match=r"_embedded\.leads"):
        parse_leads(b'{"result": []}')


# ---- the client: paging and filters ----


def test_leads_page_by_250_until_there_is_no_next_link():
    transport, seen = scripted(*[reply(p) for p in PAGES])
    result = client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert [row["lead_id"] for row in result.rows] == list(range(1, 521))
    assert [row["_origin_line"] for row in result.rows] == list(range(1, 521))
    assert (result.kind, result.date_from, result.date_to) == (KIND, date(2026, 3, 1), date(2026, 3, 31))
    assert [query(r)["page"] for r in seen] == ["1", "2", "3"]
    first = query(seen[0])
    assert first["limit"] == "250" and first["with"] == "contacts"
    assert first["filter[created_at][from]"] == str(
        int(datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC")).timestamp())
    )
    assert first["filter[created_at][to]"] == str(
        int(datetime(2026, 4, 1, tzinfo=ZoneInfo("UTC")).timestamp()) - 1
    )
    assert "filter[updated_at][from]" not in first
    assert seen[0].url.path == "/api/v4/leads" and seen[0].url.host == "agency.amocrm.ru"
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_days_can_be_cut_in_the_accounts_zone():
    transport, seen = scripted(reply(page([lead(1)], 1, False)))
    client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 1), tz=ZoneInfo("Europe/Moscow"))
    q = query(seen[0])
    assert q["filter[created_at][from]"] == str(
        int(datetime(2026, 2, 28, 21, tzinfo=ZoneInfo("UTC")).timestamp())
    )


def test_updated_since_filters_on_the_update_time_instead():
    transport, seen = scripted(reply(page([lead(1), lead(2, created_at=1700000000)], 1, False)))
    since = datetime(2026, 3, 10, 12, 0)
    result = client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 31), updated_since=since)
    q = query(seen[0])
    assert q["filter[updated_at][from]"] == str(int(since.replace(tzinfo=ZoneInfo("UTC")).timestamp()))
    assert not any(k.startswith("filter[created_at]") for k in q)
    assert (result.date_from, result.date_to) == (date(2023, 11, 14), date(2026, 3, 1))


def test_204_no_content_means_no_leads():
    transport, seen = scripted(httpx.Response(204))
    result = client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert result.rows == [] and len(seen) == 1


def test_204_on_a_later_page_ends_the_paging():
    transport, seen = scripted(reply(PAGES[0]), httpx.Response(204))
    result = client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert len(result.rows) == 250 and len(seen) == 2


def test_a_lead_seen_on_two_pages_is_kept_once():
    transport, _ = scripted(
        reply(page([lead(1), lead(2)], 1, True)), reply(page([lead(2), lead(3)], 2, False))
    )
    result = client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert [row["lead_id"] for row in result.rows] == [1, 2, 3]


def test_base_url_forms():
    assert AmoCrmClient("agency", TOKEN).base_url == "https://agency.amocrm.ru"
    assert AmoCrmClient("agency.kommo.com", TOKEN).base_url == "https://agency.kommo.com"
    assert AmoCrmClient("https://agency.amocrm.com/", TOKEN).base_url == "https://agency.amocrm.com"
    with pytest.raises(ValueError, match="token"):
        AmoCrmClient("agency", "")


# ---- contacts: phone and e-mail ----


def test_contacts_give_the_first_phone_and_e_mail_and_page_until_there_is_no_next_link():
    transport, seen = scripted(
        reply(contact_page([contact(11, "+7 999 123-45-67", "Ivan@Example.ru"), contact(12)], 1, True)),
        reply(contact_page([contact(13, email="olga@example.ru")], 2, False)),
    )
    found = client(transport, FakeTime()).contacts([11, 12, 13, 11])
    assert found == {
        11: Contact(11, "+7 999 123-45-67", "Ivan@Example.ru"),  # as given: masked downstream
        12: Contact(12, None, None),  # custom_fields_values is null
        13: Contact(13, None, "olga@example.ru"),
    }
    assert [ids_asked(r) for r in seen] == [[11, 12, 13], [11, 12, 13]]
    assert [query(r)["page"] for r in seen] == ["1", "2"]
    assert all(r.url.path == "/api/v4/contacts" and query(r)["limit"] == "250" for r in seen)


def test_contacts_are_asked_for_250_ids_at_a_time():
    asked: list[list[int]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        ids = ids_asked(request)
        asked.append(ids)
        return reply(contact_page([contact(i, phone=f"7900{i:07d}") for i in ids], 1, False))

    found = client(httpx.MockTransport(handler), FakeTime()).contacts(range(1, 602))
    assert [len(ids) for ids in asked] == [250, 250, 101]
    assert asked[1][0] == 251 and asked[2][-1] == 601
    assert len(found) == 601 and found[601].phone == "79000000601"


def test_contacts_204_means_none_and_no_ids_means_no_request():
    transport, seen = scripted(httpx.Response(204))
    amo = client(transport, FakeTime())
    assert amo.contacts([5]) == {}
    assert amo.contacts([]) == {} and len(seen) == 1


def test_a_contact_not_asked_for_is_dropped():
    transport, _ = scripted(reply(contact_page([contact(11, "1"), contact(99, "2")], 1, False)))
    assert list(client(transport, FakeTime()).contacts([11])) == [11]


def test_a_bad_contact_is_named_with_its_field():
    bad = contact(12, "+7 1")
    bad["custom_fields_values"][1]["values"] = "+7 1"
    transport, _ = scripted(*[reply(contact_page([contact(11), bad], 1, False))] * 5)
    with pytest.raises(
        ResponseFormatError, match=r"contact 12: expected a list of \{value\} objects"
    ) as caught:
        client(transport, FakeTime()).contacts([11, 12])
    assert "_embedded.contacts[1].custom_fields_values[1].values" in str(caught.value)


def test_leads_get_their_main_contacts_phone_and_e_mail():
    leads = [with_contact(1, 11), with_contact(2, 12), lead(3), with_contact(4, 11), with_contact(5, 14)]
    contacts = [contact(11, "+7 (926) 111-22-33"), contact(12, email="a@b.ru")]  # 14 was deleted
    transport, seen = scripted(reply(page(leads, 1, False)), reply(contact_page(contacts, 1, False)))
    result = client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 31))
    got = [(r["lead_id"], r["contact_id"], r["contact_phone"], r["contact_email"]) for r in result.rows]
    assert got == [
        (1, 11, "+7 (926) 111-22-33", None),
        (2, 12, None, "a@b.ru"),
        (3, None, None, None),
        (4, 11, "+7 (926) 111-22-33", None),
        (5, 14, None, None),
    ]
    assert [r.url.path for r in seen] == ["/api/v4/leads", "/api/v4/contacts"]
    assert ids_asked(seen[1]) == [11, 12, 14]


def test_leads_without_contacts_ask_for_none():
    transport, seen = scripted(reply(page([with_contact(1, 11)], 1, False)))
    result = client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 31), contacts=False)
    (row,) = result.rows
    assert (row["contact_id"], row["contact_phone"], row["contact_email"]) == (11, None, None)
    assert len(seen) == 1


# ---- limits, failures, secrets ----


def test_429_is_retried_with_backoff_then_succeeds():
    limit = problem(429, "Too Many Requests", "Too many requests")
    transport, seen = scripted(reply(PAGES[0]), limit, limit, reply(PAGES[1]), reply(PAGES[2]))
    time = FakeTime()
    result = client(transport, time).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert len(result.rows) == 520
    assert [query(r)["page"] for r in seen] == ["1", "2", "2", "2", "3"]
    assert [s for s in time.sleeps if s >= 1.0] == [1.0, 2.0]


def test_429_honours_retry_after_and_gives_up_clearly():
    limit = problem(429, "Too Many Requests", "Too many requests", **{"Retry-After": "3"})
    transport, seen = scripted(*[limit] * 5)
    time = FakeTime()
    with pytest.raises(RateLimitError, match="Too many requests"):
        client(transport, time).leads(date(2026, 3, 1), date(2026, 3, 1))
    assert len(seen) == 5 and [s for s in time.sleeps if s >= 1.0] == [3.0] * 4


def test_an_expired_token_is_a_typed_error_after_one_request_without_the_token():
    body = {
        "title": "Unauthorized",
        "type": "https://httpstatus.es/401",
        "status": 401,
        "detail": "Token expired",
    }
    transport, seen = scripted(
        httpx.Response(401, content=json.dumps({**body, "echo": f"Bearer {TOKEN}"}).encode(), headers=PROBLEM)
    )
    time = FakeTime()
    amo = client(transport, time)
    with pytest.raises(AuthError) as caught:
        amo.leads(date(2026, 3, 1), date(2026, 3, 31))
    assert len(seen) == 1 and time.sleeps == []
    text = f"{caught.value} {caught.value!r} {amo!r}"
    assert "Token expired" in text and "long-lived token" in text and caught.value.status == 401
    assert TOKEN not in text and "longlivedSECRET" not in text


def test_a_403_block_is_access_denied_and_not_retried():
    transport, seen = scripted(problem(403, "Forbidden", "Account is blocked"))
    with pytest.raises(AccessDeniedError, match="blocked"):
        client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert len(seen) == 1


def test_the_token_never_reaches_logs(caplog):
    caplog.set_level(logging.DEBUG)
    transport, _ = scripted(problem(500, "Internal", "oops"), reply(page([lead(1)], 1, False)))
    client(transport, FakeTime()).leads(date(2026, 3, 1), date(2026, 3, 1))
    assert caplog.records and TOKEN not in caplog.text


def test_requests_are_spaced_at_seven_per_second():
    time = FakeTime()
    stamps: list[float] = []
    pages = [page([lead(n)], n, n < 15) for n in range(1, 16)]

    def handler(request: httpx.Request) -> httpx.Response:
        stamps.append(time.now)
        return reply(pages[int(query(request)["page"]) - 1])

    result = client(httpx.MockTransport(handler), time).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert len(result.rows) == 15
    assert stamps[:7] == [0.0] * 7 and stamps[7:14] == [1.0] * 7 and stamps[14] == 2.0
    for i in range(len(stamps) - 7):
        assert stamps[i + 7] - stamps[i] >= 1.0  # never 8 requests within one second


# ---- a real socket ----


def test_over_a_socket_two_pages_a_429_and_the_bearer_header():
    first = page([lead(n) for n in range(1, 251)], 1, True)
    second = page([lead(n) for n in range(251, 261)], 2, False)
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(200, json.dumps(first).encode(), HAL),
            FakeResponse(429, b'{"title":"Too Many Requests","status":429}', {**PROBLEM, "Retry-After": "0"}),
            FakeResponse(200, json.dumps(second).encode(), HAL),
        )
        result = client(None, FakeTime(), base=server.url).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert [row["lead_id"] for row in result.rows] == list(range(1, 261))
    assert [r.query["page"] for r in server.requests] == [["1"], ["2"], ["2"]]
    assert all(r.path == "/api/v4/leads" and r.query["with"] == ["contacts"] for r in server.requests)
    assert server.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_over_a_socket_leads_then_their_contacts_in_two_pages():
    leads = page([with_contact(1, 11), with_contact(2, 12)], 1, False)
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(200, json.dumps(leads).encode(), HAL),
            FakeResponse(200, json.dumps(contact_page([contact(11, "79261112233")], 1, True)).encode(), HAL),
            FakeResponse(200, json.dumps(contact_page([contact(12)], 2, False)).encode(), HAL),
        )
        result = client(None, FakeTime(), base=server.url).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert [(r["contact_phone"], r["contact_email"]) for r in result.rows] == [
        ("79261112233", None),
        (None, None),
    ]
    contacts = server.requests[1:]
    assert [(r.path, r.query["page"]) for r in contacts] == [
        ("/api/v4/contacts", ["1"]),
        ("/api/v4/contacts", ["2"]),
    ]
    assert contacts[0].query["filter[id][]"] == ["11", "12"] and contacts[0].query["limit"] == ["250"]
    assert contacts[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_over_a_socket_an_empty_period_is_one_204():
    with FakeServer() as server:
        server.enqueue(FakeResponse(204))
        result = client(None, FakeTime(), base=server.url).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert result.rows == [] and len(server.requests) == 1


def test_over_a_socket_a_revoked_token_is_one_request():
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(401, b'{"title":"Unauthorized","status":401,"detail":"Token revoked"}', PROBLEM)
        )
        with pytest.raises(AuthError, match="Token revoked") as caught:
            client(None, FakeTime(), base=server.url).leads(date(2026, 3, 1), date(2026, 3, 31))
    assert len(server.requests) == 1 and TOKEN not in str(caught.value)
