"""The pipeline's fetches of the lead systems: what they add to the connectors' rows and how they
refuse an account that cannot be pulled (real clients over ``httpx.MockTransport``)."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from connectors.errors import ConnectorError
from pipelines.load.vendors import AccountRequest, VendorApis, fetch_yandex_metrika
from tests.connectors.test_yandex_metrika_api import GOALS_BODY
from tests.fakes import FakeTime

DAY = dt.date(2026, 11, 3)


def metrika(handler: httpx.MockTransport) -> VendorApis:
    fake = FakeTime()
    return VendorApis(
        {"YANDEX_METRIKA_TOKEN": "t"}, transports={"yandex_metrika": handler}, sleep=fake.sleep, clock=fake
    )


def stat_answer(request: httpx.Request) -> httpx.Response:
    metrics = request.url.params["metrics"].split(",")
    row = {
        "dimensions": [{"name": DAY.isoformat()}, {"name": "Ad", "id": "ad"}]
        + [{"name": v} for v in ("yandex", "cpc", "spring")],
        "metrics": [float(i + 2) for i in range(len(metrics))],
    }
    body = {
        "query": {
            "ids": [555],
            "metrics": metrics,
            "dimensions": request.url.params["dimensions"].split(","),
        },
        "data": [row],
        "total_rows": 1,
        "sampled": False,
        "contains_sensitive_data": False,
        "totals": [0.0] * len(metrics),
    }
    return httpx.Response(200, content=json.dumps(body).encode())


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/goals"):
        return httpx.Response(200, json=GOALS_BODY)
    return stat_answer(request)


def test_metrika_rows_carry_their_goals_name_type_and_automatic_flag() -> None:
    account = AccountRequest(id="555", goal_ids=(1, 3), attribution="last_yandex_direct_click")
    with metrika(httpx.MockTransport(handler)) as apis:
        result = fetch_yandex_metrika(apis, ("t",), account, DAY, DAY)
    got = {
        (r["goal_id"], r["goal_name"], r["goal_type"], r["is_automatic"], r["reaches"]) for r in result.rows
    }
    # Goal 3 is Metrika's own phone-click goal: loaded (for the reconciliation) but flagged.
    assert got == {
        (1, "Заявка с сайта (JS)", "action", False, 2),
        (3, "Автоцель: клик по телефону", "phone", True, 3),
    }
    assert {r["attribution"] for r in result.rows} == {"last_yandex_direct_click"}


def test_a_goal_the_counter_does_not_have_fails_the_account_with_what_to_fix() -> None:
    account = AccountRequest(id="555", goal_ids=(1, 99))
    with metrika(httpx.MockTransport(handler)) as apis, pytest.raises(ConnectorError) as err:
        fetch_yandex_metrika(apis, ("t",), account, DAY, DAY)
    assert "counter 555 has no goal 99" in str(err.value) and "goals:" in str(err.value)
