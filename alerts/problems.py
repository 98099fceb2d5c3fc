"""What is wrong with the data now, read from the published serving file: the problems a check
hands to :meth:`alerts.incidents.IncidentLog.reconcile`.

- ``account_failed``: the last attempt at an account's days failed (``account_coverage``: its
  latest run is ``failed``); the detail carries the vendor's (or the parser's) message and since
  when. An expired token, a revoked access, a vendor down all night.
- ``account_stale``: an account pulled through an API whose covered days end more than
  ``alerts.stale_after_days`` before yesterday although no attempt failed (the pull did not run,
  or skipped it). Freshness by coverage, not by "the last day with a row": a client that had no
  calls yesterday is not stale, one whose calls were never pulled is.
- ``report_held``: a client's report that is due is held by the readiness gate (the hold codes).
- ``balance_low``: an ad account of a client still served whose money lasts fewer days than
  ``alerts.balance_days_left`` at its last 7 days' spend, or is gone (``ad_account_balances``:
  status ``low`` or ``empty``); the detail carries the amount, currency, days left and spend.
  One incident per account from the first low night until the account is topped up.
- ``source_stale``: ``dbt source freshness`` of the last refresh found a raw table whose newest
  load is older than its ``warn_after``/``error_after`` (``<data>/logs/source_freshness.json``,
  :mod:`pipelines.load.freshness`): the whole feed stopped, not one account.

Every problem is named by a stable key, so the same failure on the next night is the same
incident.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from alerts.incidents import Problem
from reports.data import DuckDBServing, ServingSource, serving_source
from reports.readiness import read_coverage

if TYPE_CHECKING:
    from pipelines.load.config import AgencyConfig
    from pipelines.load.settings import Settings

__all__ = ["DATA_KINDS", "data_problems"]

DATA_KINDS: Final = frozenset(
    {"account_failed", "account_stale", "report_held", "balance_low", "source_stale"}
)
"""The kinds :func:`data_problems` looks at (and so may resolve)."""


def _account_problems(settings: Settings, config: AgencyConfig, today: dt.date) -> list[Problem]:
    clients = [c for c in config.clients if c.end_date is None or c.end_date >= today - dt.timedelta(days=1)]
    coverage = read_coverage(serving_source(settings), [c.id for c in clients])
    yesterday = today - dt.timedelta(days=1)
    problems: list[Problem] = []
    for client in clients:
        for account in client.accounts:
            runs = [
                r for r in coverage[client.id] if (r.source, r.account_id) == (account.source, account.id)
            ]
            key = f"{account.source}:{account.id}"
            latest = max(runs, key=lambda r: r.day_to, default=None)
            where = {"source": account.source, "account_id": account.id}
            if latest is not None and latest.status == "failed":
                detail = {**where, "error": latest.error, "failed_from": latest.day_from.isoformat()}
                problems.append(Problem("account_failed", f"account_failed:{key}", client.id, detail))
                continue
            if not account.pulled_via_api:
                continue  # exports state no period: their coverage proves nothing (reports.readiness)
            covered_to = max((r.day_to for r in runs if r.status == "covered"), default=None)
            lag = None if covered_to is None else (yesterday - covered_to).days
            if lag is None or lag > config.alerts.stale_after_days:
                detail = {**where, "covered_to": None if covered_to is None else covered_to.isoformat()}
                problems.append(Problem("account_stale", f"account_stale:{key}", client.id, detail))
    return problems


def _held_reports(settings: Settings, config: AgencyConfig, today: dt.date) -> list[Problem]:
    from reports.status import report_states

    problems: list[Problem] = []
    for state in report_states(settings, config, today, [c.id for c in config.clients]):
        if state.state != "held":
            continue
        codes = sorted({h.code for h in state.holds})
        detail = {"period": state.period_name, "holds": codes}
        key = f"report_held:{state.client_id}:{state.period_name}"
        problems.append(Problem("report_held", key, state.client_id, detail))
    return problems


def _balance_rows(serving: Path | ServingSource, clients: Sequence[str]) -> list[tuple[object, ...]]:
    source = DuckDBServing(serving) if isinstance(serving, Path) else serving
    with source.connect(hold=True) as con:
        listed = con.rows(
            "select table_name from information_schema.tables where table_schema = current_schema()"
        )
        if "ad_account_balances" not in {name for (name,) in listed}:
            return []  # published before balances were read: nothing to say yet
        return con.rows(
            "select client_id, source, account_id, status, amount, currency, days_left, "
            "avg_daily_spend_7d, threshold_days from ad_account_balances "
            "where status in ('low', 'empty') and client_id in (select unnest($clients::varchar[])) "
            "order by client_id, source, account_id",
            {"clients": list(clients)},
        )


def _low_balances(settings: Settings, config: AgencyConfig, today: dt.date) -> list[Problem]:
    served = [c.id for c in config.clients if c.end_date is None or c.end_date >= today]
    problems = []
    for client, source, account, status, amount, currency, days, spend, threshold in _balance_rows(
        serving_source(settings), served
    ):
        detail = {
            "source": source,
            "account_id": account,
            "status": status,
            "amount": str(amount),
            "currency": currency,
            "days_left": None if days is None else str(days),
            "avg_daily_spend": str(spend),
            "threshold_days": threshold,
        }
        problems.append(Problem("balance_low", f"balance_low:{source}:{account}", str(client), detail))
    return problems


def _stale_sources(settings: Settings) -> list[Problem]:
    from pipelines.load.freshness import STALE, read_freshness

    return [
        Problem(
            "source_stale",
            f"source_stale:{r['source']}",
            None,
            {k: r.get(k) for k in ("source", "status", "max_loaded_at", "warn_after", "error_after")},
        )
        for r in read_freshness(settings.data_dir) or []
        if r.get("status") in STALE
    ]


def data_problems(settings: Settings, config: AgencyConfig, today: dt.date) -> list[Problem]:
    """Every problem of :data:`DATA_KINDS` in the serving file (and the last freshness check) as
    of ``today`` (Moscow)."""
    return (
        _account_problems(settings, config, today)
        + _held_reports(settings, config, today)
        + _low_balances(settings, config, today)
        + _stale_sources(settings)
    )


def sorted_problems(problems: Sequence[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.kind, p.key))
