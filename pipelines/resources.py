"""Dagster resources: where the agency's configuration, inbox and databases live, and the
vendor APIs the ingestion assets pull from."""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource

from pipelines.api_pull import VendorApis
from pipelines.config import AgencyConfig, load_config
from pipelines.settings import Settings

__all__ = ["AgencyEnvironment", "VendorApiResource"]


class AgencyEnvironment(ConfigurableResource):  # type: ignore[type-arg]
    """Paths and the reporting date; built from environment variables by default."""

    config_path: str
    data_dir: str
    inbox_dir: str
    build_db: str
    serving_db: str
    as_of_date: str | None = None
    demo_world: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AgencyEnvironment:
        return cls(
            config_path=str(settings.config_path),
            data_dir=str(settings.data_dir),
            inbox_dir=str(settings.inbox_dir),
            build_db=str(settings.build_db),
            serving_db=str(settings.serving_db),
            as_of_date=settings.as_of.isoformat() if settings.as_of else None,
            demo_world=str(settings.demo_world) if settings.demo_world else None,
        )

    def settings(self) -> Settings:
        return Settings(
            config_path=Path(self.config_path),
            data_dir=Path(self.data_dir),
            inbox_dir=Path(self.inbox_dir),
            build_db=Path(self.build_db),
            serving_db=Path(self.serving_db),
            as_of=dt.date.fromisoformat(self.as_of_date) if self.as_of_date else None,
            demo_world=Path(self.demo_world) if self.demo_world else None,
        )

    def load_config(self) -> AgencyConfig:
        return load_config(self.config_path)


@lru_cache(maxsize=2)
def _demo_vendors(world: str, mtime_ns: int) -> Any:
    from demo_agency.vendors import DemoVendors, load_world

    return DemoVendors(load_world(world))


class VendorApiResource(ConfigurableResource):  # type: ignore[type-arg]
    """Opens the vendor API clients for one asset run.

    Tokens are read from the environment (``.env``) when a pull starts, never stored in the
    resource. With ``demo_world`` set (the built-in demo) the clients talk to the demo agency's
    fake vendor endpoints with the demo's tokens instead of the internet.
    """

    demo_world: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> VendorApiResource:
        return cls(demo_world=str(settings.demo_world) if settings.demo_world else None)

    def open(self) -> VendorApis:
        if self.demo_world is None:
            return VendorApis()
        from demo_agency.vendors import DEMO_CREDENTIALS

        vendors = _demo_vendors(self.demo_world, Path(self.demo_world).stat().st_mtime_ns)
        return VendorApis({**os.environ, **DEMO_CREDENTIALS}, transports=vendors.transports())
