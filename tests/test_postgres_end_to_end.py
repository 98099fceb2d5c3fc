"""The refresh on PostgreSQL (``AGENCY_WAREHOUSE=postgres``, issue 20): the demo agency of the
end-to-end tests (``published_demo``: six clients, seven months) refreshed by the same entry point
(``run_refresh``, its fake vendor APIs and inbox files) into a database of the throwaway server,
loaded, built and published there (the session's ``postgres_demo``, tests/postgres_demo.py); every
published mart equals the DuckDB run's serving file cell by cell, the columns that say when a run
happened aside. Then the nightly refresh (an incremental build) publishes again, and the marts
still equal DuckDB's.

Without PostgreSQL's server programs this test fails (``make test`` installs them); it never skips.
"""

from __future__ import annotations

import pytest

from demo_agency import write_demo
from demo_agency.pipeline import vendor_apis_for
from pipelines.defs.runner import run_refresh
from pipelines.load.config import load_config
from pipelines.load.publish import PUBLIC_MARTS, read_publish_meta
from pipelines.load.publish_schema import KEEP_VERSIONS, VERSION_PREFIX
from pipelines.load.windows import nightly_range
from tests.conftest import DEMO_TODAY
from tests.mart_comparison import VOLATILE_COLUMNS, assert_mart_equal
from tests.postgres_demo import PostgresRun


def _assert_equals_duckdb(run: PostgresRun, mart: str) -> None:
    assert_mart_equal(mart, run.query, f"serving.{mart}", run.on_duckdb, mart, leave_out=VOLATILE_COLUMNS)


@pytest.fixture(scope="module")
def postgres_run(postgres_demo: PostgresRun) -> PostgresRun:
    """The session's demo refreshed into PostgreSQL (tests/postgres_demo.py)."""
    return postgres_demo


def test_nothing_of_the_refresh_went_to_duckdb_files(postgres_run: PostgresRun) -> None:
    settings = postgres_run.settings
    assert not settings.build_db.exists() and not settings.serving_db.exists()
    _, kinds = postgres_run.query("select distinct kind from raw.load_log where status = 'loaded'")
    assert {"api:yandex_direct", "cabinet_csv", "invoice_register"} <= {k for (k,) in kinds}


@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_every_published_mart_equals_the_duckdb_run(mart: str, postgres_run: PostgresRun) -> None:
    _assert_equals_duckdb(postgres_run, mart)


def test_the_publish_metadata_is_the_serving_files(postgres_run: PostgresRun) -> None:
    """The same ``_publish_meta`` columns, as of the same day, with the same data cutoff."""
    columns, rows = postgres_run.query("select * from serving._publish_meta")
    duck = read_publish_meta(postgres_run.duckdb_settings.serving_db)
    assert duck is not None and len(rows) == 1
    meta = dict(zip(columns, rows[0], strict=True))
    assert list(meta) == [*duck, "version_schema"]  # and the version the views show
    assert (meta["as_of_date"], meta["data_cutoff"]) == (duck["as_of_date"], duck["data_cutoff"])
    assert meta["run_id"] != duck["run_id"]


def test_the_comparison_sees_data(postgres_run: PostgresRun) -> None:
    """A comparison of empty tables proves nothing: the demo fills every public mart but
    ``payments`` (bank statements, which the demo agency does not write: its invoices' payments
    arrive as the 1C registers' payment states); the dbt proof's scenario has payments."""
    empty = [m for m in PUBLIC_MARTS if not postgres_run.query(f"select 1 from serving.{m} limit 1")[1]]
    assert empty == ["payments"]


@pytest.fixture(scope="module")
def postgres_nightly(postgres_run: PostgresRun) -> PostgresRun:
    """The nightly refresh on the same database: the same export files dropped again, the
    restatement windows pulled, an incremental build, a second publish."""
    settings = postgres_run.settings
    _, before = postgres_run.query("select run_id from serving._publish_meta")
    write_demo(postgres_run.agency, settings.data_dir)
    outcome = run_refresh(
        settings,
        nightly_range(load_config(settings.config_path), DEMO_TODAY),
        vendor_apis=vendor_apis_for(settings),
    )
    assert outcome.success and not outcome.failed_pulls, outcome.failed_checks
    _, after = postgres_run.query("select run_id from serving._publish_meta")
    assert after != before, "the nightly run published again"
    return postgres_run


def test_the_nightly_build_was_incremental(postgres_nightly: PostgresRun) -> None:
    _, builds = postgres_nightly.query(
        "select full_rebuild, reason from pipeline.model_builds order by built_at"
    )
    assert [full for full, _ in builds] == [True, False], builds


def test_the_old_serving_versions_are_gone(postgres_nightly: PostgresRun) -> None:
    """The two newest versions stay (a reader may still read the previous one), nothing else."""
    _, schemas = postgres_nightly.query(
        "select schema_name from information_schema.schemata where schema_name like 'serving%' order by 1"
    )
    _, current = postgres_nightly.query("select version_schema from serving._publish_meta")
    versions = [s for (s,) in schemas if s.startswith(VERSION_PREFIX)]
    assert [s for (s,) in schemas] == ["serving", *versions]
    assert len(versions) == KEEP_VERSIONS and versions[-1] == current[0][0]


@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_after_the_nightly_every_mart_still_equals_the_duckdb_run(
    mart: str, postgres_nightly: PostgresRun
) -> None:
    _assert_equals_duckdb(postgres_nightly, mart)
