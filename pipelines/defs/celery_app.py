"""The Celery app of the workers that run the refresh's steps (``AGENCY_EXECUTOR=celery``):

    celery -A pipelines.defs.celery_app worker -n refresh1@%h --concurrency 1 -Q dagster

(``make worker WORKER=refresh1`` does this). dagster-celery's own app, with the broker and the
result backend of ``AGENCY_CELERY_BROKER`` and ``AGENCY_CELERY_BACKEND`` (the same settings the
run's executor is configured with, :func:`pipelines.defs.executors.celery_config`). A worker
runs a step by importing the run's code location (``pipelines.defs.definitions`` or the demo's
``demo_agency.pipeline``) in its own environment: give it the run's ``AGENCY_*`` variables and
``DAGSTER_HOME`` (deploy/README.md).
"""

from dagster_celery.executor import CeleryExecutor
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from pipelines.defs.executors import celery_config
from pipelines.load.settings import Settings

__all__ = ["app", "execute_plan"]

_executor = CeleryExecutor.for_cli(**celery_config(Settings.from_env().celery))  # type: ignore[no-untyped-call]
app = make_app(_executor.app_args())  # type: ignore[no-untyped-call]

execute_plan = create_task(app)  # type: ignore[no-untyped-call]
