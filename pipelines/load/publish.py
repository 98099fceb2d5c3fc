"""Publish the marts into a fresh serving DuckDB file and swap it in atomically.

The dashboard reads only the serving file, read-only and briefly. The build file is written
by the pipeline alone. After the models and their blocking tests pass, :func:`publish` copies
the public marts into a new file next to the serving one, checkpoints and closes it, checks
it, and ``os.replace``-s it over the old one: a reader sees either the previous complete
version or the new complete version, never a half-written one. If anything fails before the
swap, the previous serving file is untouched, and so is it when the process is killed: the
temporary copy a killed publish leaves behind is removed by the next one. A full disk is
reported as such (:class:`DiskFullError`: which file, which folder, how much is free).

Each table is written in the order the dashboard reads it: by client, then by its day or month
column (:data:`SORT_COLUMNS`). DuckDB keeps a minimum and maximum per column for every row group
(~122 k rows), so a page's query for one client and period reads that client's few row groups
instead of scanning the whole table.
"""

from __future__ import annotations

import datetime as dt
import errno
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.load.faults import fault_point
from pipelines.load.warehouse import _check_ident

__all__ = [
    "PUBLIC_MARTS",
    "SORT_COLUMNS",
    "DiskFullError",
    "MartReader",
    "PublishResult",
    "publish",
    "read_publish_meta",
    "remove_leftovers",
    "sort_order",
]

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

SORT_COLUMNS: tuple[str, ...] = ("client_id", "date", "month", "lead_date", "paid_on")
"""A published table is sorted by ``client_id`` and the first of the others it has (whichever it has)."""


def sort_order(columns: list[str]) -> list[str]:
    """The columns a published table is sorted by, of its ``columns``: client first, then its day."""
    order = ["client_id"] if "client_id" in columns else []
    day = next((c for c in SORT_COLUMNS[1:] if c in columns), None)
    return order + ([day] if day else [])


class DiskFullError(OSError):
    """No space left while writing the new serving copy; the serving file is untouched."""


@dataclass(frozen=True)
class PublishResult:
    path: Path | str
    """The serving file, or the serving schema's name (``pipelines.load.publish_schema``)."""
    row_counts: dict[str, int]
    published_at: dt.datetime
    data_cutoff: dt.date | None


MartReader = Callable[[str, str], pa.Table]
"""Another warehouse's marts as Arrow (``(schema, table) -> rows``): Spark's
(``pipelines.load.spark.SparkRawStore.read_table``), published into the serving file as
DuckDB's own build file is."""


def publish(
    build_db: Path | MartReader,
    serving_db: Path,
    *,
    as_of_date: dt.date,
    run_id: str,
    tables: tuple[str, ...] = PUBLIC_MARTS,
    source_schema: str = "marts",
) -> PublishResult:
    _check_ident(*tables, source_schema)
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(serving_db)
    tmp = serving_db.with_name(f".{serving_db.name}.{uuid.uuid4().hex}.tmp")
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counts: dict[str, int] = {}
    try:
        con = duckdb.connect(str(tmp))
        try:
            attached = isinstance(build_db, Path)
            if attached:
                con.execute("ATTACH ? AS build (READ_ONLY)", [str(build_db)])
            for name in tables:
                if isinstance(build_db, Path):
                    columns = [
                        str(r[0])
                        for r in con.execute(
                            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'build' "
                            "AND schema_name = ? AND table_name = ?",
                            [source_schema, name],
                        ).fetchall()
                    ]
                    source = f"build.{source_schema}.{name}"
                else:
                    incoming = build_db(source_schema, name)
                    con.register("_incoming", incoming)
                    columns, source = list(incoming.column_names), "_incoming"
                order = sort_order(columns)
                by = f" ORDER BY {', '.join(order)}" if order else ""
                con.execute(f"CREATE TABLE main.{name} AS SELECT * FROM {source}{by}")  # noqa: S608
                if not attached:
                    con.unregister("_incoming")
                rows = con.execute(f"SELECT count(*) FROM main.{name}").fetchall()  # noqa: S608
                counts[name] = int(rows[0][0]) if rows else 0
                fault_point("publish-write", path=str(tmp))  # the fault suite: a full disk here
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
            if attached:
                con.execute("DETACH build")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _verify(tmp, tables)
        fault_point("publish")  # the fault suite: killed with the new copy written, not swapped in
        tmp.replace(serving_db)  # atomic rename (os.replace)
    except (OSError, duckdb.Error) as exc:
        if _disk_full(exc):
            raise _disk_full_error(tmp, serving_db) from exc
        raise
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return PublishResult(serving_db, counts, published_at, data_cutoff)


def remove_leftovers(serving_db: Path) -> list[Path]:
    """Delete the temporary copies (and their WAL files) of publishes that were killed."""
    leftovers = sorted(serving_db.parent.glob(f".{serving_db.name}.*.tmp*"))
    for path in leftovers:
        path.unlink(missing_ok=True)
    return leftovers


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    text = str(exc).lower()
    return "no space left on device" in text or "disk quota exceeded" in text


def _disk_full_error(tmp: Path, serving_db: Path) -> DiskFullError:
    try:
        free = f"{shutil.disk_usage(serving_db.parent).free / 2**20:,.0f} MB free"
    except OSError:
        free = "free space unknown"
    return DiskFullError(
        errno.ENOSPC,
        f"the disk is full: no space left writing the new serving copy {tmp} "
        f"(folder {serving_db.parent}, {free}); the serving file {serving_db} keeps its last good "
        "version. Free some space there and run the refresh again",
    )


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
