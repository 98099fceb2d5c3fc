"""Which days a run pulls: the nightly restatement window, a full refresh, a backfill.

The one answer to "which days does this run pull?": a run covers a :class:`PullRange` of days;
each API source then pulls either the whole range (backfill, full refresh) or only its own
restatement window at the range's end (the nightly run), see :func:`pull_window`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.load.config import AgencyConfig

__all__ = ["PARTITIONS_FIRST_DAY", "PullRange", "full_range", "nightly_range", "pull_window"]

PARTITIONS_FIRST_DAY = dt.date(2022, 1, 1)
"""Nothing before this day can be pulled (the first daily partition of the API assets)."""


@dataclass(frozen=True)
class PullRange:
    first: dt.date
    last: dt.date
    restatement_only: bool = False
    clients: tuple[str, ...] = ()
    full_history: bool = False
    """Also pull every Bitrix24 invoice, not only those changed since the last pull."""
    rebuild_models: bool = False
    """Rebuild every dbt model (``--full-refresh``), not only the windows loaded since the last
    build (a full refresh always does)."""

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the range ends ({self.last}) before it starts ({self.first})")
        if self.first < PARTITIONS_FIRST_DAY:
            raise ValueError(f"days before {PARTITIONS_FIRST_DAY} cannot be pulled (first partition)")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def describe(self) -> str:
        what = "restatement windows ending" if self.restatement_only else "every day from"
        span = f"{self.last}" if self.restatement_only else f"{self.first} to {self.last}"
        who = f" for {', '.join(self.clients)}" if self.clients else ""
        return f"{what} {span}{who}"


def nightly_range(config: AgencyConfig | None, as_of: dt.date) -> PullRange:
    """The nightly run: days up to yesterday, wide enough for the longest restatement window."""
    restatement = config.agency.restatement if config is not None else None
    days = max(restatement.ads_days, restatement.calls_days) if restatement is not None else 14
    last = as_of - dt.timedelta(days=1)
    return PullRange(last - dt.timedelta(days=days - 1), last, restatement_only=True)


def full_range(config: AgencyConfig, as_of: dt.date, clients: tuple[str, ...] = ()) -> PullRange:
    """Everything: from the agency's history start (else the earliest client start) to yesterday."""
    chosen = [c for c in config.clients if not clients or c.id in clients]
    first = config.agency.history_start or min((c.start_date for c in chosen), default=as_of)
    last = as_of - dt.timedelta(days=1)
    return PullRange(max(first, PARTITIONS_FIRST_DAY), last, clients=clients, full_history=True)


def pull_window(
    first: dt.date,
    last: dt.date,
    *,
    restatement_days: int | None,
    history_start: dt.date | None,
) -> tuple[dt.date, dt.date]:
    """The days one source pulls in a run covering ``first..last``: the whole range, or only
    the source's restatement window at its end (the nightly run); never before the history start."""
    if restatement_days is not None:
        first = max(first, last - dt.timedelta(days=restatement_days - 1))
    if history_start is not None:
        first = max(first, history_start)
    return first, last
