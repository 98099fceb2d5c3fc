"""Dagster definitions: `dagster dev -w workspace.yaml` loads this module."""

import hashlib

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    sensor,
)

from pipelines.assets import agency_configuration, inbox_files, serving_database
from pipelines.dbt import agency_dbt_assets, dbt_resource
from pipelines.inbox import iter_inbox_files
from pipelines.resources import AgencyEnvironment
from pipelines.settings import Settings

__all__ = ["ALL_ASSETS", "defs", "refresh_job", "resources_for"]

ALL_ASSETS = [agency_configuration, inbox_files, agency_dbt_assets, serving_database]

# One writer: every run that writes the build database carries this tag; the run queue
# (dagster.yaml written by `make`) lets one such run go at a time.
WRITER_TAGS = {"agency/warehouse": "writer"}

refresh_job = define_asset_job(
    "refresh",
    selection=AssetSelection.all(),
    description="Full refresh: configuration, inbox files, dbt build with tests, publish the serving file.",
    tags=WRITER_TAGS,
)

nightly_refresh = ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule="0 5 * * *",
    execution_timezone="Europe/Moscow",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every night at 05:00 Moscow time, before account managers start their day.",
)


@sensor(job=refresh_job, minimum_interval_seconds=120, default_status=DefaultSensorStatus.STOPPED)
def inbox_sensor(context: SensorEvaluationContext) -> RunRequest | SkipReason:
    """Start a refresh when new export files are dropped into the inbox."""
    settings = Settings.from_env()
    files = list(iter_inbox_files(settings.inbox_dir))
    if not files:
        return SkipReason(f"the inbox {settings.inbox_dir} is empty")
    fingerprint = hashlib.sha256(
        "\n".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files).encode()
    ).hexdigest()[:16]
    return RunRequest(run_key=f"inbox-{fingerprint}", tags={"agency/trigger": "inbox"})


def resources_for(settings: Settings) -> dict[str, object]:
    return {"agency": AgencyEnvironment.from_settings(settings), "dbt": dbt_resource()}


defs = Definitions(
    assets=ALL_ASSETS,
    jobs=[refresh_job],
    schedules=[nightly_refresh],
    sensors=[inbox_sensor],
    resources=resources_for(Settings.from_env()),
)
