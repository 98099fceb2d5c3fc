"""Dagster's SQLite event log, with its connections kept open (decision 42).

Dagster's ``SqliteEventLogStorage`` builds a new SQLAlchemy engine and a new SQLite connection
for every event it stores, commits with a full sync, and closes the connection again; closing
the last connection of a WAL database checkpoints and removes the WAL file. An asset check's
result touches the run's file and the cross-run index twice. At the ~1 000 events of a small
agency's refresh, that was 21 s of a 49 s run (py-spy, the demo's nightly).

This subclass changes only how connections are made: one engine per database file, kept for
the life of the storage (the index and the few most recent run files), and ``synchronous =
NORMAL``, the setting SQLite recommends with WAL: a commit survives a crash of the process; a
power cut may lose the last few events of a run, never the file. What is written, and every
query, stays Dagster's own. ``ops/dagster.yaml`` selects it; ``tests/pipelines/
test_event_log.py`` fails when a Dagster upgrade changes the methods it relies on.
"""

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

__all__ = ["PooledSqliteEventLogStorage"]

SQLITE_BUSY_TIMEOUT_SECONDS = 30
"""How long a connection waits for another process's write (Dagster's own value)."""

KEPT_RUN_FILES = 4
"""Engines kept open besides the index: the running run and a few the webserver reads."""


def _sync_normal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with one open engine per database file."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls) -> Mapping[str, Any]:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> "PooledSqliteEventLogStorage":
        base_dir = config_value.get("base_dir") or str(Path(os.environ["DAGSTER_HOME"]) / "history" / "runs")
        return cls(base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            event.listen(engine, "connect", _sync_normal)
            self._engines[shard] = engine
            runs = [key for key in self._engines if key != INDEX_SHARD_NAME]
            for old in runs[: max(0, len(runs) - KEPT_RUN_FILES)]:
                self._engines.pop(old).dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        with self._engine(INDEX_SHARD_NAME).connect() as conn:
            return bool(conn.dialect.has_table(conn, table_name))

    def _forget_engines(self) -> None:
        with self._engines_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._forget_engines()
        super().wipe()

    def dispose(self) -> None:
        self._forget_engines()
        super().dispose()
