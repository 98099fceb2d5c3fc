"""The fault suite (issue 21): a refresh killed at each stage, a full disk at the publish, a lost or
damaged build database, a vendor down all night, a malformed configuration. Each leaves the
serving file (what the dashboard reads) byte-identical, says what happened, and the next run
recovers.

The smallest demo agency (2 clients, 1 month) is built once; every case works on its own copy
of that data folder. A kill is real (SIGKILL of the refresh's process group, as a service
manager does) at a deterministic point: ``AGENCY_FAULT`` (:mod:`pipelines.load.faults`).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from streamlit.testing.v1 import AppTest

from alerts.check import incident_log_path
from alerts.incidents import IncidentLog
from demo_agency import simulate, write_demo
from demo_agency.pipeline import DemoVendorApiResource, vendor_apis_for
from demo_agency.pipeline import main as demo_main
from demo_agency.vendors import DEMO_CREDENTIALS
from pipelines.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_PARTIAL
from pipelines.cli import main as pipelines_main
from pipelines.defs.runner import run_refresh
from pipelines.load.config import load_config
from pipelines.load.publish import PUBLIC_MARTS, read_publish_meta
from pipelines.load.settings import Settings
from pipelines.load.vendors import VendorApis
from pipelines.load.windows import full_range
from pipelines.recovery import config_or_last_good

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 23)
# When a row was loaded, and when an ad account's balance was read (a rebuild reads it again: a
# balance is a snapshot of that moment, not a restatable history): differ between any two runs.
VOLATILE = {"last_loaded_at", "balance_at", "last_read_at"}


def settings_of(root: Path) -> Settings:
    return Settings.for_directory(root, root / "agency.yaml", as_of=TODAY)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The smallest demo agency after its first full refresh (built once)."""
    root = tmp_path_factory.mktemp("faults-base")
    written = write_demo(simulate(TODAY, seed=11, months=1, n_clients=2), root)
    settings = settings_of(root)
    outcome = run_refresh(
        settings, full_range(load_config(written.config_path), TODAY), vendor_apis=vendor_apis_for(settings)
    )
    assert outcome.success and not outcome.failed_pulls
    return root


@pytest.fixture
def data(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """This case's own copy of the built folder; the environment of the commands points at it."""
    root = tmp_path / "agency"
    shutil.copytree(built, root)
    for name, value in environment(root).items():
        monkeypatch.setenv(name, value)
    return settings_of(root)


def environment(root: Path) -> dict[str, str]:
    settings = settings_of(root)
    return {
        "AGENCY_CONFIG": str(settings.config_path),
        "AGENCY_DATA_DIR": str(root),
        "AGENCY_INBOX": str(settings.inbox_dir),
        "AGENCY_BUILD_DB": str(settings.build_db),
        "AGENCY_SERVING_DB": str(settings.serving_db),
        "AGENCY_AS_OF": TODAY.isoformat(),
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.serving_db.parent.iterdir() if p.name != settings.serving_db.name)


def published_at(settings: Settings) -> dt.datetime:
    meta = read_publish_meta(settings.serving_db)
    assert meta is not None and isinstance(meta["published_at"], dt.datetime)
    return meta["published_at"]


def open_incidents(settings: Settings) -> dict[str, dict[str, Any]]:
    return {i.key: dict(i.detail) for i in IncidentLog(incident_log_path(settings)).open()}


def killed_refresh(settings: Settings, stage: str, log: Path) -> None:
    """``python -m demo_agency.pipeline refresh`` in a process group of its own, SIGKILLed at ``stage``."""
    env = {**os.environ, **environment(settings.data_dir), "AGENCY_FAULT": f"kill:{stage}"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "demo_agency.pipeline", "refresh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        code = proc.wait(timeout=900)
    assert code == -signal.SIGKILL, log.read_text(encoding="utf-8", errors="replace")[-3000:]


def test_killed_at_load_dbt_publish_then_a_full_disk_the_dashboard_keeps_its_version_until_recovery(
    data: Settings, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """One bad night on one copy (each fault costs a dbt build, so they share one recovery)."""
    good = sha256(data.serving_db)
    first = published_at(data)
    for stage in ("load", "dbt", "publish"):
        killed_refresh(data, stage, tmp_path / f"kill-{stage}.log")
        assert sha256(data.serving_db) == good, stage
        if stage == "publish":  # killed with the new copy written: it is left over, never swapped in
            assert any(name.endswith(".tmp") for name in leftovers(data))
    marker = data.data_dir / "logs" / "refresh.running"
    assert marker.is_file()  # what the next run finds

    # a full disk while the serving copy is written
    os.environ["AGENCY_FAULT"] = "enospc:publish-write"
    try:
        code = demo_main(["refresh"])
    finally:
        del os.environ["AGENCY_FAULT"]
    out, err = capfd.readouterr()
    assert code == EXIT_FAILED, out + err
    assert "the previous refresh (pid " in err and "did not finish" in err
    assert "step serving__serving_database failed" in err
    assert "the disk is full" in err and str(data.serving_db.parent) in err
    assert f"the serving file {data.serving_db} keeps its last good version" in err
    assert "alert: Проблема · ночное обновление (refresh) упало" in err
    assert sha256(data.serving_db) == good
    assert leftovers(data) == []  # the killed publish's copy removed, the failed one too
    assert "the disk is full" in open_incidents(data)["run_failed:refresh"]["error"]

    # the disk has room again: the next run publishes and the incident resolves
    code = demo_main(["refresh"])
    out, err = capfd.readouterr()
    assert code == 0, out + err
    assert "did not finish" not in err
    assert re.search(r"freshness\s+sources: \d+ fresh", out), out  # the freshness check ran
    assert "alert: Решено · ночное обновление (refresh) упало" in err
    assert published_at(data) > first
    assert sha256(data.serving_db) != good
    assert leftovers(data) == [] and not marker.exists()
    assert open_incidents(data) == {}


def marts(path: Path) -> dict[str, tuple[str, list[str]]]:
    """Per public mart: its comparable columns (not the load times) and the table's path."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            name: (
                str(path),
                [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall() if r[0] not in VOLATILE],
            )
            for name in PUBLIC_MARTS
        }


def differences(before: Path, after: Path) -> dict[str, int]:
    """Rows of each public mart in one file and not the other (EXCEPT ALL, both ways)."""
    out = {}
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{before}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{after}' AS b (READ_ONLY)")
        for name, (_, cols) in marts(before).items():
            select = ", ".join(f'"{c}"' for c in cols)
            row = con.execute(
                f"SELECT (SELECT count(*) FROM (SELECT {select} FROM a.{name} EXCEPT ALL "
                f"SELECT {select} FROM b.{name})) + (SELECT count(*) FROM (SELECT {select} FROM b.{name} "
                f"EXCEPT ALL SELECT {select} FROM a.{name}))"
            ).fetchone()
            out[name] = int(row[0]) if row else -1
    return out


@pytest.mark.parametrize("damage", ["garbage", "deleted"])
def test_one_command_rebuilds_a_damaged_or_deleted_build_database_with_identical_marts(
    data: Settings, tmp_path: Path, capfd: pytest.CaptureFixture[str], damage: str
) -> None:
    before = tmp_path / "before.duckdb"
    shutil.copy(data.serving_db, before)
    good = sha256(data.serving_db)
    if damage == "garbage":
        data.build_db.write_bytes(os.urandom(64 * 1024))
        # the nightly run on garbage fails and the dashboard keeps its version
        assert demo_main(["refresh"]) == EXIT_FAILED
        capfd.readouterr()
        assert sha256(data.serving_db) == good
    else:
        data.build_db.unlink()
    code = demo_main(["rebuild"])
    out, err = capfd.readouterr()
    assert code == 0, out + err
    archived = len([p for p in data.archive_dir.rglob("*") if p.is_file()])
    assert f"rebuild: {archived} archived file(s) loaded again from {data.archive_dir}" in out
    moved = list(data.build_db.parent.glob("broken-*/build.duckdb"))
    if damage == "garbage":
        assert "the old build database was moved to" in out and len(moved) == 1
    else:
        assert "no build database at" in out and not moved
    assert differences(before, data.serving_db) == dict.fromkeys(PUBLIC_MARTS, 0)
    with duckdb.connect(str(data.serving_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM client_channel_daily").fetchone() != (0,)


def data_health_page() -> AppTest:
    """The dashboard's data-health page on the serving file of ``AGENCY_SERVING_DB``."""
    page = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    page.switch_page("views/data_health.py")
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    return page


class VendorDown(DemoVendorApiResource):
    """The demo's fake vendors, one of them answering 503 to everything (all night)."""

    down: str

    def open(self) -> VendorApis:
        apis = super().open()

        def unavailable(request: httpx.Request) -> httpx.Response:
            return httpx.Response(503, text="<html><h1>503 Service Temporarily Unavailable</h1></html>")

        transports = {**apis.transports, self.down: httpx.MockTransport(unavailable)}
        # retries wait on a clock that does not sleep: the whole night of retries in no time
        return VendorApis({**os.environ, **DEMO_CREDENTIALS}, transports=transports, sleep=lambda _: None)


def vk_rows(path: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        cols = [r[0] for r in con.execute("DESCRIBE client_campaign_daily").fetchall()]
        return sorted(
            con.execute(
                f"SELECT {', '.join(cols)} FROM client_campaign_daily WHERE channel = 'vk_ads'"
            ).fetchall(),
            key=repr,
        )


def test_a_vendor_down_all_night_the_others_publish_and_the_account_keeps_its_last_good_data(
    data: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    from alerts.__main__ import main as alerts_main

    config = load_config(data.config_path)
    (vk,) = [(c.id, a.id) for c in config.clients for a in c.accounts if a.source == "vk_ads"]
    before = vk_rows(data.serving_db)
    assert before
    with duckdb.connect(str(data.build_db)) as con:  # the vendor has been down for three nights
        con.execute("UPDATE raw.vk_ads_campaign_stats SET _loaded_at = _loaded_at - INTERVAL 3 DAY")
    first = published_at(data)
    down = VendorDown(world=str(data.config_path.parent / "demo_world.json"), down="vk_ads")
    code = pipelines_main(["refresh"], vendor_apis=down)
    out, err = capfd.readouterr()
    assert code == EXIT_PARTIAL, out + err
    assert "1 client account(s) could not be pulled:" in err
    # source freshness: the whole VK feed is three days old (warn after 2 days)
    assert re.search(r"freshness\s+sources: \d+ fresh, 1 warn \(vk_ads_campaign_stats\)", out), out
    assert f"{vk[0]} / vk_ads {vk[1]}" in err and "503" in err
    assert published_at(data) > first
    assert vk_rows(data.serving_db) == before  # its restatement window was not wiped
    assert alerts_main(["check"]) == 1
    out, _ = capfd.readouterr()
    incidents = open_incidents(data)
    key = f"account_failed:vk_ads:{vk[1]}"
    assert "503" in incidents[key]["error"]
    assert incidents["source_stale:vk_ads_campaign_stats"]["status"] == "warn"
    assert "vk_ads/" in out  # the incident's line as the on-call engineer reads it
    # the data-health page says which account failed and the vendor's answer
    page = data_health_page()
    assert {m.label: m.value for m in page.metric}["Загрузка не удалась"] == "1"
    failed = page.dataframe[0].value.iloc[0]
    assert failed["Состояние"] == "Загрузка не удалась" and "503" in failed["Последняя ошибка"]


@pytest.mark.parametrize(
    ("edit", "told", "refresh"),
    [
        # Both kinds take the same way past the refusal (config_or_last_good): one refresh runs it.
        (lambda text: text.replace("clients:", "clients: [", 1), "line ", False),
        (
            lambda text: text.replace("history_start:", "history_start: not-a-date #", 1),
            "agency.history_start",
            True,
        ),
    ],
    ids=["yaml-syntax", "invalid-value"],
)
def test_a_malformed_configuration_is_refused_and_the_last_good_one_keeps_running(
    data: Settings, capfd: pytest.CaptureFixture[str], edit: Any, told: str, refresh: bool
) -> None:
    last_good = data.data_dir / "config" / "last_good.yaml"
    original = data.config_path.read_text(encoding="utf-8")
    assert config_or_last_good(data, sys.stderr) is not None  # what every run does first
    assert last_good.read_text(encoding="utf-8") == original
    data.config_path.write_text(edit(original), encoding="utf-8")
    assert demo_main(["check-config"]) == EXIT_CONFIG
    if not refresh:
        fallback = config_or_last_good(data, sys.stderr)
        out, err = capfd.readouterr()
        assert fallback is not None, out + err
        config, settings, refused = fallback
        assert settings.config_path == last_good and refused is not None and config.clients
        assert told in err.split("REFUSED", 1)[1].split("running with", 1)[0]
        assert f"running with the last good configuration {last_good}" in err
        assert last_good.read_text(encoding="utf-8") == original
        return
    first = published_at(data)
    code = demo_main(["refresh"])
    out, err = capfd.readouterr()
    assert code == EXIT_CONFIG, out + err
    assert f"REFUSED {data.config_path}: the agency configuration has" in err
    assert told in err.split("REFUSED", 1)[1].split("running with", 1)[0]
    assert f"running with the last good configuration {last_good}" in err
    assert "alert: Проблема · конфигурация" in err
    assert published_at(data) > first
    assert last_good.read_text(encoding="utf-8") == original  # the refused file never replaces it
    assert open_incidents(data)["config_refused"]["file"] == str(data.config_path)
    # the dashboard keeps working on what was published
    page = data_health_page()
    assert [t.value for t in page.title] == ["Состояние данных"] and len(page.dataframe[0].value) > 0


def test_disk_full_error_names_the_disk_and_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real DuckDB write failing with ENOSPC (the fault point) becomes the publish's own error."""
    from pipelines.load.publish import DiskFullError, publish

    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT 1 AS a")
    monkeypatch.setenv("AGENCY_FAULT", "enospc:publish-write")
    serving = tmp_path / "serving" / "serving.duckdb"
    with pytest.raises(DiskFullError) as caught:
        publish(build, serving, as_of_date=TODAY, run_id="r", tables=("t",))
    assert caught.value.errno == errno.ENOSPC
    assert str(serving.parent) in str(caught.value) and "MB free" in str(caught.value)
    assert list(serving.parent.iterdir()) == []
