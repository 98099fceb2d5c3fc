"""``AGENCY_WAREHOUSE`` chooses the build database every step opens (``pipelines.load.build_store``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from pipelines.defs.resources import AgencyEnvironment
from pipelines.load.build_store import build_store, dbt_target_args, serving_location
from pipelines.load.postgres import PostgresRawStore
from pipelines.load.settings import REPO_ROOT, PostgresSettings, Settings
from pipelines.load.warehouse import DuckDBRawStore


def test_duckdb_is_the_default_and_the_build_file_is_its_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENCY_DATA_DIR", str(tmp_path))
    settings = Settings.from_env(dotenv=False)
    assert (settings.warehouse, settings.postgres) == ("duckdb", None)
    store = build_store(settings)
    assert isinstance(store, DuckDBRawStore) and store.path == tmp_path / "warehouse" / "build.duckdb"
    assert dbt_target_args(settings) == ([], {"AGENCY_BUILD_DB": str(store.path)})
    assert serving_location(settings) == f"serving file: {tmp_path / 'serving' / 'serving.duckdb'}"


def test_postgres_reads_the_connection_the_dbt_profile_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCY_WAREHOUSE", " Postgres ")
    monkeypatch.setenv("AGENCY_PG_HOST", "db.internal")
    monkeypatch.setenv("AGENCY_PG_PORT", "6432")
    monkeypatch.setenv("AGENCY_PG_DBNAME", "agency_prod")
    monkeypatch.setenv("AGENCY_PG_PASSWORD", "it's secret")
    monkeypatch.setenv("AGENCY_PG_READER_ROLE", "agency_reader")
    settings = Settings.from_env(dotenv=False)
    assert settings.postgres == PostgresSettings(
        host="db.internal", port=6432, user="postgres", dbname="agency_prod", reader_role="agency_reader"
    )
    store = build_store(settings)
    assert isinstance(store, PostgresRawStore)
    assert conninfo_to_dict(store.conninfo) == {
        "host": "db.internal",
        "port": "6432",
        "user": "postgres",
        "dbname": "agency_prod",
        "password": "it's secret",
    }
    args, env = dbt_target_args(settings)
    assert args == ["--target", "postgres"]
    assert env == {
        "AGENCY_PG_HOST": "db.internal",
        "AGENCY_PG_PORT": "6432",
        "AGENCY_PG_USER": "postgres",
        "AGENCY_PG_DBNAME": "agency_prod",
    }


def test_an_unknown_warehouse_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCY_WAREHOUSE", "bigquery")
    with pytest.raises(ValueError, match="AGENCY_WAREHOUSE must be one of duckdb, postgres, spark"):
        Settings.from_env(dotenv=False)


def test_the_dagster_resource_carries_the_warehouse_but_no_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENCY_PG_PASSWORD", "secret")
    pg = PostgresSettings(host="db", port=5433, user="agency", dbname="reports", reader_role="readers")
    settings = Settings.for_directory(tmp_path, tmp_path / "agency.yaml")
    on_postgres = Settings(**{**settings.__dict__, "warehouse": "postgres", "postgres": pg})
    resource = AgencyEnvironment.from_settings(on_postgres)
    assert "secret" not in repr(resource.model_dump())
    assert resource.settings() == on_postgres
    assert AgencyEnvironment.from_settings(settings).settings() == settings


def test_the_assets_are_tagged_with_the_warehouse_they_write() -> None:
    # A fresh interpreter, as a Dagster code location loads the definitions; dbt's models are
    # tagged by dagster-dbt from the manifest, the loaders and the publish by us.
    script = (
        "from pipelines.defs.definitions import defs\n"
        "ours = [s.kinds for s in defs.resolve_all_asset_specs() if 'dbt' not in s.kinds]\n"
        "print(' '.join(sorted(set().union(*ours))), len(ours))\n"
    )
    seen = {}
    for warehouse in ("duckdb", "postgres"):
        env = {**os.environ, "AGENCY_WAREHOUSE": warehouse}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, cwd=REPO_ROOT
        )
        seen[warehouse] = done.stdout.split()
    assert seen["duckdb"][:-1] == ["api", "duckdb"] and int(seen["duckdb"][-1]) > 10
    assert seen["postgres"][:-1] == ["api", "postgres"] and seen["postgres"][-1] == seen["duckdb"][-1]
