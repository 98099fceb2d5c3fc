"""The build database the settings name, opened as a :class:`~pipelines.load.warehouse.RawStore`.

Every step of a refresh that writes or reads the build database (the loaders, the build state of
``model_builds``, the publish step) opens it here, so the warehouse is chosen in one place:
``AGENCY_WAREHOUSE`` (``pipelines.load.settings``), DuckDB's build file by default, or the
PostgreSQL database of ``AGENCY_PG_*``. Callers never ask which one it is.
"""

from __future__ import annotations

from pipelines.load.postgres import PostgresRawStore
from pipelines.load.publish import PublishResult, publish
from pipelines.load.publish_schema import publish_schema
from pipelines.load.settings import PostgresSettings, Settings
from pipelines.load.warehouse import DuckDBRawStore, SqlRawStore

__all__ = ["build_store", "dbt_target_args", "publish_marts"]


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
            return publish_schema(store, as_of_date=as_of, run_id=run_id)
    return publish(settings.build_db, settings.serving_db, as_of_date=as_of, run_id=run_id)
