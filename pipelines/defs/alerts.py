"""Alerts in Dagster: the ``check_alerts`` job and what starts it.

The work is :func:`alerts.run_check` (plain Python, also ``python -m alerts check``). Dagster
starts it when it matters, for runs launched by the schedule and from the UI alike:

- ``alerts_after_refresh`` (a run status sensor): a ``refresh`` or ``inbox`` run succeeded: check
  the data (failed and stale accounts, held reports) and resolve that job's failure and a late
  morning, if any;
- ``alerts_on_run_failure`` (a run failure sensor): such a run failed (a blocking check held the
  publish, the warehouse could not be written): a ``run_failed`` incident with Dagster's message;
- ``alerts_morning_deadline`` (08:00 Moscow): no ``refresh`` run has succeeded since midnight:
  a ``run_late`` incident (resolved by the next successful refresh).

Each incident is told once when it opens and once when it clears (:mod:`alerts.incidents`).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from dagster import (
    Config,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    MetadataValue,
    OpExecutionContext,
    Output,
    RunFailureSensorContext,
    RunRequest,
    RunsFilter,
    RunStatusSensorContext,
    ScheduleEvaluationContext,
    in_process_executor,
    job,
    op,
    run_failure_sensor,
    run_status_sensor,
    schedule,
)

from pipelines.defs.jobs import inbox_job, refresh_job
from pipelines.defs.resources import AgencyEnvironment
from pipelines.recovery import CONFIG_REFUSED_KEY, config_refused_problem

__all__ = ["alerts_after_refresh", "alerts_morning_deadline", "alerts_on_run_failure", "check_alerts_job"]

_MOSCOW = ZoneInfo("Europe/Moscow")
_OP = "check_alerts"


class AlertCheckConfig(Config):
    failed_job: str = ""
    """A run of this job failed (``failed_run``, ``error``)."""
    failed_run: str = ""
    error: str = ""
    succeeded_job: str = ""
    """A run of this job succeeded: its failure and a late morning are over."""
    deadline: str = ""
    """``08:00``: the morning check: has a refresh succeeded today (Moscow)?"""


def _refreshed_today(context: OpExecutionContext, now: dt.datetime) -> bool:
    midnight = now.astimezone(_MOSCOW).replace(hour=0, minute=0, second=0, microsecond=0)
    runs = context.instance.get_run_records(
        filters=RunsFilter(
            job_name=refresh_job.name, statuses=[DagsterRunStatus.SUCCESS], created_after=midnight
        ),
        limit=1,
    )
    return bool(runs)


@op(
    name=_OP, description="Find problems, open and resolve incidents, tell the on-call engineer and managers."
)
def check_alerts_op(
    context: OpExecutionContext, config: AlertCheckConfig, agency: AgencyEnvironment
) -> Output[dict[str, int]]:
    from alerts import Problem, run_check
    from alerts.texts import change_line
    from delivery import Channels

    settings = agency.settings()
    app_config = agency.load_config()
    now = dt.datetime.now(dt.UTC)
    extra: list[Problem] = []
    scope: set[str] = set()
    if config.failed_job:
        key = f"run_failed:{config.failed_job}"
        detail = {"job": config.failed_job, "run_id": config.failed_run, "error": config.error[:500]}
        extra.append(Problem("run_failed", key, None, detail))
        scope.add(key)
    refused = agency.config_refusal()
    scope.add(CONFIG_REFUSED_KEY)  # opened while the file does not load, resolved once it does
    if refused is not None:
        extra.append(config_refused_problem(settings, refused))
    if config.succeeded_job:
        scope |= {f"run_failed:{config.succeeded_job}", "run_late"}
    if config.deadline:
        scope.add("run_late")
        if not _refreshed_today(context, now):
            day = now.astimezone(_MOSCOW).date().isoformat()
            extra.append(Problem("run_late", f"run_late:{day}", None, {"deadline": config.deadline}))
    with Channels.from_config(app_config.delivery) as channels:
        result = run_check(
            settings,
            app_config,
            channels=channels,
            now=now,
            extra=extra,
            extra_kinds=scope,
            data=settings.serving_db.is_file() and not config.failed_job,
        )
    names = {c.id: c.name for c in app_config.clients}
    for change in result.changes:
        context.log.info(change_line(change, names))
    counts = {
        "problems": len(result.problems),
        "opened": sum(1 for what, _ in result.changes if what == "opened"),
        "resolved": sum(1 for what, _ in result.changes if what == "resolved"),
        "announced": len(result.announced),
        "waiting": len(result.waiting),
    }
    lines = [change_line(c, names) for c in result.changes] or ["nothing changed"]
    metadata = {
        **{name: MetadataValue.int(n) for name, n in counts.items()},
        "changes": MetadataValue.md("\n".join(f"- {line}" for line in lines)),
        "quiet_hours": MetadataValue.bool(result.quiet),
    }
    return Output(counts, metadata=metadata)


@job(
    name="check_alerts",
    description="Alerts: incidents of failed or stale accounts, held reports, failed or late runs.",
    executor_def=in_process_executor,
)
def check_alerts_job() -> None:
    check_alerts_op()


def _request(run_id: str, **values: str) -> RunRequest:
    return RunRequest(run_key=f"alerts-{run_id}", run_config={"ops": {_OP: {"config": values}}})


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[refresh_job, inbox_job],
    request_job=check_alerts_job,
    default_status=DefaultSensorStatus.RUNNING,
)
def alerts_after_refresh(context: RunStatusSensorContext) -> RunRequest:
    """After a successful refresh: check the data; that job's failure is over."""
    run = context.dagster_run
    return _request(run.run_id, succeeded_job=run.job_name)


@run_failure_sensor(
    monitored_jobs=[refresh_job, inbox_job],
    request_job=check_alerts_job,
    default_status=DefaultSensorStatus.RUNNING,
)
def alerts_on_run_failure(context: RunFailureSensorContext) -> RunRequest:
    """A refresh failed: one incident per job until a run of it succeeds."""
    run = context.dagster_run
    message = context.failure_event.message or ""
    return _request(run.run_id, failed_job=run.job_name, failed_run=run.run_id, error=message)


@schedule(
    job=check_alerts_job,
    cron_schedule="0 8 * * *",
    execution_timezone="Europe/Moscow",
    default_status=DefaultScheduleStatus.RUNNING,
)
def alerts_morning_deadline(context: ScheduleEvaluationContext) -> RunRequest:
    """08:00 Moscow: the nightly refresh should have succeeded by now."""
    moment = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    day = moment.astimezone(_MOSCOW).date().isoformat()
    return RunRequest(
        run_key=f"alerts-deadline-{day}", run_config={"ops": {_OP: {"config": {"deadline": "08:00"}}}}
    )
