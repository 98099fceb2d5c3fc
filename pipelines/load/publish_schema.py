"""Publish the marts inside a server warehouse (PostgreSQL): an immutable version schema, and the
``serving`` schema's views swapped over to it atomically.

The settled-data guarantee of the DuckDB serving file (``pipelines.load.publish``), in one
database. :func:`publish_schema` copies the public marts (sorted as the serving file's) and the
``_publish_meta`` row (the serving file's columns plus ``version_schema``) into a new schema
``serving_v_<UTC yyyymmddhhmmssffffff>_<token>`` (names sort by publish time), checks that every
table is there, and in the same transaction (serialised by an advisory lock) replaces the schema
``serving`` with one of views over that version (``serving.<mart>`` is ``select * from
serving_v_<...>.<mart>``). Until that transaction commits nobody sees the new version; if anything
fails (or the process is killed) before the commit, PostgreSQL rolls the whole publish back:
``serving`` keeps its last good version and no half-made version schema is left.

A version schema is never written again once published, so a reader that reads several marts
pins one version: it reads ``serving._publish_meta.version_schema`` once and then the tables of
that schema (``dashboard.warehouse``), and a publish landing meanwhile does not change what it
reads. The newest :data:`KEEP_VERSIONS` versions stay; older ones are dropped after the commit,
each waiting at most :data:`DROP_LOCK_TIMEOUT` for readers still using it (one a reader holds
longer stays, and the next publish drops it); so are the swapped-out view schemas.

With a reader role (``AGENCY_PG_READER_ROLE``) the publish grants it USAGE on the new version
schema and on ``serving`` and SELECT on their tables and views, nothing on the build schemas.
"""

from __future__ import annotations

import datetime as dt
import uuid

from pipelines.load.faults import fault_point
from pipelines.load.publish import PUBLIC_MARTS, PublishResult, sort_order
from pipelines.load.warehouse import SqlRawStore, _check_ident

__all__ = [
    "DROP_LOCK_TIMEOUT",
    "KEEP_VERSIONS",
    "SERVING_SCHEMA",
    "VERSION_PREFIX",
    "publish_schema",
    "read_schema_publish_meta",
    "version_schemas",
]

SERVING_SCHEMA = "serving"
VERSION_PREFIX = "serving_v_"
KEEP_VERSIONS = 2
DROP_LOCK_TIMEOUT = "2s"
_LOCK = 7_202_020  # the advisory lock key of a publish (issue 20)
_META = "_publish_meta"


def _schemas_like(store: SqlRawStore, prefix: str) -> list[str]:
    where = f"schema_name LIKE {store.placeholder}"
    sql = f"SELECT schema_name FROM information_schema.schemata WHERE {where} ORDER BY 1"  # noqa: S608
    rows = store.query(sql, [prefix.replace("_", r"\_") + "%"])
    return [str(r[0]) for r in rows]


def version_schemas(store: SqlRawStore) -> list[str]:
    """The published version schemas, oldest first (their names start with the UTC time)."""
    return _schemas_like(store, VERSION_PREFIX)


def _drop_old(store: SqlRawStore, keep: str | None) -> list[str]:
    """Drop the versions older than the newest :data:`KEEP_VERSIONS` (never ``keep``, the one
    ``serving`` shows) and leftovers of the earlier layout; those readers still hold stay."""
    versions = version_schemas(store)
    stale = [v for v in versions[: max(len(versions) - KEEP_VERSIONS, 0)] if v != keep]
    stale += _schemas_like(store, f"{SERVING_SCHEMA}_old_")
    dropped = []
    for schema in stale:
        _check_ident(schema)
        try:
            with store.transaction():
                store.execute(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'")
                store.execute(f"DROP SCHEMA {schema} CASCADE")
            dropped.append(schema)
        except Exception:  # a reader still holds it: the next publish drops it
            continue
    return dropped


def _grant(store: SqlRawStore, schema: str, role: str) -> None:
    store.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    store.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}")


def publish_schema(
    store: SqlRawStore,
    *,
    as_of_date: dt.date,
    run_id: str,
    tables: tuple[str, ...] = PUBLIC_MARTS,
    source_schema: str = "marts",
    reader_role: str | None = None,
) -> PublishResult:
    """Copy ``tables`` of ``source_schema`` into a new version schema and point ``serving`` at it."""
    _check_ident(*tables, source_schema)
    if reader_role:
        _check_ident(reader_role)
    p = store.placeholder
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    token = uuid.uuid4().hex[:8]
    version = f"{VERSION_PREFIX}{published_at:%Y%m%d%H%M%S%f}_{token}"
    views, retired = f"{SERVING_SCHEMA}_next_{token}", f"{SERVING_SCHEMA}_old_{token}"
    counts: dict[str, int] = {}
    with store.transaction():
        store.execute(f"SELECT pg_advisory_xact_lock({_LOCK})")
        store.execute(f"CREATE SCHEMA {version}")
        where = f"table_schema = {p} AND table_name = {p}"
        sql = f"SELECT column_name FROM information_schema.columns WHERE {where} ORDER BY ordinal_position"  # noqa: S608
        for name in tables:
            columns = [str(r[0]) for r in store.query(sql, [source_schema, name])]
            order = sort_order(columns)
            by = f" ORDER BY {', '.join(order)}" if order else ""
            store.execute(f"CREATE TABLE {version}.{name} AS SELECT * FROM {source_schema}.{name}{by}")  # noqa: S608
            row = store.query(f"SELECT count(*) FROM {version}.{name}")  # noqa: S608
            counts[name] = int(row[0][0]) if row else 0
            fault_point("publish-write", path=version)
        cutoff = (
            store.query(f"SELECT max(date) FROM {version}.client_channel_daily")  # noqa: S608
            if "client_channel_daily" in tables
            else []
        )
        data_cutoff = cutoff[0][0] if cutoff else None
        store.execute(
            f"CREATE TABLE {version}.{_META} AS SELECT CAST({p} AS TIMESTAMP) AS published_at, "
            f"CAST({p} AS DATE) AS as_of_date, CAST({p} AS VARCHAR) AS run_id, "
            f"CAST({p} AS DATE) AS data_cutoff, CAST({p} AS VARCHAR) AS version_schema",
            [published_at, as_of_date, run_id, data_cutoff, version],
        )
        present = {
            str(r[0])
            for r in store.query(
                f"SELECT table_name FROM information_schema.tables WHERE table_schema = {p}",  # noqa: S608
                [version],
            )
        }
        missing = sorted(set(tables) - present)
        if missing:
            raise RuntimeError(f"the new serving version lacks {', '.join(missing)}; not published")
        fault_point("publish")  # killed with the version written, not swapped in: rolled back
        # The views go into a schema of their own renamed to ``serving``: renaming a schema
        # takes no lock on its relations, so a reader inside a transaction on the old views
        # does not hold the swap up (replacing a view would wait for it).
        store.execute(f"CREATE SCHEMA {views}")
        for name in (*tables, _META):
            store.execute(f"CREATE VIEW {views}.{name} AS SELECT * FROM {version}.{name}")  # noqa: S608
        if reader_role:
            _grant(store, version, reader_role)
            _grant(store, views, reader_role)
        if SERVING_SCHEMA in _schemas_like(store, SERVING_SCHEMA):
            store.execute(f"ALTER SCHEMA {SERVING_SCHEMA} RENAME TO {retired}")
        store.execute(f"ALTER SCHEMA {views} RENAME TO {SERVING_SCHEMA}")
    _drop_old(store, keep=version)
    return PublishResult(SERVING_SCHEMA, counts, published_at, data_cutoff)


def read_schema_publish_meta(store: SqlRawStore) -> dict[str, object] | None:
    """The ``serving._publish_meta`` row (the serving file's columns), or None if nothing is
    published in this database."""
    if SERVING_SCHEMA not in _schemas_like(store, SERVING_SCHEMA):
        return None
    rows = store.query(
        f"SELECT published_at, as_of_date, run_id, data_cutoff FROM {SERVING_SCHEMA}.{_META}"  # noqa: S608
    )
    if not rows:
        return None
    return dict(zip(("published_at", "as_of_date", "run_id", "data_cutoff"), rows[0], strict=True))
