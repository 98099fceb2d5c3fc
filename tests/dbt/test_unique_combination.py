"""The generic test ``unique_combination_of_columns`` (decision 61) reports every duplicated key,
NULLs in the key included, though DuckDB groups by a hash of the key first.

A copy of the scenario's DuckDB build gets two duplicated keys in ``client_campaign_daily``: one
row copied as it is, and one key whose ``campaign_id`` is NULL on two rows. ``dbt test
--store-failures`` then runs the test of that model and of a clean one, ``int_client_months``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.dbt.scenario import Warehouse, run_generic_test

KEY = "client_id, date, channel, source, platform_account_id, campaign_id"


def test_duplicated_keys_are_each_reported_with_their_rows(warehouse: Warehouse, tmp_path: Path) -> None:
    database = tmp_path / "build.duckdb"
    shutil.copy(warehouse.database, database)
    with duckdb.connect(str(database)) as con:
        rows = con.execute(f"select {KEY} from marts.client_campaign_daily order by {KEY} limit 2").fetchall()
        assert len(rows) == 2, rows
        con.execute(
            f"insert into marts.client_campaign_daily select * from marts.client_campaign_daily "
            f"where ({KEY}) = (?, ?, ?, ?, ?, ?)",
            list(rows[0]),
        )
        con.execute("alter table marts.client_campaign_daily alter column campaign_id drop not null")
        con.execute(
            "update marts.client_campaign_daily set campaign_id = null "
            "where (client_id, date, channel, source, platform_account_id, campaign_id) = (?, ?, ?, ?, ?, ?)",
            list(rows[1]),
        )
        con.execute(
            f"insert into marts.client_campaign_daily select * from marts.client_campaign_daily "
            f"where ({KEY.replace(', campaign_id', '')}) = (?, ?, ?, ?, ?) and campaign_id is null",
            list(rows[1][:5]),
        )

    result, tests = run_generic_test(
        "unique_combination_of_columns", ["client_campaign_daily", "int_client_months"], database, tmp_path
    )
    assert result.returncode == 1, result.stdout[-6000:] + result.stderr[-3000:]  # a test failed
    outcome = sorted((r["unique_id"].split(".")[2][:50], r["status"], r["failures"]) for r in tests)
    assert outcome == [
        ("unique_combination_of_columns_client_campaign_dail", "fail", 2),  # two keys duplicated
        ("unique_combination_of_columns_int_client_months_cl", "pass", 0),
    ], outcome
    failed = next(r for r in tests if r["status"] == "fail")
    assert "client_campaign_daily" in failed["unique_id"]
    with duckdb.connect(str(database), read_only=True) as con:
        stored = con.execute(f"select {KEY}, n_rows from {failed['relation_name']} order by {KEY}").fetchall()
    expected = [(*rows[0], 2), (*rows[1][:5], None, 2)]
    assert sorted(stored, key=str) == sorted(expected, key=str), stored
