"""The publish step writes each mart in the order the dashboard reads it (by client, then day)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from pipelines.load.publish import publish, sort_order


def test_published_rows_are_stored_by_client_then_day(tmp_path: Path) -> None:
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("CREATE SCHEMA marts")
        # Written newest day first, clients interleaved: the order a model happens to produce.
        con.execute(
            "CREATE TABLE marts.client_channel_daily AS SELECT 'c' || (i % 7) AS client_id, "
            "DATE '2026-11-23' - CAST(i // 7 AS INTEGER) AS date, i AS spend FROM range(3000) t(i)"
        )
        con.execute(
            "CREATE TABLE marts.dim_channels AS SELECT * FROM (VALUES ('vk', 2), ('direct', 1)) t(channel, n)"
        )
    serving = tmp_path / "serving.duckdb"
    publish(
        build,
        serving,
        as_of_date=dt.date(2026, 11, 24),
        run_id="r",
        tables=("client_channel_daily", "dim_channels"),
    )
    with duckdb.connect(str(serving), read_only=True) as con:
        con.execute("SET threads = 1")  # a plain scan returns the rows as stored
        stored = con.execute("SELECT client_id, date, spend FROM client_channel_daily").fetchall()
        channels = con.execute("SELECT channel, n FROM dim_channels").fetchall()
    assert stored == sorted(stored, key=lambda row: (row[0], row[1]))
    assert sorted(row[2] for row in stored) == list(range(3000))
    assert channels == [("vk", 2), ("direct", 1)]  # no client, no day: copied as it is


def test_sort_order_takes_the_client_and_the_first_day_column() -> None:
    assert sort_order(["lead_key", "client_id", "lead_at", "lead_date"]) == ["client_id", "lead_date"]
    assert sort_order(["month", "client_id", "date"]) == ["client_id", "date"]
    assert sort_order(["manager_id", "month"]) == ["month"]
    assert sort_order(["channel", "name_ru"]) == []
