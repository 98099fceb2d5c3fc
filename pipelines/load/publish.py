"""Publish the marts into a fresh serving DuckDB file and swap it in atomically.

The dashboard reads only the serving file, read-only and briefly. The build file is written
by the pipeline alone. After the models and their blocking tests pass, :func:`publish` copies
the public marts into a new file next to the serving one, checkpoints and closes it, checks
it, and ``os.replace``-s it over the old one: a reader sees either the previous complete
version or the new complete version, never a half-written one. If anything fails before the
swap, the previous serving file is untouched.

Each table is written in the order the dashboard reads it: by client, then by its day or month
column (:data:`SORT_COLUMNS`). DuckDB keeps a minimum and maximum per column for every row group
(~122 k rows), so a page's query for one client and period reads that client's few row groups
instead of scanning the whole table.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

__all__ = ["PUBLIC_MARTS", "SORT_COLUMNS", "PublishResult", "publish", "read_publish_meta", "sort_order"]

PUBLIC_MARTS: tuple[str, ...] = (
    "dim_clients",
    "dim_sources",
    "client_channel_daily",
    "client_campaign_daily",
    "invoices",
    "payments",
    "client_monthly",
    "manager_portfolio",
    "source_freshness",
    "client_status",
    "client_health_reasons",
    "dim_channels",
    "lead_ledger",
    "lead_reconciliation",
    "account_coverage",
    "client_revenue_monthly",
    "client_lifecycle_monthly",
    "client_cohorts",
    "receivables_monthly",
    "expected_inflows",
    "manager_economics_monthly",
    "monthly_comparisons",
    "metric_passport",
    "ad_account_balances",
)
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")

SORT_COLUMNS: tuple[str, ...] = ("client_id", "date", "month", "lead_date", "paid_on")
"""A published table is sorted by ``client_id`` and the first of the others it has (whichever it has)."""


def sort_order(columns: list[str]) -> list[str]:
    """The columns a published table is sorted by, of its ``columns``: client first, then its day."""
    order = ["client_id"] if "client_id" in columns else []
    day = next((c for c in SORT_COLUMNS[1:] if c in columns), None)
    return order + ([day] if day else [])


@dataclass(frozen=True)
class PublishResult:
    path: Path
    row_counts: dict[str, int]
    published_at: dt.datetime
    data_cutoff: dt.date | None


def publish(
    build_db: Path,
    serving_db: Path,
    *,
    as_of_date: dt.date,
    run_id: str,
    tables: tuple[str, ...] = PUBLIC_MARTS,
    source_schema: str = "marts",
) -> PublishResult:
    for name in (*tables, source_schema):
        if not _IDENT.match(name):
            raise ValueError(f"not a safe table name: {name!r}")
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    tmp = serving_db.with_name(f".{serving_db.name}.{uuid.uuid4().hex}.tmp")
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counts: dict[str, int] = {}
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute("ATTACH ? AS build (READ_ONLY)", [str(build_db)])
            for name in tables:
                columns = [
                    str(r[0])
                    for r in con.execute(
                        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'build' "
                        "AND schema_name = ? AND table_name = ?",
                        [source_schema, name],
                    ).fetchall()
                ]
                order = sort_order(columns)
                by = f" ORDER BY {', '.join(order)}" if order else ""
                con.execute(f"CREATE TABLE main.{name} AS SELECT * FROM build.{source_schema}.{name}{by}")  # noqa: S608
                row = con.execute(f"SELECT count(*) FROM main.{name}").fetchone()  # noqa: S608
                counts[name] = int(row[0]) if row else 0
            cutoff_row = (
                con.execute("SELECT max(date) FROM main.client_channel_daily").fetchone()
                if "client_channel_daily" in tables
                else None
            )
            data_cutoff = cutoff_row[0] if cutoff_row else None
            con.execute(
                "CREATE TABLE main._publish_meta AS SELECT CAST(? AS TIMESTAMP) AS published_at, "
                "CAST(? AS DATE) AS as_of_date, CAST(? AS VARCHAR) AS run_id, CAST(? AS DATE) AS data_cutoff",
                [published_at, as_of_date, run_id, data_cutoff],
            )
            con.execute("DETACH build")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _verify(tmp, tables)
        tmp.replace(serving_db)  # atomic rename (os.replace)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return PublishResult(serving_db, counts, published_at, data_cutoff)


def _verify(path: Path, tables: tuple[str, ...]) -> None:
    """Open the new file read-only the way the dashboard will, and check every table is there."""
    with duckdb.connect(str(path), read_only=True) as con:
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    missing = sorted(set(tables) - present)
    if missing:
        raise RuntimeError(f"the new serving file lacks {', '.join(missing)}; not published")


def read_publish_meta(serving_db: Path) -> dict[str, object] | None:
    """The ``_publish_meta`` row of the current serving file, or None if nothing is published."""
    if not serving_db.exists():
        return None
    with duckdb.connect(str(serving_db), read_only=True) as con:
        cur = con.execute("SELECT * FROM _publish_meta")
        row = cur.fetchone()
        names = [d[0] for d in cur.description or ()]
    return dict(zip(names, row, strict=True)) if row else None
