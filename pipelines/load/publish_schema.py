"""Publish the marts inside a server warehouse (PostgreSQL): a fresh schema, swapped in atomically.

The settled-data guarantee of the DuckDB serving file (``pipelines.load.publish``), in one
database: :func:`publish_schema` copies the public marts (sorted as the serving file's) and the
``_publish_meta`` row into a new schema ``serving_next_<id>``, checks that every table is there,
and in the same transaction renames the current ``serving`` schema away and the new one to
``serving``. Until that transaction commits nobody sees the new schema; when it commits, a
statement that names ``serving.<mart>`` resolves to the new complete version, one already running
finishes on the old one. If anything fails (or the process is killed) before the commit,
PostgreSQL rolls the whole publish back and ``serving`` keeps its last good version. Publishes are
serialised by an advisory lock.

The previous version (``serving_old_<id>``) is dropped after the swap, in its own transaction,
waiting at most :data:`DROP_LOCK_TIMEOUT` for readers still using its tables; if they keep it
longer it stays, and the next publish drops it.

Not yet: a statement reads one version, but a reader that reads several marts in one
REPEATABLE READ transaction across a swap sees the new tables empty (tables created after its
snapshot); the readers (dashboard, reports) are not on PostgreSQL yet (issue 20).
"""

from __future__ import annotations

import datetime as dt
import uuid

from pipelines.load.faults import fault_point
from pipelines.load.publish import PUBLIC_MARTS, PublishResult, sort_order
from pipelines.load.warehouse import SqlRawStore, _check_ident

__all__ = ["DROP_LOCK_TIMEOUT", "SERVING_SCHEMA", "publish_schema", "read_schema_publish_meta"]

SERVING_SCHEMA = "serving"
DROP_LOCK_TIMEOUT = "5s"
_LOCK = 7_202_020  # the advisory lock key of a publish (issue 20)


def _schemas_like(store: SqlRawStore, prefix: str) -> list[str]:
    where = f"schema_name LIKE {store.placeholder}"
    sql = f"SELECT schema_name FROM information_schema.schemata WHERE {where} ORDER BY 1"  # noqa: S608
    rows = store.query(sql, [prefix.replace("_", r"\_") + "%"])
    return [str(r[0]) for r in rows]


def _drop_old(store: SqlRawStore) -> list[str]:
    """Drop the versions swapped out earlier; the ones readers still hold stay for next time."""
    dropped = []
    for schema in _schemas_like(store, f"{SERVING_SCHEMA}_old_"):
        _check_ident(schema)
        try:
            with store.transaction():
                store.execute(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'")
                store.execute(f"DROP SCHEMA {schema} CASCADE")
            dropped.append(schema)
        except Exception:
            continue
    return dropped


def publish_schema(
    store: SqlRawStore,
    *,
    as_of_date: dt.date,
    run_id: str,
    tables: tuple[str, ...] = PUBLIC_MARTS,
    source_schema: str = "marts",
) -> PublishResult:
    """Copy ``tables`` of ``source_schema`` into a new schema and swap it in as ``serving``."""
    _check_ident(*tables, source_schema)
    p = store.placeholder
    _drop_old(store)
    token = uuid.uuid4().hex[:12]
    staged = f"{SERVING_SCHEMA}_next_{token}"
    retired = f"{SERVING_SCHEMA}_old_{token}"
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counts: dict[str, int] = {}
    with store.transaction():
        store.execute(f"SELECT pg_advisory_xact_lock({_LOCK})")
        store.execute(f"CREATE SCHEMA {staged}")
        where = f"table_schema = {p} AND table_name = {p}"
        sql = f"SELECT column_name FROM information_schema.columns WHERE {where} ORDER BY ordinal_position"  # noqa: S608
        for name in tables:
            columns = [str(r[0]) for r in store.query(sql, [source_schema, name])]
            order = sort_order(columns)
            by = f" ORDER BY {', '.join(order)}" if order else ""
            store.execute(f"CREATE TABLE {staged}.{name} AS SELECT * FROM {source_schema}.{name}{by}")  # noqa: S608
            row = store.query(f"SELECT count(*) FROM {staged}.{name}")  # noqa: S608
            counts[name] = int(row[0][0]) if row else 0
            fault_point("publish-write", path=staged)
        cutoff = (
            store.query(f"SELECT max(date) FROM {staged}.client_channel_daily")  # noqa: S608
            if "client_channel_daily" in tables
            else []
        )
        data_cutoff = cutoff[0][0] if cutoff else None
        store.execute(
            f"CREATE TABLE {staged}._publish_meta AS SELECT CAST({p} AS TIMESTAMP) AS published_at, "
            f"CAST({p} AS DATE) AS as_of_date, CAST({p} AS VARCHAR) AS run_id, "
            f"CAST({p} AS DATE) AS data_cutoff",
            [published_at, as_of_date, run_id, data_cutoff],
        )
        present = {
            str(r[0])
            for r in store.query(
                f"SELECT table_name FROM information_schema.tables WHERE table_schema = {p}",  # noqa: S608
                [staged],
            )
        }
        missing = sorted(set(tables) - present)
        if missing:
            raise RuntimeError(f"the new serving schema lacks {', '.join(missing)}; not published")
        fault_point("publish")  # killed with the new schema written, not swapped in: rolled back
        if SERVING_SCHEMA in _schemas_like(store, SERVING_SCHEMA):
            store.execute(f"ALTER SCHEMA {SERVING_SCHEMA} RENAME TO {retired}")
        store.execute(f"ALTER SCHEMA {staged} RENAME TO {SERVING_SCHEMA}")
    _drop_old(store)
    return PublishResult(SERVING_SCHEMA, counts, published_at, data_cutoff)


def read_schema_publish_meta(store: SqlRawStore) -> dict[str, object] | None:
    """The ``serving._publish_meta`` row, or None if nothing is published in this database."""
    if SERVING_SCHEMA not in _schemas_like(store, SERVING_SCHEMA):
        return None
    rows = store.query(
        f"SELECT published_at, as_of_date, run_id, data_cutoff FROM {SERVING_SCHEMA}._publish_meta"  # noqa: S608
    )
    if not rows:
        return None
    return dict(zip(("published_at", "as_of_date", "run_id", "data_cutoff"), rows[0], strict=True))
