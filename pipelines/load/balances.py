"""Snapshots of the money left on the clients' ad accounts (``raw.ad_account_balances``).

For each source of the registry that reads balances (``Source.balance``: Yandex Direct's shared
account), :func:`pull_balances` asks the vendor about every account pulled ``via: api`` of the
clients still served, one request per token (the connector batches the logins), and appends one
row per account answered, stamped with the moment it asked. Every account gets its own
``raw.load_log`` row (kind ``balance:<source>``, no days): ``loaded``, or ``failed`` with the
vendor's message (a whole request failing fails each of its accounts). Nothing raises for one
account; earlier snapshots are never touched.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from connectors.errors import ConnectorError
from connectors.http import redact
from connectors.yandex_direct import AccountBalance
from pipelines.load.config import Account, AgencyConfig, Client
from pipelines.load.pull import accounts_to_pull, utc_now
from pipelines.load.raw_schema import RAW_TABLES
from pipelines.load.sources import BALANCE_SOURCES, SOURCES
from pipelines.load.vendors import AccountRequest, VendorApis
from pipelines.load.warehouse import RawStore, log_load, to_arrow

__all__ = ["BalancePull", "BalanceReport", "pull_balances"]

log = logging.getLogger(__name__)
TABLE = RAW_TABLES["ad_account_balances"]


@dataclass(frozen=True)
class BalancePull:
    client_id: str
    source: str
    account_id: str
    status: Literal["loaded", "failed"]
    amount: str | None = None
    currency: str | None = None
    error: str | None = None

    @property
    def where(self) -> str:
        return f"{self.client_id} / {self.source} {self.account_id}"


@dataclass
class BalanceReport:
    pulls: list[BalancePull] = field(default_factory=list)

    @property
    def loaded(self) -> list[BalancePull]:
        return [p for p in self.pulls if p.status == "loaded"]

    @property
    def failed(self) -> list[BalancePull]:
        return [p for p in self.pulls if p.status == "failed"]


def _serving(client: Client, today: dt.date) -> bool:
    return client.end_date is None or client.end_date >= today


def pull_balances(
    *,
    config: AgencyConfig,
    store: RawStore,
    apis: VendorApis,
    today: dt.date | None = None,
    clients: Iterable[str] | None = None,
    now: Callable[[], dt.datetime] = utc_now,
    log_line: Callable[[str], None] = log.info,
) -> BalanceReport:
    """Read and store the balance of every API account of the clients served on ``today``."""
    today = today or dt.date.today()
    report = BalanceReport()
    for name in BALANCE_SOURCES:
        source = SOURCES[name]
        assert source.balance is not None
        groups: dict[tuple[str, ...], list[tuple[Client, Account]]] = defaultdict(list)
        for client, account in accounts_to_pull(config, name, clients):
            if _serving(client, today):
                wanted = list(source.credentials)
                if account.credentials_env:
                    wanted[-1] = account.credentials_env
                groups[tuple(wanted)].append((client, account))
        for names, accounts in groups.items():
            as_of = now()
            try:
                values = tuple(apis.credential(n, f"{source.title} credential") for n in names)
                answer = source.balance(apis, values, [AccountRequest(id=a.id) for _, a in accounts])
                found = {b.login: b for b in answer.accounts}
                failures = dict(answer.failures)
            except ConnectorError as exc:
                found, failures = {}, {a.id: f"{type(exc).__name__}: {exc}" for _, a in accounts}
            except Exception as exc:
                trace = traceback.format_exc(limit=8)
                text = redact(f"{type(exc).__name__}: {exc}\n{trace}", apis.secrets())
                found, failures = {}, {a.id: text for _, a in accounts}
            pulls = _store(store, name, accounts, found, failures, as_of)
            for pull in pulls:
                report.pulls.append(pull)
                if pull.status == "loaded":
                    log_line(f"{pull.where}: balance {pull.amount} {pull.currency}")
                else:
                    log_line(f"FAILED balance of {pull.where}: {pull.error}")
    return report


def _store(
    store: RawStore,
    source: str,
    accounts: list[tuple[Client, Account]],
    found: dict[str, AccountBalance],
    failures: dict[str, str],
    as_of: dt.datetime,
) -> list[BalancePull]:
    origin = f"api:{source}/balance/{as_of:%Y%m%dT%H%M%S}"
    rows = []
    pulls: list[tuple[BalancePull, str]] = []
    for client, account in accounts:
        load_id = uuid.uuid4().hex
        balance = found.get(account.id)
        if balance is None:
            error = failures.get(account.id, "no balance returned")
            pulls.append((BalancePull(client.id, source, account.id, "failed", error=error), load_id))
            continue
        rows.append(
            {
                "client_id": client.id,
                "source": source,
                "account_id": account.id,
                "balance_account_id": balance.account_id,
                "amount": balance.amount,
                "currency": balance.currency,
                "as_of": as_of,
                "_origin": origin,
                "_load_id": load_id,
                "_loaded_at": utc_now(),
            }
        )
        pull = BalancePull(client.id, source, account.id, "loaded", str(balance.amount), balance.currency)
        pulls.append((pull, load_id))
    with store.transaction():
        if rows:
            store.upsert(TABLE, to_arrow(TABLE, rows))
        for pull, load_id in pulls:
            log_load(
                store,
                load_id=load_id,
                origin=origin,
                kind=f"balance:{source}",
                target_table=TABLE.name,
                client_id=pull.client_id,
                account_id=pull.account_id,
                status=pull.status,
                row_count=1 if pull.status == "loaded" else 0,
                error=pull.error,
            )
    return [pull for pull, _ in pulls]
