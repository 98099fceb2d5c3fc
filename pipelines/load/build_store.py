"""The build database the settings name, opened as a :class:`~pipelines.load.warehouse.RawStore`.

Every step of a refresh that writes or reads the build database (the loaders, the build state of
``model_builds``, the publish step) opens it here, so the warehouse is chosen in one place:
``AGENCY_WAREHOUSE`` (``pipelines.load.settings``), DuckDB's build file by default, the
PostgreSQL database of ``AGENCY_PG_*``, or Spark's parquet tables (``AGENCY_SPARK_*``: loading and
dbt only, :func:`refresh_refused`). Callers never ask which one it is.
"""

from __future__ import annotations

from pipelines.load.postgres import PostgresRawStore
from pipelines.load.publish import PublishResult, publish, read_publish_meta
from pipelines.load.publish_schema import SERVING_SCHEMA, publish_schema, read_schema_publish_meta
from pipelines.load.settings import PostgresSettings, Settings, SparkSettings
from pipelines.load.spark import SparkRawStore
from pipelines.load.warehouse import DuckDBRawStore, SqlRawStore

__all__ = [
    "SparkNotServed",
    "build_state_store",
    "build_store",
    "dbt_target_args",
    "publish_marts",
    "published_meta",
    "refresh_refused",
    "serving_location",
]


class SparkNotServed(RuntimeError):
    """Nothing built on Spark is published where the dashboard and the reports read."""


_SPARK_NOT_SERVED = (
    "AGENCY_WAREHOUSE=spark loads the raw layer (SparkRawStore) and builds the dbt project "
    "(--target spark), but the refresh does not run on Spark: the dashboard and the reports read a "
    "DuckDB serving file or PostgreSQL's serving schema, and nothing publishes Spark's marts there; "
    "dbt would also run in a process of its own whose Spark session cannot open the loader's "
    "embedded metastore. Run the refresh with AGENCY_WAREHOUSE=duckdb or postgres; Spark's build is "
    "`make test-spark` (docs/scale-out.md)."
)


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


def build_state_store(settings: Settings) -> SqlRawStore:
    """The store of the build state (``pipelines.load.model_builds``: run values, fingerprint,
    watermark), which a refresh's dbt step keeps: a SQL warehouse's; refused on Spark."""
    store = build_store(settings)
    if not isinstance(store, SqlRawStore):
        raise SparkNotServed(_SPARK_NOT_SERVED)
    return store


def refresh_refused(settings: Settings) -> str | None:
    """Why the refresh cannot run on the settings' warehouse (None: it can): asked by the refresh
    command before anything is loaded (exit 2, as for a configuration it refuses)."""
    return _SPARK_NOT_SERVED if settings.warehouse == "spark" else None


def dbt_target_args(settings: Settings) -> tuple[list[str], dict[str, str]]:
    """The dbt arguments that pick the profile's target for the settings' warehouse and the
    environment that target reads: ``AGENCY_BUILD_DB`` (the DuckDB file) or ``AGENCY_PG_*``."""
    if settings.warehouse == "postgres":
        return ["--target", "postgres"], (settings.postgres or PostgresSettings()).dbt_env()
    if settings.warehouse == "spark":
        return ["--target", "spark"], _spark(settings).dbt_env()
    return [], {"AGENCY_BUILD_DB": str(settings.build_db)}


def publish_marts(settings: Settings, *, run_id: str) -> PublishResult:
    """Publish the built marts where the settings' readers find them, swapped in atomically: a
    new serving DuckDB file (``pipelines.load.publish``), or a new ``serving`` schema in the
    PostgreSQL database (``pipelines.load.publish_schema``)."""
    as_of = settings.as_of_date()
    if settings.warehouse == "spark":
        raise SparkNotServed(_SPARK_NOT_SERVED)
    if settings.warehouse == "postgres":
        with PostgresRawStore((settings.postgres or PostgresSettings()).conninfo()) as store:
            role = (settings.postgres or PostgresSettings()).reader_role
            return publish_schema(store, as_of_date=as_of, run_id=run_id, reader_role=role)
    return publish(settings.build_db, settings.serving_db, as_of_date=as_of, run_id=run_id)


def published_meta(settings: Settings) -> dict[str, object] | None:
    """The publish metadata of what is published now (``_publish_meta``), None if nothing is
    (never anything on Spark)."""
    if settings.warehouse == "spark":
        return None
    if settings.warehouse == "postgres":
        with PostgresRawStore((settings.postgres or PostgresSettings()).conninfo()) as store:
            return read_schema_publish_meta(store)
    return read_publish_meta(settings.serving_db)


def serving_location(settings: Settings) -> str:
    """Where the published marts are, for people: ``serving file: <path>``, or ``serving schema:
    <schema> of PostgreSQL database <name> on <host>:<port>``; nothing on Spark."""
    if settings.warehouse == "spark":
        return f"nothing served from Spark (warehouse {_spark(settings).dir})"
    if settings.warehouse == "postgres":
        pg = settings.postgres or PostgresSettings()
        return f"serving schema: {SERVING_SCHEMA} of PostgreSQL database {pg.dbname} on {pg.host}:{pg.port}"
    return f"serving file: {settings.serving_db}"
