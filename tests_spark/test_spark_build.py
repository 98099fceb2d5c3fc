"""The refresh on Apache Spark (issue 20): the demo agency of the end-to-end tests
(``published_demo``: six clients, seven months, refreshed on DuckDB) refreshed again with
``AGENCY_WAREHOUSE=spark`` (tests_spark/demo_on_spark.py): its loaders write Spark's raw tables
through ``SparkRawStore``, ``dbt build`` runs over Spark's Thrift server in the refresh's own
session (dbt-spark, ``--target spark_thrift``), and the publish step copies Spark's marts into the
serving file, which is compared with the DuckDB run's serving file table by table, cell by cell.
The dbt tests' scenario (bank payments) is then built on Spark in-process (``--target spark``,
dbt-spark's session method), with the unit tests the pipeline's builds leave to CI.

Not in the default suite (``make test`` collects ``tests/`` only): pyspark and Java are an
optional group (``uv sync --group spark``), and the build takes minutes. ``make test-spark``
runs it and writes its figures to ``$AGENCY_SPARK_REPORT`` (default
``data/spark/last_run.json``), recorded in docs/scale-out.md.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.mart_comparison import MARTS, VOLATILE_COLUMNS, assert_mart_equal, duckdb_query
from tests_spark.demo_on_spark import SparkRefresh, nightly_on_spark, refresh_demo_on_spark

PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"
PASSED = ("success", "pass", "warn")  # warn: a data test of severity warn (DuckDB's build warns the same)
# pyspark leaves the local sockets it reads results through to the garbage collector (py4j)
pytestmark = [
    pytest.mark.filterwarnings("ignore:unclosed <socket:ResourceWarning"),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <socket:pytest.PytestUnraisableExceptionWarning"
    ),
    # a second dbt invocation in the process (the scenario's) replaces dbt's log file handler
    # without closing the first one
    pytest.mark.filterwarnings("ignore:unclosed file <_io.TextIOWrapper name='[^']*dbt.log':ResourceWarning"),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <_io.FileIO name='[^']*dbt.log':pytest.PytestUnraisableExceptionWarning"
    ),
]


@dataclasses.dataclass
class SparkBuild:
    session: Any
    duckdb_build: Path
    statuses: dict[str, str]  # unique_id -> dbt status
    messages: dict[str, str]
    seconds: float

    def on_spark(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        frame = self.session.sql(sql)
        return list(frame.columns), [tuple(row) for row in frame.collect()]

    def on_duckdb(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return duckdb_query(self.duckdb_build)(sql)


def build_on_spark(root: Path, as_of_date: str, *extra: str) -> Any:
    """``dbt build --target spark`` in this process (dbt-spark's session method finds the test
    session), its target and logs under ``root``; dbt's result."""
    from dbt.cli.main import dbtRunner

    return dbtRunner().invoke(
        [
            "build",
            "--target",
            "spark",
            *extra,
            "--project-dir",
            str(PROJECT),
            "--profiles-dir",
            str(PROJECT),
            "--target-path",
            str(root / "target"),
            "--log-path",
            str(root / "logs"),
            "--vars",
            json.dumps({"as_of_date": as_of_date}),
        ]
    )


@pytest.fixture(scope="module")
def spark_refresh(
    published_demo: tuple[Any, Any, Any], spark: Any, tmp_path_factory: pytest.TempPathFactory
) -> SparkRefresh:
    spark.sql("drop schema if exists raw cascade")  # the session's other tests leave theirs
    refresh = refresh_demo_on_spark(published_demo, tmp_path_factory.mktemp("spark") / "demo")
    report = Path(os.environ.get("AGENCY_SPARK_REPORT", PROJECT.parent / "data" / "spark" / "last_run.json"))
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        json.dumps(
            {
                "refresh_seconds": round(refresh.seconds, 1),
                "refresh_success": refresh.outcome.success,
                "raw_rows": refresh.raw_counts,
                "status_counts": dict(Counter(refresh.statuses.values())),
                "not_passed": {
                    k: refresh.messages[k][:300] for k, v in refresh.statuses.items() if v not in PASSED
                },
            },
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return refresh


def test_the_refresh_on_spark_succeeds(spark_refresh: SparkRefresh) -> None:
    """Every step succeeded: loads, pulls, the dbt build (every model, seed and data test passed
    or warned, none skipped), the publish; nothing failed its checks but what fails on DuckDB."""
    outcome = spark_refresh.outcome
    assert outcome.success and not outcome.failed_pulls, outcome.failed_pulls
    statuses = spark_refresh.statuses
    assert sum(1 for k in statuses if k.startswith("model.")) >= 55, "dbt build ran too few models"
    failed = {k: spark_refresh.messages[k][:200] for k, v in statuses.items() if v not in PASSED}
    assert not failed, f"{len(failed)} of {len(statuses)} nodes did not pass: {failed}"


def test_the_build_state_lives_in_spark(spark_refresh: SparkRefresh, spark: Any) -> None:
    """The refresh recorded its build (full: Spark's parquet tables have no row deletes) where the
    next one plans from, and dbt read the run's day from Spark's run-values table."""
    built = spark.sql("select full_rebuild, reason from pipeline.model_builds").collect()
    assert [tuple(r) for r in built] == [(True, "a full rebuild was asked for")]  # a full-history run
    values = dict(tuple(r) for r in spark.sql("select name, value from pipeline.dbt_run_vars").collect())
    assert values == {"as_of_date": spark_refresh.settings.as_of_date().isoformat()}


def test_the_loaders_filled_spark_as_they_filled_duckdb(
    spark_refresh: SparkRefresh, published_demo: tuple[Any, Any, Any], spark: Any
) -> None:
    """The refresh's loaders wrote the demo into Spark through SparkRawStore: every raw table holds
    as many rows as the DuckDB run's (the same files and API answers), and the raw rows but their
    load's identity and time are the same."""
    from pipelines.load.raw_schema import RAW_TABLES

    on_duckdb = duckdb_query(published_demo[0].build_db)
    for name, count in spark_refresh.raw_counts.items():
        _, rows = on_duckdb(f"select count(*) from raw.{name}")  # noqa: S608
        assert count == rows[0][0], name
    assert spark_refresh.raw_counts["yandex_direct_campaign_stats"] > 0
    assert spark_refresh.raw_counts["calltouch_calls"] > 0
    # when a load ran: its id and time, and the API origins and balances that name the moment asked
    when = {"_load_id", "_loaded_at", "load_id", "loaded_at", "_origin", "origin", "as_of"}
    for table in RAW_TABLES.values():
        columns = ", ".join(c for c in table.column_names if c not in when)
        sql = f"select {columns} from {table.qualified}"  # noqa: S608
        spark_rows = [tuple(r) for r in spark.sql(sql).collect()]
        key = lambda row: tuple((v is None, str(v)) for v in row)  # noqa: E731
        assert sorted(spark_rows, key=key) == sorted(on_duckdb(sql)[1], key=key), table.name


def assert_published_equal(serving: Path, duckdb_serving: Path, mart: str) -> None:
    """The mart in the serving file published from Spark equals the DuckDB run's: the same
    columns of the same types, the same rows cell by cell."""
    on_spark, on_duckdb = duckdb_query(serving), duckdb_query(duckdb_serving)
    describe = f"select column_name, column_type from (describe main.{mart})"  # noqa: S608
    assert on_spark(describe)[1] == on_duckdb(describe)[1]
    assert_mart_equal(mart, on_spark, f"main.{mart}", on_duckdb, f"main.{mart}", leave_out=VOLATILE_COLUMNS)


@pytest.mark.parametrize("mart", MARTS)
def test_published_mart_equals_duckdb(
    spark_refresh: SparkRefresh, published_demo: tuple[Any, Any, Any], mart: str
) -> None:
    """What the dashboard and the reports read, published from Spark, equals the DuckDB run's."""
    assert_published_equal(spark_refresh.settings.serving_db, published_demo[0].serving_db, mart)


def test_the_publish_names_the_day_and_the_data_cutoff_as_on_duckdb(
    spark_refresh: SparkRefresh, published_demo: tuple[Any, Any, Any]
) -> None:
    sql = "select as_of_date, data_cutoff from _publish_meta"
    on_spark = duckdb_query(spark_refresh.settings.serving_db)(sql)[1]
    assert on_spark == duckdb_query(published_demo[0].serving_db)(sql)[1]
    assert on_spark[0][1] is not None


@pytest.fixture(scope="module")
def spark_nightly(spark_refresh: SparkRefresh) -> SparkRefresh:
    nightly = nightly_on_spark(spark_refresh)
    report = Path(os.environ.get("AGENCY_SPARK_REPORT", PROJECT.parent / "data" / "spark" / "last_run.json"))
    figures = json.loads(report.read_text(encoding="utf-8"))
    figures["nightly_seconds"] = round(nightly.seconds, 1)
    figures["nightly_status_counts"] = dict(Counter(nightly.statuses.values()))
    report.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return nightly


def test_the_next_night_builds_incrementally_on_spark(spark_nightly: SparkRefresh, spark: Any) -> None:
    """The second refresh replaces the windows its loads touched (the restatement windows pulled
    again): an incremental build on parquet tables, every node passing, no staged copy left."""
    outcome = spark_nightly.outcome
    assert outcome.success and not outcome.failed_pulls, outcome.failed_pulls
    failed = {
        k: spark_nightly.messages[k][:200] for k, v in spark_nightly.statuses.items() if v not in PASSED
    }
    assert spark_nightly.statuses and not failed, failed
    built = [
        tuple(r)
        for r in spark.sql(
            "select full_rebuild, reason from pipeline.model_builds order by built_at"
        ).collect()
    ]
    assert [full for full, _ in built] == [True, False]
    assert built[1][1].startswith("loads since"), built
    windows = spark.sql("select count(*) from incremental_windows.client_campaign_daily").collect()[0][0]
    assert windows > 0  # the night's windows were replaced, not the whole table recomputed
    for model in ("marts.client_campaign_daily", "intermediate.int_calls", "marts.client_channel_daily"):
        assert not spark.catalog.tableExists(f"{model}__windows_staged"), model


@pytest.mark.parametrize("mart", MARTS)
def test_published_mart_after_the_nightly_equals_duckdb(
    spark_nightly: SparkRefresh, published_demo: tuple[Any, Any, Any], mart: str
) -> None:
    """The windows replaced on Spark hold what a full build holds: the marts still equal DuckDB's."""
    assert_published_equal(spark_nightly.settings.serving_db, published_demo[0].serving_db, mart)


# --- The dbt tests' hand-made scenario: the payment path with data ----------------------------
# The demo agency writes no bank statements, so its payment marts are equal but empty. The
# scenario of tests/dbt (bank payments matched by number, split across invoices, matched by
# amount, unmatched with each reason; invoices paid from the register and the bank) is built on
# DuckDB and on Spark (models and seeds; the data and unit tests ran in the demo's build above),
# in the same session after the demo's marts were compared, and every mart compared again.


@pytest.fixture(scope="module")
def scenario_build(
    spark_nightly: SparkRefresh, spark: Any, tmp_path_factory: pytest.TempPathFactory
) -> SparkBuild:

    from pipelines.load.raw_schema import CONFIG_TABLES, RAW_TABLES
    from pipelines.load.spark import SparkRawStore
    from pipelines.load.warehouse import to_arrow
    from tests.dbt.scenario import AS_OF, RAW_ROWS, build_on_duckdb

    tables = {**RAW_TABLES, **CONFIG_TABLES}

    root = tmp_path_factory.mktemp("scenario")
    (root / "duckdb").mkdir()
    on_duckdb = build_on_duckdb(root / "duckdb")
    # the scenario's raw rows through the loader interface, as tests/dbt/test_postgres_build.py
    # loads them into PostgreSQL (the demo's raw layer goes first: the same session holds it)
    spark.sql("drop schema if exists raw cascade")
    with SparkRawStore(spark) as store:
        store.ensure_schema()
        for name, rows in RAW_ROWS.items():
            store.bulk_load(tables[name], to_arrow(tables[name], rows))
    started = time.monotonic()
    result = build_on_spark(
        root,
        AS_OF,
        "--full-refresh",  # the demo's incremental tables are in the warehouse already
        "--resource-type",
        "model",
        "--resource-type",
        "seed",
        "--resource-type",
        "unit_test",  # the pipeline's builds leave the unit tests to CI: here they run on Spark
    )
    results = getattr(result.result, "results", None) or []
    return SparkBuild(
        spark,
        on_duckdb.database,
        {r.node.unique_id: str(r.status) for r in results},
        {r.node.unique_id: str(r.message or "") for r in results},
        time.monotonic() - started,
    )


def test_scenario_builds_on_spark(scenario_build: SparkBuild) -> None:
    """Every model, seed and unit test of the scenario passes, and its payments are matched on
    Spark as on DuckDB: every rule of the matching has rows (so the comparisons below are not of
    empty marts)."""
    statuses = scenario_build.statuses
    failed = {k: scenario_build.messages[k][:200] for k, v in statuses.items() if v not in PASSED}
    assert statuses and not failed, failed
    assert sum(1 for k in statuses if k.startswith("unit_test.")) >= 40, "the unit tests did not run"
    sql = "select match_method, count(*) from intermediate.int_payment_matches group by 1 order by 1"
    _, on_spark = scenario_build.on_spark(sql)
    _, on_duckdb = scenario_build.on_duckdb(sql)
    assert [tuple(r) for r in on_spark] == [tuple(r) for r in on_duckdb]
    assert {r[0] for r in on_spark} == {"number+inn", "inn+amount", "unmatched"}


@pytest.mark.parametrize("mart", MARTS)
def test_scenario_mart_equals_duckdb(scenario_build: SparkBuild, mart: str) -> None:
    assert_mart_equal(
        mart,
        scenario_build.on_spark,
        f"marts.{mart}",
        scenario_build.on_duckdb,
        f"marts.{mart}",
        leave_out=VOLATILE_COLUMNS,
    )
