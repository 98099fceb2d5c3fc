from __future__ import annotations

import pytest

from tests.dbt.scenario import Warehouse, build_on_duckdb


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The scenario built once on DuckDB, read by test_dbt_build's checks and compared with the
    PostgreSQL build by test_postgres_build."""
    return build_on_duckdb(tmp_path_factory.mktemp("dbt"))
