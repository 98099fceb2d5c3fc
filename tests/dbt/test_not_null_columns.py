"""The generic test ``not_null_columns`` (dbt_project/tests/generic/not_null_columns.sql, decision
56) fails where a listed column holds NULLs and names each such column with its count.

A copy of the scenario's DuckDB build gets NULLs in two of ``int_calls``'s listed columns; ``dbt
test --store-failures`` then runs the test of that model and of a clean one, ``int_client_months``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.dbt.scenario import Warehouse, run_generic_test


def test_not_null_columns_names_each_column_with_nulls_and_its_count(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    database = tmp_path / "build.duckdb"
    shutil.copy(warehouse.database, database)
    with duckdb.connect(str(database)) as con:
        keys = [k for (k,) in con.sql("select call_key from intermediate.int_calls order by 1").fetchall()]
        assert len(keys) >= 3, keys
        con.execute("update intermediate.int_calls set call_date = null where call_key in (?, ?)", keys[:2])
        con.execute("update intermediate.int_calls set is_lead = null where call_key = ?", [keys[2]])

    models = ["int_calls", "int_client_months"]
    result, tests = run_generic_test("not_null_columns", models, database, tmp_path)
    assert result.returncode == 1, result.stdout[-6000:] + result.stderr[-3000:]  # a test failed

    outcome = {r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in tests}
    columns = "call_key__client_id__started_at_utc__call_date__lead_rule__channel__is_unique__is_lead"
    assert outcome == {  # "Got 2 results": two columns with NULLs
        f"not_null_columns_int_calls_{columns}": ("fail", 2),
        "not_null_columns_int_client_months_client_id__month": ("pass", 0),
    }
    failed = next(r for r in tests if r["status"] == "fail")
    with duckdb.connect(str(database), read_only=True) as con:
        stored = con.execute(
            f"select column_name, null_rows from {failed['relation_name']} order by column_name"
        ).fetchall()
    assert stored == [("call_date", 2), ("is_lead", 1)]
