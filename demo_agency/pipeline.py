"""The demo agency plugged into the real pipelines from outside.

The pipelines know nothing of the demo: they take a vendor API resource. This module gives them
one whose clients talk to the demo agency's fake vendor endpoints (:mod:`demo_agency.vendors`)
with the demo's tokens, instead of the internet. Everything else (the API clients, the loading,
dbt, publish) is the production code path.

    python -m demo_agency.pipeline refresh --full     # the refresh CLI of `python -m pipelines`
    dagster dev -m demo_agency.pipeline               # the Dagster UI on the demo

The simulated world is read from ``demo_world.json`` beside the configuration file
(``AGENCY_CONFIG``), where ``python -m demo_agency --out DIR`` writes both.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from dagster import Definitions

from demo_agency.vendors import DEMO_CREDENTIALS, DemoVendors, load_world
from pipelines.cli import main as pipelines_main
from pipelines.defs.definitions import build_definitions
from pipelines.defs.resources import VendorApiResource
from pipelines.load.process import exit_process
from pipelines.load.settings import Settings
from pipelines.load.vendors import VendorApis

__all__ = ["DemoVendorApiResource", "defs", "demo_definitions", "main", "vendor_apis_for"]

WORLD_FILE = "demo_world.json"


@lru_cache(maxsize=2)
def _vendors(world: str, mtime_ns: int) -> DemoVendors:
    return DemoVendors(load_world(world))


class DemoVendorApiResource(VendorApiResource):
    """Vendor clients served by the demo agency's fake endpoints (``world``: its demo_world.json)."""

    world: str

    def open(self) -> VendorApis:
        vendors = _vendors(self.world, Path(self.world).stat().st_mtime_ns)
        return VendorApis({**os.environ, **DEMO_CREDENTIALS}, transports=vendors.transports())


def vendor_apis_for(settings: Settings) -> DemoVendorApiResource:
    """The resource for the demo whose configuration ``settings`` points at."""
    return DemoVendorApiResource(world=str(settings.config_path.parent / WORLD_FILE))


def demo_definitions(settings: Settings | None = None) -> Definitions:
    settings = settings or Settings.from_env()
    return build_definitions(settings, vendor_apis_for(settings))


defs = demo_definitions()


def main(argv: list[str] | None = None) -> int:
    return pipelines_main(
        argv,
        vendor_apis=vendor_apis_for(Settings.from_env()),
        prog="python -m demo_agency.pipeline",
        definitions="demo_agency.pipeline:defs",  # what Celery workers import (AGENCY_EXECUTOR=celery)
    )


if __name__ == "__main__":
    exit_process(main())
