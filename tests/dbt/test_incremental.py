"""The nightly incremental build equals a full rebuild, cell by cell.

On the hand-made raw layer of ``test_dbt_build``: a first build (full, no earlier build), then
what nights bring: a Direct restatement window with a value restated and a row restated away, a
late row of an older day, the first data of a configured account, a call upserted under another
day (outside the pull's window), a late call of an older day and repeat callers (the unique
flag reaches ahead). The nightly build (incremental, ``changed_since``) must leave every
intermediate and mart table equal to a full rebuild of the same raw layer (EXCEPT ALL both
ways). A changed channel mapping (a seed) or configuration forces the full rebuild.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.load.model_builds import (
    PIPELINE_VARS,
    BuildPlan,
    plan_build,
    prepare_build,
    record_build,
    write_run_vars,
)
from tests.dbt.scenario import (
    AS_OF,
    LOADED,
    PROJECT_DIR,
    RAW_ROWS,
    _calltouch,
    _comagic,
    _direct,
    create_raw_database,
)

NIGHT = datetime(2026, 11, 24, 3, 0)
COMPARED_SCHEMAS = ("intermediate", "marts")
WITHOUT_TESTS = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


@dataclass
class Project:
    project_dir: Path
    work_dir: Path

    def run(self, database: Path, plan: BuildPlan) -> None:
        """The plan's seeds and models (their tests are test_dbt_build's)."""
        self.dbt(database, [*prepare_build(database, plan, date.fromisoformat(AS_OF)), *WITHOUT_TESTS])

    def dbt(self, database: Path, args: list[str]) -> str:
        dbt = Path(sys.executable).parent / "dbt"
        env = {**os.environ, "AGENCY_BUILD_DB": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        paths = ["--project-dir", str(self.project_dir), "--profiles-dir", str(self.project_dir)]
        paths += ["--target-path", str(self.work_dir / "target"), "--log-path", str(self.work_dir / "logs")]
        result = subprocess.run(
            [str(dbt), *args, *paths],
            cwd=self.project_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
        return result.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the dbt project (the channel mapping test edits its seed)."""
    work_dir = tmp_path_factory.mktemp("incremental")
    copy = work_dir / "dbt_project"
    shutil.copytree(
        PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", "*.duckdb")
    )
    return Project(copy, work_dir)


def _load_log(kind: str, table: str, client: str, account: str, first: str, last: str) -> dict[str, Any]:
    return {
        "load_id": f"{kind}-{client}-{account}-{first}",
        "origin": kind,
        "kind": kind,
        "target_table": table,
        "client_id": client,
        "account_id": account,
        "status": "loaded",
        "row_count": 1,
        "date_from": date.fromisoformat(first),
        "date_to": date.fromisoformat(last),
        "loaded_at": NIGHT,
    }


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    con.executemany(
        f"insert into raw.{table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
        [[row[c] for c in columns] for row in rows],
    )


def _a_night_of_loads(database: Path) -> None:
    """What the loaders do overnight, as they do it (partitions replaced, calls upserted)."""
    with duckdb.connect(str(database)) as con:
        # Direct restates 10-22 Nov of c1: 21 Nov's cost changes, 22 Nov's row is gone, a new
        # campaign appears on 15 Nov.
        con.execute(
            "delete from raw.yandex_direct_campaign_stats where client_id = 'c1' "
            "and account_id = 'alfa-direct' and date between '2026-11-10' and '2026-11-22'"
        )
        direct = [
            _direct("c1", "alfa-direct", "2026-11-21", "d1", "800.00", 1100, 55, loaded_at=NIGHT),
            _direct("c1", "alfa-direct", "2026-11-15", "d2", "150.00", 300, 7, loaded_at=NIGHT),
            # A late row of an older day (a file of September), and a configured account's first data.
            _direct("c3", "gamma-direct", "2026-09-20", "g1", "42.00", 5, 1, loaded_at=NIGHT),
            _direct("c2", "beta-direct", "2026-11-20", "b1", "700.00", 70, 7, loaded_at=NIGHT),
        ]
        _insert(con, "yandex_direct_campaign_stats", direct)
        # CoMagic restates call 1 to 20 Nov (it was on 18 Nov, outside the 21-23 Nov pull): call 5
        # of the same number becomes the first; a repeat of call 2's number arrives on 22 Nov.
        con.execute("delete from raw.comagic_calls where call_id = 1")
        comagic = [
            {**_comagic(1, "2026-11-20 08:00:00", "79001112233", talk=50), "_loaded_at": NIGHT},
            {**_comagic(6, "2026-11-22 12:00:00", "79004445566", talk=90), "_loaded_at": NIGHT},
        ]
        _insert(con, "comagic_calls", comagic)
        # Late Calltouch files: 20 Oct, a repeat of call 2's number (not unique); 1 Nov, a call of
        # call 4's number, which is no longer unique on 21 Nov, 20 days later.
        late_calls = [
            _calltouch(9, "2026-10-20 07:00:00", "79160000002", utm=("yandex", "cpc"), loaded_at=NIGHT),
            _calltouch(10, "2026-11-01 07:00:00", "79160000001", utm=("yandex", "cpc"), loaded_at=NIGHT),
        ]
        _insert(con, "calltouch_calls", late_calls)
        _insert(
            con,
            "load_log",
            [
                _load_log(
                    "api:yandex_direct",
                    "yandex_direct_campaign_stats",
                    "c1",
                    "alfa-direct",
                    "2026-11-10",
                    "2026-11-22",
                ),
                _load_log(
                    "yandex_direct_tsv",
                    "yandex_direct_campaign_stats",
                    "c3",
                    "gamma-direct",
                    "2026-09-20",
                    "2026-09-20",
                ),
                _load_log(
                    "api:yandex_direct",
                    "yandex_direct_campaign_stats",
                    "c2",
                    "beta-direct",
                    "2026-11-10",
                    "2026-11-22",
                ),
                _load_log("api:comagic", "comagic_calls", "c2", "cm1", "2026-11-21", "2026-11-23"),
                _load_log("calltouch_calls_json", "calltouch_calls", "c1", "111", "2026-10-20", "2026-10-20"),
                _load_log("calltouch_calls_json", "calltouch_calls", "c1", "111", "2026-11-01", "2026-11-01"),
            ],
        )


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = ? and table_type = 'BASE TABLE' and table_schema in ? order by 1",
        [catalog, COMPARED_SCHEMAS],
    ).fetchall()
    return [r[0] for r in rows]


def _differences(incremental: Path, full: Path) -> dict[str, tuple[int, int]]:
    """Per table: rows only the incremental build has, rows only the full one has."""
    with duckdb.connect(str(incremental), read_only=True) as con:
        con.execute(f"attach '{full}' as full_build (read_only)")
        mine, theirs = _tables(con, "incremental"), _tables(con, "full_build")
        assert mine == theirs and len(mine) > 20, (mine, theirs)
        found = {}
        for table in mine:
            counts = con.execute(
                f"select (select count(*) from (select * from incremental.{table} "
                f"except all select * from full_build.{table})), "
                f"(select count(*) from (select * from full_build.{table} "
                f"except all select * from incremental.{table}))"
            ).fetchone()
            assert counts is not None
            if counts != (0, 0):
                found[table] = (int(counts[0]), int(counts[1]))
        return found


@pytest.fixture(scope="module")
def nightly(project: Project) -> Iterator[tuple[Path, BuildPlan, BuildPlan]]:
    database = project.work_dir / "incremental.duckdb"
    create_raw_database(database, RAW_ROWS)
    with duckdb.connect(str(database)) as con:  # the loads of the day before
        log = _load_log("api:calltouch", "calltouch_calls", "c1", "111", "2026-10-01", "2026-11-22")
        _insert(con, "load_log", [{**log, "loaded_at": LOADED}])
    first = plan_build(database, project.project_dir)
    project.run(database, first)
    record_build(database, first)
    _a_night_of_loads(database)
    night = plan_build(database, project.project_dir)
    project.run(database, night)
    record_build(database, night)
    yield database, first, night


def test_the_first_build_is_full_and_the_nightly_one_incremental(
    nightly: tuple[Path, BuildPlan, BuildPlan],
) -> None:
    _, first, night = nightly
    assert first.full and first.reason == "no earlier build"
    assert not night.full and night.changed_since == datetime(2026, 11, 23, 3, 0)
    assert "--full-refresh" not in night.dbt_args()


def test_the_nightly_build_replaced_only_the_changed_windows(
    nightly: tuple[Path, BuildPlan, BuildPlan],
) -> None:
    database, _, _ = nightly
    with duckdb.connect(str(database), read_only=True) as con:
        windows = con.execute(
            "select client_id, min(date_from), max(date_to) from incremental_windows.client_campaign_daily "
            "group by client_id order by client_id"
        ).fetchall()
        spend = con.execute(
            "select date, spend from marts.client_campaign_daily where client_id = 'c1' "
            "and platform_account_id = 'alfa-direct' order by date, campaign_id"
        ).fetchall()
    assert windows == [
        ("c1", date(2026, 11, 10), date(2026, 11, 22)),
        ("c2", date(2026, 11, 10), date(2026, 11, 22)),
        ("c3", date(2026, 9, 20), date(2026, 9, 20)),
    ]
    # 10 Oct kept, 15 Nov new, 21 Nov restated, 22 Nov restated away.
    assert [(d, float(s)) for d, s in spend] == [
        (date(2026, 10, 10), 3000.0),
        (date(2026, 11, 15), 150.0),
        (date(2026, 11, 21), 800.0),
    ]


def test_incremental_equals_a_full_rebuild_cell_by_cell(
    nightly: tuple[Path, BuildPlan, BuildPlan], project: Project
) -> None:
    database, _, _ = nightly
    full = project.work_dir / "full.duckdb"
    shutil.copy(database, full)
    project.dbt(full, ["build", "--full-refresh", "--vars", f'{{"as_of_date": "{AS_OF}"}}', *WITHOUT_TESTS])
    assert _differences(database, full) == {}


def test_a_changed_channel_mapping_or_configuration_forces_a_full_rebuild(
    nightly: tuple[Path, BuildPlan, BuildPlan], project: Project
) -> None:
    database, _, _ = nightly
    assert not plan_build(database, project.project_dir).full
    seed = project.project_dir / "seeds" / "channel_mapping.csv"
    original = seed.read_text(encoding="utf-8")
    try:
        seed.write_text(original.replace("yandex", "yandex-renamed", 1), encoding="utf-8")
        plan = plan_build(database, project.project_dir)
        assert plan.full and plan.reason == "the dbt project or the configuration changed"
    finally:
        seed.write_text(original, encoding="utf-8")
    with duckdb.connect(str(database)) as con:
        con.execute("update raw.agency_clients set timezone = 'Asia/Omsk' where client_id = 'c1'")
    plan = plan_build(database, project.project_dir)
    assert plan.full and "--full-refresh" in plan.dbt_args()
    assert plan_build(database, project.project_dir, rebuild=True).reason == "a full rebuild was asked for"


def test_the_nightly_vars_stay_the_same_and_the_sql_reads_the_run_values(
    project: Project, nightly: tuple[Path, BuildPlan, BuildPlan], tmp_path: Path
) -> None:
    """dbt parses the whole project again when ``--vars`` change, so the nightly's are constant;
    the reporting day and the mark reach the SQL through ``pipeline.dbt_run_vars``, and a
    ``--vars`` value still wins."""
    _, first, night = nightly
    later = dataclasses.replace(night, changed_since=datetime(2026, 11, 25, 3, 0))
    assert night.dbt_args() == later.dbt_args() and PIPELINE_VARS in night.dbt_args()
    assert first.dbt_args() == [*night.dbt_args(), "--full-refresh"]
    # Unit tests test the SQL on fixed rows: CI runs them (tests/dbt), pipeline builds never.
    for plan in (first, night):
        args = plan.dbt_args()
        assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert later.run_vars(dt.date(2026, 11, 26)) == {
        "as_of_date": "2026-11-26",
        "changed_since": "2026-11-25 03:00:00",
    }
    assert "changed_since" not in first.run_vars(dt.date(2026, 11, 26))

    database = tmp_path / "run_vars.duckdb"
    write_run_vars(database, {"as_of_date": "2024-02-29", "changed_since": "2024-02-28 03:00:00"})
    inline = "select {{ as_of_date() }} as day, '{{ changed_since() }}' as mark"
    show = ["show", "--inline", inline, "--output", "json", "--log-format", "text"]
    out = project.dbt(database, [*show, "--vars", PIPELINE_VARS])
    assert '"day": "2024-02-29"' in out and '"mark": "2024-02-28 03:00:00"' in out, out
    out = project.dbt(
        database, [*show, "--vars", '{"run_vars_from": "pipeline.dbt_run_vars", "as_of_date": "2025-01-31"}']
    )
    assert '"day": "2025-01-31"' in out, out
