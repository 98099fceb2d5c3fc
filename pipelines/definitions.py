"""Dagster definitions: `dagster dev -w workspace.yaml` loads this module."""

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    schedule,
    sensor,
)

from pipelines.assets import (
    API_ASSETS,
    agency_configuration,
    bitrix24_invoices,
    inbox_files,
    serving_database,
)
from pipelines.config import ConfigError, load_config
from pipelines.dbt import agency_dbt_assets, dbt_resource
from pipelines.inbox import iter_inbox_files
from pipelines.resources import AgencyEnvironment, VendorApiResource
from pipelines.settings import Settings
from pipelines.windows import nightly_range

__all__ = ["ALL_ASSETS", "defs", "inbox_job", "nightly_refresh", "refresh_job", "resources_for"]

ALL_ASSETS = [
    agency_configuration,
    bitrix24_invoices,
    inbox_files,
    *API_ASSETS,
    agency_dbt_assets,
    serving_database,
]

# One writer: every run that writes the build database carries this tag; the run queue
# (dagster.yaml written by `make`) lets one such run go at a time. Inside a run, steps go one
# after another (in-process executor): DuckDB takes one writing process at a time.
WRITER_TAGS = {"agency/warehouse": "writer"}

refresh_job = define_asset_job(
    "refresh",
    selection=AssetSelection.all(),
    description=(
        "Configuration, inbox files, API pulls for a range of days (partitions), dbt build with "
        "tests, publish. The nightly schedule runs it with each source's restatement window."
    ),
    tags=WRITER_TAGS,
    executor_def=in_process_executor,
)

inbox_job = define_asset_job(
    "inbox_refresh",
    selection=AssetSelection.all() - AssetSelection.assets(*API_ASSETS, bitrix24_invoices),
    description="Configuration and inbox files only, then dbt build with tests and publish (no API pulls).",
    tags=WRITER_TAGS,
    executor_def=in_process_executor,
)


@schedule(
    job=refresh_job,
    cron_schedule="0 5 * * *",
    execution_timezone="Europe/Moscow",
    default_status=DefaultScheduleStatus.RUNNING,
)
def nightly_refresh(context: ScheduleEvaluationContext) -> RunRequest:
    """Every night at 05:00 Moscow time, before account managers start their day: the API
    sources pull their restatement window (ads 14 days, calls 3 days by default) up to
    yesterday, then models, tests and publish."""
    settings = Settings.from_env()
    moment = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    today = moment.astimezone(ZoneInfo("Europe/Moscow")).date()
    try:
        config = load_config(settings.config_path)
    except ConfigError:
        config = None  # the run itself reports the configuration problem
    window = nightly_range(config, today)
    return RunRequest(
        run_key=f"nightly-{today.isoformat()}",
        run_config=window.run_config(),
        tags={**window.tags(), "agency/trigger": "schedule"},
    )


@sensor(job=inbox_job, minimum_interval_seconds=120, default_status=DefaultSensorStatus.STOPPED)
def inbox_sensor(context: SensorEvaluationContext) -> RunRequest | SkipReason:
    """Load, rebuild and publish when new export files are dropped into the inbox."""
    settings = Settings.from_env()
    files = list(iter_inbox_files(settings.inbox_dir))
    if not files:
        return SkipReason(f"the inbox {settings.inbox_dir} is empty")
    fingerprint = hashlib.sha256(
        "\n".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files).encode()
    ).hexdigest()[:16]
    return RunRequest(run_key=f"inbox-{fingerprint}", tags={"agency/trigger": "inbox"})


def resources_for(settings: Settings) -> dict[str, object]:
    return {
        "agency": AgencyEnvironment.from_settings(settings),
        "vendor_apis": VendorApiResource.from_settings(settings),
        "dbt": dbt_resource(),
    }


defs = Definitions(
    assets=ALL_ASSETS,
    jobs=[refresh_job, inbox_job],
    schedules=[nightly_refresh],
    sensors=[inbox_sensor],
    resources=resources_for(Settings.from_env()),
)
