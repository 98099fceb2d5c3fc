"""The profile's DuckDB settings reach the build's connections (decision 61: given when the
database opens, ``config_options``, no longer ``SET`` on every cursor), from the environment."""

from __future__ import annotations

import json
from pathlib import Path

from tests.dbt.scenario import run_dbt


def test_memory_limit_threads_and_insertion_order_apply_to_dbts_queries(tmp_path: Path) -> None:
    query = (
        "select current_setting('memory_limit') as memory_limit, current_setting('threads') as threads, "
        "current_setting('preserve_insertion_order') as keeps_order"
    )
    result = run_dbt(
        ["show", "--inline", query, "--output", "json", "--log-format", "json"],
        tmp_path,
        {
            "AGENCY_BUILD_DB": str(tmp_path / "settings.duckdb"),
            "AGENCY_DUCKDB_MEMORY_LIMIT": "1GB",
            "AGENCY_DUCKDB_THREADS": "3",
        },
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    previews = [
        json.loads(event["data"]["preview"])
        for event in map(json.loads, result.stdout.splitlines())
        if event.get("info", {}).get("name") == "ShowNode"
    ]
    assert len(previews) == 1, result.stdout[-4000:]
    (row,) = previews[0]
    assert row["memory_limit"] in {"953.6 MiB", "1.0 GB", "1000.0 MB"}, row  # 1 GB, as DuckDB prints it
    assert (row["threads"], row["keeps_order"]) == (3, False), row
