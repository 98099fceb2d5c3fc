import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from connectors.errors import ConnectorError
from connectors.http import (
    AccessDeniedError,
    ApiError,
    AuthError,
    BadRequestError,
    HttpClient,
    NetworkError,
    RateLimiter,
    RateLimitError,
    ResponseFormatError,
    RetryPolicy,
    ServerError,
    parse_retry_after,
)
from tests.fakes import FakeResponse, FakeServer, FakeTime, scripted

TOKEN = "y0_AgAAAAAsecretTOKEN42"
NO_JITTER = RetryPolicy(max_attempts=5, max_total_wait=100.0, backoff_initial=1.0, jitter=0.0)


def text_body(response: httpx.Response) -> str:
    return response.text


OPEN: list[HttpClient] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def make_client(transport: httpx.BaseTransport, sleeps: list[float], **kwargs: Any) -> HttpClient:
    kwargs.setdefault("retry", NO_JITTER)
    OPEN.append(
        HttpClient(
            "acme", base_url="https://api.example/", transport=transport, sleep=sleeps.append, **kwargs
        )
    )
    return OPEN[-1]


def test_a_server_error_is_retried_with_exponential_backoff():
    transport, seen = scripted(httpx.Response(500), httpx.Response(502), httpx.Response(200, text="ok"))
    sleeps: list[float] = []
    assert make_client(transport, sleeps).request("GET", "stats", parse=text_body) == "ok"
    assert len(seen) == 3
    assert sleeps == [1.0, 2.0]


def test_a_429_storm_waits_as_long_as_retry_after_says():
    storm = [httpx.Response(429, headers={"Retry-After": "3"}) for _ in range(3)]
    transport, seen = scripted(*storm, httpx.Response(200, text="ok"))
    sleeps: list[float] = []
    assert make_client(transport, sleeps).request("GET", "stats", parse=text_body) == "ok"
    assert len(seen) == 4
    assert sleeps == [3.0, 3.0, 3.0]


def test_a_timeout_and_a_dropped_connection_are_retried():
    timeout = httpx.ReadTimeout("timed out")
    dropped = httpx.RemoteProtocolError("peer closed connection")
    transport, seen = scripted(timeout, dropped, httpx.Response(200, text="ok"))
    sleeps: list[float] = []
    assert make_client(transport, sleeps).request("GET", "stats", parse=text_body) == "ok"
    assert len(seen) == 3


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, BadRequestError), (401, AuthError), (403, AccessDeniedError), (404, BadRequestError)],
)
def test_client_errors_other_than_429_are_never_retried(status, error):
    transport, seen = scripted(httpx.Response(status, text="vendor says no"))
    sleeps: list[float] = []
    with pytest.raises(error, match="vendor says no") as caught:
        make_client(transport, sleeps).request("GET", "stats", parse=text_body)
    assert len(seen) == 1 and sleeps == []
    assert caught.value.status == status and caught.value.vendor == "acme"
    assert isinstance(caught.value, ConnectorError)


def test_retries_stop_after_max_attempts_with_the_last_error():
    transport, seen = scripted(*[httpx.Response(503, text="down") for _ in range(3)])
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=3, jitter=0.0)
    with pytest.raises(ServerError, match="HTTP 503 down"):
        make_client(transport, sleeps, retry=policy).request("GET", "stats", parse=text_body)
    assert len(seen) == 3 and len(sleeps) == 2


def test_a_wait_beyond_the_total_cap_fails_at_once_instead_of_sleeping():
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": "3600"}, text="slow down"))
    sleeps: list[float] = []
    with pytest.raises(RateLimitError) as caught:
        make_client(transport, sleeps).request("GET", "stats", parse=text_body)
    assert len(seen) == 1 and sleeps == []
    assert caught.value.retry_after == 3600


def test_the_vendor_wait_hook_overrides_backoff():
    transport, _ = scripted(httpx.Response(500), httpx.Response(200, text="ok"))
    sleeps: list[float] = []
    client = make_client(transport, sleeps, vendor_wait=lambda error: 7.5 if error.status == 500 else None)
    assert client.request("GET", "stats", parse=text_body) == "ok"
    assert sleeps == [7.5]


def test_jittered_backoff_stays_within_its_bounds():
    transport, _ = scripted(httpx.Response(500), httpx.Response(500), httpx.Response(200))
    sleeps: list[float] = []
    policy = RetryPolicy(backoff_initial=1.0, jitter=0.5)
    make_client(transport, sleeps, retry=policy).request("GET", "x", parse=text_body)
    assert 1.0 <= sleeps[0] <= 1.5 and 2.0 <= sleeps[1] <= 2.5


def test_an_unparsable_body_is_retried_once_then_fails_clearly():
    def parse(response: httpx.Response) -> str:
        if response.text != "complete":
            raise ResponseFormatError("acme", "body cut short")
        return response.text

    transport, seen = scripted(httpx.Response(200, text="cut"), httpx.Response(200, text="complete"))
    assert make_client(transport, []).request("GET", "x", parse=parse) == "complete"

    transport, seen = scripted(*[httpx.Response(200, text="cut") for _ in range(3)])
    with pytest.raises(ResponseFormatError, match="body cut short"):
        make_client(transport, []).request("GET", "x", parse=parse)
    assert len(seen) == 2


def test_parse_retry_after_accepts_seconds_and_http_dates():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_the_token_never_leaks_into_errors_or_logs(caplog):
    echo = f"invalid token {TOKEN} for access_token={TOKEN}"
    transport, _ = scripted(httpx.Response(500, text=echo), httpx.Response(401, text=echo))
    caplog.set_level(logging.DEBUG)
    client = HttpClient(
        "acme",
        base_url="https://api.example/",
        headers={"Authorization": f"Bearer {TOKEN}"},
        transport=transport,
        retry=NO_JITTER,
        sleep=lambda _: None,
    )
    OPEN.append(client)
    with pytest.raises(AuthError) as caught:
        client.request("GET", f"stats?access_token={TOKEN}", parse=text_body)
    assert "invalid token" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value)
    assert TOKEN not in repr(client)
    assert caplog.records, "the retry and httpx's request line should have been logged"
    assert TOKEN not in caplog.text
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


def test_api_errors_survive_pickling_for_worker_processes():
    import pickle

    error = AuthError("acme", "token expired", status=401, vendor_code=53, request_id="r1")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is AuthError and str(copy) == str(error) and copy.vendor_code == 53


# ---- the rate limiter ----


def test_the_rate_limiter_allows_max_calls_in_any_period():
    clock = FakeTime()
    limiter = RateLimiter(max_calls=20, period=10.0, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(45):
        limiter.acquire()
        times.append(clock.now)
    assert max(sum(1 for t in times if start <= t < start + 10.0) for start in times) == 20
    assert times[19] == 0.0 and times[20] == 10.0 and times[40] == 20.0


def test_the_rate_limiter_is_shared_safely_between_threads():
    clock = FakeTime()
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            clock.sleep(seconds)

    limiter = RateLimiter(max_calls=5, period=1.0, clock=clock, sleep=sleep)
    times: list[float] = []

    def worker() -> None:
        for _ in range(10):
            limiter.acquire()
            with lock:
                times.append(clock.now)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(times) == 40
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 5


# ---- a real socket ----


def socket_client(server: FakeServer, **kwargs: Any) -> HttpClient:
    kwargs.setdefault("retry", NO_JITTER)
    kwargs.setdefault("sleep", lambda _: None)
    OPEN.append(HttpClient("acme", base_url=server.url, **kwargs))
    return OPEN[-1]


def test_over_a_socket_a_429_storm_then_success():
    with FakeServer() as server:
        server.enqueue(
            *[FakeResponse(429, b"too many", {"Retry-After": "2"}) for _ in range(3)],
            FakeResponse(200, b"ok"),
        )
        sleeps: list[float] = []
        assert socket_client(server, sleep=sleeps.append).request("GET", "stats", parse=text_body) == "ok"
        assert len(server.requests) == 4
        assert sleeps == [2.0, 2.0, 2.0]


def test_over_a_socket_a_500_then_success():
    with FakeServer() as server:
        server.enqueue(FakeResponse(500, b"oops"), FakeResponse(200, b"ok"))
        assert socket_client(server).request("GET", "stats", parse=text_body) == "ok"
        assert len(server.requests) == 2


def test_over_a_socket_a_timeout_then_success():
    with FakeServer() as server:
        server.enqueue(FakeResponse(hang=True), FakeResponse(200, b"ok"))
        client = socket_client(server, timeout=httpx.Timeout(0.2))
        assert client.request("GET", "stats", parse=text_body) == "ok"
        assert len(server.requests) == 2


def test_over_a_socket_a_body_cut_short_is_retried_then_fails_clearly():
    with FakeServer() as server:
        server.enqueue(*[FakeResponse(200, b"partial", truncate=True) for _ in range(3)])
        client = socket_client(server, retry=RetryPolicy(max_attempts=3, jitter=0.0))
        with pytest.raises(NetworkError, match="GET stats failed: peer closed connection") as caught:
            client.request("GET", "stats", parse=text_body)
        assert len(server.requests) == 3
        assert isinstance(caught.value, ApiError)


def test_over_a_socket_the_rate_limit_is_respected():
    period = 1.0  # long enough that scheduling noise (< 0.2 s) cannot push 6 arrivals into one window
    with FakeServer(handler=lambda _: FakeResponse(200, b"ok")) as server:
        client = socket_client(server, rate_limiter=RateLimiter(max_calls=5, period=period))
        for _ in range(12):
            client.request("GET", "stats", parse=text_body)
        arrivals = [request.at for request in server.requests]
    assert len(arrivals) == 12
    # Arrival times jitter a little behind the limiter's; a slightly shorter window absorbs that.
    window = period * 0.8
    assert max(sum(1 for t in arrivals if start <= t < start + window) for start in arrivals) <= 5


# ---- uploads that send something: multipart, and never twice ----


def test_over_a_socket_a_multipart_upload_carries_fields_and_files():
    from tests.fakes.telegram import parse_multipart

    with FakeServer(handler=lambda _: FakeResponse(200, b"ok")) as server:
        client = socket_client(server)
        client.request(
            "POST",
            "upload",
            data={"chat_id": "-100123", "caption": "Отчёт за октябрь"},
            files=[("document", ("Отчёт.pdf", b"%PDF-1.7\x00\xff", "application/pdf"))],
            parse=text_body,
            idempotent=False,
        )
        (request,) = server.requests
    fields, files = parse_multipart(request.headers["Content-Type"], request.body)
    assert fields == {"chat_id": "-100123", "caption": "Отчёт за октябрь"}
    assert files["document"].filename == "Отчёт.pdf"
    assert files["document"].content == b"%PDF-1.7\x00\xff"
    assert files["document"].content_type == "application/pdf"


def test_a_request_that_may_have_arrived_is_not_sent_again():
    with FakeServer() as server:
        server.enqueue(FakeResponse(200, b"partial", truncate=True), FakeResponse(200, b"ok"))
        client = socket_client(server)
        with pytest.raises(NetworkError, match="it may have reached the server") as caught:
            client.request("POST", "send", content=b"x", parse=text_body, idempotent=False)
        assert len(server.requests) == 1
        assert caught.value.maybe_delivered and not caught.value.retryable
        # the same failure of an idempotent request is retried
        server.enqueue(FakeResponse(200, b"partial", truncate=True), FakeResponse(200, b"ok"))
        assert client.request("GET", "read", parse=text_body) == "ok"


def test_a_timeout_after_the_upload_is_not_retried_but_a_refused_connection_is():
    transport, seen = scripted(httpx.ReadTimeout("slow"), httpx.Response(200, text="ok"))
    sleeps: list[float] = []
    with pytest.raises(NetworkError, match="timed out") as caught:
        make_client(transport, sleeps).request("POST", "send", parse=text_body, idempotent=False)
    assert len(seen) == 1 and caught.value.maybe_delivered
    transport, seen = scripted(httpx.ConnectError("refused"), httpx.Response(200, text="ok"))
    assert make_client(transport, sleeps).request("POST", "send", parse=text_body, idempotent=False) == "ok"
    assert len(seen) == 2


def test_a_telegram_bot_token_in_a_url_is_redacted_from_errors_and_logs(caplog):
    bot_token = "7012345678:AAHk3-FAKE_token_for_tests_only_xyz"
    caplog.set_level(logging.DEBUG)
    with FakeServer() as server:
        server.enqueue(FakeResponse(500, b"down"), FakeResponse(400, b"bad"))
        client = socket_client(server)
        with pytest.raises(BadRequestError) as caught:
            client.request("POST", f"/bot{bot_token}/sendMessage", parse=text_body)
    assert len(server.requests) == 2
    assert caplog.records, "httpx's request lines and the retry were logged"
    secret = bot_token.split(":")[1]
    assert secret not in caplog.text and secret not in str(caught.value)
    assert "bot***" in caplog.text
