"""Every read of the published marts the reports make (the shared figures through :mod:`dashboard.queries`).

A report is read through one read-only connection (:class:`ServingReader`, a context manager),
opened for the report and closed when it is read: every figure of one report, and the run id
and data cut-off its manifest records, come from the same published version even if the
pipeline publishes a new one meanwhile (``os.replace`` leaves an open file intact; on
PostgreSQL the reader is pinned to one version schema, :mod:`dashboard.warehouse`). Values reach SQL only
as bound parameters (``$name``). The queries that make a report's figures are the dashboard's own
(:mod:`dashboard.queries`), run for one client, so a report and the dashboard show the same
numbers (``tests/reports/test_data_and_content.py`` checks the frames too). No Streamlit here:
``dashboard.data`` caches through Streamlit, which the reports must not import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import duckdb
import pandas as pd
import psycopg

from dashboard import queries
from dashboard.warehouse import (
    DuckDBServing,
    PostgresServing,
    ServingConnection,
    ServingNotPublishedError,
    ServingSource,
)
from reports.errors import ServingNotFoundError

__all__ = [
    "ClientInfo",
    "DuckDBServing",
    "PostgresServing",
    "Serving",
    "ServingMeta",
    "ServingReader",
    "ServingSource",
    "is_published",
    "serving_source",
]

Serving = Path | ServingSource
"""Where a report reads: the serving file's path, or a :mod:`dashboard.warehouse` source."""


def serving_source(settings: object) -> ServingSource:
    """Where the settings' readers read (``pipelines.load.settings.Settings``): the serving file,
    or the ``serving`` schema of the PostgreSQL warehouse (``AGENCY_WAREHOUSE=postgres``)."""
    if getattr(settings, "warehouse", "duckdb") == "postgres":
        pg = getattr(settings, "postgres", None)
        if pg is None:
            return PostgresServing.from_env()
        return PostgresServing(host=pg.host, port=pg.port, user=pg.user, dbname=pg.dbname)
    return DuckDBServing(Path(getattr(settings, "serving_db")))  # noqa: B009


def _source(serving: Serving) -> ServingSource:
    return DuckDBServing(serving) if isinstance(serving, Path) else serving


def is_published(serving: Serving) -> bool:
    """Whether something is published where ``serving`` points."""
    source = _source(serving)
    if isinstance(source, DuckDBServing):
        return source.path.is_file()
    try:
        with source.connect() as con:
            con.version  # noqa: B018 - resolving it is the question
    except ServingNotPublishedError:
        return False
    return True


@dataclass(frozen=True)
class ServingMeta:
    """The serving file's ``_publish_meta`` row."""

    path: Path | str
    """The serving file, or where in PostgreSQL the version read is."""
    run_id: str | None
    data_cutoff: dt.date | None
    """The last day with data (``max(date)`` of ``client_channel_daily``)."""
    as_of_date: dt.date
    published_at: dt.datetime | None
    """When the file was published (UTC, timezone-aware)."""

    @property
    def last_full_day(self) -> dt.date:
        """The last day a report may include: data_cutoff, but never as_of_date or later
        (the same rule as the dashboard's ``PublishMeta.last_full_day``)."""
        yesterday = self.as_of_date - dt.timedelta(days=1)
        return min(self.data_cutoff, yesterday) if self.data_cutoff else yesterday


@dataclass(frozen=True)
class ClientInfo:
    """A ``dim_clients`` row."""

    client_id: str
    name: str
    manager_id: str
    manager_name: str
    currency: str
    timezone: str
    start_date: dt.date | None
    end_date: dt.date | None


def _date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


class ServingReader:
    """One read-only connection for the reads of one report (or one batch's list of clients):
    the serving file held open, or a PostgreSQL connection pinned to one published version. Use
    as a context manager; the connection is closed on exit."""

    def __init__(self, serving: Serving) -> None:
        source = _source(serving)
        self.path: Path | str = source.path if isinstance(source, DuckDBServing) else source.location
        try:
            self._con: ServingConnection | None = source.connect(hold=True)
            if isinstance(source, PostgresServing):
                self.path = f"{self._con.version} ({source.location})"
        except ServingNotPublishedError:
            raise ServingNotFoundError(self.path) from None

    def __enter__(self) -> ServingReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def _query(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        if self._con is None:
            raise RuntimeError("the serving file is closed")
        return self._con.query(sql, params)

    def meta(self) -> ServingMeta:
        df = self._query("select published_at, as_of_date, run_id, data_cutoff from _publish_meta limit 1")
        if df.empty:
            raise ServingNotFoundError(self.path)
        row = df.iloc[0]
        published = row["published_at"]
        as_of = _date(row["as_of_date"])
        if as_of is None:
            raise ServingNotFoundError(self.path)
        return ServingMeta(
            path=self.path,
            run_id=None if pd.isna(row["run_id"]) else str(row["run_id"]),
            data_cutoff=_date(row["data_cutoff"]),
            as_of_date=as_of,
            published_at=None
            if pd.isna(published)
            else pd.Timestamp(published).tz_localize("UTC").to_pydatetime(),
        )

    def clients(self) -> list[ClientInfo]:
        """Every published client (``dim_clients``), by name."""
        df = self._query(
            """
            select client_id, client_name, manager_id, manager_name, currency, timezone, start_date, end_date
            from dim_clients
            order by client_name, client_id
            """
        )
        return [
            ClientInfo(
                client_id=str(row["client_id"]),
                name=str(row["client_name"]),
                manager_id=str(row["manager_id"]),
                manager_name=str(row["manager_name"]),
                currency=str(row["currency"]),
                timezone=str(row["timezone"]),
                start_date=_date(row["start_date"]),
                end_date=_date(row["end_date"]),
            )
            for row in df.to_dict("records")
        ]

    def channel_names(self) -> dict[str, tuple[str, str]]:
        """Channel code -> (Russian name, English name) from ``dim_channels``."""
        df = self._query(queries.CHANNEL_NAMES)
        return {
            str(c): (str(ru), str(en))
            for c, ru, en in zip(df["channel"], df["name_ru"], df["name_en"], strict=True)
        }

    def metric_passport(self) -> dict[str, tuple[str, str | None]]:
        """Metric code -> (VAT: net | gross | none, currency: RUB | client | None) from the
        published ``metric_passport`` (empty when the serving file predates it)."""
        try:
            df = self._query("select metric, vat, currency from metric_passport")
        except (duckdb.CatalogException, psycopg.errors.UndefinedTable):
            return {}
        return {
            str(m): (str(v), None if c is None or pd.isna(c) else str(c))
            for m, v, c in zip(df["metric"], df["vat"], df["currency"], strict=True)
        }

    def source_names(self) -> dict[str, tuple[str, str]]:
        """Source code -> (Russian name, English name) from ``dim_sources``."""
        df = self._query(queries.SOURCE_NAMES)
        return {
            str(s): (str(ru), str(en))
            for s, ru, en in zip(df["source"], df["label_ru"], df["label_en"], strict=True)
        }

    def channel_results(self, client_id: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Sums per channel over ``start``..``end`` plus the totals row (channel NULL, last): the
        columns of ``dashboard.data.channel_results``. Empty when the client has no rows."""
        return self._query(
            queries.CHANNEL_RESULTS,
            {"clients": [client_id], "client_id": client_id, "start": start, "end": end},
        )

    def daily_results(self, client_id: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Totals per day, every day of ``start``..``end`` present (zeros when quiet): date, spend,
        impressions, clicks, calls, target_calls, leads."""
        return self._query(
            queries.DAILY_RESULTS,
            {"clients": [client_id], "client_id": client_id, "start": start, "end": end},
        )

    def monthly_plan(self, client_id: str, first_month: dt.date, last_month: dt.date) -> pd.DataFrame:
        """``client_monthly`` rows (actual vs plan) for ``first_month``..``last_month`` (first days)."""
        return self._query(
            queries.MONTHLY_PLAN,
            {
                "clients": [client_id],
                "client_id": client_id,
                "first_month": first_month,
                "last_month": last_month,
            },
        )

    def top_campaigns(self, client_id: str, start: dt.date, end: dt.date, limit: int = 10) -> pd.DataFrame:
        """The campaigns with the most spend: channel, platform_account_id, campaign_id,
        campaign_name, spend, impressions, clicks."""
        return self._query(
            queries.TOP_CAMPAIGNS,
            {"clients": [client_id], "client_id": client_id, "start": start, "end": end, "limit": limit},
        )

    def source_freshness(self, client_id: str) -> pd.DataFrame:
        """The client's ``source_freshness`` rows, daily feeds (ads, calls) first."""
        return self._query(
            queries.SOURCE_FRESHNESS,
            {"clients": [client_id], "client_id": client_id},
        )
