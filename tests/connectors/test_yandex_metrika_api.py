import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from connectors.errors import FormatError
from connectors.http import AccessDeniedError, AuthError, BadRequestError, RateLimiter, RetryPolicy
from connectors.yandex_metrika import Goal, MetrikaClient, is_automatic, lead_goals, parse_goal_report
from tests.fakes import FakeResponse, FakeServer, FakeTime, scripted

TOKEN = "y0_AgAAAAA-metrika-secret-token"
COUNTER = 44147844
DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
MODEL = "cross_device_last_significant"
POLICY = RetryPolicy(max_attempts=4, max_total_wait=900.0, jitter=0.0)
DIMS = [
    "ym:s:date",
    "ym:s:<attribution>TrafficSource",
    "ym:s:<attribution>UTMSource",
    "ym:s:<attribution>UTMMedium",
    "ym:s:<attribution>UTMCampaign",
]

OPEN: list[MetrikaClient] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def client(
    transport: httpx.BaseTransport | None, fake: FakeTime | None = None, **kwargs: Any
) -> MetrikaClient:
    fake = fake or FakeTime()
    kwargs.setdefault("retry", POLICY)
    OPEN.append(MetrikaClient(TOKEN, transport=transport, sleep=fake.sleep, clock=fake.clock, **kwargs))
    return OPEN[-1]


def row(
    day: str, source: str, utm: tuple[str | None, str | None, str | None], *values: float
) -> dict[str, Any]:
    dims: list[dict[str, Any]] = [{"name": day}, {"name": source.title(), "id": source}]
    dims += [{"name": value} for value in utm]
    return {"dimensions": dims, "metrics": list(values)}


def answer(goal_ids: list[int], rows: list[dict[str, Any]], total: int, **extra: Any) -> httpx.Response:
    body = {
        "query": {
            "ids": [COUNTER],
            "dimensions": DIMS,
            "metrics": [f"ym:s:goal{g}reaches" for g in goal_ids],
            "date1": DAY1.isoformat(),
            "date2": DAY2.isoformat(),
        },
        "data": rows,
        "total_rows": total,
        "sampled": False,
        "contains_sensitive_data": False,
        "totals": [0.0] * len(goal_ids),
        **extra,
    }
    return httpx.Response(200, json=body)


def metrika_error(status: int, error_type: str, message: str) -> httpx.Response:
    body = {"errors": [{"error_type": error_type, "message": message}], "code": status, "message": message}
    return httpx.Response(status, json=body)


# --- goals and the automatic-goal rule ---


GOALS_BODY = {
    "goals": [
        {"id": 1, "name": "Заявка с сайта (JS)", "type": "action", "is_retargeting": 0, "conditions": []},
        {"id": 2, "name": "Автоцель: отправка формы", "type": "form", "is_retargeting": 0},
        {"id": 3, "name": "Автоцель: клик по телефону", "type": "phone"},
        {"id": 4, "name": "Автоцель: клик по мессенджеру", "type": "messenger"},
        {"id": 5, "name": "Звонок", "type": "call"},
        {"id": 6, "name": "Спасибо-страница", "type": "url"},
        {"id": 7, "name": "Форма (создана вручную)", "type": "form", "goal_source": "user"},
        {"id": 8, "name": "Автоцель: клик по кнопке", "type": "button", "goal_source": "auto"},
    ]
}


def test_goals_lists_the_counters_goals_with_the_oauth_header():
    transport, seen = scripted(httpx.Response(200, json=GOALS_BODY))
    goals = client(transport).goals(COUNTER)
    assert [(g.id, g.type) for g in goals][:3] == [(1, "action"), (2, "form"), (3, "phone")]
    assert goals[6] == Goal(7, "Форма (создана вручную)", "form", "user", False)
    (request,) = seen
    assert request.method == "GET"
    assert str(request.url) == f"https://api-metrika.yandex.net/management/v1/counter/{COUNTER}/goals"
    assert request.headers["Authorization"] == f"OAuth {TOKEN}"


def test_automatic_goals_never_count_as_leads():
    transport, _ = scripted(httpx.Response(200, json=GOALS_BODY))
    goals = {g.id: g for g in client(transport).goals(COUNTER)}
    assert {i for i, g in goals.items() if is_automatic(g)} == {2, 3, 4, 5, 8}
    # Call goals stay automatic even if someone marks them as user goals: trackers upload them.
    assert is_automatic(Goal(9, "Звонок", "call", "user"))
    allowed = [1, 2, 5, 6, 7, 99]
    assert [g.id for g in lead_goals(goals.values(), allowed)] == [1, 6, 7]


# --- goal reaches ---


def test_one_report_two_pages_attribution_in_every_request_and_row():
    page1 = [
        row("2026-03-01", "ad", ("yandex", "cpc", "spring"), 3.0, 0.0),
        row("2026-03-01", "organic", (None, None, None), 0.0, 0.0),
    ]
    page2 = [row("2026-03-02", "ad", ("yandex", "cpc", "spring"), 1.0, 2.0)]
    transport, seen = scripted(answer([11, 12], page1, 3), answer([11, 12], page2, 3))
    result = client(transport, page_limit=2).goal_reaches(COUNTER, [11, 12], DAY1, DAY2, attribution=MODEL)

    assert [(r["date"], r["goal_id"], r["reaches"], r["_origin_line"]) for r in result.rows] == [
        (DAY1, 11, 3, 1),
        (DAY2, 11, 1, 3),
        (DAY2, 12, 2, 3),
    ]
    first = result.rows[0]
    assert first == {
        "date": DAY1,
        "counter_id": COUNTER,
        "goal_id": 11,
        "goal_name": None,
        "goal_type": None,
        "is_automatic": None,
        "attribution": MODEL,
        "traffic_source": "ad",
        "traffic_source_name": "Ad",
        "utm_source": "yandex",
        "utm_medium": "cpc",
        "utm_campaign": "spring",
        "reaches": 3,
        "sampled": False,
        "contains_sensitive_data": False,
        "_origin_line": 1,
    }
    assert all(type(r["reaches"]) is int and r["attribution"] == MODEL for r in result.rows)
    assert (result.date_from, result.date_to) == (DAY1, DAY2)

    assert [r.url.params["offset"] for r in seen] == ["1", "3"]
    for request in seen:
        params = request.url.params
        assert request.url.path == "/stat/v1/data"
        assert params["ids"] == str(COUNTER)
        assert params["metrics"] == "ym:s:goal11reaches,ym:s:goal12reaches"
        assert params["dimensions"].split(",") == DIMS
        assert params["attribution"] == MODEL
        assert (params["date1"], params["date2"]) == ("2026-03-01", "2026-03-02")
        assert (params["accuracy"], params["limit"]) == ("full", "2")
        assert request.headers["Authorization"] == f"OAuth {TOKEN}"


def test_25_goals_are_asked_for_in_batches_of_20_metrics():
    ids = list(range(100, 125))
    transport, seen = scripted(
        answer(ids[:20], [row("2026-03-01", "ad", ("y", "cpc", "c"), *([0.0] * 19 + [4.0]))], 1),
        answer(ids[20:], [row("2026-03-01", "ad", ("y", "cpc", "c"), 5.0, 0.0, 0.0, 0.0, 0.0)], 1),
    )
    result = client(transport).goal_reaches(COUNTER, ids, DAY1, DAY1, attribution="automatic")
    assert [len(r.url.params["metrics"].split(",")) for r in seen] == [20, 5]
    assert seen[1].url.params["metrics"].startswith("ym:s:goal120reaches,")
    assert [(r["goal_id"], r["reaches"]) for r in result.rows] == [(119, 4), (120, 5)]
    assert all(r.url.params["attribution"] == "automatic" for r in seen)


def test_an_empty_report_gives_no_rows_and_one_request():
    transport, seen = scripted(answer([11], [], 0))
    result = client(transport).goal_reaches(COUNTER, [11], DAY1, DAY2, attribution=MODEL)
    assert result.rows == [] and len(seen) == 1


def test_sampled_and_sensitive_answers_are_flagged_on_their_rows():
    rows = [row("2026-03-01", "ad", ("y", "cpc", "c"), 2.6)]
    transport, _ = scripted(answer([11], rows, 1, sampled=True, contains_sensitive_data=True))
    (only,) = client(transport).goal_reaches(COUNTER, [11], DAY1, DAY1, attribution=MODEL).rows
    assert (only["reaches"], only["sampled"], only["contains_sensitive_data"]) == (3, True, True)


def test_the_attribution_model_is_required_and_checked():
    with pytest.raises(ValueError, match="unknown attribution model"):
        client(None).goal_reaches(COUNTER, [11], DAY1, DAY1, attribution="last_click")


# --- quotas and errors ---


def test_429_is_retried_after_the_wait_without_real_sleeping():
    fake = FakeTime()
    quota = metrika_error(429, "quota_requests_by_uid", "Quota exceeded: 200 requests per 5 minutes")
    rows = [row("2026-03-01", "ad", ("y", "cpc", "c"), 1.0)]
    transport, seen = scripted(quota, answer([11], rows, 1))
    result = client(transport, fake).goal_reaches(COUNTER, [11], DAY1, DAY1, attribution=MODEL)
    assert len(result.rows) == 1 and len(seen) == 2
    assert fake.sleeps == [60.0]


def test_the_stat_limiter_holds_back_the_201st_request_in_five_minutes():
    fake = FakeTime()
    stat = RateLimiter(200, 300.0, clock=fake.clock, sleep=fake.sleep)
    responses = [answer([11], [], 0) for _ in range(201)]
    transport, _ = scripted(*responses)
    metrika = client(transport, fake, stat_limiter=stat)
    for _ in range(201):
        metrika.goal_reaches(COUNTER, [11], DAY1, DAY1, attribution=MODEL)
    assert sum(fake.sleeps) == pytest.approx(300.0)


def test_400_invalid_parameter_is_typed_with_metrikas_message_and_not_retried():
    message = "Wrong parameter: 'metrics', value: 'ym:s:goal1reaches'"
    transport, seen = scripted(metrika_error(400, "invalid_parameter", message))
    with pytest.raises(BadRequestError) as caught:
        client(transport).goal_reaches(COUNTER, [1], DAY1, DAY1, attribution=MODEL)
    assert caught.value.vendor_code == "invalid_parameter"
    assert message in str(caught.value) and caught.value.status == 400
    assert len(seen) == 1


def test_403_access_denied_is_typed_and_not_retried():
    transport, seen = scripted(metrika_error(403, "access_denied", "Access is denied"))
    with pytest.raises(AccessDeniedError, match="Access is denied"):
        client(transport).goals(COUNTER)
    assert len(seen) == 1


def test_401_is_an_auth_error_without_the_token():
    body = {
        "errors": [{"error_type": "invalid_token", "message": f"Invalid oauth_token {TOKEN}"}],
        "code": 401,
    }
    transport, seen = scripted(httpx.Response(401, json=body))
    metrika = client(transport)
    with pytest.raises(AuthError) as caught:
        metrika.goals(COUNTER)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert "Invalid oauth_token" in str(caught.value)
    assert TOKEN not in repr(metrika) and len(seen) == 1


# --- against a real HTTP server ---


def test_paged_report_and_retry_against_a_fake_server_on_localhost():
    page1 = [row("2026-03-01", "ad", ("y", "cpc", "c"), 2.0)]
    page2 = [row("2026-03-02", "referral", ("blog", None, None), 1.0)]

    def body(rows: list[dict[str, Any]]) -> bytes:
        return answer([11], rows, 2).content

    fake = FakeTime()
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(200, body(page1), {"Content-Type": "application/json"}),
            FakeResponse(
                429, b'{"errors":[{"error_type":"quota","message":"slow down"}]}', {"Retry-After": "7"}
            ),
            FakeResponse(200, body(page2), {"Content-Type": "application/json"}),
        )
        metrika = client(None, fake, base_url=server.url, page_limit=1)
        result = metrika.goal_reaches(COUNTER, [11], DAY1, DAY2, attribution=MODEL)
    assert [(r["traffic_source"], r["utm_source"], r["reaches"]) for r in result.rows] == [
        ("ad", "y", 2),
        ("referral", "blog", 1),
    ]
    assert [r.query["offset"] for r in server.requests] == [["1"], ["2"], ["2"]]
    assert all(r.query["attribution"] == [MODEL] for r in server.requests)
    assert server.requests[0].headers["Authorization"] == f"OAuth {TOKEN}"
    assert fake.sleeps == [7.0]


# --- the parser on a saved export ---


def test_parse_a_saved_export(fixture_bytes):
    result = parse_goal_report(fixture_bytes("yandex_metrika_goal_reaches.json"), attribution=MODEL)
    assert [(r["date"], r["goal_id"], r["traffic_source"], r["reaches"]) for r in result.rows] == [
        (DAY1, 300001, "ad", 3),
        (DAY1, 300002, "ad", 1),
        (DAY1, 300002, "organic", 2),
    ]
    assert {r["counter_id"] for r in result.rows} == {44147844}
    assert result.rows[2]["utm_source"] is None
    assert (result.date_from, result.date_to) == (DAY1, DAY2)


def test_a_bad_value_names_its_row_and_field(fixture_bytes):
    body = json.loads(fixture_bytes("yandex_metrika_goal_reaches.json"))
    body["data"][1]["metrics"][1] = 2.5
    with pytest.raises(FormatError) as caught:
        parse_goal_report(json.dumps(body).encode(), attribution=MODEL)
    assert "data[1].metrics[1]" in str(caught.value) and "2.5" in str(caught.value)
    body["data"][1]["metrics"][1] = 2.0
    body["data"][2]["dimensions"][0]["name"] = "01.03.2026"
    with pytest.raises(FormatError, match=r"data\[2\]\.dimensions\[0\]\.name"):
        parse_goal_report(json.dumps(body).encode(), attribution=MODEL)


def test_an_error_answer_is_not_taken_for_an_empty_report():
    body = json.dumps({"errors": [{"error_type": "invalid_parameter", "message": "bad"}], "code": 400})
    with pytest.raises(FormatError, match="bad"):
        parse_goal_report(body.encode(), attribution=MODEL)
