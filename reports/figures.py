"""The numbers of one client's report, read from the serving file; no words yet.

:func:`read_figures` asks :class:`~reports.data.ServingReader` for everything a report shows:
the period's sums per channel and those of the two comparison periods, the days, the months'
plans, the top campaigns and the freshness of the client's sources. The period is clipped to the
serving file's last full day (a month still running is reported up to yesterday, and says so);
a period that starts after it has no days, and the report says there is no data yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from dashboard.i18n import ChannelNames
from dashboard.periods import Period
from dashboard.tables import Totals
from reports.data import ClientInfo, ServingMeta, ServingReader

__all__ = ["Figures", "read_figures"]


@dataclass(frozen=True)
class Figures:
    """Everything one client's report shows, for one period, as published."""

    meta: ServingMeta
    client: ClientInfo
    requested: Period
    """The days asked for."""
    period: Period
    """The days reported: ``requested`` up to the last full day of data (empty when none)."""
    previous: Period
    year_ago: Period
    channels: pd.DataFrame
    """``channel_results`` of the period (with its totals row, channel NULL)."""
    channels_previous: pd.DataFrame
    channels_year_ago: pd.DataFrame
    daily: pd.DataFrame
    monthly: pd.DataFrame
    """``client_monthly`` rows of the months the period touches."""
    campaigns: pd.DataFrame
    freshness: pd.DataFrame
    channel_names: ChannelNames
    source_names: ChannelNames
    passport: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)
    """The published metric passport: metric -> (VAT net | gross | none, currency RUB | client |
    None); the appendix states VAT and currency from it."""

    @property
    def totals(self) -> Totals:
        return Totals.from_channel_results(self.channels)

    @property
    def totals_previous(self) -> Totals:
        return Totals.from_channel_results(self.channels_previous)

    @property
    def totals_year_ago(self) -> Totals:
        return Totals.from_channel_results(self.channels_year_ago)

    @property
    def has_data(self) -> bool:
        """Whether the period has any row (spend, clicks, calls or leads) for the client."""
        return not self.channels.empty

    @property
    def year_ago_has_data(self) -> bool:
        return not self.channels_year_ago.empty

    @property
    def is_partial(self) -> bool:
        """The data stops before the requested period's last day (a month still running)."""
        return self.period.end < self.requested.end


def read_figures(reader: ServingReader, meta: ServingMeta, client: ClientInfo, requested: Period) -> Figures:
    """Read one client's figures for ``requested`` through an open reader."""
    period = requested.clipped(meta.last_full_day)
    previous, year_ago = period.previous(), period.year_ago()
    client_id = client.client_id
    first_month, last_month = period.months() if not period.is_empty else requested.months()
    return Figures(
        meta=meta,
        client=client,
        requested=requested,
        period=period,
        previous=previous,
        year_ago=year_ago,
        channels=reader.channel_results(client_id, period.start, period.end),
        channels_previous=reader.channel_results(client_id, previous.start, previous.end),
        channels_year_ago=reader.channel_results(client_id, year_ago.start, year_ago.end),
        daily=reader.daily_results(client_id, period.start, period.end),
        monthly=reader.monthly_plan(client_id, first_month, last_month),
        campaigns=reader.top_campaigns(client_id, period.start, period.end),
        freshness=reader.source_freshness(client_id),
        channel_names=reader.channel_names(),
        source_names=reader.source_names(),
        passport=reader.metric_passport(),
    )
