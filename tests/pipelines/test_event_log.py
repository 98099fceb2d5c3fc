"""The event log with open connections (decision 42) is Dagster's SQLite event log underneath."""

import inspect
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import (
    DagsterInstance,
    materialize,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from pipelines.defs.event_log import KEPT_RUN_FILES, PooledSqliteEventLogStorage
from tests.pipelines.dagster_probe import event_kind, spend

OPS_CONFIG = Path(__file__).resolve().parents[2] / "ops" / "dagster.yaml"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    shutil.copy(OPS_CONFIG, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    yield tmp_path


def test_the_shipped_instance_uses_it_and_dagsters_own_storage_reads_what_it_wrote(home: Path) -> None:
    with DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        result = materialize([spend], instance=instance)
        assert result.success
        run_id = result.run_id
        ours = [(event_kind(r), r.step_key) for r in instance.all_logs(run_id)]
        latest = instance.get_latest_materialization_event(spend.key)
        assert latest is not None and latest.run_id == run_id
    stock = SqliteEventLogStorage(str(home / "history" / "runs"))
    try:
        theirs = [(event_kind(r), r.step_key) for r in stock.get_logs_for_run(run_id)]
        assert theirs == ours and "ASSET_MATERIALIZATION" in {kind for kind, _ in theirs}
        assert "ASSET_CHECK_EVALUATION" in {kind for kind, _ in theirs}
        # The cross-run index (what the UI's asset pages read) has the materialization too.
        assert stock.get_latest_materialization_events([spend.key])[spend.key] is not None
    finally:
        stock.dispose()
    with sqlite3.connect(home / "history" / "runs" / f"{run_id}.db") as con:
        assert con.execute("pragma journal_mode").fetchone() == ("wal",)
        assert con.execute("pragma integrity_check").fetchone() == ("ok",)


def test_engines_are_reused_and_only_a_few_run_files_stay_open(home: Path) -> None:
    with DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        first = materialize([spend], instance=instance)
        engine = storage._engines[first.run_id]
        with storage.run_connection(first.run_id):
            pass
        assert storage._engines[first.run_id] is engine
        for _ in range(KEPT_RUN_FILES + 1):
            assert materialize([spend], instance=instance).success
        runs = [key for key in storage._engines if key != "index"]
        assert len(runs) == KEPT_RUN_FILES and first.run_id not in runs
        # A run whose engine was closed is still read (a new engine opens its file).
        kinds = [event_kind(r) for r in instance.all_logs(first.run_id)]
        assert kinds[-1] == "PIPELINE_SUCCESS", kinds


def test_the_methods_it_replaces_are_still_dagsters() -> None:
    """An upgrade that renames or reshapes them would leave the subclass half in effect: fail."""
    for name in ("_connect", "has_table", "wipe", "dispose", "conn_string_for_shard", "_initdb"):
        assert name in vars(SqliteEventLogStorage), name
    assert list(inspect.signature(SqliteEventLogStorage._connect).parameters) == ["self", "shard"]
    assert "self._connect(" in inspect.getsource(SqliteEventLogStorage.run_connection)
    assert "self._connect(" in inspect.getsource(SqliteEventLogStorage.index_connection)
    source = inspect.getsource(SqliteEventLogStorage.__init__)
    assert "self._initialized_dbs" in source and "self._db_lock" in source
