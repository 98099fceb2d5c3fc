from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import AssetKey, build_schedule_context

from pipelines.defs.dbt import manifest_is_stale
from pipelines.defs.definitions import defs
from pipelines.defs.resources import cached_config


def test_asset_graph_wires_raw_tables_to_dbt_and_publish() -> None:
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    raw = ("yandex_direct_campaign_stats", "calltouch_calls", "invoice_register_rows", "agency_clients")
    for name in raw:
        assert AssetKey(["raw", name]) in keys
    # the dbt source raw/calltouch_calls is the API pull asset itself, upstream of the staging model
    stg = AssetKey(["staging", "stg_calltouch__calls"])
    assert AssetKey(["raw", "calltouch_calls"]) in graph.get(stg).parent_keys
    publish = graph.get(AssetKey(["serving", "serving_database"]))
    assert AssetKey(["marts", "client_status"]) in publish.parent_keys


def test_dbt_tests_and_inbox_rejections_are_asset_checks() -> None:
    checks = {(k.asset_key.to_user_string(), k.name) for k in defs.resolve_asset_graph().asset_check_keys}
    assert ("raw/load_log", "no_rejected_files") in checks
    assert ("marts/client_status", "unique_client_status_client_id") in checks
    assert len(checks) > 50


def test_api_tables_are_daily_partitioned_single_run_backfills_after_the_inbox() -> None:
    graph = defs.resolve_asset_graph()
    for table in (
        "yandex_direct_campaign_stats",
        "vk_ads_campaign_stats",
        "calltouch_calls",
        "comagic_calls",
    ):
        node = graph.get(AssetKey(["raw", table]))
        assert node.partitions_def is not None
        assert node.partitions_def.get_first_partition_key() == "2022-01-01"
        assert node.backfill_policy is not None and node.backfill_policy.max_partitions_per_run is None
        assert AssetKey(["raw", "load_log"]) in node.parent_keys  # inbox files load first
    assert graph.get(AssetKey(["raw", "cabinet_campaign_stats"])).partitions_def is None
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert ("raw/comagic_calls", "every_account_pulled") in checks


def test_nightly_schedule_requests_the_restatement_window_up_to_yesterday(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "agency.yaml"
    config.write_text(
        "agency: {name: A, restatement: {ads_days: 10, calls_days: 2}}\nmanagers: [{id: m, name: M}]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AGENCY_CONFIG", str(config))
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert schedule.cron_schedule == "0 5 * * *" and schedule.execution_timezone == "Europe/Moscow"
    moment = dt.datetime(2026, 11, 23, 5, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    data = schedule.evaluate_tick(build_schedule_context(scheduled_execution_time=moment))
    (request,) = data.run_requests or []
    assert request.tags["dagster/asset_partition_range_start"] == "2026-11-13"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-11-22"
    op_config = request.run_config["ops"]["raw__calltouch_calls"]["config"]
    assert op_config == {"restatement_only": True, "clients": []}
    assert request.run_key == "nightly-2026-11-23"


def test_the_inbox_sensor_runs_the_job_without_api_pulls() -> None:
    sensor = defs.resolve_sensor_def("inbox_sensor")
    assert sensor.job_name == "inbox_refresh"
    job = defs.resolve_job_def("inbox_refresh")
    keys = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert "raw/load_log" in keys and "serving/serving_database" in keys
    assert "raw/calltouch_calls" not in keys


def test_every_singular_dbt_test_is_an_asset_check() -> None:
    """Reconciliations that read several models name the model they belong to (config meta
    dagster.ref), so they show up as checks in the UI, not as observations."""
    tests_dir = Path(__file__).resolve().parents[2] / "dbt_project" / "tests"
    names = {p.stem for p in tests_dir.glob("*.sql")}
    checks = {k.name for k in defs.resolve_asset_graph().asset_check_keys}
    assert names and not names - checks, sorted(names - checks)


def test_the_dbt_manifest_is_stale_when_any_dbt_file_is_newer(tmp_path: Path) -> None:
    project = tmp_path / "dbt"
    (project / "models").mkdir(parents=True)
    model = project / "models" / "m.sql"
    model.write_text("select 1", encoding="utf-8")
    manifest = project / "target" / "manifest.json"
    assert manifest_is_stale(project, manifest)  # never parsed
    manifest.parent.mkdir()
    manifest.write_text("{}", encoding="utf-8")
    os.utime(model, (1_000_000, 1_000_000))
    assert not manifest_is_stale(project, manifest)
    os.utime(model, None)
    os.utime(manifest, (1_000_000, 1_000_000))
    assert manifest_is_stale(project, manifest)


def test_the_configuration_is_parsed_once_per_version_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "agency.yaml"
    path.write_text("agency: {name: A}\nmanagers: [{id: m, name: M}]\n", encoding="utf-8")
    first = cached_config(path)
    assert cached_config(path) is first
    path.write_text("agency: {name: B}\nmanagers: [{id: m, name: M}]\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_mtime_ns + 1_000_000, path.stat().st_mtime_ns + 1_000_000))
    assert cached_config(path).agency.name == "B"
