"""``AGENCY_EXECUTOR`` chooses how the refresh's steps run (``pipelines.defs.executors``): in the
run's process, or on Celery workers through ``AGENCY_CELERY_BROKER`` / ``AGENCY_CELERY_BACKEND``;
Celery on the DuckDB warehouse is refused. The workers themselves: tests/test_celery_end_to_end.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DagsterInstance

from pipelines.defs.definitions import build_definitions
from pipelines.defs.executors import ExecutorRefused, celery_config, refresh_executor
from pipelines.defs.runner import run_refresh
from pipelines.load.settings import REPO_ROOT, CelerySettings, PostgresSettings, Settings
from pipelines.load.windows import PullRange


def _settings(tmp_path: Path, **changes: object) -> Settings:
    base = Settings.for_directory(tmp_path, tmp_path / "agency.yaml")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_in_process_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCY_DATA_DIR", str(tmp_path))
    settings = Settings.from_env(dotenv=False)
    assert settings.executor == "in_process"
    assert settings.celery == CelerySettings("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1")
    assert refresh_executor(settings).name == "in_process"


def test_celery_reads_the_broker_and_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCY_EXECUTOR", " Celery ")
    monkeypatch.setenv("AGENCY_WAREHOUSE", "postgres")
    monkeypatch.setenv("AGENCY_CELERY_BROKER", "redis://:s3cret@redis.internal:6380/2")
    monkeypatch.setenv("AGENCY_CELERY_BACKEND", "redis://redis.internal:6380/3")
    settings = Settings.from_env(dotenv=False)
    assert settings.executor == "celery"
    assert celery_config(settings.celery) == {
        "broker": "redis://:s3cret@redis.internal:6380/2",
        "backend": "redis://redis.internal:6380/3",
    }
    executor = refresh_executor(settings)
    assert executor.name == "celery"
    # the configured values are what the executor runs with (no run config needed)
    resolved = executor.config_schema.resolve_config({})  # type: ignore[attr-defined]
    assert resolved.success and resolved.value is not None
    config = resolved.value["config"]
    assert (config["broker"], config["backend"]) == (
        "redis://:s3cret@redis.internal:6380/2",
        "redis://redis.internal:6380/3",
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("AGENCY_EXECUTOR", "multiprocess", "AGENCY_EXECUTOR must be one of in_process, celery"),
        ("AGENCY_CELERY_BROKER", "127.0.0.1:6379", "AGENCY_CELERY_BROKER must be a URL"),
        ("AGENCY_CELERY_BACKEND", "redis://", "AGENCY_CELERY_BACKEND must be a URL"),
    ],
)
def test_a_wrong_value_is_refused_with_its_name(
    variable: str, value: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=message):
        Settings.from_env(dotenv=False)


def test_celery_on_duckdb_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExecutorRefused, match="needs AGENCY_WAREHOUSE=postgres"):
        refresh_executor(_settings(tmp_path, executor="celery"))
    with pytest.raises(ExecutorRefused, match="needs AGENCY_WAREHOUSE=postgres"):
        build_definitions(_settings(tmp_path, executor="celery"))


def test_the_refresh_jobs_take_the_executor_the_small_jobs_stay_in_process(tmp_path: Path) -> None:
    settings = _settings(tmp_path, executor="celery", warehouse="postgres")
    defs = build_definitions(settings)
    for name in ("refresh", "inbox_refresh"):
        assert defs.resolve_job_def(name).executor_def.name == "celery", name
    for name in ("send_reports", "check_alerts"):
        assert defs.resolve_job_def(name).executor_def.name == "in_process", name
    local = build_definitions(dataclasses.replace(settings, executor="in_process"))
    assert local.resolve_job_def("refresh").executor_def.name == "in_process"


def test_celery_needs_a_persistent_instance(tmp_path: Path) -> None:
    settings = _settings(tmp_path, executor="celery", warehouse="postgres", postgres=PostgresSettings())
    pull = PullRange(dt.date(2026, 11, 1), dt.date(2026, 11, 1))
    with pytest.raises(ExecutorRefused, match="needs a persistent Dagster instance"):
        run_refresh(settings, pull)
    with DagsterInstance.ephemeral() as instance, pytest.raises(ExecutorRefused, match="DAGSTER_HOME"):
        run_refresh(settings, pull, instance=instance)


def test_the_code_location_must_be_loaded_with_celery(tmp_path: Path) -> None:
    """The workers import the job from the environment: a location built in-process is refused,
    not run with the wrong executor."""
    settings = _settings(tmp_path, executor="celery", warehouse="postgres", postgres=PostgresSettings())
    pull = PullRange(dt.date(2026, 11, 1), dt.date(2026, 11, 1))
    (tmp_path / "home").mkdir()
    with (
        DagsterInstance.local_temp(str(tmp_path / "home")) as instance,
        pytest.raises(ExecutorRefused, match="in_process executor, not celery"),
    ):
        run_refresh(settings, pull, instance=instance)


def test_the_cli_refuses_celery_on_duckdb_with_exit_code_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENCY_", "DAGSTER_"))}
    env |= {
        "AGENCY_EXECUTOR": "celery",
        "AGENCY_DATA_DIR": str(tmp_path),
        "AGENCY_CONFIG": str(REPO_ROOT / "config" / "agency.example.yaml"),
        "PYTHON_DOTENV_DISABLED": "1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "refresh"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "AGENCY_EXECUTOR=celery needs AGENCY_WAREHOUSE=postgres" in done.stderr
    assert "Traceback" not in done.stderr
