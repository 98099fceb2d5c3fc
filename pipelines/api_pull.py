"""Nightly and backfill pulls from the vendors' APIs into the raw layer.

For each API source (Yandex.Direct, VK Ads, Calltouch, CoMagic/UIS), :func:`pull_source`
walks every configured client account pulled ``via: api``, asks the vendor for the requested
days (clipped to the client's contract), and loads the answer in one transaction with its
``raw.load_log`` row:

- ad statistics **replace the partition**: the account's rows for exactly those days are
  deleted and the new ones inserted, so a re-run or a restatement never appends twice;
- calls are **upserted** by call id (a call pulled again replaces its earlier copy).

A failing account never stops the others: the error (the vendor's own message, never a token)
goes to ``raw.load_log`` as a ``failed`` row and to the returned :class:`PullReport`, which
names each client, source and account that failed and why. Nothing already loaded for that
account is touched.

Credentials come from the environment (``.env``): see :data:`CREDENTIAL_ENV` and the README.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from connectors._result import ParseResult
from connectors.calltouch import CalltouchClient
from connectors.comagic import ComagicClient
from connectors.errors import ConnectorError
from connectors.http import RateLimiter, redact
from connectors.vk_ads import VkAdsClient, obtain_token
from connectors.yandex_direct import DirectReportsClient
from pipelines.config import Account, AgencyConfig, Client
from pipelines.raw_schema import RAW_TABLES, RawTable
from pipelines.warehouse import RawStore, to_arrow

__all__ = [
    "CREDENTIAL_ENV",
    "FEEDS",
    "AccountPull",
    "ApiFeed",
    "MissingCredentialError",
    "PullReport",
    "VendorApis",
    "pull_source",
]

log = logging.getLogger(__name__)

Kind = Literal["ads", "calls"]


@dataclass(frozen=True)
class ApiFeed:
    """One API source: the configuration's account source, its raw table and its data kind."""

    source: str
    table: RawTable
    kind: Kind
    title: str

    @property
    def replaces_days(self) -> bool:
        """Ad statistics replace the pulled days; calls are upserted by call id."""
        return self.table.date_column is not None


FEEDS: dict[str, ApiFeed] = {
    feed.source: feed
    for feed in (
        ApiFeed("yandex_direct", RAW_TABLES["yandex_direct_campaign_stats"], "ads", "Yandex.Direct"),
        ApiFeed("vk_ads", RAW_TABLES["vk_ads_campaign_stats"], "ads", "VK Ads"),
        ApiFeed("calltouch", RAW_TABLES["calltouch_calls"], "calls", "Calltouch"),
        ApiFeed("comagic", RAW_TABLES["comagic_calls"], "calls", "CoMagic/UIS"),
    )
}

CREDENTIAL_ENV: dict[str, tuple[str, ...]] = {
    "yandex_direct": ("YANDEX_DIRECT_TOKEN",),
    "vk_ads": ("VK_ADS_CLIENT_ID", "VK_ADS_CLIENT_SECRET"),
    "calltouch": ("CALLTOUCH_API_TOKEN",),
    "comagic": ("COMAGIC_ACCESS_TOKEN",),
}
"""Default environment variables per source; an account's ``credentials_env`` replaces the
last one (the secret) for that account."""


class MissingCredentialError(ConnectorError):
    """The environment variable with an account's token is not set."""


# ---------------------------------------------------------------------------------------------
# Building the vendor clients
# ---------------------------------------------------------------------------------------------


class VendorApis:
    """The vendor clients of one run: credentials from ``environ``, one client per token.

    Clients (and so their rate limiters) are shared by every account using the same token.
    ``transports`` maps a source to an ``httpx`` transport that replaces the network (the demo
    agency's fake endpoints, tests); ``sleep``/``clock`` replace real waiting in tests.
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
        self._sleep = sleep
        self._clock = clock
        self._clients: dict[tuple[str, str], Any] = {}
        self._vk_limiter = RateLimiter(5, 1.0, clock=clock, sleep=sleep)
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
        names = {name for names in CREDENTIAL_ENV.values() for name in names}
        configured = [v for k, v in self.environ.items() if (k in names or k.endswith("_TOKEN")) and v]
        return configured + self._used

    def _secret(self, source: str, account: Account) -> str:
        name = account.credentials_env or CREDENTIAL_ENV[source][-1]
        value = self.environ.get(name, "").strip()
        if not value:
            raise MissingCredentialError(
                f"{name} is not set: put the {FEEDS[source].title} token in the environment or .env "
                "(see README, 'Connecting the sources')"
            )
        self._used.append(value)
        return value

    def _client(self, source: str, token: str, build: Callable[..., Any]) -> Any:
        key = (source, token)
        if key not in self._clients:
            kwargs: dict[str, Any] = {"sleep": self._sleep}
            if source in self.transports:
                kwargs["transport"] = self.transports[source]
            self._clients[key] = build(token, **kwargs)
        return self._clients[key]

    def fetch(self, source: str, account: Account, date_from: dt.date, date_to: dt.date) -> ParseResult:
        """The account's rows for ``date_from..date_to`` straight from the vendor."""
        secret = self._secret(source, account)
        if source == "yandex_direct":
            direct = self._client(
                source, secret, lambda t, **kw: DirectReportsClient(t, clock=self._clock, **kw)
            )
            return direct.campaign_stats(account.id, date_from, date_to)  # type: ignore[no-any-return]
        if source == "vk_ads":
            client_id = self.environ.get(CREDENTIAL_ENV["vk_ads"][0], "").strip()
            if not client_id:
                raise MissingCredentialError(
                    "VK_ADS_CLIENT_ID is not set: put the VK Ads app's client id in the environment or .env"
                )
            token = obtain_token(
                client_id,
                secret,
                agency_client_name=account.id,
                transport=self.transports.get(source),
                sleep=self._sleep,
            )
            self._used.append(token)
            with VkAdsClient(
                token, transport=self.transports.get(source), rate_limiter=self._vk_limiter, sleep=self._sleep
            ) as vk:
                return vk.campaign_day_stats(vk.campaign_ids(), date_from, date_to)
        if source == "calltouch":
            calltouch = self._client(
                source, secret, lambda t, **kw: CalltouchClient(t, clock=self._clock, **kw)
            )
            return calltouch.calls(account.id, date_from, date_to)  # type: ignore[no-any-return]
        if source == "comagic":
            comagic = self._client(source, secret, ComagicClient)
            user_id = int(account.id) if account.id.isdigit() else None
            return comagic.calls_report(date_from, date_to, user_id=user_id)  # type: ignore[no-any-return]
        raise ValueError(f"{source!r} has no API connector")


# ---------------------------------------------------------------------------------------------
# Pulling and loading
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountPull:
    """What happened to one client account in one pull."""

    client_id: str
    source: str
    account_id: str
    date_from: dt.date
    date_to: dt.date
    status: Literal["loaded", "failed"]
    rows: int = 0
    error: str | None = None
    error_type: str | None = None
    load_id: str = ""

    @property
    def where(self) -> str:
        return f"{self.client_id} / {self.source} {self.account_id} ({self.date_from} – {self.date_to})"


@dataclass
class PullReport:
    source: str
    date_from: dt.date
    date_to: dt.date
    pulls: list[AccountPull] = field(default_factory=list)

    @property
    def loaded(self) -> list[AccountPull]:
        return [p for p in self.pulls if p.status == "loaded"]

    @property
    def failed(self) -> list[AccountPull]:
        return [p for p in self.pulls if p.status == "failed"]

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.loaded)

    def failure_lines(self) -> list[str]:
        return [f"{p.where}: {p.error_type}: {p.error}" for p in self.failed]


def account_window(client: Client, date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date] | None:
    """The requested days the client was with the agency, or None when there are none."""
    start = max(date_from, client.start_date)
    end = min(date_to, client.end_date) if client.end_date else date_to
    return (start, end) if start <= end else None


def accounts_to_pull(
    config: AgencyConfig, source: str, clients: Iterable[str] | None = None
) -> list[tuple[Client, Account]]:
    """Configured (client, account) pairs of ``source`` pulled via the API, optionally some clients only."""
    wanted = set(clients) if clients is not None else None
    if wanted is not None:
        unknown = wanted - {c.id for c in config.clients}
        if unknown:
            raise ValueError(f"unknown client id(s): {', '.join(sorted(unknown))}")
    return [
        (client, account)
        for client in config.clients
        if wanted is None or client.id in wanted
        for account in client.accounts
        if account.source == source and account.pulled_via_api
    ]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def pull_source(
    source: str,
    *,
    config: AgencyConfig,
    store: RawStore,
    apis: VendorApis,
    date_from: dt.date,
    date_to: dt.date,
    clients: Iterable[str] | None = None,
    log_line: Callable[[str], None] = log.info,
) -> PullReport:
    """Pull ``date_from..date_to`` of every API account of ``source``; never raises for one account."""
    feed = FEEDS[source]
    report = PullReport(source, date_from, date_to)
    for client, account in accounts_to_pull(config, source, clients):
        window = account_window(client, date_from, date_to)
        if window is None:
            continue
        outcome = _pull_account(feed, client, account, window, store, apis)
        report.pulls.append(outcome)
        if outcome.status == "loaded":
            log_line(f"{outcome.where}: {outcome.rows} rows into {feed.table.qualified}")
        else:
            log_line(f"FAILED {outcome.where}: {outcome.error_type}: {outcome.error}")
    return report


def _pull_account(
    feed: ApiFeed,
    client: Client,
    account: Account,
    window: tuple[dt.date, dt.date],
    store: RawStore,
    apis: VendorApis,
) -> AccountPull:
    date_from, date_to = window
    load_id = uuid.uuid4().hex
    origin = f"api:{feed.source}/{account.id}/{date_from:%Y%m%d}-{date_to:%Y%m%d}"
    base: dict[str, Any] = {"client_id": client.id, "source": feed.source, "account_id": account.id}
    try:
        result = apis.fetch(feed.source, account, date_from, date_to)
        loaded_at = _now()
        rows = [
            {
                **row,
                "client_id": client.id,
                "account_id": account.id,
                "_origin": origin,
                "_load_id": load_id,
                "_loaded_at": loaded_at,
            }
            for row in result.rows
        ]
        data = to_arrow(feed.table, rows)
        with store.transaction():
            if feed.replaces_days:
                n = store.replace_partition(
                    feed.table,
                    data,
                    partition={"client_id": client.id, "account_id": account.id},
                    date_from=date_from,
                    date_to=date_to,
                )
            else:
                n = store.upsert(feed.table, data)
            pull = AccountPull(
                **base, date_from=date_from, date_to=date_to, status="loaded", rows=n, load_id=load_id
            )
            _log_pull(store, feed, origin, pull)
        return pull
    except ConnectorError as exc:
        error, error_type = str(exc), type(exc).__name__
    except Exception as exc:
        error_type = type(exc).__name__
        error = redact(f"{exc}\n{traceback.format_exc(limit=8)}", apis.secrets())
    pull = AccountPull(
        **base,
        date_from=date_from,
        date_to=date_to,
        status="failed",
        error=error,
        error_type=error_type,
        load_id=load_id,
    )
    _log_pull(store, feed, origin, pull)
    return pull


def _log_pull(store: RawStore, feed: ApiFeed, origin: str, pull: AccountPull) -> None:
    table = RAW_TABLES["load_log"]
    record = {
        "load_id": pull.load_id,
        "origin": origin,
        "kind": f"api:{feed.source}",
        "target_table": feed.table.name,
        "client_id": pull.client_id,
        "account_id": pull.account_id,
        "status": pull.status,
        "row_count": pull.rows,
        "date_from": pull.date_from,
        "date_to": pull.date_to,
        "error": None if pull.error is None else f"{pull.error_type}: {pull.error}",
        "sha256": None,
        "loaded_at": _now(),
    }
    store.bulk_load(table, to_arrow(table, [record]))
