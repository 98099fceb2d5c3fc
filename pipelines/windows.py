"""Which days a run pulls: the nightly restatement window, a full refresh, a backfill.

A run of the ``refresh`` job covers a range of daily partitions (``dagster/asset_partition_range_*``
tags) and tells the API assets, through their run config, whether to pull the whole range
(backfill, full refresh) or only each source's restatement window at its end (the nightly run).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pipelines.api_pull import FEEDS
from pipelines.config import AgencyConfig

__all__ = ["PARTITION_RANGE_END", "PARTITION_RANGE_START", "PullRange", "full_range", "nightly_range"]

PARTITION_RANGE_START = "dagster/asset_partition_range_start"
PARTITION_RANGE_END = "dagster/asset_partition_range_end"
PARTITIONS_FIRST_DAY = dt.date(2022, 1, 1)
"""Must equal ``pipelines.assets.PARTITIONS_START``."""


@dataclass(frozen=True)
class PullRange:
    first: dt.date
    last: dt.date
    restatement_only: bool = False
    clients: tuple[str, ...] = ()
    full_history: bool = False
    """Also pull every Bitrix24 invoice, not only those changed since the last pull."""

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the range ends ({self.last}) before it starts ({self.first})")
        if self.first < PARTITIONS_FIRST_DAY:
            raise ValueError(f"days before {PARTITIONS_FIRST_DAY} cannot be pulled (first partition)")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def tags(self) -> dict[str, str]:
        return {PARTITION_RANGE_START: self.first.isoformat(), PARTITION_RANGE_END: self.last.isoformat()}

    def run_config(self) -> dict[str, Any]:
        """Config of every API asset's op (the op of asset ``raw/<table>`` is ``raw__<table>``)."""
        config = {"restatement_only": self.restatement_only, "clients": list(self.clients)}
        ops: dict[str, Any] = {f"raw__{feed.table.name}": {"config": config} for feed in FEEDS.values()}
        ops["crm__bitrix24_invoices"] = {"config": {"full": self.full_history}}
        return {"ops": ops}

    def describe(self) -> str:
        what = "restatement windows ending" if self.restatement_only else "every day from"
        span = f"{self.last}" if self.restatement_only else f"{self.first} to {self.last}"
        who = f" for {', '.join(self.clients)}" if self.clients else ""
        return f"{what} {span}{who}"


def nightly_range(config: AgencyConfig | None, as_of: dt.date) -> PullRange:
    """The nightly run: partitions up to yesterday, wide enough for the longest restatement window."""
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
