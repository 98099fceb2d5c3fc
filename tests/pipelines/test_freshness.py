"""The raw tables' freshness without a dbt process (decision 58) gives what `dbt source freshness`
gives on the same build database: the same sources, statuses and thresholds."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.load.freshness import check_freshness, summary_line
from pipelines.load.warehouse import DuckDBRawStore

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None)
AGES = {  # hours since the newest load
    "yandex_direct_campaign_stats": 1,
    "vk_ads_campaign_stats": 3 * 24,  # warn after 2 days
    "calltouch_calls": 8 * 24,  # error after 7 days
}
EMPTY = "comagic_calls"
MISSING = "amocrm_leads"


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], list[dict[str, Any]]]:
    """A build database whose raw tables hold only `_loaded_at`, the project's manifest (parsed by
    `dbt source freshness` itself, run on that database), and the check's records."""
    work = tmp_path_factory.mktemp("freshness")
    database, target = work / "build.duckdb", work / "target"
    env = {**os.environ, "AGENCY_BUILD_DB": str(database)}
    subprocess.run(  # the manifest of this project, as the pipeline's dbt step has it
        [str(Path(sys.executable).parent / "dbt"), "parse", "--quiet", "--profiles-dir", ".",
         "--target-path", str(target)],
        cwd=DBT_PROJECT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw")
        for source in manifest["sources"].values():
            if source["identifier"] == MISSING:
                continue
            con.execute(f"create table raw.{source['identifier']} (_loaded_at timestamp)")
        for table, hours in AGES.items():
            for back in (hours, hours + 30):
                con.execute(f"insert into raw.{table} values (?)", [NOW - dt.timedelta(hours=back)])
    with DuckDBRawStore(database) as store:
        records = check_freshness(store, manifest, now=NOW)
    return database, {"env": env, "target": target}, records


def test_the_check_gives_the_statuses_of_dbt_source_freshness(
    checked: tuple[Path, dict[str, Any], list[dict[str, Any]]],
) -> None:
    _, dbt, records = checked
    ran = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "source", "freshness", "--quiet", "--profiles-dir", ".",
         "--target-path", str(dbt["target"])],
        cwd=DBT_PROJECT, env=dbt["env"], capture_output=True, text=True,
    )  # fmt: skip
    assert ran.returncode == 1, ran.stdout + ran.stderr  # an error-severity source fails the command
    results = json.loads((dbt["target"] / "sources.json").read_text(encoding="utf-8"))["results"]
    by_dbt = {r["unique_id"].rsplit(".", 1)[-1]: r for r in results}
    ours = {r["source"]: r for r in records}
    # dbt leaves a source whose table is missing out of its results; the check tells it (below)
    assert set(ours) - {MISSING} == set(by_dbt)
    for name, theirs in by_dbt.items():
        record = ours[name]
        empty = theirs.get("max_loaded_at") is None or str(theirs["max_loaded_at"]).startswith("0001-")
        expected = "empty" if empty and theirs["status"] != "runtime error" else theirs["status"]
        assert record["status"] == expected, (name, record, theirs.get("status"), theirs.get("message"))


def test_the_records_name_the_thresholds_and_the_age(
    checked: tuple[Path, dict[str, Any], list[dict[str, Any]]],
) -> None:
    _, _, records = checked
    ours = {r["source"]: r for r in records}
    assert ours["vk_ads_campaign_stats"]["status"] == "warn"
    assert ours["vk_ads_campaign_stats"]["age_hours"] == 72.0
    assert ours["vk_ads_campaign_stats"]["warn_after"] == "2 day"
    assert ours["vk_ads_campaign_stats"]["error_after"] == "7 day"
    assert ours["calltouch_calls"]["status"] == "error"
    assert ours["yandex_direct_campaign_stats"]["status"] == "pass"
    assert ours["yandex_direct_campaign_stats"]["max_loaded_at"].endswith("+00:00")
    assert ours[EMPTY] == {**ours[EMPTY], "status": "empty", "max_loaded_at": None, "age_hours": None}
    assert ours[MISSING]["status"] == "runtime error"
    assert "agency_clients" not in ours  # the configuration has no freshness to check
    line = summary_line(records)
    assert "1 warn (vk_ads_campaign_stats)" in line and "1 error (calltouch_calls)" in line
