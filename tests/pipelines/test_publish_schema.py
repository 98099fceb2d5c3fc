"""Publishing on PostgreSQL (``pipelines.load.publish_schema``): the marts copied into a fresh
version schema and ``serving``'s views swapped over to it within one transaction, on the throwaway server of
``tests/postgres.py`` (fails, never skips, without PostgreSQL's server programs)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import psycopg
import pytest

from pipelines.load import publish_schema as publishing
from pipelines.load.faults import FAULT_ENV
from pipelines.load.postgres import PostgresRawStore
from pipelines.load.publish_schema import publish_schema, read_schema_publish_meta
from tests.postgres import PostgresServer

TABLES = ("client_channel_daily", "dim_clients")
AS_OF = dt.date(2026, 11, 24)


@pytest.fixture
def conninfo(postgres_server: PostgresServer) -> str:
    info = postgres_server.conninfo(postgres_server.create_database("publish"))
    with psycopg.connect(info, autocommit=True) as con:
        con.execute("CREATE SCHEMA marts")
    return info


def build_version(conninfo: str, days: int) -> None:
    """The marts of one build: ``days`` days of two clients (newest first, clients interleaved)."""
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS marts.client_channel_daily, marts.dim_clients")
        con.execute(
            "CREATE TABLE marts.client_channel_daily AS SELECT 'c' || mod(i, 2) AS client_id, "
            "DATE '2026-11-23' - (i / 2) AS date, CAST(i AS numeric(14,2)) AS spend "
            "FROM generate_series(0, %s - 1) AS i",
            [2 * days],
        )
        con.execute(
            "CREATE TABLE marts.dim_clients AS "
            "SELECT * FROM (VALUES ('c0', 'A'), ('c1', 'B')) AS t(client_id, name)"
        )


def publish(conninfo: str, run_id: str) -> dict[str, int]:
    with PostgresRawStore(conninfo) as store:
        return publish_schema(store, as_of_date=AS_OF, run_id=run_id, tables=TABLES).row_counts


def meta(conninfo: str) -> dict[str, object] | None:
    with PostgresRawStore(conninfo) as store:
        return read_schema_publish_meta(store)


def versions(conninfo: str) -> list[str]:
    return [s for s in schemas(conninfo) if s.startswith(publishing.VERSION_PREFIX)]


def schemas(conninfo: str) -> list[str]:
    with psycopg.connect(conninfo) as con:
        rows = con.execute(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'serving%' ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def test_a_publish_swaps_in_a_complete_sorted_copy_with_its_metadata(conninfo: str) -> None:
    assert meta(conninfo) is None
    build_version(conninfo, 3)
    assert publish(conninfo, "r1") == {"client_channel_daily": 6, "dim_clients": 2}
    build_version(conninfo, 5)
    assert publish(conninfo, "r2") == {"client_channel_daily": 10, "dim_clients": 2}
    published = meta(conninfo)
    assert published is not None
    assert (published["run_id"], published["as_of_date"], published["data_cutoff"]) == (
        "r2",
        AS_OF,
        dt.date(2026, 11, 23),
    )
    kept = versions(conninfo)
    assert schemas(conninfo) == ["serving", *kept] and len(kept) == 2  # no view schema left over
    assert published_version(conninfo) == kept[-1]
    with psycopg.connect(conninfo) as con:
        rows = con.execute(f"SELECT client_id, date FROM {kept[-1]}.client_channel_daily").fetchall()
        assert con.execute("SELECT count(*) FROM serving.client_channel_daily").fetchone() == (10,)
    assert rows == sorted(rows) and len(rows) == 10  # stored by client, then day
    build_version(conninfo, 4)
    publish(conninfo, "r3")
    assert versions(conninfo)[0] == kept[1] and len(versions(conninfo)) == 2  # the oldest dropped


def published_version(conninfo: str) -> str:
    with psycopg.connect(conninfo) as con:
        row = con.execute("SELECT version_schema FROM serving._publish_meta").fetchone()
    assert row is not None
    return str(row[0])


def test_a_publish_that_fails_leaves_serving_as_it_was(
    conninfo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_version(conninfo, 3)
    publish(conninfo, "r1")
    build_version(conninfo, 5)
    monkeypatch.setenv(FAULT_ENV, "enospc:publish-write")  # fails copying the first mart
    with pytest.raises(OSError, match="No space left"):
        publish(conninfo, "r2")
    monkeypatch.delenv(FAULT_ENV)
    with PostgresRawStore(conninfo) as store, pytest.raises(psycopg.errors.UndefinedTable):
        publish_schema(store, as_of_date=AS_OF, run_id="r3", tables=(*TABLES, "no_such_mart"))
    published = meta(conninfo)
    assert published is not None and published["run_id"] == "r1"
    assert schemas(conninfo) == ["serving", published_version(conninfo)]  # nothing half-made left
    with psycopg.connect(conninfo) as con:
        assert con.execute("SELECT count(*) FROM serving.client_channel_daily").fetchone() == (6,)


def test_a_reader_of_the_old_version_does_not_hold_the_publish(
    conninfo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader still inside a transaction on the old tables: the swap commits anyway, new
    statements see the new version, the old one stays until the next publish can drop it."""
    monkeypatch.setattr(publishing, "DROP_LOCK_TIMEOUT", "200ms")
    build_version(conninfo, 3)
    publish(conninfo, "r1")
    with psycopg.connect(conninfo) as reader:
        assert reader.execute("SELECT count(*) FROM serving.client_channel_daily").fetchone() == (6,)
        build_version(conninfo, 5)
        publish(conninfo, "r2")  # the reader's transaction is still open
        held = [s for s in schemas(conninfo) if s.startswith("serving_old_")]
        assert len(held) == 1  # the old views the reader holds stay
        reader.commit()
        assert reader.execute("SELECT count(*) FROM serving.client_channel_daily").fetchone() == (10,)
        reader.commit()
    build_version(conninfo, 4)
    publish(conninfo, "r3")
    assert schemas(conninfo) == ["serving", *versions(conninfo)] and len(versions(conninfo)) == 2


def test_readers_during_publishes_see_one_complete_version_of_a_table(conninfo: str) -> None:
    """Readers querying all the time while five versions are published: every statement finds
    ``serving`` and reads a whole version of the table (the row count of one of the builds),
    never an error and never a part of one."""
    versions = [3, 5, 4, 7, 6]
    build_version(conninfo, 1)
    publish(conninfo, "r0")
    complete = {2} | {2 * days for days in versions}
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            with psycopg.connect(conninfo, autocommit=True) as con:
                while not done.is_set():
                    row = con.execute("SELECT count(*) FROM serving.client_channel_daily").fetchone()
                    seen.append(int(row[0]) if row else -1)
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        for n, days in enumerate(versions, start=1):
            build_version(conninfo, days)
            publish(conninfo, f"r{n}")
    finally:
        done.set()
        for thread in readers:
            thread.join(timeout=30)
    assert not errors, errors
    assert seen and set(seen) <= complete
    assert len(set(seen)) > 1  # the readers did read across swaps


@pytest.fixture(autouse=True)
def _no_fault(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(FAULT_ENV, raising=False)
    yield
