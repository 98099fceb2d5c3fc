"""How the refresh's steps run: one after another in the run's process (``in_process``, the
default), or each step on a Celery worker (``celery``, issue 20: steps on several machines).

``AGENCY_EXECUTOR`` chooses (:class:`pipelines.load.settings.Settings`); ``AGENCY_CELERY_BROKER``
and ``AGENCY_CELERY_BACKEND`` say where the workers (``celery -A pipelines.defs.celery_app
worker``, ``make worker``) take the steps from and leave their results.

Celery needs the PostgreSQL warehouse: a DuckDB build file takes one writing process and lives
on one machine's disk, and a local Spark session (its embedded metastore) lives in the refresh's
process, so steps on other machines (or in other worker processes) cannot write them.
:func:`refresh_executor` refuses that pair with a plain message instead of a run that fails on a
lock or writes a file nobody reads.
"""

from typing import Any

from dagster import ExecutorDefinition, in_process_executor
from dagster_celery import celery_executor

from pipelines.load.settings import CelerySettings, Settings

__all__ = ["ExecutorRefused", "celery_config", "refresh_executor"]


class ExecutorRefused(ValueError):
    """The executor asked for cannot run this refresh (the message says why and what to do)."""


def celery_config(celery: CelerySettings) -> dict[str, Any]:
    """The celery executor's configuration: the broker and result backend the workers use too
    (:mod:`pipelines.defs.celery_app` builds its app from the same settings)."""
    return {"broker": celery.broker, "backend": celery.backend}


def refresh_executor(settings: Settings) -> ExecutorDefinition:
    """Dagster's in-process executor, or the celery executor configured from ``settings``."""
    if settings.executor == "in_process":
        return in_process_executor
    if settings.warehouse != "postgres":
        raise ExecutorRefused(
            "AGENCY_EXECUTOR=celery needs AGENCY_WAREHOUSE=postgres: the DuckDB build file takes one "
            "writing process on one machine, and a local Spark session's metastore takes one process, "
            "so steps on Celery workers cannot write them. Set AGENCY_WAREHOUSE=postgres (README: the "
            "warehouse on PostgreSQL) or AGENCY_EXECUTOR=in_process."
        )
    return celery_executor.configured(celery_config(settings.celery), name="celery")
