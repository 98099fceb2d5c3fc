"""The refresh on PostgreSQL (``AGENCY_WAREHOUSE=postgres``, issue 20): the demo agency of the
end-to-end tests (``published_demo``: six clients, seven months) refreshed by the same entry point
(``run_refresh``, its fake vendor APIs and inbox files) into a database of the throwaway server,
loaded, built and published there; every published mart equals the DuckDB run's serving file
cell by cell, the columns that say when a run happened aside. Then the nightly refresh (an
incremental build) publishes again, and the marts still equal DuckDB's.

Without PostgreSQL's server programs this test fails (``make test`` installs them); it never skips.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from typing import Any

import duckdb
import psycopg
import pytest

from demo_agency import GroundTruth, write_demo
from demo_agency.pipeline import vendor_apis_for
from pipelines.defs.runner import run_refresh
from pipelines.load.config import load_config
from pipelines.load.publish import PUBLIC_MARTS, read_publish_meta
from pipelines.load.settings import PostgresSettings, Settings
from pipelines.load.windows import full_range, nightly_range
from tests.conftest import DEMO_TODAY
from tests.mart_comparison import assert_mart_equal
from tests.postgres import PostgresServer

VOLATILE_COLUMNS = {"last_loaded_at", "balance_at", "last_read_at"}  # when the run happened (as in e2e)


@dataclasses.dataclass
class PostgresRun:
    settings: Settings
    duckdb_settings: Settings
    agency: Any

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        assert self.settings.postgres is not None
        with psycopg.connect(self.settings.postgres.conninfo()) as con, con.cursor() as cur:
            cur.execute(sql.encode())
            return [c.name for c in cur.description or []], cur.fetchall()

    def on_duckdb(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        with duckdb.connect(str(self.duckdb_settings.serving_db), read_only=True) as con:
            cur = con.execute(sql)
            return [d[0] for d in cur.description or ()], cur.fetchall()

    def assert_equals_duckdb(self, mart: str) -> None:
        assert_mart_equal(
            mart, self.query, f"serving.{mart}", self.on_duckdb, mart, leave_out=VOLATILE_COLUMNS
        )


@pytest.fixture(scope="module")
def postgres_run(
    published_demo: tuple[Settings, GroundTruth, Any],
    postgres_server: PostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PostgresRun]:
    duck_settings, _, agency = published_demo
    root = tmp_path_factory.mktemp("e2e_postgres")
    written = write_demo(agency, root)
    # the same contact salt as the DuckDB run: the lead ledger publishes salted hashes
    salt = root / "secrets" / "contact_salt"
    salt.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(duck_settings.contact_salt_file, salt)
    dbname = postgres_server.create_database("e2e")
    settings = dataclasses.replace(
        Settings.for_directory(root, written.config_path, as_of=DEMO_TODAY),
        warehouse="postgres",
        postgres=PostgresSettings(
            host=postgres_server.host, port=postgres_server.port, user=postgres_server.user, dbname=dbname
        ),
    )
    pull_range = full_range(load_config(written.config_path), DEMO_TODAY)
    outcome = run_refresh(settings, pull_range, vendor_apis=vendor_apis_for(settings))
    assert outcome.success and not outcome.failed_pulls, outcome.failed_checks
    yield PostgresRun(settings, duck_settings, agency)


def test_nothing_of_the_refresh_went_to_duckdb_files(postgres_run: PostgresRun) -> None:
    settings = postgres_run.settings
    assert not settings.build_db.exists() and not settings.serving_db.exists()
    _, kinds = postgres_run.query("select distinct kind from raw.load_log where status = 'loaded'")
    assert {"api:yandex_direct", "cabinet_csv", "invoice_register"} <= {k for (k,) in kinds}


@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_every_published_mart_equals_the_duckdb_run(mart: str, postgres_run: PostgresRun) -> None:
    postgres_run.assert_equals_duckdb(mart)


def test_the_publish_metadata_is_the_serving_files(postgres_run: PostgresRun) -> None:
    """The same ``_publish_meta`` columns, as of the same day, with the same data cutoff."""
    columns, rows = postgres_run.query("select * from serving._publish_meta")
    duck = read_publish_meta(postgres_run.duckdb_settings.serving_db)
    assert duck is not None and len(rows) == 1
    meta = dict(zip(columns, rows[0], strict=True))
    assert list(meta) == list(duck)
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
    _, schemas = postgres_nightly.query(
        "select schema_name from information_schema.schemata where schema_name like 'serving%'"
    )
    assert schemas == [("serving",)]


@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_after_the_nightly_every_mart_still_equals_the_duckdb_run(
    mart: str, postgres_nightly: PostgresRun
) -> None:
    postgres_nightly.assert_equals_duckdb(mart)
