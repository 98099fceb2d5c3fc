"""The vendor API clients of one run: credentials from the environment, one client per token.

:class:`VendorApis` is the only place that turns credentials into ``connectors`` clients. The
``fetch_*`` functions ask one vendor for one account's rows; the source registry
(:mod:`pipelines.load.sources`) says which function and which environment variables belong to
which source. ``transports`` replaces the network per source (tests, the demo agency's fake
endpoints, plugged in from outside the pipelines).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from connectors._result import ParseResult
from connectors.amocrm import AmoCrmClient
from connectors.bitrix24 import Bitrix24Client
from connectors.calltouch import CalltouchClient
from connectors.comagic import ComagicClient
from connectors.errors import ConnectorError
from connectors.http import RateLimiter
from connectors.vk_ads import VkAdsClient, obtain_token
from connectors.yandex_direct import Balances, DirectBalanceClient, DirectReportsClient
from connectors.yandex_metrika import MetrikaClient, is_automatic

__all__ = [
    "BITRIX24_WEBHOOK_ENV",
    "AccountRequest",
    "BalanceFetch",
    "MissingCredentialError",
    "VendorApis",
    "fetch_amocrm",
    "fetch_bitrix24_leads",
    "fetch_calltouch",
    "fetch_calltouch_requests",
    "fetch_comagic",
    "fetch_vk_ads",
    "fetch_yandex_direct",
    "fetch_yandex_direct_balances",
    "fetch_yandex_metrika",
]

BITRIX24_WEBHOOK_ENV = "BITRIX24_WEBHOOK_URL"
"""The agency's Bitrix24 incoming webhook (``https://<portal>/rest/<user>/<secret>/``), crm scope."""

_SECRET_NAME = re.compile(r"(TOKEN|SECRET|WEBHOOK|PASSWORD|API_KEY|CLIENT_ID)", re.I)


class MissingCredentialError(ConnectorError):
    """The environment variable with an account's token is not set."""


class VendorApis:
    """The vendor clients of one run: credentials from ``environ``, one client per token.

    Clients (and so their rate limiters) are shared by every account using the same token.
    ``transports`` maps a source name to an ``httpx`` transport that replaces the network;
    ``sleep``/``clock`` replace real waiting in tests.
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        transports: Mapping[str, httpx.BaseTransport] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.environ = os.environ if environ is None else environ
        self.transports = dict(transports or {})
        self.sleep = sleep
        self.clock = clock
        self._clients: dict[tuple[str, str, str], Any] = {}
        self.vk_limiter = RateLimiter(5, 1.0, clock=clock, sleep=sleep)
        self._used: list[str] = []  # every secret read or issued during the run

    def __enter__(self) -> VendorApis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def secrets(self) -> list[str]:
        """Every credential value this run may use (to redact from unexpected error texts)."""
        configured = [v for k, v in self.environ.items() if _SECRET_NAME.search(k) and v]
        return configured + self._used

    def remember(self, secret: str) -> None:
        """A secret issued during the run (a VK Ads token): redact it too."""
        self._used.append(secret)

    def credential(self, name: str, what: str) -> str:
        """The value of the environment variable ``name``; ``what`` names it in the error."""
        value = self.environ.get(name, "").strip()
        if not value:
            raise MissingCredentialError(
                f"{name} is not set: put the {what} in the environment or .env "
                "(see README, 'Connecting the sources')"
            )
        self._used.append(value)
        return value

    def client(self, source: str, token: str, build: Callable[..., Any], *, service: str = "") -> Any:
        """The run's client of ``source`` for ``token``, built once with the source's transport;
        ``service`` tells apart two clients of one vendor (Direct's reports and balances)."""
        key = (source, token, service)
        if key not in self._clients:
            kwargs: dict[str, Any] = {"sleep": self.sleep}
            if source in self.transports:
                kwargs["transport"] = self.transports[source]
            self._clients[key] = build(token, **kwargs)
        return self._clients[key]

    def bitrix24(self) -> Bitrix24Client | None:
        """The agency's Bitrix24 client, or None when no webhook is configured."""
        webhook = self.environ.get(BITRIX24_WEBHOOK_ENV, "").strip()
        if not webhook:
            return None
        self._used.append(webhook)
        return self.client("bitrix24", webhook, Bitrix24Client)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class AccountRequest:
    """What a fetch needs to know of one configured account."""

    id: str
    timezone: str = "Europe/Moscow"
    """The account's own days are cut in this zone (CRM filters by creation time)."""
    goal_ids: tuple[int, ...] = ()
    """Metrika: the goals the client counts as leads."""
    attribution: str = "lastsign"
    """Metrika: the attribution model asked for and stored with the numbers."""


# A fetch function: (run's clients, credentials in registry order, the account, first day, last day).
Fetch = Callable[[VendorApis, tuple[str, ...], AccountRequest, dt.date, dt.date], ParseResult]


def fetch_yandex_direct(
    apis: VendorApis,
    credentials: tuple[str, ...],
    account: AccountRequest,
    date_from: dt.date,
    date_to: dt.date,
) -> ParseResult:
    (token,) = credentials
    direct = apis.client(
        "yandex_direct", token, lambda t, **kw: DirectReportsClient(t, clock=apis.clock, **kw)
    )
    return direct.campaign_stats(account.id, date_from, date_to)  # type: ignore[no-any-return]


# A balance fetch: (run's clients, credentials in registry order, the accounts) -> their balances.
BalanceFetch = Callable[[VendorApis, tuple[str, ...], Sequence[AccountRequest]], Balances]


def fetch_yandex_direct_balances(
    apis: VendorApis, credentials: tuple[str, ...], accounts: Sequence[AccountRequest]
) -> Balances:
    """The shared account ("общий счёт") of each Direct login, from the Live 4 API."""
    (token,) = credentials
    direct = apis.client(
        "yandex_direct",
        token,
        lambda t, **kw: DirectBalanceClient(t, clock=apis.clock, **kw),
        service="balance",
    )
    return direct.balances([a.id for a in accounts])  # type: ignore[no-any-return]


def fetch_vk_ads(
    apis: VendorApis,
    credentials: tuple[str, ...],
    account: AccountRequest,
    date_from: dt.date,
    date_to: dt.date,
) -> ParseResult:
    client_id, secret = credentials
    transport = apis.transports.get("vk_ads")
    token = obtain_token(
        client_id, secret, agency_client_name=account.id, transport=transport, sleep=apis.sleep
    )
    apis.remember(token)
    with VkAdsClient(token, transport=transport, rate_limiter=apis.vk_limiter, sleep=apis.sleep) as vk:
        return vk.campaign_day_stats(vk.campaign_ids(), date_from, date_to)


def fetch_calltouch(
    apis: VendorApis,
    credentials: tuple[str, ...],
    account: AccountRequest,
    date_from: dt.date,
    date_to: dt.date,
) -> ParseResult:
    (token,) = credentials
    calltouch = apis.client("calltouch", token, lambda t, **kw: CalltouchClient(t, clock=apis.clock, **kw))
    return calltouch.calls(account.id, date_from, date_to)  # type: ignore[no-any-return]


def fetch_comagic(
    apis: VendorApis,
    credentials: tuple[str, ...],
    account: AccountRequest,
    date_from: dt.date,
    date_to: dt.date,
) -> ParseResult:
    (token,) = credentials
    comagic = apis.client("comagic", token, ComagicClient)
    user_id = int(account.id) if account.id.isdigit() else None
    return comagic.calls_report(date_from, date_to, user_id=user_id)  # type: ignore[no-any-return]


def fetch_calltouch_requests(
    apis: VendorApis,
    credentials: tuple[str, ...],
    account: AccountRequest,
    date_from: dt.date,
    date_to: dt.date,
) -> ParseResult:
    """Form and chat requests Calltouch captured on the site (its requests journal)."""
    (token,) = credentials
    calltouch = apis.client(
        "calltouch_requests", token, lambda t, **kw: CalltouchClient(t, clock=apis.clock, **kw)
    )
    return calltouch.requests(account.id, date_from, date_to)  # type: ignore[no-any-return]


def fetch_yandex_metrika(
    apis: VendorApis,
    credentials: tuple[str, ...],
    account: AccountRequest,
    date_from: dt.date,
    date_to: dt.date,
) -> ParseResult:
    """Reaches of the client's lead goals, each row carrying its goal's name, type and whether
    Metrika created the goal itself (an automatic goal is loaded but never counted as a lead)."""
    (token,) = credentials
    if not account.id.isdigit():
        raise ConnectorError(f"a Metrika counter id is a number, not {account.id!r}")
    if not account.goal_ids:
        raise ConnectorError(
            f"counter {account.id}: no goals are listed as leads (goals: in the configuration)"
        )
    metrika = apis.client("yandex_metrika", token, lambda t, **kw: MetrikaClient(t, clock=apis.clock, **kw))
    counter = int(account.id)
    goals = {goal.id: goal for goal in metrika.goals(counter)}
    missing = [goal_id for goal_id in account.goal_ids if goal_id not in goals]
    if missing:
        listed = ", ".join(str(g) for g in missing)
        raise ConnectorError(
            f"counter {counter} has no goal {listed}: check the goal ids under goals: in the configuration"
        )
    result: ParseResult = metrika.goal_reaches(
        counter, account.goal_ids, date_from, date_to, attribution=account.attribution
    )
    for row in result.rows:
        goal = goals[int(str(row["goal_id"]))]
        row["goal_name"] = goal.name
        row["goal_type"] = goal.type
        row["is_automatic"] = is_automatic(goal)
    return result


def fetch_amocrm(
    apis: VendorApis,
    credentials: tuple[str, ...],
    account: AccountRequest,
    date_from: dt.date,
    date_to: dt.date,
) -> ParseResult:
    """Leads created in the account's days, with their main contact's phone and e-mail."""
    (token,) = credentials
    transport = apis.transports.get("amocrm")
    with AmoCrmClient(account.id, token, transport=transport, sleep=apis.sleep, clock=apis.clock) as amo:
        return amo.leads(date_from, date_to, tz=ZoneInfo(account.timezone))


def fetch_bitrix24_leads(
    apis: VendorApis,
    credentials: tuple[str, ...],
    account: AccountRequest,
    date_from: dt.date,
    date_to: dt.date,
) -> ParseResult:
    """Leads created in the client's own Bitrix24 portal (its webhook is the credential)."""
    (webhook,) = credentials
    bitrix = apis.client("bitrix24_leads", webhook, Bitrix24Client)
    return bitrix.leads(date_from, date_to)  # type: ignore[no-any-return]
