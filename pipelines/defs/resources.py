"""Dagster resources: where the agency's configuration, inbox and databases live, and the
vendor APIs the ingestion assets pull from."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from dagster import ConfigurableResource, get_dagster_logger

from pipelines.load.config import AgencyConfig, ConfigError, load_config
from pipelines.load.settings import PostgresSettings, Settings
from pipelines.load.vendors import VendorApis
from pipelines.recovery import last_good_config_path, remember_good_config

__all__ = ["AgencyEnvironment", "VendorApiResource"]


@lru_cache(maxsize=4)
def _parsed(path: str, mtime_ns: int, size: int) -> AgencyConfig:
    return load_config(path)


def cached_config(path: Path | str) -> AgencyConfig:
    """The configuration at ``path``, parsed once per version of the file (not once per asset)."""
    try:
        stat = Path(path).stat()
    except FileNotFoundError:
        return load_config(path)  # raises ConfigError naming the missing file
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


class AgencyEnvironment(ConfigurableResource):  # type: ignore[type-arg]
    """Paths and the reporting date; built from environment variables by default."""

    config_path: str
    data_dir: str
    inbox_dir: str
    build_db: str
    serving_db: str
    as_of_date: str | None = None
    warehouse: str = "duckdb"
    pg_host: str | None = None
    pg_port: int | None = None
    pg_user: str | None = None
    pg_dbname: str | None = None
    pg_reader_role: str | None = None
    """Where the PostgreSQL warehouse is, when ``warehouse`` is ``postgres`` (no password here:
    ``AGENCY_PG_PASSWORD`` is read when a connection opens)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> AgencyEnvironment:
        pg = settings.postgres if settings.warehouse == "postgres" else None
        return cls(
            config_path=str(settings.config_path),
            data_dir=str(settings.data_dir),
            inbox_dir=str(settings.inbox_dir),
            build_db=str(settings.build_db),
            serving_db=str(settings.serving_db),
            as_of_date=settings.as_of.isoformat() if settings.as_of else None,
            warehouse=settings.warehouse,
            pg_host=pg.host if pg else None,
            pg_port=pg.port if pg else None,
            pg_user=pg.user if pg else None,
            pg_dbname=pg.dbname if pg else None,
            pg_reader_role=pg.reader_role if pg else None,
        )

    def settings(self) -> Settings:
        postgres = None
        if self.warehouse == "postgres":
            default = PostgresSettings()
            postgres = PostgresSettings(
                host=self.pg_host or default.host,
                port=self.pg_port or default.port,
                user=self.pg_user or default.user,
                dbname=self.pg_dbname or default.dbname,
                reader_role=self.pg_reader_role or None,
            )
        return Settings(
            config_path=Path(self.config_path),
            data_dir=Path(self.data_dir),
            inbox_dir=Path(self.inbox_dir),
            build_db=Path(self.build_db),
            serving_db=Path(self.serving_db),
            as_of=dt.date.fromisoformat(self.as_of_date) if self.as_of_date else None,
            warehouse=self.warehouse,
            postgres=postgres,
        )

    def load_config(self) -> AgencyConfig:
        """The configuration; when the file does not load, the last one that did (a run launched
        from the Dagster UI or a schedule keeps going, as the command line does: decision 37)."""
        try:
            config = cached_config(self.config_path)
        except ConfigError as refused:
            fallback = last_good_config_path(self.settings())
            if not fallback.is_file():
                raise
            get_dagster_logger().warning(f"configuration refused, running with {fallback}: {refused}")
            return cached_config(fallback)
        remember_good_config(self.settings())
        return config

    def config_refusal(self) -> ConfigError | None:
        """Why the configuration file does not load; None when it does."""
        try:
            cached_config(self.config_path)
        except ConfigError as refused:
            return refused
        return None


class VendorApiResource(ConfigurableResource):  # type: ignore[type-arg]
    """Opens the vendor API clients for one asset run.

    Tokens are read from the environment (``.env``) when a pull starts, never stored in the
    resource. To point the clients somewhere else than the vendors' servers (the demo agency's
    fake endpoints, a test's), subclass it and return ``VendorApis(..., transports=...)`` from
    :meth:`open`: the pipelines never know who is on the other end.
    """

    def open(self) -> VendorApis:
        return VendorApis()
