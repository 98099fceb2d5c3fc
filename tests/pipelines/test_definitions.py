from __future__ import annotations

from dagster import AssetKey

from pipelines.definitions import defs


def test_asset_graph_wires_raw_tables_to_dbt_and_publish() -> None:
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    raw = ("yandex_direct_campaign_stats", "calltouch_calls", "invoice_register_rows", "agency_clients")
    for name in raw:
        assert AssetKey(["raw", name]) in keys
    # the dbt source raw/calltouch_calls is the inbox asset itself, upstream of the staging model
    stg = AssetKey(["staging", "stg_calltouch__calls"])
    assert AssetKey(["raw", "calltouch_calls"]) in graph.get(stg).parent_keys
    publish = graph.get(AssetKey(["serving", "serving_database"]))
    assert AssetKey(["marts", "client_status"]) in publish.parent_keys


def test_dbt_tests_and_inbox_rejections_are_asset_checks() -> None:
    checks = {(k.asset_key.to_user_string(), k.name) for k in defs.resolve_asset_graph().asset_check_keys}
    assert ("raw/load_log", "no_rejected_files") in checks
    assert ("marts/client_status", "unique_client_status_client_id") in checks
    assert len(checks) > 50


def test_nightly_schedule_and_inbox_sensor() -> None:
    assert defs.resolve_schedule_def("nightly_refresh").cron_schedule == "0 5 * * *"
    assert defs.resolve_sensor_def("inbox_sensor").job_name == "refresh"
