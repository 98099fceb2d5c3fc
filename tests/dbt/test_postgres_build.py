"""The dbt project on PostgreSQL: the scenario of ``test_dbt_build`` (tests/dbt/scenario.py) loaded
into a throwaway PostgreSQL server through ``PostgresRawStore``, ``dbt build --target postgres``
with the same ``--vars``, and every public mart compared cell by cell with the DuckDB build;
then the nightly path (incremental models replacing their (client, day) windows) on a second
database, whose marts must equal the same DuckDB build.

The server is started by the session fixture ``postgres_server`` (tests/postgres.py): without
PostgreSQL's server programs this test fails (``make test`` installs them), it never skips.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pipelines.load.postgres import PostgresRawStore
from pipelines.load.publish import PUBLIC_MARTS
from pipelines.load.raw_schema import CONFIG_TABLES, RAW_TABLES
from pipelines.load.warehouse import to_arrow
from tests.dbt.scenario import LOADED, RAW_ROWS, Warehouse, run_dbt
from tests.mart_comparison import MARTS, assert_mart_equal, duckdb_query, postgres_query
from tests.postgres import PostgresServer


@dataclass
class PostgresBuild:
    conninfo: str
    results: dict[str, dict[str, Any]]

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return postgres_query(self.conninfo)(sql)


def _loaded_database(server: PostgresServer) -> tuple[str, dict[str, str]]:
    """A new database holding the scenario's raw layer, loaded through ``PostgresRawStore``: its
    conninfo and the environment that points the profile's ``postgres`` target at it."""
    dbname = server.create_database("dbt")
    conninfo = server.conninfo(dbname)
    tables = {**RAW_TABLES, **CONFIG_TABLES}
    with PostgresRawStore(conninfo) as store:
        store.ensure_schema()
        for name, rows in RAW_ROWS.items():
            store.bulk_load(tables[name], to_arrow(tables[name], rows))
    env = {
        "AGENCY_PG_HOST": server.host,
        "AGENCY_PG_PORT": str(server.port),
        "AGENCY_PG_USER": server.user,
        "AGENCY_PG_PASSWORD": "",
        "AGENCY_PG_DBNAME": dbname,
    }
    return conninfo, env


def _dbt_ok(args: list[str], work_dir: Path, env: dict[str, str], **extra_vars: str) -> None:
    result = run_dbt([*args, "--target", "postgres"], work_dir, env, extra_vars)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def postgres_build(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PostgresBuild]:
    conninfo, env = _loaded_database(postgres_server)
    work_dir = tmp_path_factory.mktemp("dbt_postgres")
    _dbt_ok(["build"], work_dir, env)
    run_results = json.loads((work_dir / "target" / "run_results.json").read_text(encoding="utf-8"))
    yield PostgresBuild(conninfo, {r["unique_id"]: r for r in run_results["results"]})


@pytest.fixture(scope="module")
def postgres_windowed_build(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PostgresBuild]:
    """The nightly path on PostgreSQL: the models built, then built again with a load mark
    (``changed_since``) just before the scenario's loads, so the incremental models take their
    windows (``store_windows``), read their inputs through them and replace them
    (``replace_window``) instead of rebuilding whole."""
    conninfo, env = _loaded_database(postgres_server)
    work_dir = tmp_path_factory.mktemp("dbt_postgres_windowed")
    models_only = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    _dbt_ok(models_only, work_dir, env)
    _dbt_ok(models_only, work_dir, env, changed_since=f"{LOADED - dt.timedelta(hours=1):%Y-%m-%d %H:%M:%S}")
    with psycopg.connect(conninfo) as con:  # the windows were taken, not skipped
        windows = con.execute("select count(*) from incremental_windows.client_channel_daily").fetchone()
    assert windows is not None and windows[0] > 0
    yield PostgresBuild(conninfo, {})


def test_every_model_test_and_unit_test_ends_as_on_duckdb(
    postgres_build: PostgresBuild, warehouse: Warehouse
) -> None:
    """The same nodes, each with the same status (the three known data problems warn on both)
    and the same number of failing rows; every unit test passes."""
    on_postgres = {uid: (r["status"], r["failures"]) for uid, r in postgres_build.results.items()}
    on_duckdb = {uid: (r["status"], r["failures"]) for uid, r in warehouse.results.items()}
    assert on_postgres == on_duckdb
    unit_tests = [r for uid, r in postgres_build.results.items() if uid.startswith("unit_test.")]
    assert len(unit_tests) >= 40 and all(r["status"] == "pass" for r in unit_tests)
    warned = sorted(uid.rsplit(".", 1)[-1] for uid, (status, _) in on_postgres.items() if status == "warn")
    assert warned == [
        "assert_invoices_match_a_client",
        "assert_no_negative_call_durations",
        "assert_payments_are_matched",
    ]


def test_the_marts_are_every_public_mart() -> None:
    assert set(PUBLIC_MARTS) <= set(MARTS)


def _assert_mart_equals_duckdb(mart: str, build: PostgresBuild, warehouse: Warehouse) -> None:
    on_duckdb = duckdb_query(warehouse.database)
    assert_mart_equal(mart, build.query, f"marts.{mart}", on_duckdb, f"marts.{mart}")


@pytest.mark.parametrize("mart", MARTS)
def test_the_mart_equals_the_duckdb_build_cell_by_cell(
    mart: str, postgres_build: PostgresBuild, warehouse: Warehouse
) -> None:
    _assert_mart_equals_duckdb(mart, postgres_build, warehouse)


@pytest.mark.parametrize("mart", MARTS)
def test_the_windowed_rebuild_gives_the_same_mart(
    mart: str, postgres_windowed_build: PostgresBuild, warehouse: Warehouse
) -> None:
    _assert_mart_equals_duckdb(mart, postgres_windowed_build, warehouse)


def test_the_comparison_sees_data(postgres_build: PostgresBuild) -> None:
    """Every mart but one holds rows in the scenario (a comparison of empty tables proves
    nothing). ``account_coverage`` needs loads of ad and call days in ``raw.load_log``, which the
    scenario has none of; its unit tests (run on both engines) cover it."""
    empty = [m for m in MARTS if not postgres_build.query(f"select 1 from marts.{m} limit 1")[1]]
    assert empty == ["account_coverage"]
