"""The Calltouch requests journal (form leads): parser and client.

The fixture ``calltouch_requests.json`` is synthetic: its shape follows the field list in
``connectors/calltouch/_requests.py`` (vendor page + Go SDK), its values are made up.
"""

import json
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connectors.calltouch import REQUESTS_KIND, CalltouchClient, format_requests_date, parse_requests
from connectors.calltouch._requests import COLUMNS
from connectors.errors import FormatError
from connectors.http import AccessDeniedError, AuthError, BadRequestError
from tests.connectors.conftest import FIXTURES

# The calls tests' client set-up (token, site, days, retry policy; clients closed after each test).
from tests.connectors.test_calltouch_api import (  # noqa: F401
    DAY1,
    DAY3,
    OPEN,
    POLICY,
    SITE,
    TOKEN,
    client,
    close_clients,
)
from tests.fakes import FakeResponse, FakeServer, FakeTime, scripted

FIXTURE = (FIXTURES / "calltouch_requests.json").read_bytes()
RECORDS: list[dict[str, Any]] = json.loads(FIXTURE)

JSON = {"Content-Type": "application/json; charset=utf-8"}


def body(*records: dict[str, Any]) -> bytes:
    return json.dumps(list(records), ensure_ascii=False).encode()


def parse(*records: object) -> list[dict[str, object]]:
    return parse_requests(json.dumps(list(records), ensure_ascii=False).encode()).rows


# ---- the parser ----


def test_the_fixture_gives_one_row_per_request_with_every_column():
    result = parse_requests(FIXTURE)
    assert result.kind == REQUESTS_KIND == "calltouch_requests_json"
    assert [row["request_id"] for row in result.rows] == [41872215, 41872301, 41872390]
    assert [row["_origin_line"] for row in result.rows] == [1, 2, 3]
    for row in result.rows:
        assert list(row) == [*COLUMNS, "_origin_line"]
    assert (result.date_from, result.date_to) == (date(2026, 3, 14), date(2026, 3, 16))


def test_a_full_request_is_flattened():
    row = parse_requests(FIXTURE).rows[0]
    assert row == {
        "request_id": 41872215,
        "request_number": "web-10482",
        "request_date_local": datetime(2026, 3, 14, 18, 52, 13),
        "request_timestamp_utc": datetime(2026, 3, 14, 15, 52, 13),
        "request_type": "form",
        "subject": "Расчёт стоимости (квиз)",
        "status": "processed",
        "request_url": "https://okna-example.ru/calc?utm_source=yandex",
        "site_id": 25918,
        "target_request": True,
        "unique_request": True,
        "uniq_target_request": True,
        "session_id": 1980441177,
        "source": "yandex",
        "medium": "cpc",
        "keyword": "окна пвх цена",
        "utm_source": "yandex",
        "utm_medium": "cpc",
        "utm_campaign": "brand_msk",
        "utm_content": None,  # "<не указано>"
        "utm_term": None,
        "city": "moscow",
        "client_phone": "79261234567",  # kept as given: the pipeline masks it
        "client_email": "ivan.p@example.ru",
        "call_id": 22746722,  # from the order the request shares with a call
        "order_count": 1,
        "order_id": 55120,
        "order_number": "CRM-2211",
        "order_status": "Оплачен",
        "order_sum": Decimal("125000.00"),
        "_origin_line": 1,
    }


def test_not_specified_and_empty_values_become_none():
    row = parse_requests(FIXTURE).rows[1]
    for column in ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "keyword"):
        assert row[column] is None
    assert row["request_number"] is None  # null
    assert (row["source"], row["medium"]) == ("direct", "(none)")
    assert row["client_email"] is None and row["client_phone"] == "79097654321"
    assert (row["order_count"], row["order_id"], row["call_id"]) == (0, None, None)


def test_numbers_and_booleans_as_strings_and_a_top_level_call_id():
    row = parse_requests(FIXTURE).rows[2]
    assert row["request_id"] == 41872390
    assert row["request_timestamp_utc"] == datetime(2026, 3, 16, 10, 11, 12)
    assert row["unique_request"] is True and row["target_request"] is None
    assert row["call_id"] == 22746901
    assert row["session_id"] is None and row["source"] is None  # no session at all
    assert row["client_email"] == "olga@example.com"  # an untyped contact holding an address
    assert row["client_phone"] is None


def test_an_empty_array_is_no_rows_and_no_period():
    result = parse_requests(b"[]")
    assert result.rows == [] and (result.date_from, result.date_to) == (None, None)
    assert result.kind == REQUESTS_KIND


def test_a_request_with_only_its_id_has_every_other_column_empty():
    (row,) = parse({"requestId": 7})
    assert row["request_id"] == 7 and row["order_count"] == 0
    assert all(row[c] is None for c in COLUMNS if c not in ("request_id", "order_count"))
    assert parse_requests(body({"requestId": 7})).date_from is None


def test_milliseconds_are_utc_and_date_str_is_local_time_on_its_own_day():
    row = parse_requests(FIXTURE).rows[1]
    # 21:05:40 UTC on the 14th is 00:05:40 on the 15th in Moscow: both kept, neither converted
    assert row["request_timestamp_utc"] == datetime(2026, 3, 14, 21, 5, 40)
    assert row["request_date_local"] == datetime(2026, 3, 15, 0, 5, 40)
    result = parse_requests(body(RECORDS[1]))
    assert result.date_from == result.date_to == date(2026, 3, 15)  # the local day


def test_without_date_str_the_period_falls_back_to_the_utc_day():
    result = parse_requests(body({"requestId": 1, "date": 1773522340000}))
    assert result.rows[0]["request_date_local"] is None
    assert result.date_from == date(2026, 3, 14)


def test_a_date_in_seconds_is_refused_not_read_as_1970():
    with pytest.raises(FormatError, match="looks like Unix seconds") as caught:
        parse({"requestId": 1, "date": 1773503533})
    assert caught.value.field == "[0].date"


@pytest.mark.parametrize(
    ("record", "field", "reason"),
    [
        ({"dateStr": "14/03/2026 18:52:13"}, "[1].requestId", "request id is missing"),
        ({"requestId": "abc"}, "[1].requestId", "not a whole number"),
        ({"requestId": 2, "dateStr": "2026-03-14 18:52:13"}, "[1].dateStr", "dd/mm/yyyy hh:mm:ss"),
        ({"requestId": 2, "dateStr": "03/14/2026 18:52:13"}, "[1].dateStr", "not a time"),
        ({"requestId": 2, "date": "yesterday"}, "[1].date", "not a whole number"),
        ({"requestId": 2, "targetRequest": "maybe"}, "[1].targetRequest", "not true or false"),
        ({"requestId": 2, "session": "yandex"}, "[1].session", "expected an object"),
        ({"requestId": 2, "session": {"sessionId": "x"}}, "[1].session.sessionId", "whole number"),
        ({"requestId": 2, "session": {"utmSource": 1.5}}, "[1].session.utmSource", "not text"),
        ({"requestId": 2, "client": {"phones": "7926"}}, "[1].client.phones", "expected an array"),
        ({"requestId": 2, "orders": [{"sum": "много"}]}, "[1].orders[0].sum", "not a number"),
        ({"requestId": 2, "orders": [{}, {"callId": "x"}]}, "[1].orders[1].callId", "whole number"),
    ],
)
def test_a_bad_record_names_its_index_and_field(record, field, reason):
    with pytest.raises(FormatError, match=reason) as caught:
        parse(RECORDS[0], record)
    assert caught.value.field == field
    assert str(caught.value).startswith(f'field "{field}"')


def test_a_record_that_is_not_an_object_is_named():
    with pytest.raises(FormatError, match="expected a request object") as caught:
        parse(RECORDS[0], RECORDS[1], "41872215")
    assert caught.value.field == "[2]"


def test_an_error_object_or_a_foreign_body_is_not_requests():
    with pytest.raises(FormatError, match="instead of requests: Неверный clientApiId"):
        parse_requests(json.dumps({"message": "Неверный clientApiId"}, ensure_ascii=False).encode())
    with pytest.raises(FormatError, match="a JSON array of requests"):
        parse_requests(b'{"records": []}')
    with pytest.raises(FormatError, match="not valid JSON"):
        parse_requests(FIXTURE[: len(FIXTURE) // 2])


def test_request_dates_are_month_first():
    assert format_requests_date(date(2026, 3, 14)) == "03/14/2026"


# ---- the client ----


def test_one_request_with_site_id_and_month_first_dates():
    transport, seen = scripted(httpx.Response(200, content=FIXTURE))
    result = client(transport, FakeTime()).requests(SITE, DAY1, DAY3)

    (request,) = seen
    assert request.method == "GET"
    assert request.url.path == "/calls-service/RestAPI/requests"
    assert dict(request.url.params) == {
        "clientApiId": TOKEN,
        "siteId": "25918",
        "dateFrom": "03/14/2026",
        "dateTo": "03/16/2026",
    }
    assert "Authorization" not in request.headers
    assert result.kind == REQUESTS_KIND
    assert result.rows == parse_requests(FIXTURE).rows
    assert (result.date_from, result.date_to) == (DAY1, DAY3)  # the period asked for


def test_a_200_day_period_is_three_chunks_and_each_request_is_kept_once():
    first = {**RECORDS[0], "requestId": 1}
    again = {**RECORDS[0], "requestId": 1, "subject": "updated"}
    transport, seen = scripted(
        httpx.Response(200, content=body(first)),
        httpx.Response(200, content=body(again, {**RECORDS[1], "requestId": 2})),
        httpx.Response(200, content=b"[]"),
    )
    start = date(2026, 1, 1)
    end = date(2026, 7, 19)
    assert (end - start).days + 1 == 200
    result = client(transport, FakeTime()).requests(str(SITE), start, end)
    periods = [(r.url.params["dateFrom"], r.url.params["dateTo"]) for r in seen]
    assert periods == [
        ("01/01/2026", "03/31/2026"),
        ("04/01/2026", "06/29/2026"),
        ("06/30/2026", "07/19/2026"),
    ]
    assert [row["request_id"] for row in result.rows] == [1, 2]
    assert result.rows[0]["subject"] == "updated"  # the last copy read
    assert [row["_origin_line"] for row in result.rows] == [1, 2]
    assert (result.date_from, result.date_to) == (start, end)


def test_a_429_then_success_waits_as_retry_after_says():
    transport, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "3"}, text="Too Many Requests"),
        httpx.Response(500, text="Internal Server Error"),
        httpx.Response(200, content=FIXTURE),
    )
    time = FakeTime()
    assert len(client(transport, time).requests(SITE, DAY1, DAY3).rows) == 3
    assert len(seen) == 3 and time.sleeps[0] == 3.0


def test_a_bad_token_is_an_auth_error_after_one_request_without_the_token(caplog):
    caplog.set_level(logging.DEBUG)
    echo = f"clientApiId {TOKEN} is not valid for https://api.calltouch.ru/x?clientApiId={TOKEN}"
    transport, seen = scripted(httpx.Response(401, text=echo))
    time = FakeTime()
    calltouch = client(transport, time)
    with pytest.raises(AuthError) as caught:
        calltouch.requests(SITE, DAY1, DAY3)
    assert len(seen) == 1 and time.sleeps == []
    assert caught.value.status == 401 and "copy the current one" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), repr(calltouch), caplog.text):
        assert TOKEN not in text


def test_no_rights_is_access_denied_and_not_retried():
    transport, seen = scripted(httpx.Response(403, text="Forbidden"))
    with pytest.raises(AccessDeniedError, match="check the site id"):
        client(transport, FakeTime()).requests(SITE, DAY1, DAY3)
    assert len(seen) == 1


def test_an_error_object_in_a_200_reply_is_a_bad_request():
    transport, seen = scripted(httpx.Response(200, json={"error": "siteId is required"}))
    with pytest.raises(BadRequestError, match="siteId is required"):
        client(transport, FakeTime()).requests(SITE, DAY1, DAY3)
    assert len(seen) == 1


def test_arguments_are_checked_before_any_request():
    with pytest.raises(ValueError, match="site id"):
        client(None, FakeTime()).requests("25918&siteId=1", DAY1, DAY3)
    with pytest.raises(ValueError, match="before"):
        client(None, FakeTime()).requests(SITE, DAY3, DAY1)


def test_over_a_socket_through_a_500():
    time = FakeTime()
    with FakeServer() as server:
        server.enqueue(FakeResponse(500, b"oops"), FakeResponse(200, FIXTURE, JSON))
        calltouch = CalltouchClient(
            TOKEN,
            base_url=server.url + "calls-service/RestAPI/",
            retry=POLICY,
            sleep=time.sleep,
            clock=time.clock,
        )
        OPEN.append(calltouch)
        result = calltouch.requests(SITE, DAY1, DAY3)
    assert [row["request_id"] for row in result.rows] == [41872215, 41872301, 41872390]
    assert [r.path for r in server.requests] == ["/calls-service/RestAPI/requests"] * 2
    query = server.requests[1].query
    assert query["clientApiId"] == [TOKEN] and query["siteId"] == ["25918"]
    assert (query["dateFrom"], query["dateTo"]) == (["03/14/2026"], ["03/16/2026"])
