"""The raw-loading interface (:class:`~pipelines.load.warehouse.RawStore`) on PostgreSQL.

The semantics are :class:`~pipelines.load.warehouse.SqlRawStore`'s (one implementation for every
SQL warehouse); this module only says how PostgreSQL receives a batch: the loaders' Arrow table
is written as CSV by Arrow's C++ writer, batch by batch, into ``COPY ... FROM STDIN`` of a
temporary table shaped like the raw table, which the shared statements then read like DuckDB's
registered view. Driver: psycopg 3 (docs/decisions.md, 40).

CSV keeps NULL and the empty string apart: Arrow quotes every string (an empty one is ``""``)
and writes NULL as nothing, which is what PostgreSQL's CSV format reads as NULL.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv

from pipelines.load.raw_schema import RAW_TABLES, RawTable
from pipelines.load.warehouse import SqlRawStore, _check_ident, _conformed, arrow_schema

__all__ = ["PostgresRawStore"]

_COPY_BATCH_ROWS = 64_000
_CSV = pa_csv.WriteOptions(include_header=False, quoting_style="needed")


class PostgresRawStore(SqlRawStore):
    """:class:`RawStore` on a PostgreSQL database (``conninfo``: a libpq connection string or
    URI). Use it as a context manager; the connection runs in autocommit and each load is its own
    transaction (``transaction`` groups loads, as on DuckDB)."""

    placeholder = "%s"
    dbt_adapter = "dbt-postgres"

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._con: psycopg.Connection[tuple[Any, ...]] | None = None
        self._depth = 0

    def __enter__(self) -> PostgresRawStore:
        self._con = psycopg.connect(self.conninfo, autocommit=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    @property
    def con(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self._con is None:
            raise RuntimeError("PostgresRawStore is not open; use it as a context manager")
        return self._con

    def ensure_schema(self) -> None:
        """The raw tables, each with a B-tree index on its natural key: a load deletes the rows it
        replaces by key (``upsert``) or by client, account and period (``replace_partition``,
        whose columns lead the key), and without an index each of those deletes reads the whole
        table (a 300-client agency's first load became quadratic). DuckDB needs none: it skips
        row groups by their min/max."""
        super().ensure_schema()
        for table in RAW_TABLES.values():
            _check_ident(*table.key)
            index = f"{table.name}_key"
            self._execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table.qualified} ({', '.join(table.key)})")

    # Statements go to psycopg as bytes: they are built from checked identifiers, and psycopg's
    # types accept only literal strings (or its sql.Composed) as str queries.
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql.encode(), list(params) or None)

    def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        return self.con.execute(sql.encode(), list(params) or None).fetchone()

    def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql.encode(), list(params) or None).fetchall()

    def _stage(self, table: RawTable, data: pa.Table) -> str:
        expected = arrow_schema(table)
        if not data.schema.equals(expected, check_metadata=False):
            data = _conformed(data, expected)  # a constant column stays dictionary-encoded
        name = f"_incoming_{table.name}"
        _check_ident(name, *expected.names)
        columns = ", ".join(expected.names)
        # The raw table's column types (and NOT NULLs), dropped with the load's transaction.
        self._execute(f"CREATE TEMPORARY TABLE {name} (LIKE {table.qualified}) ON COMMIT DROP")
        with (
            self.con.cursor() as cur,
            cur.copy(f"COPY {name} ({columns}) FROM STDIN (FORMAT csv)".encode()) as copy,
        ):
            for batch in data.select(expected.names).to_batches(max_chunksize=_COPY_BATCH_ROWS):
                buffer = io.BytesIO()
                pa_csv.write_csv(batch, buffer, _CSV)
                copy.write(buffer.getbuffer())
        # A temporary table is never analysed by autovacuum: without its row count the planner
        # may pick a plan for a few rows (a nested loop over the raw table) for a million.
        self._execute(f"ANALYZE {name}")
        return name

    def _unstage(self, name: str) -> None:
        # After a failed statement the transaction only takes a ROLLBACK (which drops the table
        # too): a DROP here would replace the load's own error with "transaction is aborted".
        if self.con.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
            return
        self._execute(f"DROP TABLE IF EXISTS {name}")

    def _insert_select(self, table: RawTable, columns: str, select: str) -> int:
        with self.con.cursor() as cur:
            cur.execute(f"INSERT INTO {table.qualified} ({columns}) {select}".encode())
            return max(cur.rowcount, 0)

    def _last_value(self, column: str, order: str) -> str:
        # PostgreSQL has no last(); the first of the values in descending order is the same row
        # (DESC puts NULLs first as DuckDB's ascending order puts them last)
        return f"(array_agg({column} ORDER BY {order} DESC))[1]"

    def _one_row_per_key(self, columns: str, relation: str, keys: str, order: str) -> str:
        return (
            f"SELECT {columns} FROM (SELECT *, row_number() OVER "  # noqa: S608
            f"(PARTITION BY {keys} ORDER BY {order} DESC) AS _row_in_key FROM {relation}) AS ranked "
            "WHERE _row_in_key = 1"
        )
