"""``AGENCY_WAREHOUSE=spark``: the loaders' store and dbt's targets on Spark, the same
``AGENCY_SPARK_*`` variables for both, the build state kept in Spark, and the serving file as
where Spark's marts are published. No pyspark here: the Spark refresh itself is tested in
``tests_spark/``."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.defs.executors import ExecutorRefused, refresh_executor
from pipelines.load.build_store import (
    build_state_store,
    build_store,
    dbt_connection,
    dbt_target_args,
    published_meta,
    serving_location,
)
from pipelines.load.raw_schema import RAW_TABLES
from pipelines.load.settings import REPO_ROOT, Settings, SparkSettings
from pipelines.load.spark import PARTITION_COLUMNS, SparkRawStore, spark_parameters


@pytest.fixture
def on_spark(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AGENCY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AGENCY_WAREHOUSE", "Spark")
    monkeypatch.setenv("AGENCY_SPARK_CORES", "3")
    monkeypatch.setenv("AGENCY_SPARK_DRIVER_MEMORY", "2g")
    return Settings.from_env(dotenv=False)


def test_spark_reads_the_variables_the_dbt_profile_reads(on_spark: Settings, tmp_path: Path) -> None:
    assert on_spark.spark == SparkSettings(dir=tmp_path / "spark", cores=3, driver_memory="2g")
    assert isinstance(build_store(on_spark), SparkRawStore)
    assert isinstance(build_state_store(on_spark), SparkRawStore)  # the build state lives in Spark too
    args, env = dbt_target_args(on_spark)
    assert args == ["--target", "spark"]
    assert env == {
        "AGENCY_SPARK_DIR": str(tmp_path / "spark"),
        "AGENCY_SPARK_CORES": "3",
        "AGENCY_SPARK_DRIVER_MEMORY": "2g",
        "AGENCY_SPARK_SHUFFLE_PARTITIONS": "200",
        "AGENCY_SPARK_SCHEMA": "main",
    }
    # the loader's session is the profile's `spark` target rendered with the same variables
    params = spark_parameters(env)
    assert params["spark.master"] == "local[3]"
    assert params["spark.driver.memory"] == "2g"
    assert params["spark.sql.warehouse.dir"] == f"{tmp_path / 'spark'}/warehouse"
    assert (
        f"databaseName={tmp_path / 'spark'}/metastore_db"
        in params["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
    assert params["spark.sql.session.timeZone"] == "UTC"
    # dbt's sessions over Thrift get the same time zone and string literals as the loader's
    thrift = spark_parameters(env, target="spark_thrift")
    assert thrift["set:hiveconf:spark.sql.session.timeZone"] == params["spark.sql.session.timeZone"]
    assert (
        thrift["set:hiveconf:spark.sql.parser.escapedStringLiterals"]
        == params["spark.sql.parser.escapedStringLiterals"]
    )


def test_spark_publishes_into_the_serving_file(on_spark: Settings) -> None:
    assert serving_location(on_spark) == f"serving file: {on_spark.serving_db}"
    assert published_meta(on_spark) is None  # nothing published yet
    assert not (on_spark.data_dir / "spark").exists()  # nothing opened a session


def test_dbt_connects_to_duckdb_and_postgres_as_the_target_args_say(tmp_path: Path) -> None:
    settings = Settings.for_directory(tmp_path, tmp_path / "agency.yaml")
    with dbt_connection(settings) as connection:
        assert connection == dbt_target_args(settings) == ([], {"AGENCY_BUILD_DB": str(settings.build_db)})
    on_pg = dataclasses.replace(settings, warehouse="postgres")
    with dbt_connection(on_pg) as (args, env):
        assert args == ["--target", "postgres"] and env["AGENCY_PG_DBNAME"] == "agency"


def test_steps_on_celery_workers_are_refused_on_spark(on_spark: Settings) -> None:
    with pytest.raises(ExecutorRefused, match="a local Spark session's metastore takes one process"):
        refresh_executor(dataclasses.replace(on_spark, executor="celery"))


def test_every_partition_column_is_part_of_its_tables_key() -> None:
    for name, columns in PARTITION_COLUMNS.items():
        assert set(columns) <= set(RAW_TABLES[name].key), name


def test_the_spark_store_imports_without_pyspark() -> None:
    script = (
        "import sys\n"
        "import pipelines.load.build_store, pipelines.load.spark\n"
        "print('pyspark' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env=dict(os.environ),
    )
    assert done.stdout.strip() == "False"
