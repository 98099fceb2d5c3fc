"""Day-by-day pulls from the vendors' APIs into the raw layer.

For each API source of the registry (:mod:`pipelines.load.sources`), :func:`pull_source` walks
every configured client account pulled ``via: api``, asks the vendor for the requested days
(clipped to the client's contract), and loads the answer in one transaction with its
``raw.load_log`` row:

- ad statistics **replace the partition**: the account's rows for exactly those days are
  deleted and the new ones inserted, so a re-run or a restatement never appends twice;
- calls are **upserted** by call id (a call pulled again replaces its earlier copy).

A failing account never stops the others: the error (the vendor's own message, never a token)
goes to ``raw.load_log`` as a ``failed`` row and to the returned :class:`PullReport`, which
names each client, source and account that failed and why. Nothing already loaded for that
account is touched.

Credentials come from the environment (``.env``): each source's ``credentials`` in the registry.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from connectors._result import ParseResult
from connectors.errors import ConnectorError
from connectors.http import redact
from pipelines.load.config import Account, AgencyConfig, Client
from pipelines.load.faults import fault_point
from pipelines.load.sources import SOURCES, Source
from pipelines.load.vendors import AccountRequest, VendorApis
from pipelines.load.warehouse import RawStore, log_load, to_arrow

__all__ = [
    "AccountPull",
    "PullReport",
    "account_window",
    "accounts_to_pull",
    "fetch_account",
    "pull_source",
    "utc_now",
]

log = logging.getLogger(__name__)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def fetch_account(
    apis: VendorApis,
    source: Source,
    account: Account,
    date_from: dt.date,
    date_to: dt.date,
    *,
    timezone: str = "Europe/Moscow",
) -> ParseResult:
    """The account's rows for ``date_from..date_to`` straight from the vendor.

    ``timezone``: the account's zone (its own, else its client's), where its days are cut."""
    if source.fetch is None:
        raise ValueError(f"{source.name!r} has no API connector")
    names = list(source.credentials)
    if account.credentials_env:
        names[-1] = account.credentials_env
    values = tuple(apis.credential(name, f"{source.title} credential") for name in names)
    request = AccountRequest(
        id=account.id,
        timezone=account.timezone or timezone,
        goal_ids=account.goals,
        attribution=account.attribution,
    )
    return source.fetch(apis, values, request, date_from, date_to)


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
    registered = SOURCES[source]
    report = PullReport(source, date_from, date_to)
    for client, account in accounts_to_pull(config, source, clients):
        window = account_window(client, date_from, date_to)
        if window is None:
            continue
        outcome = _pull_account(registered, client, account, window, store, apis)
        report.pulls.append(outcome)
        if outcome.status == "loaded":
            log_line(f"{outcome.where}: {outcome.rows} rows into {registered.raw_table.qualified}")
            fault_point("load")  # the fault suite: killed with one account committed
        else:
            log_line(f"FAILED {outcome.where}: {outcome.error_type}: {outcome.error}")
    return report


def _pull_account(
    registered: Source,
    client: Client,
    account: Account,
    window: tuple[dt.date, dt.date],
    store: RawStore,
    apis: VendorApis,
) -> AccountPull:
    date_from, date_to = window
    load_id = uuid.uuid4().hex
    origin = f"api:{registered.name}/{account.id}/{date_from:%Y%m%d}-{date_to:%Y%m%d}"
    base: dict[str, Any] = {"client_id": client.id, "source": registered.name, "account_id": account.id}
    try:
        result = fetch_account(
            apis, registered, account, date_from, date_to, timezone=client.account_timezone(account)
        )
        loaded_at = utc_now()
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
        data = to_arrow(registered.raw_table, rows)
        with store.transaction():
            if registered.replaces_days:
                n = store.replace_partition(
                    registered.raw_table,
                    data,
                    partition={"client_id": client.id, "account_id": account.id},
                    date_from=date_from,
                    date_to=date_to,
                )
            else:
                n = store.upsert(registered.raw_table, data)
            pull = AccountPull(
                **base, date_from=date_from, date_to=date_to, status="loaded", rows=n, load_id=load_id
            )
            _log_pull(store, registered, origin, pull)
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
    _log_pull(store, registered, origin, pull)
    return pull


def _log_pull(store: RawStore, registered: Source, origin: str, pull: AccountPull) -> None:
    log_load(
        store,
        load_id=pull.load_id,
        origin=origin,
        kind=f"api:{registered.name}",
        target_table=registered.raw_table.name,
        client_id=pull.client_id,
        account_id=pull.account_id,
        status=pull.status,
        row_count=pull.rows,
        date_from=pull.date_from,
        date_to=pull.date_to,
        error=None if pull.error is None else f"{pull.error_type}: {pull.error}",
    )
