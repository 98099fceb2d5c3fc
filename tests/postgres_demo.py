"""The demo agency refreshed into PostgreSQL once per test session (``AGENCY_WAREHOUSE=postgres``):
the same demo as ``published_demo`` (tests/conftest.py), through the same entry point
(``run_refresh``, its fake vendor APIs and inbox files), loaded, built and published in a database
of the session's throwaway server. Shared by tests/test_postgres_end_to_end.py and
tests/test_postgres_serving.py; a test that publishes again works on its own database.

The fixture is registered in tests/conftest.py (``pytest_plugins``)."""

from __future__ import annotations

import dataclasses
import shutil
from typing import Any

import psycopg
import pytest

from tests.mart_comparison import duckdb_query, postgres_query
from tests.postgres import PostgresServer

__all__ = ["PostgresRun", "postgres_demo"]


@dataclasses.dataclass
class PostgresRun:
    """The PostgreSQL run (``settings``) next to the DuckDB run of the same demo."""

    settings: Any
    duckdb_settings: Any
    agency: Any
    server: PostgresServer

    @property
    def conninfo(self) -> str:
        assert self.settings.postgres is not None
        return str(self.settings.postgres.conninfo())

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return postgres_query(self.conninfo)(sql)

    def on_duckdb(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return duckdb_query(self.duckdb_settings.serving_db)(sql)


@pytest.fixture(scope="session")
def postgres_demo(
    published_demo: tuple[Any, Any, Any],
    postgres_server: PostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> PostgresRun:
    from demo_agency import write_demo
    from demo_agency.pipeline import vendor_apis_for
    from pipelines.defs.runner import run_refresh
    from pipelines.load.config import load_config
    from pipelines.load.settings import PostgresSettings, Settings
    from pipelines.load.windows import full_range
    from tests.conftest import DEMO_TODAY

    duck_settings, _, agency = published_demo
    root = tmp_path_factory.mktemp("e2e_postgres")
    written = write_demo(agency, root)
    # the same contact salt as the DuckDB run: the lead ledger publishes salted hashes
    salt = root / "secrets" / "contact_salt"
    salt.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(duck_settings.contact_salt_file, salt)
    dbname = postgres_server.create_database("e2e")
    with psycopg.connect(postgres_server.conninfo(), autocommit=True) as con:
        if not con.execute("select 1 from pg_roles where rolname = 'agency_reader'").fetchone():
            con.execute("CREATE ROLE agency_reader LOGIN")
    settings = dataclasses.replace(
        Settings.for_directory(root, written.config_path, as_of=DEMO_TODAY),
        warehouse="postgres",
        postgres=PostgresSettings(
            host=postgres_server.host,
            port=postgres_server.port,
            user=postgres_server.user,
            dbname=dbname,
            reader_role="agency_reader",
        ),
    )
    pull_range = full_range(load_config(written.config_path), DEMO_TODAY)
    outcome = run_refresh(settings, pull_range, vendor_apis=vendor_apis_for(settings))
    assert outcome.success and not outcome.failed_pulls, outcome.failed_checks
    return PostgresRun(settings, duck_settings, agency, postgres_server)
