"""Daily partitions of the API assets, and how a :class:`PullRange` becomes a Dagster run.

A run of the ``refresh`` job covers a range of daily partitions (``dagster/asset_partition_range_*``
tags) and tells the API assets, through their run config, whether to pull the whole range or
only each source's restatement window at its end (the nightly run).
"""

from __future__ import annotations

from typing import Any

from dagster import DailyPartitionsDefinition

from pipelines.load.sources import API_SOURCES, SOURCES
from pipelines.load.windows import PARTITIONS_FIRST_DAY, PullRange

__all__ = [
    "API_PARTITIONS",
    "PARTITION_RANGE_END",
    "PARTITION_RANGE_START",
    "REBUILD_MODELS_TAG",
    "run_config",
    "run_tags",
]

API_PARTITIONS = DailyPartitionsDefinition(
    start_date=PARTITIONS_FIRST_DAY.isoformat(), timezone="Europe/Moscow"
)
"""One partition per calendar day (Moscow), up to yesterday: the last complete day."""

PARTITION_RANGE_START = "dagster/asset_partition_range_start"
PARTITION_RANGE_END = "dagster/asset_partition_range_end"
REBUILD_MODELS_TAG = "agency/rebuild_models"
"""``true``: the dbt step rebuilds every model (``--full-refresh``) instead of the changed windows."""


def api_op_name(source: str) -> str:
    """The op of API asset ``raw/<table>`` is ``raw__<table>``."""
    return f"raw__{SOURCES[source].raw_table.name}"


def run_tags(pull_range: PullRange) -> dict[str, str]:
    tags = {
        PARTITION_RANGE_START: pull_range.first.isoformat(),
        PARTITION_RANGE_END: pull_range.last.isoformat(),
    }
    if pull_range.full_history or pull_range.rebuild_models:
        tags[REBUILD_MODELS_TAG] = "true"
    return tags


def run_config(pull_range: PullRange) -> dict[str, Any]:
    """Config of every API asset's op, of the Bitrix24 pull and of the balances (same clients)."""
    config = {"restatement_only": pull_range.restatement_only, "clients": list(pull_range.clients)}
    ops: dict[str, Any] = {api_op_name(name): {"config": config} for name in API_SOURCES}
    ops["crm__bitrix24_invoices"] = {"config": {"full": pull_range.full_history}}
    ops["raw__ad_account_balances"] = {"config": {"clients": list(pull_range.clients)}}
    return {"ops": ops}
