"""The build database the settings name, opened as a :class:`~pipelines.load.warehouse.RawStore`.

Every step of a refresh that writes or reads the build database (the loaders, the build state of
``model_builds``, dbt, the publish step) opens it here, so the warehouse is chosen in one place:
``AGENCY_WAREHOUSE`` (``pipelines.load.settings``), DuckDB's build file by default, the
PostgreSQL database of ``AGENCY_PG_*``, or Spark's parquet tables (``AGENCY_SPARK_*``). Callers
never ask which one it is.

On Spark the refresh's process holds the session (its loaders write through it, and the embedded
metastore takes one process); dbt reaches it from its own process through Spark's Thrift server,
which :func:`dbt_connection` starts inside that session for the dbt step, and the publish step
copies Spark's marts into the serving DuckDB file the dashboard and the reports read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pipelines.load.postgres import PostgresRawStore
from pipelines.load.publish import PublishResult, publish, read_publish_meta
from pipelines.load.publish_schema import SERVING_SCHEMA, publish_schema, read_schema_publish_meta
from pipelines.load.settings import PostgresSettings, Settings, SparkSettings
from pipelines.load.spark import SparkRawStore, thrift_server
from pipelines.load.warehouse import DuckDBRawStore, SqlRawStore

__all__ = [
    "build_state_store",
    "build_store",
    "dbt_connection",
    "dbt_target_args",
    "publish_marts",
    "published_meta",
    "serving_location",
]


def _spark(settings: Settings) -> SparkSettings:
    return settings.spark or SparkSettings(dir=settings.data_dir / "spark")


def build_store(settings: Settings) -> SqlRawStore | SparkRawStore:
    """The build database's store, not yet open: ``with build_store(settings) as store: ...``
    (open it briefly: DuckDB's file takes one writer process, and dbt needs it after a load).
    On Spark, the process's SparkSession configured as the dbt profile's ``spark`` target."""
    if settings.warehouse == "postgres":
        return PostgresRawStore((settings.postgres or PostgresSettings()).conninfo())
    if settings.warehouse == "spark":
        return SparkRawStore(env=_spark(settings).dbt_env())
    return DuckDBRawStore(settings.build_db)


def build_state_store(settings: Settings) -> SqlRawStore | SparkRawStore:
    """The store of the build state (``pipelines.load.model_builds``: run values, fingerprint,
    watermark), which a refresh's dbt step keeps: the build database's own."""
    return build_store(settings)


def dbt_target_args(settings: Settings) -> tuple[list[str], dict[str, str]]:
    """The dbt arguments that pick the profile's target for the settings' warehouse and the
    environment that target reads: ``AGENCY_BUILD_DB`` (the DuckDB file), ``AGENCY_PG_*``, or
    ``AGENCY_SPARK_*`` (``--target spark``: dbt-spark's ``session`` method, for dbt running in
    the process that holds the session; a refresh's dbt runs in its own: :func:`dbt_connection`)."""
    if settings.warehouse == "postgres":
        return ["--target", "postgres"], (settings.postgres or PostgresSettings()).dbt_env()
    if settings.warehouse == "spark":
        return ["--target", "spark"], _spark(settings).dbt_env()
    return [], {"AGENCY_BUILD_DB": str(settings.build_db)}


@contextmanager
def dbt_connection(settings: Settings) -> Iterator[tuple[list[str], dict[str, str]]]:
    """The dbt arguments and environment of a dbt process that builds the settings' warehouse,
    usable while the block runs: :func:`dbt_target_args` for DuckDB and PostgreSQL. On Spark the
    loaders' session (this process's) is served over Thrift on a free loopback port
    (``pipelines.load.spark.thrift_server``) and dbt connects with the profile's ``spark_thrift``
    target, as it would to a cluster's Thrift server; the server stops after the block."""
    if settings.warehouse != "spark":
        yield dbt_target_args(settings)
        return
    spark = _spark(settings)
    with SparkRawStore(env=spark.dbt_env()) as store, thrift_server(store.spark) as port:
        env = {**spark.dbt_env(), "AGENCY_SPARK_HOST": "127.0.0.1", "AGENCY_SPARK_PORT": str(port)}
        yield ["--target", "spark_thrift"], env


def publish_marts(settings: Settings, *, run_id: str) -> PublishResult:
    """Publish the built marts where the settings' readers find them, swapped in atomically: a
    new serving DuckDB file (``pipelines.load.publish``; from DuckDB's build file, or from Spark's
    marts through Arrow), or a new ``serving`` schema in the PostgreSQL database
    (``pipelines.load.publish_schema``)."""
    as_of = settings.as_of_date()
    if settings.warehouse == "spark":
        with SparkRawStore(env=_spark(settings).dbt_env()) as spark:
            return publish(spark.read_table, settings.serving_db, as_of_date=as_of, run_id=run_id)
    if settings.warehouse == "postgres":
        with PostgresRawStore((settings.postgres or PostgresSettings()).conninfo()) as store:
            role = (settings.postgres or PostgresSettings()).reader_role
            return publish_schema(store, as_of_date=as_of, run_id=run_id, reader_role=role)
    return publish(settings.build_db, settings.serving_db, as_of_date=as_of, run_id=run_id)


def published_meta(settings: Settings) -> dict[str, object] | None:
    """The publish metadata of what is published now (``_publish_meta``), None if nothing is."""
    if settings.warehouse == "postgres":
        with PostgresRawStore((settings.postgres or PostgresSettings()).conninfo()) as store:
            return read_schema_publish_meta(store)
    return read_publish_meta(settings.serving_db)


def serving_location(settings: Settings) -> str:
    """Where the published marts are, for people: ``serving file: <path>``, or ``serving schema:
    <schema> of PostgreSQL database <name> on <host>:<port>`` (Spark's marts are published into
    the serving file)."""
    if settings.warehouse == "postgres":
        pg = settings.postgres or PostgresSettings()
        return f"serving schema: {SERVING_SCHEMA} of PostgreSQL database {pg.dbname} on {pg.host}:{pg.port}"
    return f"serving file: {settings.serving_db}"
