"""The nightly schedule: the ``refresh`` job over each source's restatement window."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule

from pipelines.defs.jobs import refresh_job
from pipelines.defs.partitions import run_config, run_tags
from pipelines.defs.resources import cached_config
from pipelines.load.config import ConfigError
from pipelines.load.settings import Settings
from pipelines.load.windows import nightly_range

__all__ = ["nightly_refresh"]


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
        config = cached_config(settings.config_path)
    except ConfigError:
        config = None  # the run itself reports the configuration problem
    window = nightly_range(config, today)
    return RunRequest(
        run_key=f"nightly-{today.isoformat()}",
        run_config=run_config(window),
        tags={**run_tags(window), "agency/trigger": "schedule"},
    )
