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
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from connectors._result import ParseResult
from connectors.bitrix24 import Bitrix24Client, invoice_rows
from connectors.calltouch import CalltouchClient
from connectors.comagic import ComagicClient
from connectors.errors import ConnectorError
from connectors.http import RateLimiter, redact
from connectors.vk_ads import VkAdsClient, obtain_token
from connectors.yandex_direct import DirectReportsClient
from pipelines.config import Account, AgencyConfig, Client
from pipelines.raw_schema import RAW_TABLES, RawTable
from pipelines.warehouse import RawStore, log_load, to_arrow

__all__ = [
    "BITRIX24_WEBHOOK_ENV",
    "CREDENTIAL_ENV",
    "FEEDS",
    "AccountPull",
    "ApiFeed",
    "InvoicePull",
    "MissingCredentialError",
    "PullReport",
    "VendorApis",
    "pull_bitrix24_invoices",
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


BITRIX24_WEBHOOK_ENV = "BITRIX24_WEBHOOK_URL"
"""The agency's Bitrix24 incoming webhook (``https://<portal>/rest/<user>/<secret>/``), crm scope."""


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

    def bitrix24(self) -> Bitrix24Client | None:
        """The agency's Bitrix24 client, or None when no webhook is configured."""
        webhook = self.environ.get(BITRIX24_WEBHOOK_ENV, "").strip()
        if not webhook:
            return None
        self._used.append(webhook)
        return self._client("bitrix24", webhook, Bitrix24Client)  # type: ignore[no-any-return]

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
    log_load(
        store,
        load_id=pull.load_id,
        origin=origin,
        kind=f"api:{feed.source}",
        target_table=feed.table.name,
        client_id=pull.client_id,
        account_id=pull.account_id,
        status=pull.status,
        row_count=pull.rows,
        date_from=pull.date_from,
        date_to=pull.date_to,
        error=None if pull.error is None else f"{pull.error_type}: {pull.error}",
    )


# ---------------------------------------------------------------------------------------------
# Bitrix24 invoices (agency-wide, not partitioned by day)
# ---------------------------------------------------------------------------------------------


@dataclass
class InvoicePull:
    """One pull of the agency's Bitrix24 invoices into ``raw.invoice_register_rows``."""

    status: Literal["loaded", "failed", "not_configured"]
    updated_since: dt.date | None = None
    rows: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    """Invoices not loaded because their company is no configured client: company id -> count."""
    error: str | None = None


def pull_bitrix24_invoices(
    *,
    config: AgencyConfig,
    store: RawStore,
    apis: VendorApis,
    full: bool = False,
    overlap_days: int = 3,
) -> InvoicePull:
    """Upsert the Bitrix24 invoices of configured clients (``bitrix24_company_id``).

    Incremental: invoices changed since the last successful pull, less ``overlap_days``
    (everything on the first pull or with ``full``). Invoices of companies that are no
    configured client are counted in ``skipped``, not loaded; an invoice of a configured
    client that cannot be read fails the pull and names it (nothing is loaded then).
    """
    companies = {c.bitrix24_company_id: c for c in config.clients if c.bitrix24_company_id}
    load_id = uuid.uuid4().hex
    client = apis.bitrix24()
    if client is None:
        if not companies:
            return InvoicePull("not_configured")
        error = f"{BITRIX24_WEBHOOK_ENV} is not set, but clients have bitrix24_company_id"
        pull = InvoicePull("failed", error=f"MissingCredentialError: {error}")
        _log_invoice_pull(store, load_id, pull)
        return pull
    last = None if full else store.last_loaded_at("api:bitrix24")
    since = last.date() - dt.timedelta(days=overlap_days) if last is not None else None
    try:
        items = client.invoices(updated_since=since)
        ours = [i for i in items if str(i.get("companyId") or "0") in companies]
        skipped = Counter(
            str(i.get("companyId") or "0") for i in items if str(i.get("companyId") or "0") not in companies
        )
        inns = {company: c.inn for company, c in companies.items()}
        loaded_at = _now()
        origin = f"api:bitrix24/crm.item.list/{since or 'all'}"
        rows = [
            {
                **row,
                "client_id": companies[str(item["companyId"])].id,
                "_origin": origin,
                "_load_id": load_id,
                "_loaded_at": loaded_at,
            }
            for item, row in zip(ours, invoice_rows(ours, inns), strict=True)
        ]
        table = RAW_TABLES["invoice_register_rows"]
        with store.transaction():
            n = store.upsert(table, to_arrow(table, rows))
            pull = InvoicePull("loaded", since, n, dict(skipped))
            _log_invoice_pull(store, load_id, pull)
        return pull
    except ConnectorError as exc:
        pull = InvoicePull("failed", since, error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:
        pull = InvoicePull("failed", since, error=redact(f"{type(exc).__name__}: {exc}", apis.secrets()))
    _log_invoice_pull(store, load_id, pull)
    return pull


def _log_invoice_pull(store: RawStore, load_id: str, pull: InvoicePull) -> None:
    log_load(
        store,
        load_id=load_id,
        origin="api:bitrix24/crm.item.list",
        kind="api:bitrix24",
        target_table="invoice_register_rows",
        status=pull.status,
        row_count=pull.rows,
        date_from=pull.updated_since,
        error=pull.error,
    )
