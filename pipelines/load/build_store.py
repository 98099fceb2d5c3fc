"""The build database the settings name, opened as a :class:`~pipelines.load.warehouse.RawStore`.

Every step of a refresh that writes or reads the build database (the loaders, the build state of
``model_builds``, the publish step) opens it here, so the warehouse is chosen in one place:
``AGENCY_WAREHOUSE`` (``pipelines.load.settings``), DuckDB's build file by default, or the
PostgreSQL database of ``AGENCY_PG_*``. Callers never ask which one it is.
"""

from __future__ import annotations

from pipelines.load.postgres import PostgresRawStore
from pipelines.load.publish import PublishResult, publish, read_publish_meta
from pipelines.load.publish_schema import SERVING_SCHEMA, publish_schema, read_schema_publish_meta
from pipelines.load.settings import PostgresSettings, Settings
from pipelines.load.warehouse import DuckDBRawStore, SqlRawStore

__all__ = ["build_store", "dbt_target_args", "publish_marts", "published_meta", "serving_location"]


def build_store(settings: Settings) -> SqlRawStore:
    """The build database's store, not yet open: ``with build_store(settings) as store: ...``
    (open it briefly: DuckDB's file takes one writer process, and dbt needs it after a load)."""
    if settings.warehouse == "postgres":
        return PostgresRawStore((settings.postgres or PostgresSettings()).conninfo())
    return DuckDBRawStore(settings.build_db)


def dbt_target_args(settings: Settings) -> tuple[list[str], dict[str, str]]:
    """The dbt arguments that pick the profile's target for the settings' warehouse and the
    environment that target reads: ``AGENCY_BUILD_DB`` (the DuckDB file) or ``AGENCY_PG_*``."""
    if settings.warehouse == "postgres":
        return ["--target", "postgres"], (settings.postgres or PostgresSettings()).dbt_env()
    return [], {"AGENCY_BUILD_DB": str(settings.build_db)}


def publish_marts(settings: Settings, *, run_id: str) -> PublishResult:
    """Publish the built marts where the settings' readers find them, swapped in atomically: a
    new serving DuckDB file (``pipelines.load.publish``), or a new ``serving`` schema in the
    PostgreSQL database (``pipelines.load.publish_schema``)."""
    as_of = settings.as_of_date()
    if settings.warehouse == "postgres":
        with build_store(settings) as store:
            role = (settings.postgres or PostgresSettings()).reader_role
            return publish_schema(store, as_of_date=as_of, run_id=run_id, reader_role=role)
    return publish(settings.build_db, settings.serving_db, as_of_date=as_of, run_id=run_id)


def published_meta(settings: Settings) -> dict[str, object] | None:
    """The publish metadata of what is published now (``_publish_meta``), None if nothing is."""
    if settings.warehouse == "postgres":
        with build_store(settings) as store:
            return read_schema_publish_meta(store)
    return read_publish_meta(settings.serving_db)


def serving_location(settings: Settings) -> str:
    """Where the published marts are, for people: ``serving file: <path>``, or ``serving schema:
    <schema> of PostgreSQL database <name> on <host>:<port>``."""
    if settings.warehouse == "postgres":
        pg = settings.postgres or PostgresSettings()
        return f"serving schema: {SERVING_SCHEMA} of PostgreSQL database {pg.dbname} on {pg.host}:{pg.port}"
    return f"serving file: {settings.serving_db}"
