"""The raw-loading interface (:class:`~pipelines.load.warehouse.RawStore`) on Apache Spark.

Raw tables are plain parquet tables in the session's catalog (no Delta or Iceberg: no row
DELETE, no transactions), each PARTITIONED BY its natural partition (:data:`PARTITION_COLUMNS`,
the one place that names them). A load arrives as the loaders' Arrow table, becomes a
DataFrame (``createDataFrame`` from Arrow: no per-row Python), and every load that replaces rows
is written as "the new content of the partitions it touches":

- ``replace_partition``: the touched partitions' rows outside the replaced (partition, date
  window) plus the incoming rows;
- ``upsert``: the touched partitions' rows whose natural key is not incoming plus the incoming
  rows (the partition columns are part of every key, so a key never moves between partitions);
- ``replace_table``: the incoming rows;

with the incoming rows collapsed per natural key exactly as ``SqlRawStore._collapsed`` does on
DuckDB and PostgreSQL (additive metrics summed, the first ``_origin_line``, otherwise the row
last by ``_origin_line``; ties go to the later row of the batch). The new content is written
with ``INSERT OVERWRITE`` in *dynamic* partition-overwrite mode: only the partitions present in
the output are replaced, and Spark allows the query to read the table it overwrites (in static
mode it refuses). A touched partition whose new content is empty is dropped afterwards.
Unpartitioned tables (the configuration tables, ``load_log``) are rewritten from a materialised
frame (checkpointed and counted first), or appended to (``bulk_load``).

What is atomic (``transaction`` only groups calls; it cannot roll anything back):

- a partition overwrite: the new files are written to a staging directory and moved into place
  when every task succeeded (Hadoop's commit protocol); a load that fails before that leaves the
  previous rows of every partition in place (tested by failing a load mid-write);
- not the whole of a load: the moves of several partitions happen one after another at the job's
  commit, and dropping an emptied partition follows the overwrite; a process killed inside the
  commit can leave some partitions new and others old;
- not a group of loads: in ``with store.transaction():`` a load and its ``load_log`` row are two
  writes; a failure between them keeps the load (loading the same file again replaces it: every
  load is idempotent);
- an unpartitioned table's rewrite deletes its files before writing the (already computed and
  materialised) new content: a process killed in between leaves it empty until the next run
  writes the configuration again.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipelines.load.raw_schema import CONFIG_TABLES, PARTITION_COLUMNS, RAW_SCHEMA, RAW_TABLES, RawTable
from pipelines.load.warehouse import _ascending, _check_ident, arrow_columns, arrow_schema

__all__ = ["PARTITION_COLUMNS", "SparkRawStore", "spark_parameters", "spark_session", "thrift_server"]


for _name, _columns in PARTITION_COLUMNS.items():
    if not set(_columns) <= set(RAW_TABLES[_name].key):
        raise AssertionError(f"{_name}: partition columns {_columns} must be part of its key")

_ROW = "_row_in_batch"
"""The incoming row's position in its batch: "the last row wins" among rows of equal order."""

_SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT"}
_PROFILES = Path(__file__).resolve().parents[2] / "dbt_project" / "profiles.yml"


def _spark_type(sql_type: str) -> str:
    base = sql_type.replace(" NOT NULL", "").strip().upper()
    return _SPARK_TYPES.get(base, base)  # BIGINT, BOOLEAN, DATE, TIMESTAMP, DECIMAL(p,s) as written


def _ddl(table: RawTable) -> str:
    partition = PARTITION_COLUMNS.get(table.name, ())
    body = ", ".join(f"{name} {_spark_type(typ)}" for name, typ in arrow_columns(table))
    spec = f" PARTITIONED BY ({', '.join(partition)})" if partition else ""
    return f"CREATE TABLE IF NOT EXISTS {table.qualified} ({body}) USING parquet{spec}"


def _literal(value: Any) -> str:
    """A partition value as a SQL literal (ALTER TABLE takes no parameters)."""
    if value is None:
        raise ValueError("a NULL partition value cannot be dropped by name")
    text = str(value)
    if "'" in text or "\\" in text:
        raise ValueError(f"not a partition value this store writes: {text!r}")
    return f"'{text}'"


def spark_parameters(env: Mapping[str, str] | None = None, target: str = "spark") -> dict[str, str]:
    """The ``server_side_parameters`` of the dbt profile's ``spark`` target, rendered as dbt
    renders them (``env_var`` from ``env`` over the process environment): the loader's session
    is configured as dbt-spark's ``session`` method configures its own, never repeated here."""
    import jinja2
    import yaml

    variables = {**os.environ, **(env or {})}

    def env_var(name: str, default: str | None = None) -> str:
        value = variables.get(name, default)
        if value is None:
            raise KeyError(f"profiles.yml needs the environment variable {name}")
        return value

    raw = yaml.safe_load(_PROFILES.read_text(encoding="utf-8"))
    params = raw["agency_reporting"]["outputs"][target]["server_side_parameters"]
    render = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False).from_string
    return {str(k): render(str(v)).render(env_var=env_var) for k, v in params.items()}


def spark_session(env: Mapping[str, str] | None = None) -> Any:
    """The process's SparkSession (``getOrCreate``: the one dbt-spark's ``session`` method finds
    when dbt runs in this process), configured from the profile's ``spark`` target."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_parameters(env).items():
        builder = builder.config(key, value)
    builder = builder.config("spark.sql.ansi.enabled", "false")  # as dbt-spark sets it
    return builder.getOrCreate()


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def thrift_server(session: Any, host: str = "127.0.0.1", port: int | None = None) -> Iterator[int]:
    """Serve ``session``'s catalog over HiveServer2's Thrift protocol on ``host``: the port
    (a free one unless given) while the block runs, stopped after it.

    This is Spark's own Thrift server (``HiveThriftServer2.startWithContext``, the jar pyspark
    ships), started inside the loader's JVM: dbt connects with the profile's ``spark_thrift``
    target (``method: thrift``) exactly as it connects to a cluster's Thrift server, from a
    process of its own, and sees the tables the loaders wrote (one metastore: the embedded Derby
    database takes one process, the loader's). Each connection gets its own Spark session over
    the same context and catalog, configured as this one was built (``spark_session``).
    """
    chosen = port or _free_port(host)
    session.conf.set("hive.server2.thrift.bind.host", host)
    session.conf.set("hive.server2.thrift.port", str(chosen))
    server_class = session._jvm.org.apache.spark.sql.hive.thriftserver.HiveThriftServer2
    started: list[Any] = []

    def start() -> None:
        started.append(server_class.startWithContext(session._jsparkSession.sqlContext()))

    # Started from a thread of its own (pyspark pins each Python thread to a JVM thread): a thread
    # that has used the metastore keeps a Hive SessionState, whose settings the server would take
    # instead of the port and address set above (Spark's HiveClientImpl reuses that state).
    thread = threading.Thread(target=start, name="spark-thrift-start")
    thread.start()
    thread.join()
    if not started:
        raise RuntimeError("Spark's Thrift server did not start (see the Spark log above)")
    server = started[0]
    try:
        _wait_for(host, chosen)
        yield chosen
    finally:
        server.stop()


def _wait_for(host: str, port: int, seconds: float = 60.0) -> None:
    """Until the server's listening thread accepts connections (it binds after ``start`` returns)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"Spark's Thrift server did not listen on {host}:{port} within {seconds:.0f} s"
                ) from None
            time.sleep(0.1)


class SparkRawStore:
    """:class:`~pipelines.load.warehouse.RawStore` on a SparkSession's catalog (module doc).

    ``session``: an open SparkSession; without one, ``__enter__`` gets the process's session
    from the profile's ``spark`` target (``env``: its ``AGENCY_SPARK_*`` variables). Leaving the
    context does not stop the session: dbt-spark uses the same one in this process."""

    placeholder = "?"
    dbt_adapter = "dbt-spark"
    text_type = "string"

    def __init__(self, session: Any | None = None, *, env: Mapping[str, str] | None = None) -> None:
        self._session = session
        self._env = dict(env or {})
        self._depth = 0

    def __enter__(self) -> SparkRawStore:
        if self._session is None:
            self._session = spark_session(self._env)
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @property
    def spark(self) -> Any:
        if self._session is None:
            raise RuntimeError("SparkRawStore has no session; use it as a context manager")
        return self._session

    # -- schema ----------------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """The raw schema and its tables (parquet, partitioned as :data:`PARTITION_COLUMNS`
        says); columns a newer contract has are added (nullable, so older rows stay)."""
        self.spark.sql(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
        for table in (*RAW_TABLES.values(), *CONFIG_TABLES.values()):
            _check_ident(*table.column_names)
            self.spark.sql(_ddl(table))
            present = set(self.spark.table(table.qualified).columns)
            missing = [(n, t) for n, t in arrow_columns(table) if n not in present]
            if missing:
                added = ", ".join(f"{n} {_spark_type(t)}" for n, t in missing)
                self.spark.sql(f"ALTER TABLE {table.qualified} ADD COLUMNS ({added})")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Groups loads as the SQL stores' transactions do, but rolls nothing back: parquet
        tables have no transactions (what is atomic: the module's doc)."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    # -- incoming rows ---------------------------------------------------------------------------
    def _frame(self, table: RawTable, data: pa.Table, *, position: bool = False) -> Any:
        """The Arrow rows as a DataFrame of the raw table's columns and types (dictionary-encoded
        constants decoded); NOT NULL columns are checked here, as DuckDB's and PostgreSQL's
        tables check them (a parquet table does not)."""
        schema = arrow_schema(table)
        columns, names = [], []
        for field in schema:
            column = data[field.name] if field.name in data.column_names else pa.nulls(data.num_rows)
            if column.type != field.type:
                column = column.cast(field.type)
            if not field.nullable and column.null_count:
                raise ValueError(f"{table.qualified}.{field.name} is NOT NULL: {column.null_count} NULL(s)")
            columns.append(column)
            names.append(field.name)
        if position:
            columns.append(pa.array(range(data.num_rows), pa.int64()))
            names.append(_ROW)
        return self.spark.createDataFrame(pa.Table.from_arrays(columns, names=names))

    def _collapsed(self, table: RawTable, frame: Any) -> Any:
        """One row per natural key, as ``SqlRawStore._collapsed``: additive metrics summed, the
        first ``_origin_line``, every other column from the row last by ``_origin_line`` (DuckDB's
        ``last(x ORDER BY _origin_line)``: NULL lines last); without additive metrics the row with
        the greatest ``_origin_line`` (DuckDB's ``QUALIFY ... ORDER BY _origin_line DESC``: NULLs
        last). Equal orders go to the later row of the batch."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        keys = list(table.key)
        by_key = Window.partitionBy(*keys)
        if table.additive and table.lineage:
            order = [F.col("_origin_line").desc_nulls_first(), F.col(_ROW).desc()]
        elif table.lineage:
            order = [F.col("_origin_line").desc_nulls_last(), F.col(_ROW).desc()]
        else:
            order = [F.col(_ROW).desc()]
        ranked = frame.withColumn("_rank_in_key", F.row_number().over(by_key.orderBy(*order)))
        if table.additive:
            for column in table.additive:
                ranked = ranked.withColumn(column, F.sum(column).over(by_key))
            if table.lineage:
                ranked = ranked.withColumn("_origin_line", F.min("_origin_line").over(by_key))
        return self._typed(table, ranked.where(F.col("_rank_in_key") == 1))

    def _typed(self, table: RawTable, frame: Any) -> Any:
        """``frame``'s columns in the Spark table's order (partition columns last), cast to its
        types (a sum of a decimal is a wider decimal)."""
        from pyspark.sql import functions as F

        target = self.spark.table(table.qualified).schema
        return frame.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in target.fields])

    def _incoming(self, table: RawTable, data: pa.Table, *, collapse: bool) -> Any:
        if not collapse or _ascending(data, table.key):  # sorted by key: no key repeats
            return self._typed(table, self._frame(table, data))
        return self._collapsed(table, self._frame(table, data, position=True))

    # -- partitions ------------------------------------------------------------------------------
    @staticmethod
    def _partitions_of(table: RawTable, data: pa.Table) -> set[tuple[Any, ...]]:
        columns = PARTITION_COLUMNS.get(table.name, ())
        if not columns or not data.num_rows:
            return set()
        groups = pa.table({c: data[c].cast(arrow_schema(table).field(c).type) for c in columns})
        return {
            tuple(row[c] for c in columns) for row in groups.group_by(list(columns)).aggregate([]).to_pylist()
        }

    @staticmethod
    def _in_partitions(columns: Sequence[str], partitions: set[tuple[Any, ...]]) -> Any:
        from pyspark.sql import functions as F

        condition = F.lit(False)
        for values in sorted(partitions, key=repr):
            match = F.lit(True)
            for column, value in zip(columns, values, strict=True):
                match = match & F.col(column).eqNullSafe(F.lit(value))
            condition = condition | match
        return condition

    @contextmanager
    def _dynamic_overwrite(self) -> Iterator[None]:
        conf = self.spark.conf
        key = "spark.sql.sources.partitionOverwriteMode"
        before = conf.get(key)
        conf.set(key, "dynamic")
        try:
            yield
        finally:
            conf.set(key, before)

    def _overwrite_partitions(
        self, table: RawTable, new: Any, touched: set[tuple[Any, ...]], filled: set[tuple[Any, ...]]
    ) -> None:
        """Replace the ``touched`` partitions by ``new`` (which holds rows of the touched
        partitions only); ``filled``: touched partitions known to keep rows (the incoming ones).
        The others are checked first and dropped after the overwrite if ``new`` has no row in them."""
        columns = PARTITION_COLUMNS[table.name]
        emptied = set()
        for values in touched - filled:
            if new.where(self._in_partitions(columns, {values})).limit(1).count() == 0:
                emptied.add(values)
        with self._dynamic_overwrite():
            new.write.insertInto(table.qualified, overwrite=True)
        for values in emptied:
            spec = ", ".join(f"{c} = {_literal(v)}" for c, v in zip(columns, values, strict=True))
            self.spark.sql(f"ALTER TABLE {table.qualified} DROP IF EXISTS PARTITION ({spec})")

    def _rewrite_unpartitioned(self, table: RawTable, new: Any) -> None:
        """The whole table from ``new``, materialised first (Spark refuses to overwrite a table
        the query reads, and the files are deleted before the new ones are written)."""
        materialised = new.localCheckpoint(eager=True)
        materialised.count()
        materialised.write.insertInto(table.qualified, overwrite=True)

    def _existing(self, table: RawTable) -> Any:
        return self.spark.table(table.qualified)

    # -- the interface ---------------------------------------------------------------------------
    def bulk_load(self, table: RawTable, data: pa.Table) -> int:
        if data.num_rows:
            self._incoming(table, data, collapse=False).write.insertInto(table.qualified)
        return int(data.num_rows)

    def replace_partition(
        self,
        table: RawTable,
        data: pa.Table,
        *,
        partition: Mapping[str, str],
        date_from: dt.date | None,
        date_to: dt.date | None,
    ) -> int:
        from pyspark.sql import functions as F

        _check_ident(*partition)
        replaced = F.lit(True)
        for column, value in partition.items():
            replaced = replaced & (F.col(column) == F.lit(value))
        if table.date_column and date_from is not None and date_to is not None:
            replaced = replaced & F.col(table.date_column).between(F.lit(date_from), F.lit(date_to))
        incoming = self._incoming(table, data, collapse=True)
        existing = self._existing(table)
        columns = PARTITION_COLUMNS.get(table.name, ())
        if not columns:
            kept = existing.where(~F.coalesce(replaced, F.lit(False)))
            self._rewrite_unpartitioned(table, kept.unionByName(incoming))
            return _row_count(table, data)
        filled = self._partitions_of(table, data)
        rows = existing.where(replaced).select(*columns).distinct().collect()
        touched = filled | {tuple(row) for row in rows}
        if not touched:
            return 0
        kept = existing.where(self._in_partitions(columns, touched) & ~F.coalesce(replaced, F.lit(False)))
        self._overwrite_partitions(table, kept.unionByName(incoming), touched, filled)
        return _row_count(table, data)

    def upsert(self, table: RawTable, data: pa.Table) -> int:
        if not data.num_rows:
            return 0
        keys = list(table.key)
        _check_ident(*keys)
        incoming = self._incoming(table, data, collapse=True)
        existing = self._existing(table)
        match = None
        for key in keys:
            condition = existing[key].eqNullSafe(incoming[key])
            match = condition if match is None else match & condition
        columns = PARTITION_COLUMNS.get(table.name, ())
        if not columns:
            kept = existing.join(incoming, on=match, how="left_anti")
            self._rewrite_unpartitioned(table, kept.unionByName(incoming))
            return _row_count(table, data)
        touched = self._partitions_of(table, data)
        scope = existing.where(self._in_partitions(columns, touched))
        kept = scope.join(incoming, on=[scope[k].eqNullSafe(incoming[k]) for k in keys], how="left_anti")
        self._overwrite_partitions(table, kept.unionByName(incoming), touched, touched)
        return _row_count(table, data)

    def replace_table(self, table: RawTable, data: pa.Table) -> int:
        incoming = self._incoming(table, data, collapse=False)
        columns = PARTITION_COLUMNS.get(table.name, ())
        if columns:
            filled = self._partitions_of(table, data)
            present = {tuple(r) for r in self._existing(table).select(*columns).distinct().collect()}
            self._overwrite_partitions(table, incoming, filled | present, filled)
        else:
            self._rewrite_unpartitioned(table, incoming)
        return int(data.num_rows)

    def last_loaded_at(self, kind: str) -> dt.datetime | None:
        rows = self.query(
            "SELECT max(loaded_at) FROM raw.load_log WHERE kind = ? AND status = 'loaded'", [kind]
        )
        return rows[0][0] if rows and rows[0][0] is not None else None

    # -- the pipeline's other statements, reads used by ops/tests --------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.spark.sql(sql, args=list(params) or None).collect()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.spark.sql(sql, args=list(params) or None).collect()]

    def count(self, table_name: str) -> int:
        table = RAW_TABLES.get(table_name) or CONFIG_TABLES[table_name]
        return int(self.spark.table(table.qualified).count())

    def has_table(self, qualified: str) -> bool:
        """Whether ``schema.table`` is in the session's catalog."""
        return bool(self.spark.catalog.tableExists(qualified))

    def read_table(self, schema: str, name: str) -> pa.Table:
        """A whole table as Arrow, for the publish step (``pipelines.load.publish``: the marts into
        the serving file); collected on this driver, one table at a time. Spark's timestamps are
        instants shown in the session's time zone (UTC): they come back as the UTC wall times
        DuckDB's and PostgreSQL's ``timestamp`` columns hold."""
        _check_ident(schema, name)
        # dbt rebuilt the table in sessions of its own (the Thrift server's): this session's cached
        # file listing may name files that no longer exist
        self.spark.catalog.refreshTable(f"{schema}.{name}")
        data = self.spark.table(f"{schema}.{name}").toArrow()
        fields = [
            pa.field(f.name, pa.timestamp(f.type.unit), f.nullable)
            if pa.types.is_timestamp(f.type) and f.type.tz is not None
            else f
            for f in data.schema
        ]
        return data.cast(pa.schema(fields))


def _row_count(table: RawTable, data: pa.Table) -> int:
    """The rows a collapsing load writes: one per distinct natural key (counted in Arrow)."""
    if _ascending(data, table.key):
        return int(data.num_rows)
    schema = arrow_schema(table)
    keys = pa.table({k: data[k].cast(schema.field(k).type) for k in table.key})
    return int(keys.group_by(list(table.key)).aggregate([]).num_rows)
