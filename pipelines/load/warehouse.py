"""The raw-loading interface: bulk load, replace a partition, upsert by natural key.

Ingestion talks to the warehouse only through :class:`RawStore`, so a server warehouse
(PostgreSQL, Spark) can replace DuckDB by implementing these few methods; models never see
how rows arrived. Data moves as Arrow tables (DuckDB scans them in bulk, PostgreSQL takes them
by ``COPY``: ``pipelines.load.postgres``; no row-by-row INSERTs from Python). What every SQL
warehouse shares (the statements, the key collapsing) is written once, in :class:`SqlRawStore`.

Load semantics (all idempotent: the same data loaded twice leaves the same table):

- ``replace_partition``: delete the rows of one partition (e.g. one client account) in a date
  range, then insert the new rows. Platforms restate past days; the newest export or API pull
  of a period is authoritative for that period.
- ``upsert``: delete rows whose natural key appears in the new data, then insert (calls,
  invoices: a call re-exported twice is stored once).
- ``replace_table``: the whole table (configuration tables).

Within one batch, rows sharing a natural key are collapsed first: additive metrics are summed
(a report split by a column we do not keep), otherwise the last row wins.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.load.arrow_memory import use_loading_pool
from pipelines.load.raw_schema import (
    CONFIG_TABLES,
    LINEAGE_COLUMNS,
    RAW_SCHEMA,
    RAW_TABLES,
    RawTable,
    ddl_statements,
)

__all__ = [
    "DuckDBRawStore",
    "RawStore",
    "SqlRawStore",
    "arrow_schema",
    "log_load",
    "to_arrow",
    "with_constants",
]

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")

use_loading_pool()  # every load parses into Arrow first: jemalloc, unless the environment chose (decision 52)


def _arrow_type(sql_type: str) -> pa.DataType:
    base = sql_type.replace(" NOT NULL", "").strip().upper()
    if base == "VARCHAR":
        return pa.string()
    if base == "DATE":
        return pa.date32()
    if base == "TIMESTAMP":
        return pa.timestamp("us")
    if base == "BIGINT":
        return pa.int64()
    if base == "INTEGER":
        return pa.int32()
    if base == "BOOLEAN":
        return pa.bool_()
    match = re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", base)
    if match:
        return pa.decimal128(int(match.group(1)), int(match.group(2)))
    raise ValueError(f"no Arrow type for {sql_type!r}")


def arrow_columns(table: RawTable) -> list[tuple[str, str]]:
    """(name, SQL type) of every column of ``table``, lineage columns included."""
    return list(table.columns) + (list(LINEAGE_COLUMNS) if table.lineage else [])


def arrow_schema(table: RawTable) -> pa.Schema:
    return pa.schema(
        [
            pa.field(name, _arrow_type(typ), nullable="NOT NULL" not in typ)
            for name, typ in arrow_columns(table)
        ]
    )


def to_arrow(table: RawTable, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Rows (dicts keyed by column name) -> an Arrow table with the raw table's exact schema.

    Money is rounded half-up to the column's scale (kopecks); unknown keys are ignored and
    missing keys become NULL.
    """
    schema = arrow_schema(table)
    columns: dict[str, list[Any]] = {}
    for field in schema:
        values = [row.get(field.name) for row in rows]
        if pa.types.is_decimal(field.type):
            quantum = Decimal(1).scaleb(-field.type.scale)
            values = [
                None if v is None else Decimal(v).quantize(quantum, rounding=ROUND_HALF_UP) for v in values
            ]
        columns[field.name] = values
    return pa.Table.from_pydict(columns, schema=schema)


def with_constants(table: RawTable, data: pa.Table, constants: Mapping[str, Any]) -> pa.Table:
    """A parser's Arrow table (``connectors`` ``TableResult``) -> the raw table's exact schema.

    Columns come from ``data`` where it has them, else from ``constants`` (the same value on every
    row: client, account, lineage), else NULL; the values are the ones :func:`to_arrow` would give
    the same rows as dicts. A constant column is dictionary-encoded (see ``_conformed``).
    """
    schema = arrow_schema(table)
    n = data.num_rows
    columns = []
    for field in schema:
        if field.name in data.column_names:
            columns.append(data[field.name].cast(field.type))
        elif constants.get(field.name) is not None:  # one value, n indices
            indices = pa.repeat(pa.scalar(0, pa.int32()), n)
            value = pa.array([constants[field.name]], field.type)
            columns.append(pa.DictionaryArray.from_arrays(indices, value))
        else:
            columns.append(pa.nulls(n, field.type))
    return pa.Table.from_arrays(columns, names=schema.names)


def _conformed(data: pa.Table, schema: pa.Schema) -> pa.Table:
    """``data``'s columns of ``schema``, cast to its types; a dictionary-encoded column of the
    right value type stays encoded (DuckDB reads it as is: a constant is not repeated n times)."""
    columns = []
    for field in schema:
        column = data[field.name]
        encoded = pa.types.is_dictionary(column.type) and column.type.value_type == field.type
        columns.append(column if encoded or column.type == field.type else column.cast(field.type))
    return pa.Table.from_arrays(columns, names=schema.names)


def _ascending(data: pa.Table, keys: Sequence[str]) -> bool:
    """Whether the rows come in strictly ascending order of ``keys``, so that no key repeats: a
    look at neighbouring rows, column by column, far cheaper than grouping a big batch (exports
    are mostly sorted: Direct's reports by day and campaign). False when it cannot tell quickly
    (a NULL in a key, a type it does not compare); the caller then asks DuckDB."""
    if data.num_rows < 2:
        return True
    ascending: pa.Array | None = None  # of rows 1..n-1 against rows 0..n-2, last key first
    for key in reversed(keys):
        column = data[key]
        if column.null_count:
            return False
        if pa.types.is_dictionary(column.type):
            if all(len(chunk.dictionary) == 1 for chunk in column.chunks):
                continue  # one value on every row (a constant column): never decides the order
            return False
        values = column.combine_chunks()
        later, earlier = values[1:], values[:-1]
        try:
            greater = pc.greater(later, earlier)
            ascending = (
                greater
                if ascending is None
                else pc.or_(greater, pc.and_(pc.equal(later, earlier), ascending))
            )
        except pa.ArrowNotImplementedError:
            return False
    return ascending is not None and pc.all(ascending).as_py() is True


class RawStore(Protocol):
    """What ingestion needs from a warehouse. Each call is atomic; ``transaction`` groups calls."""

    def ensure_schema(self) -> None: ...

    def transaction(self) -> Any: ...

    def bulk_load(self, table: RawTable, data: pa.Table) -> int: ...

    def replace_partition(
        self,
        table: RawTable,
        data: pa.Table,
        *,
        partition: Mapping[str, str],
        date_from: dt.date | None,
        date_to: dt.date | None,
    ) -> int: ...

    def upsert(self, table: RawTable, data: pa.Table) -> int: ...

    def replace_table(self, table: RawTable, data: pa.Table) -> int: ...

    def last_loaded_at(self, kind: str) -> dt.datetime | None:
        """When a load of ``kind`` (``raw.load_log.kind``) last succeeded, if ever."""
        ...


def _check_ident(*names: str) -> None:
    for name in names:
        if not _IDENT.match(name):
            raise ValueError(f"not a safe SQL identifier: {name!r}")


class SqlRawStore:
    """The :class:`RawStore` semantics over a SQL connection, written once for every warehouse:
    the DDL and its additions, transactions, what each load deletes, and how rows that share a
    natural key in one batch are collapsed. A warehouse (:class:`DuckDBRawStore`,
    ``pipelines.load.postgres.PostgresRawStore``) supplies how to run a statement, how the
    incoming Arrow rows become a relation SQL can read (``_stage``), and its spelling of the two
    collapsing constructs SQL dialects disagree on (``_last_value``, ``_one_row_per_key``)."""

    placeholder = "?"
    """How the driver marks a query parameter."""

    dbt_adapter = ""
    """The dbt adapter package that builds the models in this warehouse (its version is part of
    the build fingerprint, ``pipelines.load.model_builds``)."""

    text_type = "varchar"
    """The column type of text in this warehouse's DDL (the build state's tables)."""

    _depth = 0

    # -- what a warehouse supplies ---------------------------------------------------------------
    def __enter__(self) -> SqlRawStore:
        """Open the connection (a store is used as a context manager)."""
        raise NotImplementedError

    def __exit__(self, *exc: object) -> None:
        raise NotImplementedError

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        raise NotImplementedError

    def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _stage(self, table: RawTable, data: pa.Table) -> str:
        """Make ``data`` (conformed to ``table``'s columns) readable as a relation; its name."""
        raise NotImplementedError

    def _unstage(self, name: str) -> None:
        raise NotImplementedError

    def _insert_select(self, table: RawTable, columns: str, select: str) -> int:
        """``INSERT INTO table (columns) select``; the number of rows inserted."""
        raise NotImplementedError

    def _last_value(self, column: str, order: str) -> str:
        """An aggregate: ``column``'s value on the group's last row in ``order`` (ascending)."""
        raise NotImplementedError

    def _one_row_per_key(self, columns: str, relation: str, keys: str, order: str) -> str:
        """A SELECT of ``columns`` from ``relation`` keeping, per ``keys``, the row last in ``order``."""
        raise NotImplementedError

    # -- shared ----------------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create the raw schema and tables; add columns a newer contract has (nullable, so an
        older build database keeps its rows)."""
        for statement in ddl_statements():
            self._execute(statement)
        # one catalog query for every table (one per table cost ~70 ms per asset of a refresh)
        present: set[tuple[str, str]] = {
            (str(table_name), str(column_name))
            for table_name, column_name in self._fetchall(
                "SELECT table_name, column_name FROM information_schema.columns "  # noqa: S608
                f"WHERE table_schema = {self.placeholder}",
                [RAW_SCHEMA],
            )
        }
        for table in (*RAW_TABLES.values(), *CONFIG_TABLES.values()):
            for name, sql_type in arrow_columns(table):
                if (table.name, name) not in present:
                    _check_ident(name)
                    nullable = sql_type.replace(" NOT NULL", "")
                    self._execute(f"ALTER TABLE {table.qualified} ADD COLUMN {name} {nullable}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._execute("ROLLBACK")
            raise
        else:
            self._execute("COMMIT")
        finally:
            self._depth = 0

    def _collapsed(self, table: RawTable, view: str) -> str:
        """SELECT over the incoming rows with one row per natural key."""
        cols = table.column_names
        _check_ident(*cols)
        keys = list(table.key)
        if table.additive:
            parts = []
            for col in cols:
                if col in keys:
                    parts.append(col)
                elif col in table.additive:
                    parts.append(f"sum({col}) AS {col}")
                elif col == "_origin_line":
                    parts.append(f"min({col}) AS {col}")
                else:
                    parts.append(f"{self._last_value(col, '_origin_line')} AS {col}")
            return f"SELECT {', '.join(parts)} FROM {view} GROUP BY {', '.join(keys)}"  # noqa: S608
        order = "_origin_line" if table.lineage else "1"
        return self._one_row_per_key(", ".join(cols), view, ", ".join(keys), order)

    def _has_repeated_keys(self, table: RawTable, view: str) -> bool:
        keys = ", ".join(table.key)
        row = self._fetchone(
            f"SELECT 1 FROM {view} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1"  # noqa: S608
        )
        return row is not None

    def _insert(
        self, table: RawTable, view: str, data: pa.Table | None = None, *, collapse: bool = True
    ) -> int:
        cols = ", ".join(table.column_names)
        # Collapsing rows that share no key changes nothing: skip its ordered aggregates (a third
        # of the time of a 1 M-row file) unless some key repeats; rows sorted by their key repeat
        # none (no grouping needed to tell).
        if collapse and data is not None and _ascending(data, table.key):
            collapse = False
        collapse = collapse and self._has_repeated_keys(table, view)
        select = self._collapsed(table, view) if collapse else f"SELECT {cols} FROM {view}"  # noqa: S608
        return self._insert_select(table, cols, select)

    @contextmanager
    def _incoming(self, table: RawTable, data: pa.Table) -> Iterator[str]:
        """The staged rows for the statements of one load; unstaged afterwards. When a statement
        failed, the load's own error is what the caller sees: a failed unstaging (the
        transaction is aborted until the ROLLBACK that follows) is not raised over it."""
        view = self._stage(table, data)
        try:
            yield view
        except BaseException:
            with suppress(Exception):
                self._unstage(view)
            raise
        self._unstage(view)

    # -- the interface ---------------------------------------------------------------------------
    def bulk_load(self, table: RawTable, data: pa.Table) -> int:
        with self.transaction(), self._incoming(table, data) as view:
            return self._insert(table, view, collapse=False)

    def replace_partition(
        self,
        table: RawTable,
        data: pa.Table,
        *,
        partition: Mapping[str, str],
        date_from: dt.date | None,
        date_to: dt.date | None,
    ) -> int:
        _check_ident(*partition)
        p = self.placeholder
        conditions = [f"{col} = {p}" for col in partition]
        params: list[Any] = list(partition.values())
        if table.date_column and date_from is not None and date_to is not None:
            conditions.append(f"{table.date_column} BETWEEN {p} AND {p}")
            params += [date_from, date_to]
        with self.transaction(), self._incoming(table, data) as view:
            where = " AND ".join(conditions) or "TRUE"
            self._execute(f"DELETE FROM {table.qualified} WHERE {where}", params)  # noqa: S608
            return self._insert(table, view, data)

    def upsert(self, table: RawTable, data: pa.Table) -> int:
        keys = list(table.key)
        _check_ident(*keys)
        with self.transaction(), self._incoming(table, data) as view:
            # `=` where the key column cannot be NULL: an index (PostgreSQL's on the key) or a
            # hash join can serve it; `IS NOT DISTINCT FROM` only where NULL must match NULL.
            required = {name for name, sql_type in table.columns if "NOT NULL" in sql_type.upper()}
            match = " AND ".join(
                f"t.{k} = v.{k}" if k in required else f"t.{k} IS NOT DISTINCT FROM v.{k}" for k in keys
            )
            self._execute(
                f"DELETE FROM {table.qualified} t WHERE EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {view} v WHERE {match})"
            )
            return self._insert(table, view, data)

    def replace_table(self, table: RawTable, data: pa.Table) -> int:
        with self.transaction(), self._incoming(table, data) as view:
            self._execute(f"DELETE FROM {table.qualified}")  # noqa: S608
            return self._insert(table, view, collapse=False)

    def last_loaded_at(self, kind: str) -> dt.datetime | None:
        row = self._fetchone(
            f"SELECT max(loaded_at) FROM raw.load_log WHERE kind = {self.placeholder} "  # noqa: S608
            "AND status = 'loaded'",
            [kind],
        )
        return row[0] if row and row[0] is not None else None

    # -- the pipeline's other statements (build state, publish) --------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """One statement (parameters marked with :attr:`placeholder`), in the current transaction
        if one is open."""
        self._execute(sql, params)

    # -- reads used by ops/tests -------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of a read (parameters marked with :attr:`placeholder`)."""
        return self._fetchall(sql, params)

    def count(self, table_name: str) -> int:
        table = RAW_TABLES.get(table_name) or CONFIG_TABLES[table_name]
        row = self._fetchone(f"SELECT count(*) FROM {table.qualified}")  # noqa: S608
        return int(row[0]) if row else 0

    def has_table(self, qualified: str) -> bool:
        """Whether ``schema.table`` exists."""
        schema, name = qualified.split(".")
        p = self.placeholder
        row = self._fetchone(
            f"SELECT count(*) FROM information_schema.tables WHERE table_schema = {p} AND table_name = {p}",  # noqa: S608
            [schema, name],
        )
        return bool(row and row[0])


class DuckDBRawStore(SqlRawStore):
    """:class:`RawStore` on a DuckDB file. Open it briefly (``with DuckDBRawStore(path) as s``):
    DuckDB allows one writer process, and dbt needs the file after ingestion."""

    dbt_adapter = "dbt-duckdb"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._depth = 0

    def __enter__(self) -> DuckDBRawStore:
        self._con = duckdb.connect(str(self.path))
        # Raw tables have no row order (models order by lineage columns): a big insert may
        # write its row groups in whichever order its threads finish (less CPU, in parallel).
        self._con.execute("SET preserve_insertion_order = false")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise RuntimeError("DuckDBRawStore is not open; use it as a context manager")
        return self._con

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        return self.con.execute(sql, list(params)).fetchone()

    def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def _stage(self, table: RawTable, data: pa.Table) -> str:
        # DuckDB scans the Arrow table in place (a registered view: no copy)
        expected = arrow_schema(table)
        if not data.schema.equals(expected, check_metadata=False):
            data = _conformed(data, expected)
        view = f"_incoming_{table.name}"
        self.con.register(view, data)
        return view

    def _unstage(self, name: str) -> None:
        self.con.unregister(name)

    def _insert_select(self, table: RawTable, columns: str, select: str) -> int:
        row = self.con.execute(f"INSERT INTO {table.qualified} ({columns}) {select}").fetchone()
        return int(row[0]) if row else 0

    def _last_value(self, column: str, order: str) -> str:
        return f"last({column} ORDER BY {order})"

    def _one_row_per_key(self, columns: str, relation: str, keys: str, order: str) -> str:
        return (
            f"SELECT {columns} FROM {relation} "  # noqa: S608
            f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {order} DESC) = 1"
        )


def log_load(store: RawStore, **record: Any) -> None:
    """Append one row to ``raw.load_log`` (file loads and API pulls alike): ``load_id``,
    ``origin``, ``kind``, ``status`` and whichever other columns apply; ``loaded_at`` is now (UTC)."""
    table = RAW_TABLES["load_log"]
    row = {"loaded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None), **record}
    store.bulk_load(table, to_arrow(table, [row]))
