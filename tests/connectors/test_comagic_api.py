import copy
import json
import logging
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import httpx
import pytest

from connectors.comagic import ComagicClient, parse_calls_report
from connectors.comagic._client import FIELDS
from connectors.http import (
    AccessDeniedError,
    AuthError,
    BadRequestError,
    NetworkError,
    RateLimitError,
    ResponseFormatError,
    RetryPolicy,
)
from tests.connectors.fixtures.make_fixtures import COMAGIC
from tests.fakes import FakeResponse, FakeServer
from tests.fakes import scripted as fake_scripted

TOKEN = "uis-secret-access-token-0123456789"
DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
POLICY = RetryPolicy(max_attempts=5, max_total_wait=600.0, jitter=0.0)
JSON = {"Content-Type": "application/json; charset=UTF-8"}
CALLS: list[dict[str, Any]] = COMAGIC["result"]["data"]
LIMITS: dict[str, int] = COMAGIC["result"]["metadata"]["limits"]


def call(call_id: int, **fields: Any) -> dict[str, Any]:
    return {**CALLS[0], "id": call_id, **fields}


def reply(total: int, *calls: dict[str, Any], **limits: int) -> bytes:
    body = copy.deepcopy(COMAGIC)
    body["result"]["data"] = list(calls)
    body["result"]["metadata"] = {"total_items": total, "limits": {**LIMITS, **limits}}
    return json.dumps(body, ensure_ascii=False).encode()


def rpc_error(code: int, mnemonic: str, message: str, **data: Any) -> bytes:
    error = {"code": code, "message": message, "data": {"mnemonic": mnemonic, "field": None, **data}}
    return json.dumps({"jsonrpc": "2.0", "id": None, "error": error}, ensure_ascii=False).encode()


PAGE_1 = reply(5, *CALLS)
PAGE_2 = reply(5, call(11), call(12, talk_duration=1))
PAGE_3 = reply(5, call(12, talk_duration=99))
WHOLE = reply(2, *CALLS)


def scripted(
    *responses: bytes | httpx.Response | Exception,
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """The shared scripted transport; a bytes item is a 200 JSON body."""
    return fake_scripted(
        *(httpx.Response(200, content=r, headers=JSON) if isinstance(r, bytes) else r for r in responses)
    )


def params(request: httpx.Request) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(request.content)
    result: dict[str, Any] = body["params"]
    return result


OPEN: list[ComagicClient] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def client(transport: httpx.BaseTransport | None, sleeps: list[float], **kwargs: Any) -> ComagicClient:
    kwargs.setdefault("retry", POLICY)
    OPEN.append(ComagicClient(TOKEN, transport=transport, sleep=sleeps.append, **kwargs))
    return OPEN[-1]


def test_happy_path_pages_by_offset_until_total_items_with_the_documented_request():
    transport, seen = scripted(PAGE_1, PAGE_2, PAGE_3)
    result = client(transport, []).calls_report(DAY1, DAY2, user_id=4242)

    assert [str(r.url) for r in seen] == ["https://dataapi.comagic.ru/v2.0"] * 3
    assert all(r.method == "POST" and r.headers["Content-Type"].startswith("application/json") for r in seen)
    body = json.loads(seen[0].content)
    assert (body["jsonrpc"], body["method"]) == ("2.0", "get.calls_report")
    first = params(seen[0])
    assert first["access_token"] == TOKEN and first["user_id"] == 4242
    assert (first["date_from"], first["date_till"]) == ("2026-03-01 00:00:00", "2026-03-02 23:59:59")
    assert first["limit"] == 10000 and first["fields"] == list(FIELDS)
    assert [params(r)["offset"] for r in seen] == [0, 2, 4]

    assert [row["call_id"] for row in result.rows] == [3104852911, 3104853002, 11, 12]
    assert [row["_origin_line"] for row in result.rows] == [1, 2, 3, 4]
    assert result.rows[1] == parse_calls_report(PAGE_1).rows[1]
    assert result.rows[3]["talk_duration"] == 99  # a call read twice keeps its last copy
    assert result.rows[0]["start_time"] == datetime(2026, 3, 1, 9, 15, 2)
    assert result.kind == "comagic_calls_json"
    assert (result.date_from, result.date_to) == (DAY1, DAY2)  # the period asked for


def test_the_requested_fields_are_exactly_what_the_parser_maps():
    transport, _ = scripted(WHOLE)
    row = client(transport, []).calls_report(DAY1, DAY2).rows[0]
    mapped = (set(row) - {"call_id", "_origin_line"}) | {"id"}
    assert mapped == set(FIELDS)


def test_without_user_id_none_is_sent_and_an_empty_period_is_one_request():
    transport, seen = scripted(reply(0))
    result = client(transport, []).calls_report(DAY1, DAY1)
    assert result.rows == [] and len(seen) == 1
    assert "user_id" not in params(seen[0])


def test_a_low_minute_budget_waits_for_the_reset_before_the_next_request_only():
    transport, seen = scripted(
        reply(4, *CALLS, minute_remaining=5, minute_reset=17),
        reply(4, call(11), call(12), minute_remaining=2, minute_reset=30),
        reply(1, call(13)),
    )
    sleeps: list[float] = []
    comagic = client(transport, sleeps)
    assert len(comagic.calls_report(DAY1, DAY2).rows) == 4
    assert sleeps == [17.0]  # nothing after the last page: the wait is due before the next request
    comagic.calls_report(DAY1, DAY1)
    assert sleeps == [17.0, 30.0] and len(seen) == 3


def test_limit_exceeded_is_retried_after_the_vendors_reset():
    exceeded = rpc_error(-32029, "limit_exceeded", "Limit per minute has been exceeded")
    transport, seen = scripted(reply(4, *CALLS, minute_reset=42), exceeded, reply(4, call(11), call(12)))
    sleeps: list[float] = []
    assert len(client(transport, sleeps).calls_report(DAY1, DAY2).rows) == 4
    assert sleeps == [42.0] and len(seen) == 3

    with_reset = rpc_error(-32029, "limit_exceeded", "Limit", metadata={"limits": {"minute_reset": 9}})
    transport, _ = scripted(with_reset, WHOLE)
    sleeps = []
    client(transport, sleeps).calls_report(DAY1, DAY2)
    assert sleeps == [9.0]


def test_a_spent_day_budget_fails_clearly_instead_of_waiting_hours():
    spent = rpc_error(
        -32029, "limit_exceeded", "Limit per day has been exceeded", metadata={"limits": {"day_reset": 40000}}
    )
    transport, seen = scripted(spent)
    sleeps: list[float] = []
    with pytest.raises(RateLimitError, match="day's points are spent"):
        client(transport, sleeps).calls_report(DAY1, DAY2)
    assert sleeps == [] and len(seen) == 1

    transport, seen = scripted(rpc_error(-32029, "limit_exceeded", "Limit per day has been exceeded"))
    with pytest.raises(RateLimitError, match="day's points are spent"):
        client(transport, sleeps).calls_report(DAY1, DAY2)
    assert sleeps == [] and len(seen) == 1


def test_a_429_storm_waits_as_long_as_retry_after_says():
    transport, seen = scripted(*(httpx.Response(429, headers={"Retry-After": "7"}) for _ in range(3)), WHOLE)
    sleeps: list[float] = []
    assert len(client(transport, sleeps).calls_report(DAY1, DAY2).rows) == 2
    assert sleeps == [7.0, 7.0, 7.0] and len(seen) == 4


def test_a_server_error_then_success_and_an_internal_error_is_retried_too():
    internal = rpc_error(-32603, "internal_error", "Internal error")
    transport, seen = scripted(httpx.Response(502, text="Bad Gateway"), internal, WHOLE)
    assert len(client(transport, []).calls_report(DAY1, DAY2).rows) == 2
    assert len(seen) == 3


def test_a_timeout_is_retried_and_one_that_persists_fails_as_a_network_error():
    transport, seen = scripted(httpx.ReadTimeout("timed out"), WHOLE)
    assert len(client(transport, []).calls_report(DAY1, DAY2).rows) == 2
    assert len(seen) == 2

    transport, seen = scripted(*(httpx.ReadTimeout("timed out") for _ in range(2)))
    with pytest.raises(NetworkError, match="timed out"):
        client(transport, [], retry=RetryPolicy(max_attempts=2, jitter=0.0)).calls_report(DAY1, DAY2)
    assert len(seen) == 2


def test_a_truncated_body_is_retried_once_then_fails_clearly():
    cut = WHOLE[: len(WHOLE) // 2]
    transport, seen = scripted(cut, WHOLE)
    assert len(client(transport, []).calls_report(DAY1, DAY2).rows) == 2
    assert len(seen) == 2

    transport, seen = scripted(cut, cut, cut)
    with pytest.raises(ResponseFormatError):
        client(transport, []).calls_report(DAY1, DAY2)
    assert len(seen) == 2


def test_an_expired_token_fails_clearly_after_one_request():
    transport, seen = scripted(rpc_error(-32001, "auth_error", "Неверный ключ авторизации"))
    sleeps: list[float] = []
    with pytest.raises(AuthError) as caught:
        client(transport, sleeps).calls_report(DAY1, DAY2)
    assert len(seen) == 1 and sleeps == []
    assert "Неверный ключ авторизации" in str(caught.value) and "issue a new API key" in str(caught.value)
    assert caught.value.vendor_code == "auth_error"


def test_an_ip_that_is_not_whitelisted_is_access_denied_with_a_hint():
    transport, seen = scripted(rpc_error(-32003, "ip_address_not_allowed", "Access from this IP is denied"))
    with pytest.raises(AccessDeniedError, match="whitelist this server's IP") as caught:
        client(transport, []).calls_report(DAY1, DAY2)
    assert "Access from this IP is denied" in str(caught.value) and len(seen) == 1


def test_other_errors_are_bad_requests_with_the_vendors_message_and_not_retried():
    bad = rpc_error(-32602, "unexpected_parameters", "Unexpected parameters", field="fields")
    transport, seen = scripted(bad)
    with pytest.raises(BadRequestError, match=r'Unexpected parameters \(field "fields"\)'):
        client(transport, []).calls_report(DAY1, DAY2)
    assert len(seen) == 1


def test_arguments_are_checked_before_any_request():
    with pytest.raises(ValueError, match="before"):
        client(None, []).calls_report(DAY2, DAY1)
    with pytest.raises(ValueError, match="token"):
        ComagicClient("")


def test_the_token_in_the_body_never_leaks_into_errors_reprs_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    echo = rpc_error(-32602, "invalid_parameter_value", f"Bad access_token {TOKEN}", value=TOKEN)
    transport, _ = scripted(
        httpx.Response(500, text=f'{{"access_token": "{TOKEN}"}}'),
        httpx.ConnectError(f"cannot send {TOKEN}"),
        echo,
    )
    comagic = client(transport, [])
    with pytest.raises(BadRequestError) as caught:
        comagic.calls_report(DAY1, DAY2)
    assert "Bad access_token ***" in str(caught.value)
    for text in (str(caught.value), repr(caught.value), repr(comagic), caplog.text):
        assert TOKEN not in text
    assert "retrying" in caplog.text


# ---- a real socket ----


def socket_client(server: FakeServer, sleeps: list[float], **kwargs: Any) -> ComagicClient:
    kwargs.setdefault("retry", POLICY)
    OPEN.append(ComagicClient(TOKEN, base_url=server.url + "v2.0", sleep=sleeps.append, **kwargs))
    return OPEN[-1]


def test_over_a_socket_several_pages_through_a_rate_limit_and_a_server_error():
    exceeded = rpc_error(-32029, "limit_exceeded", "Limit per minute has been exceeded")
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(200, reply(5, *CALLS, minute_remaining=3, minute_reset=20), JSON),
            FakeResponse(200, exceeded, JSON),
            FakeResponse(500, b"oops"),
            FakeResponse(200, PAGE_2, JSON),
            FakeResponse(200, PAGE_3, JSON),
        )
        sleeps: list[float] = []
        result = socket_client(server, sleeps).calls_report(DAY1, DAY2)
    assert len(result.rows) == 4
    assert sleeps[:2] == [20.0, 20.0]  # the low budget, then limit_exceeded waits the last reset seen
    assert [r.path for r in server.requests] == ["/v2.0"] * 5
    offsets = [json.loads(r.body)["params"]["offset"] for r in server.requests]
    assert offsets == [0, 2, 2, 2, 4]


def test_over_a_socket_a_hang_times_out_and_a_cut_body_is_retried():
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(hang=True), FakeResponse(200, WHOLE, JSON, truncate=True), FakeResponse(200, WHOLE)
        )
        comagic = socket_client(server, [], timeout=httpx.Timeout(0.3))
        assert len(comagic.calls_report(DAY1, DAY2).rows) == 2
    assert len(server.requests) == 3


def test_over_a_socket_an_expired_token_is_one_request():
    with FakeServer() as server:
        server.enqueue(FakeResponse(200, rpc_error(-32001, "auth_error", "Key expired"), JSON))
        with pytest.raises(AuthError, match="Key expired"):
            socket_client(server, []).calls_report(DAY1, DAY2)
    assert len(server.requests) == 1
