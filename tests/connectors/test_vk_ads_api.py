import copy
import json
import logging
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from connectors.http import (
    AccessDeniedError,
    AuthError,
    BadRequestError,
    NetworkError,
    QuotaError,
    RateLimitError,
    ResponseFormatError,
    RetryPolicy,
)
from connectors.vk_ads import VkAdsClient, obtain_token, parse_campaign_day_stats
from tests.connectors.fixtures.make_fixtures import VK_ADS
from tests.fakes import FakeResponse, FakeServer, FakeTime, scripted

TOKEN = "vkads-secret-access-token-0123456789"
SECRET = "vkads-app-client-secret-abcdef"
STATS = json.dumps(VK_ADS).encode()
DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
POLICY = RetryPolicy(max_attempts=5, max_total_wait=600.0, jitter=0.0)


def as_json(body: object, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def serving(
    respond: Callable[[httpx.Request], httpx.Response],
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return respond(request)

    return httpx.MockTransport(handler), seen


OPEN: list[VkAdsClient] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def client(transport: httpx.BaseTransport | None, time: FakeTime, **kwargs: Any) -> VkAdsClient:
    kwargs.setdefault("retry", POLICY)
    OPEN.append(VkAdsClient(TOKEN, transport=transport, sleep=time.sleep, clock=time.clock, **kwargs))
    return OPEN[-1]


def query(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}


def day_stats(campaign_id: str, day: date, spent: str = "10.00") -> dict[str, Any]:
    return {
        "id": int(campaign_id),
        "rows": [{"date": day.isoformat(), "base": {"shows": "5", "spent": spent}}],
    }


# ---- happy paths ----


def test_campaign_ids_pages_by_250_with_offset_until_count():
    all_ids = list(range(1000, 1000 + 520))

    def respond(request: httpx.Request) -> httpx.Response:
        params = query(request)
        offset, limit = int(params["offset"]), int(params["limit"])
        page = [{"id": i} for i in all_ids[offset : offset + limit]]
        return as_json({"count": len(all_ids), "offset": offset, "items": page})

    transport, seen = serving(respond)
    ids = client(transport, FakeTime()).campaign_ids()
    assert ids == [str(i) for i in all_ids]
    assert [query(r)["offset"] for r in seen] == ["0", "250", "500"]
    assert {query(r)["limit"] for r in seen} == {"250"}
    assert seen[0].url.path == "/api/v2/campaigns.json"
    assert "deleted" in query(seen[0])["_status__in"]  # past stats of deleted campaigns still count
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_day_stats_send_the_documented_request_and_return_the_parsers_rows():
    transport, seen = scripted(httpx.Response(200, content=STATS))
    result = client(transport, FakeTime()).campaign_day_stats(["12345", "67890"], DAY1, DAY2)
    assert result.rows == parse_campaign_day_stats(STATS).rows
    assert (result.date_from, result.date_to) == (DAY1, DAY2)
    (request,) = seen
    assert request.url.path == "/api/v2/statistics/campaigns/day.json"
    assert query(request) == {
        "id": "12345,67890",
        "date_from": "2026-03-01",
        "date_to": "2026-03-02",
        "metrics": "base",
    }


def test_long_periods_and_many_campaigns_are_split_and_all_rows_kept():
    ids = [str(100000 + i) for i in range(450)]
    start, end = date(2026, 1, 1), date(2026, 7, 31)  # 212 days

    def respond(request: httpx.Request) -> httpx.Response:
        params = query(request)
        day = date.fromisoformat(params["date_from"])
        return as_json({"items": [day_stats(i, day) for i in params["id"].split(",")]})

    transport, seen = serving(respond)
    result = client(transport, FakeTime()).campaign_day_stats(ids, start, end)

    chunks = sorted({(query(r)["date_from"], query(r)["date_to"]) for r in seen})
    assert chunks == [
        ("2026-01-01", "2026-03-31"),
        ("2026-04-01", "2026-06-29"),
        ("2026-06-30", "2026-07-31"),
    ]
    for first, last in chunks:
        assert (date.fromisoformat(last) - date.fromisoformat(first)).days + 1 <= 90
    batches = [query(r)["id"].split(",") for r in seen if query(r)["date_from"] == "2026-01-01"]
    assert [len(b) for b in batches] == [200, 200, 50]
    assert len(seen) == 9
    assert len(result.rows) == 450 * 3
    assert {row["campaign_id"] for row in result.rows} == set(ids)
    assert [row["_origin_line"] for row in result.rows] == list(range(1, 450 * 3 + 1))
    assert (result.date_from, result.date_to) == (start, end)


def test_no_campaigns_means_no_request_and_no_rows():
    transport, seen = scripted()
    result = client(transport, FakeTime()).campaign_day_stats([], DAY1, DAY2)
    assert result.rows == [] and seen == []


def test_numbers_as_floats_are_accepted():
    body = copy.deepcopy(VK_ADS)
    body["items"][0]["rows"][0]["base"].update({"shows": 7143, "spent": 500.0})
    transport, _ = scripted(as_json(body))
    row = client(transport, FakeTime()).campaign_day_stats(["12345"], DAY1, DAY2).rows[0]
    assert (row["shows"], str(row["spent"])) == (7143, "500.0")


def test_a_reversed_period_is_refused_before_any_request():
    transport, seen = scripted()
    with pytest.raises(ValueError, match="before"):
        client(transport, FakeTime()).campaign_day_stats(["1"], DAY2, DAY1)
    assert seen == []


# ---- tokens ----


def test_obtain_token_for_an_agency_client_posts_the_agency_grant():
    transport, seen = scripted(as_json({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 86400}))
    token = obtain_token("app-id", SECRET, agency_client_name="client@agency", transport=transport)
    assert token == TOKEN
    (request,) = seen
    assert request.method == "POST" and str(request.url) == "https://ads.vk.com/api/v2/oauth2/token.json"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    assert form == {
        "client_id": "app-id",
        "client_secret": SECRET,
        "grant_type": "agency_client_credentials",
        "agency_client_name": "client@agency",
    }


def test_obtain_token_for_the_own_account_uses_client_credentials():
    transport, seen = scripted(as_json({"access_token": TOKEN}))
    assert obtain_token("app-id", SECRET, transport=transport) == TOKEN
    assert parse_qs(seen[0].content.decode())["grant_type"] == ["client_credentials"]
    assert "agency_client_name" not in parse_qs(seen[0].content.decode())


def test_a_wrong_client_secret_fails_once_and_the_secret_is_not_shown():
    reply = {"error": "invalid_client", "error_description": f"Invalid client_secret={SECRET}"}
    transport, seen = scripted(as_json(reply, 401))
    with pytest.raises(AuthError) as caught:
        obtain_token("app-id", SECRET, transport=transport)
    assert len(seen) == 1
    assert "Invalid client_secret" in str(caught.value) and SECRET not in str(caught.value)


def test_too_many_live_tokens_is_a_clear_quota_error():
    reply = {"error": "token_limit_exceeded", "error_description": "Active access token limit reached"}
    transport, seen = scripted(as_json(reply, 403))
    with pytest.raises(QuotaError, match="limit reached") as caught:
        obtain_token("app-id", SECRET, transport=transport)
    assert "delete old ones" in str(caught.value) and len(seen) == 1


# ---- errors and retries ----


def test_a_429_storm_waits_what_retry_after_asks_then_succeeds():
    limited = {"error": {"code": "too_many_requests", "message": "Rate limit exceeded"}}
    transport, seen = scripted(
        as_json(limited, 429, **{"Retry-After": "7"}),
        as_json(limited, 429, **{"Retry-After": "7"}),
        as_json(limited, 429, **{"Retry-After": "3"}),
        httpx.Response(200, content=STATS),
    )
    time = FakeTime()
    assert len(client(transport, time).campaign_day_stats(["12345"], DAY1, DAY2).rows) == 3
    assert time.sleeps == [7.0, 7.0, 3.0] and len(seen) == 4


def test_a_429_storm_that_never_ends_fails_with_the_vendor_message():
    limited = {"error": {"code": "too_many_requests", "message": "Rate limit exceeded"}}
    transport, seen = scripted(*[as_json(limited, 429, **{"Retry-After": "1"}) for _ in range(5)])
    with pytest.raises(RateLimitError, match="Rate limit exceeded"):
        client(transport, FakeTime()).campaign_day_stats(["12345"], DAY1, DAY2)
    assert len(seen) == 5


def test_server_errors_are_retried_with_backoff_then_succeed():
    transport, seen = scripted(
        httpx.Response(500, text="Internal Server Error"),
        httpx.Response(503, text="Service Unavailable"),
        httpx.Response(200, content=STATS),
    )
    time = FakeTime()
    assert len(client(transport, time).campaign_day_stats(["12345"], DAY1, DAY2).rows) == 3
    assert time.sleeps == [1.0, 2.0] and len(seen) == 3


def test_a_timeout_is_retried():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, content=STATS)

    assert len(client(httpx.MockTransport(handler), FakeTime()).campaign_day_stats(["1"], DAY1, DAY2).rows)
    assert len(calls) == 2


def test_a_truncated_body_is_retried_once_then_fails_clearly():
    cut = STATS[: len(STATS) // 2]
    transport, seen = scripted(httpx.Response(200, content=cut), httpx.Response(200, content=STATS))
    assert len(client(transport, FakeTime()).campaign_day_stats(["12345"], DAY1, DAY2).rows) == 3

    transport, seen = scripted(*[httpx.Response(200, content=cut) for _ in range(3)])
    with pytest.raises(ResponseFormatError, match="not valid JSON"):
        client(transport, FakeTime()).campaign_day_stats(["12345"], DAY1, DAY2)
    assert len(seen) == 2


@pytest.mark.parametrize(
    "reply",
    [
        as_json({"error": {"code": "expired_token", "message": "Access token expired"}}, 401),
        as_json({"error": {"code": "invalid_token", "message": "Access token expired"}}, 200),
        as_json({"errors": [{"code": "expired_token", "message": "Access token expired"}]}, 400),
    ],
    ids=["401", "200-with-error", "errors-list"],
)
def test_an_expired_token_fails_clearly_after_one_request(reply):
    transport, seen = scripted(reply)
    time = FakeTime()
    with pytest.raises(AuthError) as caught:
        client(transport, time).campaign_day_stats(["12345"], DAY1, DAY2)
    assert len(seen) == 1 and time.sleeps == []
    message = str(caught.value)
    assert "Access token expired" in message and "obtain a new one" in message
    assert TOKEN not in message and TOKEN not in repr(caught.value)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (as_json({"error": {"code": "forbidden", "message": "No access to user"}}, 403), AccessDeniedError),
        (httpx.Response(403, text="Forbidden"), AccessDeniedError),
        (as_json({"error": {"code": "validation_error", "message": "bad date_from"}}, 400), BadRequestError),
    ],
)
def test_permanent_errors_are_not_retried(reply, expected):
    transport, seen = scripted(reply)
    with pytest.raises(expected):
        client(transport, FakeTime()).campaign_day_stats(["12345"], DAY1, DAY2)
    assert len(seen) == 1


def test_the_token_never_reaches_errors_or_logs(caplog):
    echo = {"error": {"code": "internal", "message": f"upstream failed for access_token={TOKEN}"}}
    transport, _ = scripted(*[as_json(echo, 502) for _ in range(5)])
    caplog.set_level(logging.DEBUG)
    vk = client(transport, FakeTime())
    with pytest.raises(Exception) as caught:
        vk.campaign_day_stats(["12345"], DAY1, DAY2)
    assert "upstream failed" in str(caught.value)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert TOKEN not in repr(vk)
    assert caplog.records and TOKEN not in caplog.text


def test_the_rate_limit_holds():
    time = FakeTime()
    sent: list[float] = []

    def respond(request: httpx.Request) -> httpx.Response:
        sent.append(time.now)
        return httpx.Response(200, content=STATS)

    transport, _ = serving(respond)
    vk = client(transport, time)
    for _ in range(12):
        vk.campaign_day_stats(["12345"], DAY1, DAY2)
    assert max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent) == 5


# ---- a real socket ----


def socket_client(server: FakeServer, time: FakeTime, **kwargs: Any) -> VkAdsClient:
    kwargs.setdefault("retry", POLICY)
    return client(None, time, base_url=server.url + "api/v2/", **kwargs)


def test_over_a_socket_token_campaign_pages_and_stats():
    json_type = {"Content-Type": "application/json"}
    page1 = {"count": 251, "items": [{"id": 12345}] + [{"id": 200000 + i} for i in range(249)]}
    page2 = {"count": 251, "items": [{"id": 67890}]}
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(200, json.dumps({"access_token": TOKEN}).encode(), json_type),
            FakeResponse(200, json.dumps(page1).encode(), json_type),
            FakeResponse(
                429,
                b'{"error": {"code": "too_many_requests", "message": "slow down"}}',
                {**json_type, "Retry-After": "2"},
            ),
            FakeResponse(200, json.dumps(page2).encode(), json_type),
            FakeResponse(200, STATS, json_type),
        )
        token = obtain_token("app-id", SECRET, base_url=server.url + "api/v2/")
        time = FakeTime()
        vk = socket_client(server, time)
        ids = vk.campaign_ids()
        result = vk.campaign_day_stats(ids[:1] + ids[-1:], DAY1, DAY2)
    assert token == TOKEN and len(ids) == 251 and time.sleeps == [2.0]
    assert result.rows == parse_campaign_day_stats(STATS).rows
    paths = [r.path for r in server.requests]
    assert paths == [
        "/api/v2/oauth2/token.json",
        *["/api/v2/campaigns.json"] * 3,
        "/api/v2/statistics/campaigns/day.json",
    ]
    assert server.requests[-1].query["id"] == ["12345,67890"]
    assert server.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"


def test_over_a_socket_a_hang_times_out_and_a_cut_body_is_retried():
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(hang=True), FakeResponse(200, STATS, truncate=True), FakeResponse(200, STATS)
        )
        vk = socket_client(server, FakeTime(), timeout=httpx.Timeout(0.3))
        result = vk.campaign_day_stats(["12345"], DAY1, DAY2)
    assert len(result.rows) == 3 and len(server.requests) == 3


def test_over_a_socket_a_server_that_keeps_hanging_ends_in_a_network_error():
    with FakeServer() as server:
        server.enqueue(FakeResponse(hang=True), FakeResponse(hang=True))
        vk = socket_client(server, FakeTime(), timeout=httpx.Timeout(0.2), retry=RetryPolicy(max_attempts=2))
        with pytest.raises(NetworkError, match="timed out"):
            vk.campaign_day_stats(["12345"], DAY1, DAY1 + timedelta(days=1))
    assert len(server.requests) == 2


def test_over_a_socket_an_expired_token_is_one_request():
    body = json.dumps({"error": {"code": "expired_token", "message": "Token expired"}}).encode()
    with FakeServer() as server:
        server.enqueue(FakeResponse(401, body, {"Content-Type": "application/json"}))
        with pytest.raises(AuthError, match="Token expired"):
            socket_client(server, FakeTime()).campaign_day_stats(["12345"], DAY1, DAY2)
    assert len(server.requests) == 1
