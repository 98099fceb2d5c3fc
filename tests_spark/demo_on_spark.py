"""The demo agency's raw layer loaded into Spark by the refresh's own loaders.

The same demo as ``published_demo`` (tests/conftest.py: six clients, seven months, refreshed on
DuckDB) is written again into a folder of its own, and the refresh's loading assets (the agency
configuration, the inbox files, every API pull through the demo's fake vendor APIs, Bitrix24,
the balances: Dagster group ``raw``) run with ``AGENCY_WAREHOUSE=spark``, so every row reaches
Spark through ``SparkRawStore`` (``pipelines.load.build_store``), the way the DuckDB run's rows
reached DuckDB. dbt and the publish step are not run here (the refresh does not publish from
Spark: ``pipelines.load.build_store.refresh_refused``); the harness runs dbt-spark in-process.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

__all__ = ["load_demo_on_spark"]


def load_demo_on_spark(published_demo: tuple[Any, Any, Any], root: Path) -> tuple[Any, dict[str, int]]:
    """The Spark run's settings and the row count of every raw table after the load."""
    from dagster import AssetSelection, DagsterInstance, materialize

    from demo_agency import write_demo
    from demo_agency.pipeline import vendor_apis_for
    from pipelines.defs.definitions import ALL_ASSETS, resources_for
    from pipelines.defs.jobs import WRITER_TAGS
    from pipelines.defs.partitions import run_config, run_tags
    from pipelines.load.build_store import build_store
    from pipelines.load.config import load_config
    from pipelines.load.raw_schema import CONFIG_TABLES, RAW_TABLES
    from pipelines.load.settings import Settings
    from pipelines.load.windows import full_range
    from tests.conftest import DEMO_TODAY

    duck_settings, _, agency = published_demo
    written = write_demo(agency, root)
    # the same contact salt as the DuckDB run: the lead ledger publishes salted hashes
    salt = root / "secrets" / "contact_salt"
    salt.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(duck_settings.contact_salt_file, salt)
    settings = dataclasses.replace(
        Settings.for_directory(root, written.config_path, as_of=DEMO_TODAY), warehouse="spark"
    )
    pull_range = full_range(load_config(written.config_path), DEMO_TODAY)
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            ALL_ASSETS,
            selection=AssetSelection.groups("raw"),
            resources=resources_for(settings, vendor_apis_for(settings)),
            instance=instance,
            tags={**WRITER_TAGS, **run_tags(pull_range)},
            run_config=run_config(pull_range),
            raise_on_error=True,
        )
        assert result.success
    with build_store(settings) as store:
        counts = {name: store.count(name) for name in (*RAW_TABLES, *CONFIG_TABLES)}
    return settings, counts
