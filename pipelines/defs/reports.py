"""Client reports out of the building: the ``send_reports`` job, its daily schedule, and a sensor
that runs it when a manager approves a report on the dashboard.

The work is :func:`reports.dispatch.send_due_reports` (plain Python, also ``python -m reports
send``): which reports are due (the previous month from the Nth working day, the previous week
for weekly clients), the readiness gate, the manager's review, rendering and sending once. This
module only runs it in Dagster: the run's metadata lists every report with its status and, for
held ones, the reasons, so a hold shows in the Dagster UI; a failed send fails the run.

The ``approved_reports`` sensor watches the send log's approvals (the dashboard records them):
a new one starts ``send_reports``, so an approved report goes within minutes, not the next
morning. The job sends only what is due, settled and approved as it is, so a run it starts for
one approval sends nothing else that the schedule would not.
"""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

from dagster import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Failure,
    MetadataValue,
    OpExecutionContext,
    Output,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    in_process_executor,
    job,
    op,
    schedule,
    sensor,
)

from pipelines.defs.resources import AgencyEnvironment
from pipelines.load.config import ConfigError
from pipelines.load.settings import Settings

__all__ = ["approved_reports", "daily_reports", "send_reports_job"]

_MOSCOW = ZoneInfo("Europe/Moscow")


def _table(rows: list[tuple[str, str, str, str]]) -> str:
    lines = ["| client | period | status | why |", "|---|---|---|---|"]
    lines += [f"| {c} | {p} | {s} | {w} |" for c, p, s, w in rows]
    return "\n".join(lines)


@op(
    description=(
        "Build and send every client report that is due and whose period is settled (the "
        "readiness gate); held reports are listed with their reasons and go out on a later run."
    ),
)
def send_due_client_reports(context: OpExecutionContext, agency: AgencyEnvironment) -> Output[dict[str, int]]:
    # Imported here: rendering pulls in ReportLab and matplotlib, which the other jobs never need.
    from delivery import Channels, SendLog
    from reports.dispatch import hold_reason, send_due_reports
    from reports.errors import ReportError

    settings = agency.settings()
    try:
        config = agency.load_config()
    except ConfigError as exc:
        raise Failure(description=str(exc)) from None
    today = settings.as_of or dt.datetime.now(_MOSCOW).date()
    who = f"dagster run {context.run_id}"
    try:
        with Channels.from_config(config.delivery) as channels:
            dispatches = send_due_reports(
                settings,
                config,
                today,
                channels=channels,
                send_log=SendLog(settings.send_log, who=who),
                who=who,
            )
    except ReportError as exc:
        raise Failure(description=str(exc)) from None
    rows: list[tuple[str, str, str, str]] = []
    for d in dispatches:
        why = "; ".join(hold_reason(h, "en") for h in d.holds) or d.error or ""
        if d.status == "awaiting_review":
            changed = " (the figures changed after the last approval)" if d.approval is not None else ""
            why = f"awaiting the manager's approval on the dashboard{changed}"
        failed = [f"{o.recipient}: {o.reason}" for o in d.outcomes if o.status == "failed"]
        rows.append((d.client_id, d.period_name, d.status, (why + " " + "; ".join(failed)).strip()))
        log = context.log.warning if d.failed or d.status == "held" else context.log.info
        log(f"{d.client_id} {d.period_name}: {d.status} {rows[-1][3]}".rstrip())
    counts: dict[str, int] = dict(Counter(str(d.status) for d in dispatches))
    metadata = {
        "as_of": MetadataValue.text(today.isoformat()),
        "reports": MetadataValue.md(_table(rows) if rows else "nothing due"),
        **{status: MetadataValue.int(n) for status, n in sorted(counts.items())},
    }
    if any(d.failed for d in dispatches):
        raise Failure(
            description="some reports could not be sent; the next run retries only what did not go",
            metadata=metadata,
        )
    return Output(counts, metadata=metadata)


@job(
    name="send_reports",
    description=(
        "Client reports: the previous month from the configured working day (and the previous "
        "week for weekly clients), sent by e-mail and Telegram once their data is settled."
    ),
    executor_def=in_process_executor,
)
def send_reports_job() -> None:
    send_due_client_reports()


@schedule(
    job=send_reports_job,
    cron_schedule="0 9 * * *",
    execution_timezone="Europe/Moscow",
    default_status=DefaultScheduleStatus.RUNNING,
)
def daily_reports(context: ScheduleEvaluationContext) -> RunRequest:
    """Every morning at 09:00 Moscow time, after the nightly refresh: whatever is due and settled
    goes; a report held today (a failed account, an open restatement window) goes on the first
    morning its data is settled. Clients without recipients get nothing."""
    moment = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    today = moment.astimezone(_MOSCOW).date()
    return RunRequest(run_key=f"reports-{today.isoformat()}", tags={"agency/trigger": "schedule"})


@sensor(job_name="send_reports", minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING)
def approved_reports(context: SensorEvaluationContext) -> RunRequest | SkipReason:
    """Send what a manager approved on the dashboard: a new approval in the send log starts
    ``send_reports`` (the cursor is the last approval seen)."""
    from delivery import SendLog

    settings = Settings.from_env()
    if not settings.send_log.is_file():
        return SkipReason(f"no send log at {settings.send_log} yet: nothing was approved")
    after = int(context.cursor or 0)
    new = SendLog(settings.send_log).approvals(after_id=after)
    if not new:
        return SkipReason("no new approval")
    last = new[-1][0]
    context.update_cursor(str(last))
    approved = ", ".join(f"{a.client} {a.period}" for _, a in new)
    context.log.info(f"approved: {approved}")
    return RunRequest(run_key=f"approvals-{last}", tags={"agency/trigger": "approval"})
