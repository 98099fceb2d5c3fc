"""The refresh's steps on two Celery workers (``AGENCY_EXECUTOR=celery``, issue 20): a throwaway
Redis (broker and result backend), a throwaway PostgreSQL (the warehouse and Dagster's run and
event storage, ``ops/dagster-postgres.yaml``) and two real ``celery -A pipelines.defs.celery_app
worker`` processes with one slot each. The demo agency of the end-to-end tests
(``published_demo``) is refreshed by its CLI (``python -m demo_agency.pipeline refresh --full``)
in another process, as an operator would; every published mart equals the DuckDB run's cell by
cell, and the event log shows steps run by both workers (so an in-process run cannot pass).

Without redis-server or PostgreSQL's server programs this test fails (``make test`` installs
them); it never skips.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo_agency import GroundTruth, write_demo
from pipelines.load.publish import PUBLIC_MARTS
from pipelines.load.settings import REPO_ROOT, Settings
from tests.conftest import DEMO_TODAY
from tests.mart_comparison import VOLATILE_COLUMNS, assert_mart_equal, duckdb_query, postgres_query
from tests.postgres import PostgresServer
from tests.redis import running_redis

WORKERS = ("refresh1", "refresh2")
DAGSTER_YAML = REPO_ROOT / "ops" / "dagster-postgres.yaml"


@dataclasses.dataclass
class CeleryRun:
    conninfo: str
    dagster_conninfo: str
    duckdb_settings: Settings
    output: str
    worker_logs: dict[str, str]

    def query(self, sql: str, conninfo: str | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        return postgres_query(conninfo or self.conninfo)(sql)

    def on_duckdb(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return duckdb_query(self.duckdb_settings.serving_db)(sql)


def _start_worker(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "pipelines.defs.celery_app", "worker"),
                *("-n", f"{name}@%h", "--concurrency", "1", "-Q", "dagster", "--loglevel", "INFO"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stopped with its pool children below
        )


def _wait_ready(logs: dict[str, Path], workers: dict[str, subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        for name, process in workers.items():
            if process.poll() is not None:
                raise RuntimeError(f"worker {name} exited:\n{logs[name].read_text(errors='replace')}")
        if all(" ready." in logs[name].read_text(errors="replace") for name in workers):
            return
        time.sleep(0.5)
    raise RuntimeError("the Celery workers did not get ready in 180 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # warm shutdown of the worker and its pool child
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture(scope="module")
def celery_run(
    published_demo: tuple[Settings, GroundTruth, Any],
    postgres_server: PostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CeleryRun]:
    duck_settings, _, agency = published_demo
    root = tmp_path_factory.mktemp("e2e_celery")
    written = write_demo(agency, root)
    salt = root / "secrets" / "contact_salt"  # the DuckDB run's salt: the lead ledger publishes hashes
    salt.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(duck_settings.contact_salt_file, salt)
    warehouse = postgres_server.create_database("celery")
    storage = postgres_server.create_database("dagster")
    dagster_home = root / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(DAGSTER_YAML, dagster_home / "dagster.yaml")
    with running_redis() as redis_server:
        env = {
            **os.environ,
            "AGENCY_CONFIG": str(written.config_path),
            "AGENCY_DATA_DIR": str(root),
            "AGENCY_AS_OF": DEMO_TODAY.isoformat(),
            "AGENCY_WAREHOUSE": "postgres",
            "AGENCY_PG_HOST": postgres_server.host,
            "AGENCY_PG_PORT": str(postgres_server.port),
            "AGENCY_PG_USER": postgres_server.user,
            "AGENCY_PG_DBNAME": warehouse,
            "AGENCY_EXECUTOR": "celery",
            "AGENCY_CELERY_BROKER": redis_server.url(0),
            "AGENCY_CELERY_BACKEND": redis_server.url(1),
            "DAGSTER_HOME": str(dagster_home),
            "DAGSTER_PG_HOST": postgres_server.host,
            "DAGSTER_PG_PORT": str(postgres_server.port),
            "DAGSTER_PG_USER": postgres_server.user,
            "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_DB": storage,
        }
        for name in ("AGENCY_INBOX", "AGENCY_BUILD_DB", "AGENCY_SERVING_DB", "AGENCY_PG_PASSWORD"):
            env.pop(name, None)
        logs = {name: root / f"worker-{name}.log" for name in WORKERS}
        workers: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for name in WORKERS:
                workers[name] = _start_worker(name, env, logs[name])
            _wait_ready(logs, workers)
            refresh = subprocess.run(
                [sys.executable, "-m", "demo_agency.pipeline", "refresh", "--full"],
                cwd=REPO_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=1500,
                check=False,
            )
        finally:
            for process in workers.values():
                _stop(process)
        worker_logs = {name: logs[name].read_text(errors="replace") for name in WORKERS}
        output = refresh.stdout + refresh.stderr
        assert refresh.returncode == 0, output + "".join(worker_logs.values())
    yield CeleryRun(
        conninfo=postgres_server.conninfo(warehouse),
        dagster_conninfo=postgres_server.conninfo(storage),
        duckdb_settings=duck_settings,
        output=output,
        worker_logs=worker_logs,
    )


def test_steps_ran_on_both_workers(celery_run: CeleryRun) -> None:
    """dagster-celery records which worker ran each step (an engine event per step): both did,
    and every step of the run was delegated (an in-process run has no such events)."""
    _, rows = celery_run.query(
        "select step_key, event from event_logs where dagster_event_type = 'ENGINE_EVENT' "
        "and event like '%in celery worker%'",
        celery_run.dagster_conninfo,
    )
    ran_on = {step: event for step, event in rows}
    hosts = {name: [s for s, e in ran_on.items() if f'"{name}@' in e] for name in WORKERS}
    assert all(hosts.values()), hosts
    _, started = celery_run.query(
        "select distinct step_key from event_logs where dagster_event_type = 'STEP_START'",
        celery_run.dagster_conninfo,
    )
    assert {s for (s,) in started} == set(ran_on), "every step started on a worker"
    assert len(ran_on) >= 5, ran_on


def test_the_workers_ran_the_tasks(celery_run: CeleryRun) -> None:
    for name, log in celery_run.worker_logs.items():
        assert "Task execute_plan[" in log and "succeeded" in log, (name, log[-3000:])


@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_every_published_mart_equals_the_duckdb_run(mart: str, celery_run: CeleryRun) -> None:
    assert_mart_equal(
        mart,
        celery_run.query,
        f"serving.{mart}",
        celery_run.on_duckdb,
        mart,
        leave_out=VOLATILE_COLUMNS,
    )


def test_the_comparison_sees_data(celery_run: CeleryRun) -> None:
    """As on PostgreSQL in-process: every public mart but ``payments`` has rows."""
    empty = [m for m in PUBLIC_MARTS if not celery_run.query(f"select 1 from serving.{m} limit 1")[1]]
    assert empty == ["payments"]
