"""``AGENCY_WAREHOUSE=spark``: the loaders' store and dbt's target on Spark, the same
``AGENCY_SPARK_*`` variables for both, and a refresh refused with its reason (nothing on Spark is
published where the dashboard reads). No pyspark here: the Spark tests are ``tests_spark/``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.load.build_store import (
    SparkNotServed,
    build_state_store,
    build_store,
    dbt_target_args,
    publish_marts,
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
    store = build_store(on_spark)
    assert isinstance(store, SparkRawStore)
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


def test_nothing_is_published_from_spark_and_the_refresh_says_why(
    on_spark: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SparkNotServed, match="dashboard and the reports read"):
        publish_marts(on_spark, run_id="r1")
    with pytest.raises(SparkNotServed):
        build_state_store(on_spark)
    assert published_meta(on_spark) is None
    assert serving_location(on_spark).startswith("nothing served from Spark")
    for command in (["refresh"], ["rebuild"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "AGENCY_WAREHOUSE=spark" in err and "the refresh does not run on Spark" in err
    assert not (on_spark.data_dir / "spark").exists()  # refused before anything was opened


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
