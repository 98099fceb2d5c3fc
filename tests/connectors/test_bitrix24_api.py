import json
import logging
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connectors.bitrix24 import Bitrix24Client, invoice_rows
from connectors.errors import FormatError
from connectors.http import (
    AccessDeniedError,
    AuthError,
    NetworkError,
    RateLimitError,
    ResponseFormatError,
    RetryPolicy,
)
from pipelines.load.raw_schema import RAW_TABLES
from tests.fakes import FakeResponse, FakeServer, FakeTime, scripted

SECRET = "k3x9secretwebhookcode7"
WEBHOOK = f"https://agency.bitrix24.ru/rest/1/{SECRET}/"
POLICY = RetryPolicy(max_attempts=5, max_total_wait=600.0, jitter=0.0)
JSON = {"Content-Type": "application/json"}


def invoice(n: int, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": n,
        "accountNumber": f"СЧ-{n}",
        "title": f"Счёт №{n}",
        "begindate": "2026-03-01T03:00:00+03:00",
        "closedate": "2026-03-11T03:00:00+03:00",
        "opportunity": 12000.5,
        "taxValue": 2000.08,
        "currencyId": "RUB",
        "stageId": "DT31_1:N",
        "companyId": 7,
        "movedTime": "2026-03-05T12:30:00+03:00",
        "updatedTime": "2026-03-05T12:30:00+03:00",
    }
    item.update(fields)
    return item


def page(items: list[dict[str, Any]], next_start: int | None, total: int) -> dict[str, Any]:
    body: dict[str, Any] = {"result": {"items": items}, "total": total, "time": {"start": 1.0}}
    if next_start is not None:
        body["next"] = next_start
    return body


ALL = [invoice(n) for n in range(1, 121)]
PAGES = [page(ALL[0:50], 50, 120), page(ALL[50:100], 100, 120), page(ALL[100:], None, 120)]


def reply(body: object, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def error(code: str, description: str, status: int, **headers: str) -> httpx.Response:
    return reply({"error": code, "error_description": description}, status, **headers)


OPEN: list[Bitrix24Client] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def client(
    transport: httpx.BaseTransport | None, time: FakeTime, url: str = WEBHOOK, **kw: Any
) -> Bitrix24Client:
    kw.setdefault("retry", POLICY)
    OPEN.append(Bitrix24Client(url, transport=transport, sleep=time.sleep, clock=time.clock, **kw))
    return OPEN[-1]


# ---- happy path ----


def test_invoices_page_by_50_with_start_until_next_is_absent():
    transport, seen = scripted(*[reply(p) for p in PAGES])
    items = client(transport, FakeTime()).invoices()
    assert [item["id"] for item in items] == list(range(1, 121))
    bodies = [json.loads(r.content) for r in seen]
    assert [b["start"] for b in bodies] == [0, 50, 100]
    assert all(b["entityTypeId"] == 31 and b["order"] == {"id": "ASC"} for b in bodies)
    assert {"accountNumber", "companyId", "stageId", "opportunity"} <= set(bodies[0]["select"])
    assert bodies[0]["filter"] == {}
    assert str(seen[0].url) == WEBHOOK + "crm.item.list" and seen[0].method == "POST"
    assert items[0]["opportunity"] == Decimal("12000.5")  # money read exactly, not as float


def test_updated_since_filters_on_the_update_time():
    transport, seen = scripted(reply(page(ALL[:2], None, 2)))
    client(transport, FakeTime()).invoices(updated_since=date(2026, 3, 1))
    assert json.loads(seen[0].content)["filter"] == {">=updatedTime": "2026-03-01"}


def test_a_webhook_url_without_the_trailing_slash_works_and_a_wrong_one_is_refused():
    transport, seen = scripted(reply(page([], None, 0)))
    assert client(transport, FakeTime(), url=WEBHOOK.rstrip("/")).invoices() == []
    assert str(seen[0].url) == WEBHOOK + "crm.item.list"
    with pytest.raises(ValueError, match="rest/<user id>/<secret>"):
        Bitrix24Client("https://agency.bitrix24.ru/")


def test_paging_that_goes_backwards_fails_instead_of_looping():
    transport, seen = scripted(reply(page(ALL[:50], 50, 120)), reply(page(ALL[50:100], 50, 120)))
    with pytest.raises(ResponseFormatError, match="backwards"):
        client(transport, FakeTime()).invoices()
    assert len(seen) == 2


# ---- limits, failures and retries ----


def test_query_limit_exceeded_503_is_retried_with_backoff():
    limit = error("QUERY_LIMIT_EXCEEDED", "Too many requests", 503)
    transport, seen = scripted(reply(PAGES[0]), limit, limit, reply(PAGES[1]), reply(PAGES[2]))
    time = FakeTime()
    assert len(client(transport, time).invoices()) == 120
    assert [json.loads(r.content)["start"] for r in seen] == [0, 50, 50, 50, 100]
    assert time.sleeps == [1.0, 2.0]


def test_a_429_storm_waits_what_retry_after_asks():
    limit = error(
        "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.", 429, **{"Retry-After": "9"}
    )
    transport, seen = scripted(limit, limit, limit, reply(page(ALL[:1], None, 1)))
    time = FakeTime()
    assert len(client(transport, time).invoices()) == 1
    assert time.sleeps == [9.0, 9.0, 9.0] and len(seen) == 4


def test_a_429_storm_that_never_ends_fails_with_the_vendor_message():
    limit = error("OPERATION_TIME_LIMIT", "operation time limit", 429, **{"Retry-After": "1"})
    transport, seen = scripted(*[limit] * 5)
    with pytest.raises(RateLimitError, match="operation time limit"):
        client(transport, FakeTime()).invoices()
    assert len(seen) == 5


def test_500_then_success():
    transport, seen = scripted(
        error("INTERNAL_SERVER_ERROR", "Internal server error", 500), reply(page(ALL[:3], None, 3))
    )
    assert len(client(transport, FakeTime()).invoices()) == 3 and len(seen) == 2


def test_a_timeout_is_retried():
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ReadTimeout("timed out", request=request)
        return reply(page(ALL[:1], None, 1))

    assert len(client(httpx.MockTransport(handler), FakeTime()).invoices()) == 1 and len(calls) == 2


def test_a_truncated_body_is_retried_once_then_fails_clearly():
    full = json.dumps(page(ALL[:5], None, 5)).encode()
    cut = httpx.Response(200, content=full[:-40])
    transport, seen = scripted(cut, httpx.Response(200, content=full))
    assert len(client(transport, FakeTime()).invoices()) == 5

    transport, seen = scripted(cut, cut, cut)
    with pytest.raises(ResponseFormatError, match="not valid JSON"):
        client(transport, FakeTime()).invoices()
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("code", "status"), [("expired_token", 401), ("invalid_token", 401), ("NO_AUTH_FOUND", 401)]
)
def test_an_invalid_webhook_fails_clearly_after_one_request(code, status):
    transport, seen = scripted(error(code, "The access token provided has expired.", status))
    time = FakeTime()
    with pytest.raises(AuthError) as caught:
        client(transport, time).invoices()
    assert len(seen) == 1 and time.sleeps == []
    assert "has expired" in str(caught.value) and "incoming webhook" in str(caught.value)
    assert caught.value.vendor_code == code


@pytest.mark.parametrize(("code", "status"), [("ACCESS_DENIED", 403), ("insufficient_scope", 401)])
def test_missing_permissions_are_access_denied_and_not_retried(code, status):
    transport, seen = scripted(error(code, "Access denied.", status))
    with pytest.raises(AccessDeniedError, match="Access denied"):
        client(transport, FakeTime()).invoices()
    assert len(seen) == 1


def test_the_webhook_secret_never_reaches_errors_or_logs(caplog):
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    caplog.set_level(logging.DEBUG)
    bitrix = client(httpx.MockTransport(handler), FakeTime())
    with pytest.raises(NetworkError) as caught:
        bitrix.invoices()
    assert "cannot reach" in str(caught.value)
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value) and SECRET not in repr(bitrix)
    assert caplog.records and SECRET not in caplog.text

    logging.getLogger("httpx").info("HTTP Request: POST %s%s", WEBHOOK, "crm.item.list")
    assert SECRET not in caplog.text and "/rest/1/***/crm.item.list" in caplog.text


# ---- a real socket ----


def test_over_a_socket_several_pages_with_a_limit_hit_and_a_cut_body():
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(200, json.dumps(PAGES[0]).encode(), JSON),
            FakeResponse(
                503, b'{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}', JSON
            ),
            FakeResponse(200, json.dumps(PAGES[1]).encode(), JSON, truncate=True),
            FakeResponse(200, json.dumps(PAGES[1]).encode(), JSON),
            FakeResponse(200, json.dumps(PAGES[2]).encode(), JSON),
        )
        url = f"{server.url}rest/1/{SECRET}/"
        items = client(None, FakeTime(), url=url).invoices()
    assert [item["id"] for item in items] == list(range(1, 121))
    assert [r.path for r in server.requests] == [f"/rest/1/{SECRET}/crm.item.list"] * 5
    assert [json.loads(r.body)["start"] for r in server.requests] == [0, 50, 50, 50, 100]


def test_over_a_socket_an_expired_webhook_is_one_request():
    body = b'{"error":"expired_token","error_description":"The access token provided has expired."}'
    with FakeServer() as server:
        server.enqueue(FakeResponse(401, body, JSON))
        with pytest.raises(AuthError, match="has expired"):
            client(None, FakeTime(), url=f"{server.url}rest/1/{SECRET}/").invoices()
    assert len(server.requests) == 1


# ---- invoice rows ----

INNS = {"7": "7701000001", "8": "500100732259"}


def test_invoice_rows_have_exactly_the_raw_tables_columns():
    table = RAW_TABLES["invoice_register_rows"]
    rows = invoice_rows([invoice(1)], INNS)
    expected = {name for name, _ in table.columns} - {"client_id"} | {"_origin_line"}
    assert set(rows[0]) == expected


def test_invoice_rows_map_bitrix_fields():
    paid = invoice(2, stageId="DT31_1:P", companyId="8", opportunity="1500.00", taxValue=None, closedate=None)
    rows = invoice_rows([invoice(1), paid, invoice(3, stageId="DT31_3:D")], INNS)
    first, second, third = rows
    assert first == {
        "inn": "7701000001",
        "invoice_number": "СЧ-1",
        "issued_on": date(2026, 3, 1),
        "due_on": date(2026, 3, 11),
        "counterparty": None,
        "amount_net": None,
        "vat_rate": None,
        "vat_amount": Decimal("2000.08"),
        "amount": Decimal("12000.5"),
        "paid_amount": None,
        "paid_on": None,
        "payment_status": "Не оплачен",
        "currency": "RUB",
        "_origin_line": 1,
    }
    assert (second["inn"], second["amount"], second["vat_amount"], second["due_on"]) == (
        "500100732259",
        Decimal("1500.00"),
        None,
        None,
    )
    assert (second["payment_status"], second["paid_on"]) == ("Оплачен", date(2026, 3, 5))
    assert third["payment_status"] == "Отклонён" and third["_origin_line"] == 3


def test_items_read_by_the_client_keep_exact_money():
    transport, _ = scripted(
        httpx.Response(200, content=b'{"result":{"items":[' + json.dumps(invoice(1)).encode() + b"]}}")
    )
    (row,) = invoice_rows(client(transport, FakeTime()).invoices(), INNS)
    assert row["amount"] == Decimal("12000.5") and row["vat_amount"] == Decimal("2000.08")


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"companyId": 99}, "company 99 has no known ИНН"),
        ({"companyId": 0}, r"company \(none\) has no known ИНН"),
        ({"accountNumber": ""}, "has no number"),
        ({"begindate": None}, "date is missing"),
        ({"opportunity": "12 000"}, "not a number"),
    ],
)
def test_an_invoice_that_cannot_be_registered_is_named_not_dropped(fields, match):
    with pytest.raises(FormatError, match=match) as caught:
        invoice_rows([invoice(1), invoice(2, **fields)], INNS)
    assert caught.value.field is not None and caught.value.field.startswith("items[1]")
