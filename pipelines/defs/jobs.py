"""The jobs: ``refresh`` (everything) and ``inbox_refresh`` (no API pulls)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from pipelines.defs.assets import API_ASSETS, ad_account_balances, bitrix24_invoices

__all__ = ["WRITER_TAGS", "inbox_job", "refresh_job"]

# One writer: every run that writes the build database carries this tag; the run queue
# (dagster.yaml written by `make`) lets one such run go at a time. Inside a run the steps go as
# the Definitions' executor says (pipelines.defs.executors, AGENCY_EXECUTOR): one after another
# in-process (DuckDB takes one writing process at a time), or on Celery workers (PostgreSQL only).
WRITER_TAGS = {"agency/warehouse": "writer"}

refresh_job = define_asset_job(
    "refresh",
    selection=AssetSelection.all(),
    description=(
        "Configuration, inbox files, API pulls for a range of days (partitions), dbt build with "
        "tests, publish. The nightly schedule runs it with each source's restatement window."
    ),
    tags=WRITER_TAGS,
)

inbox_job = define_asset_job(
    "inbox_refresh",
    selection=AssetSelection.all()
    - AssetSelection.assets(*API_ASSETS, bitrix24_invoices, ad_account_balances),
    description="Configuration and inbox files only, then dbt build with tests and publish (no API pulls).",
    tags=WRITER_TAGS,
)
