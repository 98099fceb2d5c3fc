import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from connectors.http import (
    AccessDeniedError,
    AuthError,
    BadRequestError,
    QuotaError,
    ResponseFormatError,
    RetryPolicy,
)
from connectors.yandex_direct import DirectReportsClient, ReportNotReadyError, parse_report_tsv
from tests.connectors.fixtures.make_fixtures import DIRECT_HEADER, DIRECT_ROWS, DIRECT_SUMMARY, DIRECT_TITLE
from tests.fakes import FakeResponse, FakeServer, scripted

TOKEN = "y0_AgAAAAA-direct-secret-token"
REPORT = ("\n".join([DIRECT_TITLE, DIRECT_HEADER, *DIRECT_ROWS, DIRECT_SUMMARY]) + "\n").encode()
TRUNCATED = ("\n".join([DIRECT_TITLE, DIRECT_HEADER, *DIRECT_ROWS[:2], DIRECT_SUMMARY]) + "\n").encode()
DAY1, DAY3 = date(2026, 3, 1), date(2026, 3, 3)
POLICY = RetryPolicy(max_attempts=5, max_total_wait=600.0, jitter=0.0)


def error(
    code: int | str, message: str = "Ошибка", detail: str = "", *, status: int = 400, wrapped: bool = True
) -> httpx.Response:
    payload: dict[str, Any] = {
        "request_id": "8695244274068608439",
        "error_code": code,
        "error_string": message,
    }
    if detail:
        payload["error_detail"] = detail
    return httpx.Response(status, json={"error": payload} if wrapped else payload)


OPEN: list[DirectReportsClient] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def client(transport: httpx.BaseTransport, sleeps: list[float], **kwargs: Any) -> DirectReportsClient:
    kwargs.setdefault("retry", POLICY)
    OPEN.append(DirectReportsClient(TOKEN, transport=transport, sleep=sleeps.append, **kwargs))
    return OPEN[-1]


def test_happy_path_sends_the_documented_request_and_returns_the_parsers_rows():
    transport, seen = scripted(httpx.Response(200, content=REPORT))
    result = client(transport, []).campaign_stats("client42", DAY1, DAY3)
    assert result == parse_report_tsv(REPORT)
    assert len(result.rows) == 4 and (result.date_from, result.date_to) == (DAY1, DAY3)

    (request,) = seen
    assert request.method == "POST" and str(request.url) == "https://api.direct.yandex.com/json/v5/reports"
    headers = request.headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Client-Login"] == "client42"
    assert headers["Accept-Language"] == "ru"
    assert headers["processingMode"] == "auto"
    assert headers["returnMoneyInMicros"] == "true"
    assert headers["skipReportSummary"] == "false"  # the summary proves the report is complete
    params = json.loads(request.content)["params"]
    assert params["SelectionCriteria"] == {"DateFrom": "2026-03-01", "DateTo": "2026-03-03"}
    assert params["ReportType"] == "CAMPAIGN_PERFORMANCE_REPORT"
    assert params["FieldNames"][:3] == ["Date", "CampaignId", "CampaignName"]
    assert (params["DateRangeType"], params["Format"]) == ("CUSTOM_DATE", "TSV")
    assert (params["IncludeVAT"], params["IncludeDiscount"]) == ("NO", "NO")


def report_name(
    login: str = "client42", date_from: date = DAY1, date_to: date = DAY3, level: Any = "campaign"
) -> str:
    transport, seen = scripted(httpx.Response(200, content=REPORT))
    client(transport, []).campaign_stats(login, date_from, date_to, level=level)
    name: str = json.loads(seen[0].content)["params"]["ReportName"]
    return name


def test_report_names_are_stable_per_parameter_set_and_unique_across_sets():
    assert report_name() == report_name()
    others = {
        report_name(login="other"),
        report_name(date_to=date(2026, 3, 4)),
        report_name(level="ad_group"),
    }
    assert report_name() not in others and len(others) == 3


def test_ad_group_level_requests_the_ad_group_report_and_keeps_the_raw_row_shape():
    header = DIRECT_HEADER + "\tAdGroupId\tAdGroupName"
    rows = [row + "\t5001\tgroup a" for row in DIRECT_ROWS]
    body = ("\n".join([DIRECT_TITLE, header, *rows, DIRECT_SUMMARY]) + "\n").encode()
    transport, seen = scripted(httpx.Response(200, content=body))
    result = client(transport, []).campaign_stats("client42", DAY1, DAY3, level="ad_group")
    params = json.loads(seen[0].content)["params"]
    assert params["ReportType"] == "AD_GROUP_PERFORMANCE_REPORT"
    assert {"AdGroupId", "AdGroupName"} <= set(params["FieldNames"])
    assert set(result.rows[0]) == set(parse_report_tsv(REPORT).rows[0])


def test_offline_report_polls_the_identical_request_after_retry_in():
    transport, seen = scripted(
        httpx.Response(201, headers={"retryIn": "3"}),
        httpx.Response(202),  # no retryIn: 10 s
        httpx.Response(202, headers={"retryIn": "5"}),
        httpx.Response(200, content=REPORT),
    )
    sleeps: list[float] = []
    result = client(transport, sleeps).campaign_stats("client42", DAY1, DAY3)
    assert len(result.rows) == 4
    assert sleeps == [3.0, 10.0, 5.0]
    assert len({request.content for request in seen}) == 1
    assert len({request.headers["Client-Login"] for request in seen}) == 1


def test_an_offline_report_that_never_finishes_fails_after_the_cap():
    transport, seen = scripted(*[httpx.Response(202, headers={"retryIn": "60"}) for _ in range(10)])
    sleeps: list[float] = []
    with pytest.raises(ReportNotReadyError, match="not ready"):
        client(transport, sleeps, max_report_wait=150).campaign_stats("client42", DAY1, DAY3)
    assert sleeps == [60.0, 60.0] and len(seen) == 3


@pytest.mark.parametrize("wrapped", [True, False], ids=["error-wrapper", "top-level"])
def test_an_expired_token_fails_clearly_after_one_request(wrapped):
    transport, seen = scripted(error(53, "Ошибка авторизации", "OAuth token is invalid", wrapped=wrapped))
    sleeps: list[float] = []
    with pytest.raises(AuthError) as caught:
        client(transport, sleeps).campaign_stats("client42", DAY1, DAY3)
    assert len(seen) == 1 and sleeps == []
    message = str(caught.value)
    assert "Ошибка авторизации: OAuth token is invalid" in message and "issue a new one" in message
    assert caught.value.vendor_code == 53 and caught.value.request_id == "8695244274068608439"
    assert TOKEN not in message and TOKEN not in repr(caught.value)


@pytest.mark.parametrize(
    ("code", "expected"), [(54, AccessDeniedError), (58, AccessDeniedError), (8000, BadRequestError)]
)
def test_permanent_errors_are_not_retried(code, expected):
    transport, seen = scripted(error(str(code)))  # string codes are accepted too
    with pytest.raises(expected):
        client(transport, []).campaign_stats("client42", DAY1, DAY3)
    assert len(seen) == 1


@pytest.mark.parametrize(("code", "status"), [(52, 400), (1000, 500), (1002, 500)])
def test_transient_vendor_errors_are_retried(code, status):
    transport, seen = scripted(error(code, status=status), httpx.Response(200, content=REPORT))
    assert len(client(transport, []).campaign_stats("client42", DAY1, DAY3).rows) == 4
    assert len(seen) == 2


@pytest.mark.parametrize("code", [56, 506, 9000])
def test_busy_errors_wait_the_ten_seconds_direct_asks_for(code):
    transport, _ = scripted(error(code), httpx.Response(200, content=REPORT))
    sleeps: list[float] = []
    client(transport, sleeps).campaign_stats("client42", DAY1, DAY3)
    assert sleeps == [10.0]


def test_spent_units_fail_clearly_unless_a_wait_is_allowed():
    transport, seen = scripted(error(152, "Недостаточно баллов"))
    with pytest.raises(QuotaError, match="Недостаточно баллов"):
        client(transport, []).campaign_stats("client42", DAY1, DAY3)
    assert len(seen) == 1

    transport, seen = scripted(error(152, "Недостаточно баллов"), httpx.Response(200, content=REPORT))
    sleeps: list[float] = []
    client(transport, sleeps, units_wait=300.0).campaign_stats("client42", DAY1, DAY3)
    assert sleeps == [300.0]


def test_a_truncated_report_is_retried_once_then_fails_clearly():
    transport, seen = scripted(httpx.Response(200, content=TRUNCATED), httpx.Response(200, content=REPORT))
    assert len(client(transport, []).campaign_stats("client42", DAY1, DAY3).rows) == 4

    transport, seen = scripted(*[httpx.Response(200, content=TRUNCATED) for _ in range(3)])
    with pytest.raises(ResponseFormatError, match=r"Total rows: 4.*truncated"):
        client(transport, []).campaign_stats("client42", DAY1, DAY3)
    assert len(seen) == 2


def test_the_rate_limit_of_20_requests_per_10_seconds_holds():
    now = [0.0]
    sent: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(now[0])
        return httpx.Response(200, content=REPORT)

    def sleep(seconds: float) -> None:
        now[0] += seconds

    direct = DirectReportsClient(
        TOKEN, transport=httpx.MockTransport(handler), sleep=sleep, clock=lambda: now[0]
    )
    OPEN.append(direct)
    for _ in range(45):
        direct.campaign_stats("client42", DAY1, DAY3)
    assert max(sum(1 for t in sent if start <= t < start + 10.0) for start in sent) == 20


# ---- a real socket ----


def socket_client(server: FakeServer, sleeps: list[float], **kwargs: Any) -> DirectReportsClient:
    OPEN.append(
        DirectReportsClient(
            TOKEN, base_url=server.url + "json/v5/", retry=POLICY, sleep=sleeps.append, **kwargs
        )
    )
    return OPEN[-1]


def test_over_a_socket_offline_then_ready():
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(201, headers={"retryIn": "2"}),
            FakeResponse(202, headers={"retryIn": "2"}),
            FakeResponse(202, headers={"retryIn": "2"}),
            FakeResponse(200, REPORT, {"Content-Type": "text/tab-separated-values; charset=utf-8"}),
        )
        sleeps: list[float] = []
        result = socket_client(server, sleeps).campaign_stats("client42", DAY1, DAY3)
    assert result == parse_report_tsv(REPORT)
    assert sleeps == [2.0, 2.0, 2.0]
    assert [r.path for r in server.requests] == ["/json/v5/reports"] * 4
    assert server.requests[0].headers["Client-Login"] == "client42"


def test_over_a_socket_an_expired_token_is_one_request():
    body = json.dumps({"error": {"error_code": 53, "error_string": "Ошибка авторизации"}}).encode()
    with FakeServer() as server:
        server.enqueue(FakeResponse(400, body, {"Content-Type": "application/json"}))
        with pytest.raises(AuthError, match="Ошибка авторизации"):
            socket_client(server, []).campaign_stats("client42", DAY1, DAY3)
    assert len(server.requests) == 1


def test_over_a_socket_a_truncated_report_then_a_complete_one():
    with FakeServer() as server:
        server.enqueue(FakeResponse(200, TRUNCATED), FakeResponse(500, b"oops"), FakeResponse(200, REPORT))
        result = socket_client(server, []).campaign_stats("client42", DAY1, DAY3)
    assert len(result.rows) == 4 and len(server.requests) == 3
