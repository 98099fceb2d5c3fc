"""The demo agency refreshed on Spark by the production refresh (``AGENCY_WAREHOUSE=spark``).

The same demo as ``published_demo`` (tests/conftest.py: six clients, seven months, refreshed on
DuckDB) is written again into a folder of its own, and the refresh runs as the command line runs
it (``pipelines.defs.runner.run_refresh``, the in-process executor): the loading assets (the
agency configuration, the inbox files, every API pull through the demo's fake vendor APIs,
Bitrix24, the balances) write through ``SparkRawStore``; the dbt step builds over Spark's Thrift
server, which the refresh starts inside its own session (``pipelines.load.build_store.
dbt_connection``); the publish step copies Spark's marts into the serving DuckDB file. The next
night's refresh (:func:`nightly_on_spark`) builds incrementally.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from pathlib import Path
from typing import Any

__all__ = ["SparkRefresh", "nightly_on_spark", "refresh_demo_on_spark"]


@dataclasses.dataclass(frozen=True)
class SparkRefresh:
    settings: Any
    outcome: Any
    seconds: float
    raw_counts: dict[str, int]
    statuses: dict[str, str]
    """unique_id -> status of every node of the refresh's ``dbt build`` (its run_results.json)."""
    messages: dict[str, str]


def refresh_demo_on_spark(published_demo: tuple[Any, Any, Any], root: Path) -> SparkRefresh:
    from demo_agency import write_demo
    from pipelines.load.config import load_config
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
    return _refresh(settings, full_range(load_config(written.config_path), DEMO_TODAY))


def nightly_on_spark(first: SparkRefresh) -> SparkRefresh:
    """The next night's refresh of the same demo on Spark: the restatement windows pulled again
    from the fake APIs (the same answers), and the incremental build."""
    from pipelines.load.config import load_config
    from pipelines.load.windows import nightly_range

    settings = first.settings
    return _refresh(settings, nightly_range(load_config(settings.config_path), settings.as_of_date()))


def _refresh(settings: Any, pull_range: Any) -> SparkRefresh:
    from demo_agency.pipeline import vendor_apis_for
    from pipelines.defs.dbt import dbt_target
    from pipelines.defs.runner import run_refresh
    from pipelines.load.build_store import build_store
    from pipelines.load.raw_schema import CONFIG_TABLES, RAW_TABLES

    started = time.monotonic()
    outcome = run_refresh(settings, pull_range, vendor_apis=vendor_apis_for(settings))
    seconds = time.monotonic() - started
    with build_store(settings) as store:
        counts = {name: store.count(name) for name in (*RAW_TABLES, *CONFIG_TABLES)}
    results_file = dbt_target(settings) / "run_results.json"
    results = json.loads(results_file.read_text(encoding="utf-8"))["results"] if results_file.exists() else []
    return SparkRefresh(
        settings,
        outcome,
        seconds,
        counts,
        {r["unique_id"]: str(r["status"]) for r in results},
        {r["unique_id"]: str(r.get("message") or "") for r in results},
    )
