"""Run the ``refresh`` job for a range of days (the CLI and the tests use this).

In-process (``AGENCY_EXECUTOR=in_process``): the same assets, resources and tags as the Dagster
job, recorded in ``$DAGSTER_HOME`` when an instance is given, without the CLI's start-up overhead.

With the celery executor the steps run on Celery workers, which import the job from its code
location (``definitions``: ``module:attribute`` of a ``Definitions``) in their own environment.
The run therefore starts from that same code location (:func:`dagster.execute_job` on a
reconstructable job) on a persistent instance (``$DAGSTER_HOME``, which the workers must share),
and the code location's settings must be the ones asked for: a mismatch is refused, never run.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from dagster import DagsterInstance, execute_job, materialize
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.execution.execution_result import ExecutionResult

from pipelines.defs.definitions import ALL_ASSETS, resources_for
from pipelines.defs.executors import ExecutorRefused
from pipelines.defs.jobs import WRITER_TAGS
from pipelines.defs.partitions import run_config, run_tags
from pipelines.defs.resources import AgencyEnvironment, VendorApiResource
from pipelines.load.settings import Settings
from pipelines.load.windows import PullRange

__all__ = ["DEFAULT_DEFINITIONS", "RefreshOutcome", "run_refresh"]

DEFAULT_DEFINITIONS = "pipelines.defs.definitions:defs"
"""The production code location (``module:attribute``); the demo's is ``demo_agency.pipeline:defs``."""


@dataclass
class RefreshOutcome:
    result: ExecutionResult
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
    executor: str | None = None,
    definitions: str = DEFAULT_DEFINITIONS,
) -> RefreshOutcome:
    """``vendor_apis`` replaces the resource that opens the vendor clients (the demo's fake
    endpoints); by default they talk to the vendors. ``executor`` (default: ``settings.executor``)
    ``celery`` runs the ``refresh`` job of ``definitions`` on the workers (see the module)."""
    all_tags = {**WRITER_TAGS, **run_tags(pull_range), **(tags or {})}
    config = {**run_config(pull_range), "loggers": {"console": {"config": {"log_level": log_level}}}}
    result: ExecutionResult
    if (executor or settings.executor) == "celery":
        result = _run_on_workers(settings, instance, definitions, config, all_tags)
    else:
        with contextlib.ExitStack() as stack:
            if instance is None:  # an ephemeral instance owns a temporary folder: dispose of it
                instance = stack.enter_context(DagsterInstance.ephemeral())
            result = materialize(
                ALL_ASSETS,
                resources=resources_for(settings, vendor_apis),
                instance=instance,
                tags=all_tags,
                raise_on_error=False,
                run_config=config,
            )
    return _outcome(result)


def _run_on_workers(
    settings: Settings,
    instance: DagsterInstance | None,
    definitions: str,
    config: dict[str, Any],
    tags: dict[str, str],
) -> ExecutionResult:
    if instance is None or instance.is_ephemeral:
        raise ExecutorRefused(
            "AGENCY_EXECUTOR=celery needs a persistent Dagster instance that the workers share: set "
            "DAGSTER_HOME (the same folder, or the same dagster.yaml storage, for the workers)"
        )
    module, _, attribute = definitions.partition(":")
    recon = ReconstructableRepository.for_module(module, attribute or "defs").get_reconstructable_job(
        "refresh"
    )
    job = recon.get_definition()
    if job.executor_def.name != "celery":
        raise ExecutorRefused(
            f"{definitions} was loaded with the {job.executor_def.name} executor, not celery: "
            "set AGENCY_EXECUTOR=celery in the environment of the run and of the workers"
        )
    loaded = job.resource_defs["agency"].config_schema.default_value
    asked = AgencyEnvironment.from_settings(settings).model_dump()
    expected = {k: v for k, v in asked.items() if v is not None}
    if loaded != expected:
        raise ExecutorRefused(
            f"{definitions} was loaded with other settings than this refresh's (the workers import it "
            f"from their AGENCY_* environment, e.g. AGENCY_AS_OF, not --as-of): {loaded} != {expected}"
        )
    with execute_job(recon, instance=instance, run_config=config, tags=tags, raise_on_error=False) as done:
        return done


def _outcome(result: ExecutionResult) -> RefreshOutcome:
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
