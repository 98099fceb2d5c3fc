"""The readiness gate: whether a client's report for a period rests on settled data.

A report leaves the building only when its period is settled for that client:

- every account the client has for an API source was pulled for every day of the period and no
  later attempt on those days failed (``account_coverage``: a ``covered`` run spans the period);
- no attempt on a day of the period failed since its last good load (a ``failed`` run overlaps);
- the restatement window after the period's end has passed (platforms revise recent days: the
  nightly run re-pulls ads for ``agency.restatement.ads_days`` days, calls and leads for
  ``calls_days``; a day is final the day after its last re-pull);
- something is published (the serving file, or PostgreSQL's serving schema: published only
  after the blocking checks passed, so a data problem that failed a check leaves the coverage
  short of the period and holds the report).

Exports dropped into the inbox do not state their period (a file of form requests covers the
days that had requests), so an account fed by files cannot be proved complete: it holds the
report only when a file for it was rejected on a day of the period or nothing of it was ever
loaded. The period is the client's part of it (from its start date, to its end date).

The answer is codes and figures, never prose: :mod:`dashboard.i18n` words them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dashboard.periods import Period
from dashboard.warehouse import DuckDBServing, ServingNotPublishedError, ServingSource
from pipelines.load.config import AgencyConfig
from pipelines.load.sources import SOURCES
from reports.errors import ReportError, ServingNotFoundError, UnknownClientError

__all__ = ["Coverage", "Hold", "HoldCode", "Readiness", "check_readiness", "read_coverage"]

HoldCode = Literal["not_served", "account_not_covered", "account_failed", "restatement_open"]


@dataclass(frozen=True)
class Hold:
    """Why a report is held: ``code`` and what it is about."""

    code: HoldCode
    source: str | None = None
    account_id: str | None = None
    covered_to: dt.date | None = None
    """``account_not_covered``: the last settled day of the account's run that starts within
    the period (None when nothing of the period is settled)."""
    settles_on: dt.date | None = None
    """``restatement_open``: the first day the period is final."""
    error: str | None = None
    """``account_failed``: the failure's message (credentials redacted by the loader)."""


@dataclass(frozen=True)
class Readiness:
    client_id: str
    period: Period
    """The client's part of the asked period."""
    holds: tuple[Hold, ...]

    @property
    def ready(self) -> bool:
        return not self.holds


@dataclass(frozen=True)
class _Run:
    source: str
    account_id: str
    status: str
    day_from: dt.date
    day_to: dt.date
    error: str | None


Coverage = Mapping[str, Sequence[_Run]]
"""Client id -> its accounts' runs (``account_coverage``), as :func:`read_coverage` reads them."""


def read_coverage(serving_db: Path | ServingSource, client_ids: Sequence[str]) -> dict[str, list[_Run]]:
    """Every run of the clients' accounts, read at once (a page checking many clients), from the
    serving file or PostgreSQL's published version (:mod:`dashboard.warehouse`)."""
    source = DuckDBServing(serving_db) if isinstance(serving_db, Path) else serving_db
    try:
        with source.connect(hold=True) as con:
            listed = con.query(
                "select table_name from information_schema.tables where table_schema = current_schema()"
            )
            if "account_coverage" not in set(listed["table_name"]):
                raise ReportError(
                    f"{source.location} has no account_coverage: it was published by an older version; "
                    "run a refresh (make refresh) before sending reports"
                )
            rows = con.rows(
                "select client_id, source, account_id, status, day_from, day_to, last_error "
                "from account_coverage where client_id in (select unnest($clients::varchar[])) "
                "order by client_id, source, account_id, day_from",
                {"clients": list(client_ids)},
            )
    except ServingNotPublishedError:
        raise ServingNotFoundError(serving_db if isinstance(serving_db, Path) else source.location) from None
    runs: dict[str, list[_Run]] = {c: [] for c in client_ids}
    for client_id, *row in rows:
        runs[client_id].append(_Run(*row))
    return runs


def check_readiness(
    serving_db: Path | ServingSource,
    config: AgencyConfig,
    client_id: str,
    period: Period,
    as_of: dt.date,
    *,
    coverage: Coverage | None = None,
) -> Readiness:
    """Whether ``client_id``'s report for ``period`` may be sent on ``as_of`` (the run's day).
    ``coverage`` (:func:`read_coverage`) spares reading the serving file again."""
    try:
        client = config.client(client_id)
    except KeyError:
        raise UnknownClientError(client_id) from None
    start = max(period.start, client.start_date)
    end = min(period.end, client.end_date) if client.end_date else period.end
    served = Period(start, end)
    if served.is_empty:
        return Readiness(client_id, served, (Hold("not_served"),))
    runs = coverage[client_id] if coverage is not None and client_id in coverage else None
    if runs is None:
        runs = read_coverage(serving_db, [client_id])[client_id]
    holds: list[Hold] = []
    settles: list[dt.date] = []
    for account in client.accounts:
        source = SOURCES[account.source]
        mine = [r for r in runs if r.source == account.source and r.account_id == account.id]
        failed = [r for r in mine if r.status == "failed" and r.day_from <= end and r.day_to >= start]
        holds.extend(Hold("account_failed", account.source, account.id, error=r.error) for r in failed[-1:])
        covered = [r for r in mine if r.status == "covered"]
        if account.pulled_via_api:
            spanning = any(r.day_from <= start and r.day_to >= end for r in covered)
            if not spanning and not failed:
                reached = [r.day_to for r in covered if r.day_from <= start and r.day_to >= start]
                holds.append(
                    Hold(
                        "account_not_covered",
                        account.source,
                        account.id,
                        covered_to=max(reached) if reached else None,
                    )
                )
            days = config.agency.restatement.days(source.restatement_kind)
            settles.append(end + dt.timedelta(days=days + 1))
        elif not covered and not failed:
            holds.append(Hold("account_not_covered", account.source, account.id))
    if settles and as_of < max(settles):
        holds.append(Hold("restatement_open", settles_on=max(settles)))
    return Readiness(client_id, served, tuple(holds))
