"""Where the published marts are read from: the serving DuckDB file or a PostgreSQL database.

``AGENCY_WAREHOUSE`` picks it, as for the refresh: ``duckdb`` (the default) reads the serving file
(``AGENCY_SERVING_DB``), ``postgres`` reads the ``serving`` schema of the database of
``AGENCY_PG_HOST``, ``AGENCY_PG_PORT``, ``AGENCY_PG_USER`` (the reader role's login, say),
``AGENCY_PG_DBNAME`` and ``AGENCY_PG_PASSWORD``. This module reads the environment itself: the
dashboard does not import the pipeline.

A reader opens a :class:`ServingConnection` for what must read one published version (a page of
the dashboard, a report) and closes it at once after: no connection is held between pages.

- On the serving file each query opens the file read-only and closes it (the pipeline swaps a new
  file in with ``os.replace``); :attr:`ServingConnection.version` is the file's path, mtime and size.
- On PostgreSQL the connection resolves the published version once
  (``serving._publish_meta.version_schema``, ``pipelines.load.publish_schema``) and reads every
  query with ``search_path`` set to that version's schema, which a publish never writes again: a
  page reads ONE version across marts and statements even when a publish lands meanwhile. When
  the pinned version was dropped (it had been superseded twice) a query raises
  :class:`ServingVersionGoneError`; the caller reads again from the current one.

Queries are written for DuckDB with ``$name`` parameters; they are translated to psycopg's
``%(name)s`` (a literal ``%`` doubled), and the frames come back with DuckDB's dtypes (dates and
timestamps as datetime64, numerics as float64, integers as ints or floats when NULL).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pandas as pd

__all__ = [
    "DEFAULT_SERVING_DB",
    "DuckDBServing",
    "PostgresServing",
    "ServingConnection",
    "ServingNotPublishedError",
    "ServingVersionGoneError",
    "serving_path",
    "source_from_env",
    "to_psycopg",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVING_DB = "data/serving/serving.duckdb"
SERVING_SCHEMA = "serving"
_VERSION = re.compile(r"^serving_v_[a-z0-9_]+$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class ServingNotPublishedError(RuntimeError):
    """Nothing is published yet: no serving file, or no ``serving`` schema in the database."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(f"serving database not published yet: {path}")
        self.path = path


class ServingVersionGoneError(RuntimeError):
    """The version a reader pinned was dropped by later publishes: read again from the current one."""


def serving_path() -> Path:
    """Where the serving file is: ``$AGENCY_SERVING_DB`` (relative to the repo root) or the default."""
    raw = os.environ.get("AGENCY_SERVING_DB", "").strip() or DEFAULT_SERVING_DB
    path = Path(raw).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def to_psycopg(sql: str) -> str:
    """A query with DuckDB's ``$name`` parameters in psycopg's ``%(name)s`` style."""
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


def _bound(params: Mapping[str, object] | None) -> dict[str, object]:
    return {
        name: (list(value) if isinstance(value, tuple) else value) for name, value in (params or {}).items()
    }


@dataclass(frozen=True)
class DuckDBServing:
    """The serving DuckDB file."""

    path: Path

    @property
    def location(self) -> str:
        return str(self.path)

    def connect(self, *, hold: bool = False) -> ServingConnection:
        return ServingConnection(self, hold=hold)


@dataclass(frozen=True)
class PostgresServing:
    """The ``serving`` schema of a PostgreSQL database (the password is read from
    ``AGENCY_PG_PASSWORD`` when a connection opens, never kept here)."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    dbname: str = "agency"

    @classmethod
    def from_env(cls) -> PostgresServing:
        env = os.environ.get
        return cls(
            host=env("AGENCY_PG_HOST", "").strip() or cls.host,
            port=int(env("AGENCY_PG_PORT", "").strip() or cls.port),
            user=env("AGENCY_PG_USER", "").strip() or cls.user,
            dbname=env("AGENCY_PG_DBNAME", "").strip() or cls.dbname,
        )

    @property
    def location(self) -> str:
        return f"{SERVING_SCHEMA} schema of PostgreSQL database {self.dbname} on {self.host}:{self.port}"

    def conninfo(self) -> str:
        password = os.environ.get("AGENCY_PG_PASSWORD", "")
        parts = [f"host={self.host}", f"port={self.port}", f"user={self.user}", f"dbname={self.dbname}"]
        if password:
            parts.append("password='" + password.replace("\\", "\\\\").replace("'", "\\'") + "'")
        return " ".join(parts)

    def connect(self, *, hold: bool = False) -> ServingConnection:
        return ServingConnection(self, hold=hold)


ServingSource = DuckDBServing | PostgresServing


def source_from_env() -> ServingSource:
    """The serving file or the PostgreSQL database, as ``AGENCY_WAREHOUSE`` says."""
    warehouse = os.environ.get("AGENCY_WAREHOUSE", "").strip().lower() or "duckdb"
    if warehouse == "postgres":
        return PostgresServing.from_env()
    if warehouse != "duckdb":
        raise ValueError(f"AGENCY_WAREHOUSE must be duckdb or postgres, not {warehouse!r}")
    return DuckDBServing(serving_path())


# PostgreSQL type oids -> how DuckDB's frames hold them
_DATES = {1082, 1114, 1184}  # date, timestamp, timestamptz
_INTS = {21: "int16", 23: "int32", 20: "int64"}
_FLOATS = {700, 701, 1700}  # real, double precision, numeric
_BOOL = 16


def _frame(columns: list[str], types: list[int], rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    out = {}
    for i, oid in enumerate(types):
        series = df.iloc[:, i]
        if oid in _DATES:
            if oid == 1184:
                series = series.map(
                    lambda v: v.astimezone(dt.UTC).replace(tzinfo=None) if v is not None else v
                )
            series = pd.to_datetime(series).astype("datetime64[us]")
        elif oid in _FLOATS:
            series = series.astype("float64")
        elif oid in _INTS:
            dtype: Any = _INTS[oid].capitalize() if series.isna().any() else _INTS[oid]  # Int64: NULLs
            series = series.astype(dtype)
        elif oid == _BOOL and not series.isna().any():
            series = series.astype("bool")
        out[i] = series
    result = pd.DataFrame({i: s.reset_index(drop=True) for i, s in out.items()})
    result.columns = columns
    return result


class ServingConnection:
    """What one page (or one report) reads the published marts through; a context manager.

    :attr:`version` identifies the published version read (the cache key); on PostgreSQL it is
    resolved once, when first needed, and every query reads that version."""

    def __init__(self, source: ServingSource, *, hold: bool = False) -> None:
        """``hold``: keep the serving file open until :meth:`close` (a report reads one file even
        if a new one is swapped in meanwhile); the dashboard opens it per query instead."""
        self.source = source
        self._pg: Any = None
        self._version: str | None = None
        self._file: duckdb.DuckDBPyConnection | None = None
        if hold and isinstance(source, DuckDBServing):
            self._file = self._open(source.path)

    def __enter__(self) -> ServingConnection:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._pg is not None:
            self._pg.close()
            self._pg = None

    @property
    def location(self) -> str:
        return self.source.location

    @property
    def version(self) -> Hashable:
        """The serving file's (path, mtime, size), looked at now; the pinned version schema."""
        if isinstance(self.source, DuckDBServing):
            path = self.source.path
            try:
                stat = path.stat()
            except FileNotFoundError:
                raise ServingNotPublishedError(path) from None
            return (str(path), stat.st_mtime_ns, stat.st_size)
        return self._pin()

    def query(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        """Run one query (DuckDB SQL, ``$name`` parameters) on the version read; a frame."""
        if self._file is not None:
            return self._file.execute(sql, _bound(params)).df()
        if isinstance(self.source, DuckDBServing):
            return self._duckdb(self.source.path, sql, params)
        return self._postgres(sql, params)

    def rows(self, sql: str, params: Mapping[str, object] | None = None) -> list[tuple[Any, ...]]:
        """Run one query on the version read; its rows as Python values (dates, Decimals)."""
        if self._file is not None:
            return self._file.execute(sql, _bound(params)).fetchall()
        if isinstance(self.source, DuckDBServing):
            con = self._open(self.source.path)
            try:
                return con.execute(sql, _bound(params)).fetchall()
            finally:
                con.close()
        return list(self._postgres_cursor(sql, params).fetchall())

    @staticmethod
    def _open(path: Path) -> duckdb.DuckDBPyConnection:
        if not path.is_file():
            raise ServingNotPublishedError(path)
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException:
            if not path.exists():
                raise ServingNotPublishedError(path) from None
            raise

    @classmethod
    def _duckdb(cls, path: Path, sql: str, params: Mapping[str, object] | None) -> pd.DataFrame:
        con = cls._open(path)
        try:
            return con.execute(sql, _bound(params)).df()
        finally:
            con.close()

    def _connection(self) -> Any:
        import psycopg  # only the PostgreSQL readers need it

        if self._pg is None:
            assert isinstance(self.source, PostgresServing)
            self._pg = psycopg.connect(self.source.conninfo(), autocommit=True)
        return self._pg

    def _pin(self) -> str:
        if self._version is not None:
            return self._version
        import psycopg

        con = self._connection()
        try:
            row = con.execute(f"select version_schema from {SERVING_SCHEMA}._publish_meta").fetchone()  # noqa: S608
        except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn):
            raise ServingNotPublishedError(self.source.location) from None
        if row is None or not _VERSION.match(str(row[0])):
            raise ServingNotPublishedError(self.source.location)
        version = str(row[0])
        con.execute(f"set search_path to {version}")
        self._version = version
        return version

    def _postgres(self, sql: str, params: Mapping[str, object] | None) -> pd.DataFrame:
        cur = self._postgres_cursor(sql, params)
        description = cur.description or []
        rows = cur.fetchall()
        return _frame([c.name for c in description], [c.type_code for c in description], rows)

    def _postgres_cursor(self, sql: str, params: Mapping[str, object] | None) -> Any:
        import psycopg

        version = self._pin()
        con = self._connection()
        try:
            cur = con.execute(to_psycopg(sql).encode(), _bound(params))
        except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName) as exc:
            gone = con.execute("select 1 from pg_namespace where nspname = %s", [version]).fetchone()
            if gone is None:
                raise ServingVersionGoneError(f"the published version {version} was dropped") from exc
            raise
        return cur
