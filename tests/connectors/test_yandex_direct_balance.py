"""The shared account balances (Live 4 ``AccountManagement`` Get) against a fake Direct endpoint."""

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connectors.http import AuthError, RetryPolicy, ServerError
from connectors.yandex_direct import AccountBalance, DirectBalanceClient
from tests.fakes import FakeResponse, FakeServer, scripted

TOKEN = "y0_AgAAAAA-direct-balance-secret"
POLICY = RetryPolicy(max_attempts=3, max_total_wait=60.0, jitter=0.0)


def account(login: str, account_id: int, amount: float, currency: str) -> dict[str, Any]:
    """One ``Account`` object as the reference shows it (with the fields we do not read)."""
    return {
        "AccountID": account_id,
        "Amount": amount,
        "AmountAvailableForTransfer": amount,
        "Currency": currency,
        "Login": login,
        "Discount": 0,
        "AgencyName": "Агентство",
        "AccountDayBudget": {"Amount": 0, "SpendMode": "Default"},
        "SmsNotification": {"MoneyInSms": "Yes", "MoneyOutSms": "Yes", "PausedByDayBudgetSms": "No"},
        "EmailNotification": {"Email": "a@example.ru", "MoneyWarningValue": 20, "PausedByDayBudget": "Yes"},
    }


def ok(accounts: list[dict[str, Any]], results: list[dict[str, Any]] | None = None) -> httpx.Response:
    data: dict[str, Any] = {"Accounts": accounts}
    if results is not None:
        data["ActionsResult"] = results
    return httpx.Response(200, json={"data": data})


def client(transport: httpx.BaseTransport, sleeps: list[float] | None = None) -> DirectBalanceClient:
    return DirectBalanceClient(
        TOKEN, transport=transport, retry=POLICY, sleep=(sleeps if sleeps is not None else []).append
    )


def test_balances_in_each_accounts_own_currency_and_the_request_shape() -> None:
    transport, seen = scripted(
        ok(
            [account("alfa-direct", 1234567, 84210.456, "RUB"), account("kz-shop", 7654321, 1520000, "KZT")],
            [
                {
                    "Login": "no-shared",
                    "Errors": [
                        {"FaultCode": 515, "FaultString": "Общий счет не подключен", "FaultDetail": ""}
                    ],
                }
            ],
        )
    )
    with client(transport) as direct:
        result = direct.balances(["alfa-direct", "kz-shop", "no-shared"])
    assert result.accounts == (
        AccountBalance("alfa-direct", "1234567", Decimal("84210.46"), "RUB"),
        AccountBalance("kz-shop", "7654321", Decimal("1520000.00"), "KZT"),
    )
    assert result.failures == {"no-shared": "Общий счет не подключен [515]"}
    (request,) = seen
    assert request.method == "POST" and str(request.url) == "https://api.direct.yandex.ru/live/v4/json/"
    body = json.loads(request.content)
    assert body == {
        "method": "AccountManagement",
        "param": {"Action": "Get", "SelectionCriteria": {"Logins": ["alfa-direct", "kz-shop", "no-shared"]}},
        "locale": "ru",
        "token": TOKEN,
    }


def test_a_login_direct_does_not_mention_is_a_failure_and_logins_go_fifty_at_a_time() -> None:
    logins = [f"client-{i:03d}" for i in range(60)]
    transport, seen = scripted(
        ok([account(login, i, 100.0, "RUB") for i, login in enumerate(logins[:50])]),
        ok([account(login, i, 100.0, "RUB") for i, login in enumerate(logins[50:59], start=50)]),
    )
    with client(transport) as direct:
        result = direct.balances(logins)
    assert [len(json.loads(r.content)["param"]["SelectionCriteria"]["Logins"]) for r in seen] == [50, 10]
    assert len(result.accounts) == 59
    assert result.failures == {"client-059": "no shared account returned"}


def test_an_invalid_token_is_an_auth_error_without_the_token_and_is_not_retried() -> None:
    transport, seen = scripted(
        httpx.Response(
            200,
            json={"error_code": 53, "error_str": "Ошибка авторизации", "error_detail": "Неверный токен"},
        )
    )
    with client(transport) as direct, pytest.raises(AuthError) as caught:
        direct.balances(["alfa-direct"])
    assert len(seen) == 1
    assert caught.value.vendor_code == 53
    assert "Ошибка авторизации: Неверный токен" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_over_a_socket_a_server_error_is_retried_then_the_balance_read() -> None:
    busy = json.dumps({"error_code": 52, "error_str": "Сервер авторизации временно недоступен"}).encode()
    answer = ok([account("beta-clinic", 42, 1999.9, "RUB")])
    with FakeServer() as server:
        server.enqueue(
            FakeResponse(200, busy, {"Content-Type": "application/json"}),
            FakeResponse(200, answer.content, {"Content-Type": "application/json"}),
        )
        sleeps: list[float] = []
        with DirectBalanceClient(
            TOKEN, base_url=server.url + "live/v4/json/", retry=POLICY, sleep=sleeps.append
        ) as direct:
            result = direct.balances(["beta-clinic"])
    assert result.accounts == (AccountBalance("beta-clinic", "42", Decimal("1999.90"), "RUB"),)
    assert [r.path for r in server.requests] == ["/live/v4/json/"] * 2
    assert len(sleeps) == 1


def test_a_server_error_that_persists_fails() -> None:
    transport, seen = scripted(*[httpx.Response(503, text="Service Unavailable")] * 3)
    with client(transport) as direct, pytest.raises(ServerError):
        direct.balances(["alfa-direct"])
    assert len(seen) == 3
