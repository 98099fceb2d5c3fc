"""Dagster definitions: `dagster dev -w workspace.yaml` loads ``defs`` from this module, and so
does every Celery worker that runs a step of the refresh (``AGENCY_EXECUTOR=celery``).

:func:`build_definitions` takes the vendor API resource from outside, so a caller can point the
API pulls elsewhere (the demo agency plugs its fake vendor endpoints in this way).
"""

from __future__ import annotations

from dagster import Definitions

from pipelines.defs.alerts import (
    alerts_after_refresh,
    alerts_morning_deadline,
    alerts_on_run_failure,
    check_alerts_job,
)
from pipelines.defs.assets import (
    API_ASSETS,
    ad_account_balances,
    agency_configuration,
    bitrix24_invoices,
    inbox_files,
    serving_database,
)
from pipelines.defs.dbt import agency_dbt_assets, dbt_resource
from pipelines.defs.executors import refresh_executor
from pipelines.defs.jobs import inbox_job, refresh_job
from pipelines.defs.reports import approved_reports, daily_reports, send_reports_job
from pipelines.defs.resources import AgencyEnvironment, VendorApiResource
from pipelines.defs.schedules import nightly_refresh
from pipelines.defs.sensors import inbox_sensor
from pipelines.load.settings import Settings

__all__ = ["ALL_ASSETS", "build_definitions", "defs", "resources_for"]

ALL_ASSETS = [
    agency_configuration,
    bitrix24_invoices,
    inbox_files,
    *API_ASSETS,
    ad_account_balances,
    agency_dbt_assets,
    serving_database,
]


def resources_for(settings: Settings, vendor_apis: VendorApiResource | None = None) -> dict[str, object]:
    return {
        "agency": AgencyEnvironment.from_settings(settings),
        "vendor_apis": vendor_apis or VendorApiResource(),
        "dbt": dbt_resource(),
    }


def build_definitions(
    settings: Settings | None = None, vendor_apis: VendorApiResource | None = None
) -> Definitions:
    settings = settings or Settings.from_env()
    return Definitions(
        assets=ALL_ASSETS,
        jobs=[refresh_job, inbox_job, send_reports_job, check_alerts_job],
        schedules=[nightly_refresh, daily_reports, alerts_morning_deadline],
        sensors=[inbox_sensor, approved_reports, alerts_after_refresh, alerts_on_run_failure],
        resources=resources_for(settings, vendor_apis),
        # the refresh jobs' steps: in-process, or on Celery workers (AGENCY_EXECUTOR); the jobs
        # that must stay on this machine (reports, alerts) name the in-process executor themselves
        executor=refresh_executor(settings),
    )


defs = build_definitions()
