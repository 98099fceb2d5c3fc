"""The Spark harness shares the main suite's guard against a developer's settings and its demo
agency (``tests/conftest.py``): the same refresh on DuckDB is what Spark's build is compared with.

One SparkSession serves the whole run (``spark``): a process has one, and dbt-spark's ``session``
method finds it (``getOrCreate``); its warehouse and metastore are in a temporary folder."""

import os
from typing import Any

import pytest

from tests.conftest import (  # noqa: F401  (pytest finds fixtures and hooks by name here)
    _no_developer_settings,
    published_demo,
    pytest_configure,
    pytest_unconfigure,
)


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests_spark.spark_session import spark_session

    os.environ["AGENCY_SPARK_DIR"] = str(tmp_path_factory.mktemp("spark-session"))
    os.environ.setdefault("AGENCY_SPARK_SHUFFLE_PARTITIONS", "4")
    os.environ.setdefault("AGENCY_SPARK_DRIVER_MEMORY", "3g")
    return spark_session()
