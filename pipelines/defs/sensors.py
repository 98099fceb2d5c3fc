"""The inbox sensor: load, rebuild and publish when export files are dropped."""

from __future__ import annotations

import hashlib

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from pipelines.defs.jobs import inbox_job
from pipelines.load.inbox import iter_inbox_files
from pipelines.load.settings import Settings

__all__ = ["inbox_sensor"]


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
