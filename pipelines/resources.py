"""Dagster resources: where the agency's configuration, inbox and databases live."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dagster import ConfigurableResource

from pipelines.config import AgencyConfig, load_config
from pipelines.settings import Settings

__all__ = ["AgencyEnvironment"]


class AgencyEnvironment(ConfigurableResource):  # type: ignore[type-arg]
    """Paths and the reporting date; built from environment variables by default."""

    config_path: str
    data_dir: str
    inbox_dir: str
    build_db: str
    serving_db: str
    as_of_date: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AgencyEnvironment:
        return cls(
            config_path=str(settings.config_path),
            data_dir=str(settings.data_dir),
            inbox_dir=str(settings.inbox_dir),
            build_db=str(settings.build_db),
            serving_db=str(settings.serving_db),
            as_of_date=settings.as_of.isoformat() if settings.as_of else None,
        )

    def settings(self) -> Settings:
        return Settings(
            config_path=Path(self.config_path),
            data_dir=Path(self.data_dir),
            inbox_dir=Path(self.inbox_dir),
            build_db=Path(self.build_db),
            serving_db=Path(self.serving_db),
            as_of=dt.date.fromisoformat(self.as_of_date) if self.as_of_date else None,
        )

    def load_config(self) -> AgencyConfig:
        return load_config(self.config_path)
