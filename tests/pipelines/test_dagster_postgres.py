"""Dagster's run, event and schedule storage on PostgreSQL (ops/dagster-postgres.yaml, issue 20).

A real server (the session's throwaway PostgreSQL, tests/postgres.py): the shipped instance
file is loaded as `make dagster DAGSTER_YAML=ops/dagster-postgres.yaml` would install it, a run
writes through one instance, and a second instance (what the webserver or another machine
opens) reads the run, its events, its asset check and the asset's latest materialization.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    DagsterInstance,
    DagsterRunStatus,
    materialize,
)
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

from pipelines.defs.jobs import WRITER_TAGS
from tests.pipelines.dagster_probe import event_kind, spend

POSTGRES_CONFIG = Path(__file__).resolve().parents[2] / "ops" / "dagster-postgres.yaml"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_server: Any) -> Iterator[Path]:
    database = postgres_server.create_database("dagster")
    shutil.copy(POSTGRES_CONFIG, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    for name, value in {
        "HOST": postgres_server.host,
        "PORT": str(postgres_server.port),
        "USER": postgres_server.user,
        "PASSWORD": "",  # the test server trusts loopback
        "DB": database,
    }.items():
        monkeypatch.setenv(f"DAGSTER_PG_{name}", value)
    yield tmp_path


def test_runs_and_their_events_are_kept_in_postgresql_for_every_process(home: Path) -> None:
    with DagsterInstance.get() as writer:
        assert isinstance(writer.run_storage, PostgresRunStorage)
        assert isinstance(writer.event_log_storage, PostgresEventLogStorage)
        assert isinstance(writer.schedule_storage, PostgresScheduleStorage)
        # The one-writer queue of ops/dagster.yaml holds here too.
        coordinator = writer.run_coordinator
        assert isinstance(coordinator, QueuedRunCoordinator)
        limits = coordinator.get_run_queue_config().tag_concurrency_limits
        assert {"key": "agency/warehouse", "limit": 1} in limits
        result = materialize([spend], instance=writer, tags=WRITER_TAGS)
        assert result.success
        written = [event_kind(e) for e in writer.all_logs(result.run_id)]
    # Nothing of it is under DAGSTER_HOME: another machine with the same URL sees it all.
    assert not (home / "history").exists()
    with DagsterInstance.get() as reader:
        run = reader.get_run_by_id(result.run_id)
        assert run is not None and run.status == DagsterRunStatus.SUCCESS
        assert run.tags.items() >= WRITER_TAGS.items()
        assert [event_kind(e) for e in reader.all_logs(result.run_id)] == written
        assert "ASSET_CHECK_EVALUATION" in written and written[-1] == "PIPELINE_SUCCESS"
        latest = reader.get_latest_materialization_event(spend.key)
        assert latest is not None and latest.run_id == result.run_id
        assert reader.get_records_for_run(result.run_id).records
