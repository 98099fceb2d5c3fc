"""The dbt project on Apache Spark (issue 20): ``dbt build --target spark`` (dbt-spark, a local
pyspark session) over the demo agency of the end-to-end tests (``published_demo``: six clients,
seven months, refreshed on DuckDB), whose raw layer the refresh's own loaders write into Spark
through ``SparkRawStore`` (tests_spark/demo_on_spark.py), and every mart compared with the DuckDB
build's, cell by cell.

Not in the default suite (``make test`` collects ``tests/`` only): pyspark and Java are an
optional group (``uv sync --group spark``), and the build takes minutes. ``make test-spark``
runs it and writes its figures to ``$AGENCY_SPARK_REPORT`` (default
``data/spark/last_run.json``), recorded in docs/scale-out.md.

The whole project is built. ``AGENCY_SPARK_EXCLUDE`` (a dbt selector, default empty) leaves nodes
out for trying things; the marts it leaves out are reported as expected failures (xfail), never
as passes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.mart_comparison import MARTS, VOLATILE_COLUMNS, assert_mart_equal, duckdb_query
from tests_spark.demo_on_spark import load_demo_on_spark

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
DEFAULT_EXCLUDE = ""


@dataclasses.dataclass
class SparkBuild:
    session: Any
    duckdb_build: Path
    statuses: dict[str, str]  # unique_id -> dbt status
    excluded: str
    messages: dict[str, str]
    seconds: float
    raw_counts: dict[str, int] = dataclasses.field(default_factory=dict)

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
def spark_build(
    published_demo: tuple[Any, Any, Any], spark: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SparkBuild]:

    settings, _, _ = published_demo
    root = tmp_path_factory.mktemp("spark")
    session = spark
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        run_vars = dict(con.execute("select name, value from pipeline.dbt_run_vars").fetchall())
    session.sql("drop schema if exists raw cascade")  # the session's other tests leave theirs
    started = time.monotonic()
    _, raw_counts = load_demo_on_spark(published_demo, root / "demo")
    load_seconds = time.monotonic() - started
    exclude = os.environ.get("AGENCY_SPARK_EXCLUDE", DEFAULT_EXCLUDE)
    started = time.monotonic()
    excluding = ["--exclude", exclude] if exclude else []
    result = build_on_spark(root, run_vars.get("as_of_date", ""), *excluding)
    seconds = time.monotonic() - started
    results = getattr(result.result, "results", None) or []
    statuses = {r.node.unique_id: str(r.status) for r in results}
    messages = {r.node.unique_id: str(r.message or "") for r in results}
    build = SparkBuild(session, settings.build_db, statuses, exclude, messages, seconds, raw_counts)
    report = Path(os.environ.get("AGENCY_SPARK_REPORT", PROJECT.parent / "data" / "spark" / "last_run.json"))
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        json.dumps(
            {
                "raw_load_seconds": round(load_seconds, 1),
                "dbt_build_seconds": round(seconds, 1),
                "excluded": exclude,
                "raw_rows": raw_counts,
                "status_counts": dict(Counter(statuses.values())),
                "not_passed": {k: messages[k][:300] for k, v in statuses.items() if v not in PASSED},
            },
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    yield build


def test_the_loaders_filled_spark_as_they_filled_duckdb(spark_build: SparkBuild) -> None:
    """The refresh's loaders wrote the demo into Spark through SparkRawStore: every raw table holds
    as many rows as the DuckDB run's (the same files and API answers), and the raw rows but their
    load's identity and time are the same."""
    for name, count in spark_build.raw_counts.items():
        _, rows = spark_build.on_duckdb(f"select count(*) from raw.{name}")  # noqa: S608
        assert count == rows[0][0], name
    assert spark_build.raw_counts["yandex_direct_campaign_stats"] > 0
    assert spark_build.raw_counts["calltouch_calls"] > 0
    from pipelines.load.raw_schema import RAW_TABLES

    # when a load ran: its id and time, and the API origins and balances that name the moment asked
    when = {"_load_id", "_loaded_at", "load_id", "loaded_at", "_origin", "origin", "as_of"}
    for table in RAW_TABLES.values():
        columns = ", ".join(c for c in table.column_names if c not in when)
        sql = f"select {columns} from {table.qualified}"  # noqa: S608
        on_spark, on_duckdb = spark_build.on_spark(sql)[1], spark_build.on_duckdb(sql)[1]
        key = lambda row: tuple((v is None, str(v)) for v in row)  # noqa: E731
        assert sorted(on_spark, key=key) == sorted(on_duckdb, key=key), table.name


def test_dbt_build_on_spark_passes(spark_build: SparkBuild) -> None:
    """Every model, seed, data test and unit test succeeds on Spark (none skipped)."""
    assert spark_build.statuses, "dbt build ran no node"
    failed = {k: spark_build.messages[k][:200] for k, v in spark_build.statuses.items() if v not in PASSED}
    assert not failed, f"{len(failed)} of {len(spark_build.statuses)} nodes did not pass: {failed}"


@pytest.mark.parametrize("mart", MARTS)
def test_mart_equals_duckdb(spark_build: SparkBuild, mart: str) -> None:
    if f"model.agency_reporting.{mart}" not in spark_build.statuses and spark_build.excluded:
        pytest.xfail(f"not built on Spark yet (excluded: {spark_build.excluded})")
    assert_mart_equal(
        mart,
        spark_build.on_spark,
        f"marts.{mart}",
        spark_build.on_duckdb,
        f"marts.{mart}",
        leave_out=VOLATILE_COLUMNS,
    )


# --- The dbt tests' hand-made scenario: the payment path with data ----------------------------
# The demo agency writes no bank statements, so its payment marts are equal but empty. The
# scenario of tests/dbt (bank payments matched by number, split across invoices, matched by
# amount, unmatched with each reason; invoices paid from the register and the bank) is built on
# DuckDB and on Spark (models and seeds; the data and unit tests ran in the demo's build above),
# in the same session after the demo's marts were compared, and every mart compared again.


@pytest.fixture(scope="module")
def scenario_build(spark_build: SparkBuild, tmp_path_factory: pytest.TempPathFactory) -> SparkBuild:

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
    spark_build.session.sql("drop schema if exists raw cascade")
    with SparkRawStore(spark_build.session) as store:
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
    )
    results = getattr(result.result, "results", None) or []
    return SparkBuild(
        spark_build.session,
        on_duckdb.database,
        {r.node.unique_id: str(r.status) for r in results},
        "",
        {r.node.unique_id: str(r.message or "") for r in results},
        time.monotonic() - started,
    )


def test_scenario_builds_on_spark(scenario_build: SparkBuild) -> None:
    """Every model and seed of the scenario builds, and its payments are matched on Spark as on
    DuckDB: every rule of the matching has rows (so the comparisons below are not of empty marts)."""
    statuses = scenario_build.statuses
    failed = {k: scenario_build.messages[k][:200] for k, v in statuses.items() if v not in PASSED}
    assert statuses and not failed, failed
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
