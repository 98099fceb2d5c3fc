import json
import logging
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import httpx
import pytest

from connectors.calltouch import CalltouchClient, parse_calls
from connectors.http import (
    AccessDeniedError,
    AuthError,
    BadRequestError,
    NetworkError,
    ResponseFormatError,
    RetryPolicy,
)
from tests.connectors.fixtures.make_fixtures import CALLTOUCH_RECORDS
from tests.fakes import FakeResponse, FakeServer, FakeTime, scripted

TOKEN = "ct-secret-clientApiId-0123456789"
SITE = 25918
DAY1, DAY3 = date(2026, 3, 14), date(2026, 3, 16)
POLICY = RetryPolicy(max_attempts=5, max_total_wait=600.0, jitter=0.0)
JSON = {"Content-Type": "application/json; charset=utf-8"}


def call(call_id: int, day: int = 14, **fields: Any) -> dict[str, Any]:
    return {**CALLTOUCH_RECORDS[0], "callId": call_id, "date": f"{day:02d}/03/2026 18:52:13", **fields}


def page(number: int, total: int, *records: dict[str, Any]) -> bytes:
    body = {"page": number, "pageTotal": total, "pageSize": 1000, "recordsTotal": 0, "records": records}
    return json.dumps(body, ensure_ascii=False).encode()


PAGE_1 = page(1, 3, *CALLTOUCH_RECORDS[:2])
PAGE_2 = page(2, 3, CALLTOUCH_RECORDS[2], call(1001, duration=5))
PAGE_3 = page(3, 3, call(1001, duration=77), call(1002))


OPEN: list[CalltouchClient] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def client(transport: httpx.BaseTransport | None, time: FakeTime, **kwargs: Any) -> CalltouchClient:
    kwargs.setdefault("retry", POLICY)
    OPEN.append(CalltouchClient(TOKEN, transport=transport, sleep=time.sleep, clock=time.clock, **kwargs))
    return OPEN[-1]


def test_happy_path_reads_every_page_with_the_documented_request():
    transport, seen = scripted(*(httpx.Response(200, content=p) for p in (PAGE_1, PAGE_2, PAGE_3)))
    result = client(transport, FakeTime()).calls(SITE, DAY1, DAY3)

    assert [r.url.path for r in seen] == ["/calls-service/RestAPI/25918/calls-diary/calls"] * 3
    assert [r.url.params["page"] for r in seen] == ["1", "2", "3"]
    first = seen[0].url.params
    assert first["clientApiId"] == TOKEN and first["limit"] == "1000"
    assert (first["dateFrom"], first["dateTo"]) == ("14/03/2026", "16/03/2026")
    assert "Authorization" not in seen[0].headers

    def content(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in row.items() if k != "_origin_line"} for row in rows]

    assert content(result.rows[:3]) == content(parse_calls(PAGE_1).rows + parse_calls(PAGE_2).rows[:1])
    assert [row["call_id"] for row in result.rows] == [22746722, 22746800, 22746901, 1001, 1002]
    assert [row["_origin_line"] for row in result.rows] == [1, 2, 3, 4, 5]
    assert result.kind == "calltouch_calls_json"
    assert (result.date_from, result.date_to) == (DAY1, DAY3)  # the period asked for


def test_a_call_read_on_two_pages_is_kept_once_with_its_last_copy():
    transport, _ = scripted(*(httpx.Response(200, content=p) for p in (PAGE_1, PAGE_2, PAGE_3)))
    rows = client(transport, FakeTime()).calls(SITE, DAY1, DAY3).rows
    (twice,) = [row for row in rows if row["call_id"] == 1001]
    assert twice["duration"] == 77


def test_values_come_through_the_parser_unchanged():
    transport, _ = scripted(httpx.Response(200, content=page(1, 1, *CALLTOUCH_RECORDS)))
    rows = client(transport, FakeTime()).calls(str(SITE), DAY1, DAY3).rows
    assert rows[0]["call_timestamp_utc"] == datetime(2026, 3, 14, 15, 52, 13)
    assert rows[0]["utm_source"] is None  # "<не указано>"
    assert rows[1]["duration"] == -30  # negative durations are kept


def test_an_empty_period_is_one_request_and_no_rows():
    transport, seen = scripted(httpx.Response(200, content=page(1, 0)))
    result = client(transport, FakeTime()).calls(SITE, DAY1, DAY1)
    assert result.rows == [] and len(seen) == 1
    assert (result.date_from, result.date_to) == (DAY1, DAY1)


def test_a_bare_array_is_taken_as_the_only_page():
    body = json.dumps(CALLTOUCH_RECORDS, ensure_ascii=False).encode()
    transport, seen = scripted(httpx.Response(200, content=body))
    assert len(client(transport, FakeTime()).calls(SITE, DAY1, DAY3).rows) == 3
    assert len(seen) == 1


def test_a_period_over_90_days_is_split_into_chunks():
    transport, seen = scripted(
        httpx.Response(200, content=page(1, 2, call(1, 14))),
        httpx.Response(200, content=page(2, 2, call(2, 15))),
        httpx.Response(200, content=page(1, 1, call(3, 16))),
    )
    result = client(transport, FakeTime()).calls(SITE, date(2026, 1, 1), date(2026, 4, 30))
    periods = [(r.url.params["dateFrom"], r.url.params["dateTo"], r.url.params["page"]) for r in seen]
    assert periods == [
        ("01/01/2026", "31/03/2026", "1"),
        ("01/01/2026", "31/03/2026", "2"),
        ("01/04/2026", "30/04/2026", "1"),
    ]
    assert [row["call_id"] for row in result.rows] == [1, 2, 3]
    assert (result.date_from, result.date_to) == (date(2026, 1, 1), date(2026, 4, 30))


def test_a_429_storm_waits_as_long_as_retry_after_says():
    transport, seen = scripted(
        *(httpx.Response(429, headers={"Retry-After": "7"}, text="Too Many Requests") for _ in range(3)),
        httpx.Response(200, content=page(1, 1, *CALLTOUCH_RECORDS)),
    )
    time = FakeTime()
    assert len(client(transport, time).calls(SITE, DAY1, DAY3).rows) == 3
    assert time.sleeps == [7.0, 7.0, 7.0] and len(seen) == 4


def test_a_server_error_then_success():
    transport, seen = scripted(
        httpx.Response(500, text="Internal Server Error"),
        httpx.Response(200, content=page(1, 1, *CALLTOUCH_RECORDS)),
    )
    assert len(client(transport, FakeTime()).calls(SITE, DAY1, DAY3).rows) == 3
    assert len(seen) == 2


def test_a_timeout_is_retried_and_one_that_persists_fails_as_a_network_error():
    transport, seen = scripted(
        httpx.ReadTimeout("timed out"), httpx.Response(200, content=page(1, 1, *CALLTOUCH_RECORDS))
    )
    assert len(client(transport, FakeTime()).calls(SITE, DAY1, DAY3).rows) == 3
    assert len(seen) == 2

    transport, seen = scripted(*(httpx.ConnectTimeout("timed out") for _ in range(2)))
    with pytest.raises(NetworkError, match="timed out"):
        client(transport, FakeTime(), retry=RetryPolicy(max_attempts=2, jitter=0.0)).calls(SITE, DAY1, DAY3)
    assert len(seen) == 2


def test_a_truncated_page_is_retried_once_then_fails_clearly():
    cut = PAGE_1[: len(PAGE_1) // 2]
    transport, seen = scripted(httpx.Response(200, content=cut), httpx.Response(200, content=page(1, 1)))
    assert client(transport, FakeTime()).calls(SITE, DAY1, DAY3).rows == []
    assert len(seen) == 2

    transport, seen = scripted(*(httpx.Response(200, content=cut) for _ in range(3)))
    with pytest.raises(ResponseFormatError):
        client(transport, FakeTime()).calls(SITE, DAY1, DAY3)
    assert len(seen) == 2


def test_an_expired_token_fails_clearly_after_one_request():
    body = {"error": {"code": 401, "message": "Неверный clientApiId"}}
    transport, seen = scripted(httpx.Response(401, json=body))
    time = FakeTime()
    with pytest.raises(AuthError) as caught:
        client(transport, time).calls(SITE, DAY1, DAY3)
    assert len(seen) == 1 and time.sleeps == []
    message = str(caught.value)
    assert "Неверный clientApiId" in message and "copy the current one" in message
    assert caught.value.status == 401


def test_no_rights_on_the_site_is_access_denied_and_not_retried():
    transport, seen = scripted(httpx.Response(403, text="Forbidden"))
    with pytest.raises(AccessDeniedError, match="check the site id"):
        client(transport, FakeTime()).calls(SITE, DAY1, DAY3)
    assert len(seen) == 1


def test_an_error_object_in_a_200_reply_is_a_bad_request_not_calls():
    transport, seen = scripted(httpx.Response(200, json={"error": "dateFrom is after dateTo"}))
    with pytest.raises(BadRequestError, match="dateFrom is after dateTo"):
        client(transport, FakeTime()).calls(SITE, DAY1, DAY3)
    assert len(seen) == 1


def test_arguments_are_checked_before_any_request():
    time = FakeTime()
    with pytest.raises(ValueError, match="site id"):
        client(None, time).calls("25918/../other", DAY1, DAY3)
    with pytest.raises(ValueError, match="before"):
        client(None, time).calls(SITE, DAY3, DAY1)
    with pytest.raises(ValueError, match="page_limit"):
        CalltouchClient(TOKEN, page_limit=5000)
    with pytest.raises(ValueError, match="token"):
        CalltouchClient("")


def test_the_rate_limit_of_5_requests_per_second_holds():
    time = FakeTime()
    sent: list[float] = []
    total = 23

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(time.now)
        number = int(request.url.params["page"])
        return httpx.Response(200, content=page(number, total, call(number)))

    result = client(httpx.MockTransport(handler), time).calls(SITE, DAY1, DAY3)
    assert len(result.rows) == total and len(sent) == total
    assert max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent) == 5
    assert sent[-1] >= 4.0  # 23 requests cannot be sent in under 4 seconds


def test_the_token_never_leaks_into_errors_reprs_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    echo = f"bad token {TOKEN} for https://api.calltouch.ru/x?clientApiId={TOKEN}"
    transport, _ = scripted(
        httpx.Response(500, text=echo),
        httpx.ConnectError(f"failed to reach /calls?clientApiId={TOKEN}"),
        httpx.Response(401, text=echo),
    )
    calltouch = client(transport, FakeTime())
    with pytest.raises(AuthError) as caught:
        calltouch.calls(SITE, DAY1, DAY3)
    assert "bad token ***" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), repr(calltouch), caplog.text):
        assert TOKEN not in text
    assert "retrying" in caplog.text  # the retries were logged, without the token


# ---- a real socket ----


def socket_client(server: FakeServer, time: FakeTime, **kwargs: Any) -> CalltouchClient:
    kwargs.setdefault("retry", POLICY)
    OPEN.append(
        CalltouchClient(
            TOKEN,
            base_url=server.url + "calls-service/RestAPI/",
            sleep=time.sleep,
            clock=time.clock,
            **kwargs,
        )
    )
    return OPEN[-1]


def test_over_a_socket_several_pages_through_a_429_and_a_500():
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(200, PAGE_1, JSON),
            FakeResponse(429, b"Too Many Requests", {"Retry-After": "2"}),
            FakeResponse(500, b"oops"),
            FakeResponse(200, PAGE_2, JSON),
            FakeResponse(200, PAGE_3, JSON),
        )
        time = FakeTime()
        result = socket_client(server, time).calls(SITE, DAY1, DAY3)
    assert len(result.rows) == 5
    assert 2.0 in time.sleeps
    assert [r.path for r in server.requests] == ["/calls-service/RestAPI/25918/calls-diary/calls"] * 5
    assert [r.query["page"] for r in server.requests] == [["1"], ["2"], ["2"], ["2"], ["3"]]
    assert server.requests[0].query["clientApiId"] == [TOKEN]
    assert server.requests[0].query["dateFrom"] == ["14/03/2026"]


def test_over_a_socket_a_hang_times_out_and_a_cut_body_is_retried():
    whole = page(1, 1, *CALLTOUCH_RECORDS)
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(hang=True), FakeResponse(200, whole, truncate=True), FakeResponse(200, whole)
        )
        calltouch = socket_client(server, FakeTime(), timeout=httpx.Timeout(0.3))
        assert len(calltouch.calls(SITE, DAY1, DAY3).rows) == 3
    assert len(server.requests) == 3


def test_over_a_socket_an_expired_token_is_one_request():
    with FakeServer() as server:
        server.enqueue(FakeResponse(401, b'{"message": "clientApiId is not valid"}', JSON))
        with pytest.raises(AuthError, match="clientApiId is not valid"):
            socket_client(server, FakeTime()).calls(SITE, DAY1, DAY3)
    assert len(server.requests) == 1
