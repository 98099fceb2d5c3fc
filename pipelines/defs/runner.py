"""Run the ``refresh`` job in-process for a range of days (the CLI and the tests use this).

Same assets, resources and tags as the Dagster job, recorded in ``$DAGSTER_HOME`` when an
instance is given, without the CLI's start-up overhead.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from dagster import DagsterInstance, ExecuteInProcessResult, materialize

from pipelines.defs.definitions import ALL_ASSETS, resources_for
from pipelines.defs.jobs import WRITER_TAGS
from pipelines.defs.partitions import run_config, run_tags
from pipelines.defs.resources import VendorApiResource
from pipelines.load.settings import Settings
from pipelines.load.windows import PullRange

__all__ = ["RefreshOutcome", "run_refresh"]


@dataclass
class RefreshOutcome:
    result: ExecuteInProcessResult
    pulls: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per API table: the metadata of its materialization (days, rows, accounts)."""
    failed_pulls: list[str] = field(default_factory=list)
    """One line per failed client account: ``client / source account (days): error``."""
    failed_checks: list[str] = field(default_factory=list)
    inbox: dict[str, Any] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return self.result.success


def _value(entry: Any) -> Any:
    return getattr(entry, "value", entry)


def run_refresh(
    settings: Settings,
    pull_range: PullRange,
    *,
    instance: DagsterInstance | None = None,
    log_level: str = "WARNING",
    tags: dict[str, str] | None = None,
    vendor_apis: VendorApiResource | None = None,
) -> RefreshOutcome:
    """``vendor_apis`` replaces the resource that opens the vendor clients (the demo's fake
    endpoints); by default they talk to the vendors."""
    with contextlib.ExitStack() as stack:
        if instance is None:  # an ephemeral instance owns a temporary folder: dispose of it
            instance = stack.enter_context(DagsterInstance.ephemeral())
        result = materialize(
            ALL_ASSETS,
            resources=resources_for(settings, vendor_apis),
            instance=instance,
            tags={**WRITER_TAGS, **run_tags(pull_range), **(tags or {})},
            raise_on_error=False,
            run_config={
                **run_config(pull_range),
                "loggers": {"console": {"config": {"log_level": log_level}}},
            },
        )
    outcome = RefreshOutcome(result)
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization  # type: ignore[union-attr]
        path = mat.asset_key.path
        metadata = {k: _value(v) for k, v in mat.metadata.items()}
        if path == ["raw", "load_log"]:
            outcome.inbox = metadata
        elif "accounts_loaded" in metadata:
            outcome.pulls[path[-1]] = metadata
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        where = evaluation.asset_key.to_user_string()
        outcome.failed_checks.append(f"{evaluation.check_name} on {where} ({evaluation.severity.value})")
        if evaluation.check_name == "every_account_pulled":
            for f in _value(evaluation.metadata.get("failed_accounts")) or []:
                outcome.failed_pulls.append(
                    f"{f['client_id']} / {f['source']} {f['account_id']} ({f['days']}): {f['error']}"
                )
    return outcome
