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


def test_marts_read_from_another_warehouse_are_published_the_same_way(tmp_path: Path) -> None:
    """Spark's marts arrive as Arrow (a ``MartReader``): each is asked for by schema and name,
    sorted by client then day, counted, and the file gets its publish metadata."""
    import pyarrow as pa

    marts = {
        "client_channel_daily": pa.table(
            {
                "client_id": ["c2", "c1", "c2", "c1"],
                "date": [dt.date(2026, 11, d) for d in (2, 2, 1, 1)],
                "spend": [4, 3, 2, 1],
            }
        ),
        "dim_channels": pa.table({"channel": ["vk", "direct"]}),
    }
    asked: list[tuple[str, str]] = []

    def read(schema: str, name: str) -> pa.Table:
        asked.append((schema, name))
        return marts[name]

    serving = tmp_path / "serving.duckdb"
    result = publish(read, serving, as_of_date=dt.date(2026, 11, 3), run_id="r", tables=tuple(marts))
    assert asked == [("marts", "client_channel_daily"), ("marts", "dim_channels")]
    assert result.row_counts == {"client_channel_daily": 4, "dim_channels": 2}
    with duckdb.connect(str(serving), read_only=True) as con:
        con.execute("SET threads = 1")
        assert con.execute("SELECT spend FROM client_channel_daily").fetchall() == [(1,), (3,), (2,), (4,)]
        meta = con.execute("SELECT as_of_date, run_id, data_cutoff FROM _publish_meta").fetchall()
    assert meta == [(dt.date(2026, 11, 3), "r", dt.date(2026, 11, 2))]
