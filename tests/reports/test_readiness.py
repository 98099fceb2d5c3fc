"""The readiness gate over a serving file's account coverage and the agency configuration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest
import yaml

from dashboard.periods import Period
from pipelines.load.config import AgencyConfig, parse_config
from reports.errors import ReportError, ServingNotFoundError, UnknownClientError
from reports.readiness import Hold, check_readiness

OCTOBER = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))

CONFIG = """
agency: {name: Тест, restatement: {ads_days: 14, calls_days: 3}}
managers: [{id: ivanova, name: Мария}]
clients:
  - id: romashka
    name: Ромашка
    inn: "7707083893"
    manager: ivanova
    start_date: 2025-05-01
    accounts:
      - {source: yandex_direct, id: romashka-direct}
      - {source: calltouch, id: "25918"}
      - {source: calltouch_requests, id: "25918", via: inbox}
  - id: lilia
    name: Лилия
    inn: "7736050003"
    manager: ivanova
    start_date: 2026-10-20
    accounts:
      - {source: calltouch, id: "31407"}
"""


def config() -> AgencyConfig:
    return parse_config(yaml.safe_load(CONFIG))


Run = tuple[str, str, str, str, str, str, str | None]


def serving(path: Path, runs: Sequence[Run]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table account_coverage (client_id varchar, source varchar, account_id varchar, "
            "status varchar, day_from date, day_to date, last_loaded_at timestamp, "
            "last_failed_at timestamp, last_error varchar)"
        )
        for client, source, account, status, day_from, day_to, error in runs:
            con.execute(
                "insert into account_coverage values (?, ?, ?, ?, ?, ?, null, null, ?)",
                [client, source, account, status, day_from, day_to, error],
            )
    return path


GOOD: list[Run] = [
    ("romashka", "yandex_direct", "romashka-direct", "covered", "2025-05-01", "2026-11-20", None),
    ("romashka", "calltouch", "25918", "covered", "2025-05-01", "2026-11-20", None),
    ("romashka", "calltouch_requests", "25918", "covered", "2026-10-02", "2026-10-30", None),
    ("lilia", "calltouch", "31407", "covered", "2026-10-20", "2026-11-20", None),
]


def test_a_settled_month_is_ready_and_a_client_counts_from_its_start(tmp_path: Path) -> None:
    db = serving(tmp_path / "s.duckdb", GOOD)
    ready = check_readiness(db, config(), "romashka", OCTOBER, dt.date(2026, 11, 15))
    assert ready.ready and ready.holds == ()
    # Lilia started on the 20th: her October is 20-31, covered.
    lilia = check_readiness(db, config(), "lilia", OCTOBER, dt.date(2026, 11, 15))
    assert lilia.ready and lilia.period == Period(dt.date(2026, 10, 20), OCTOBER.end)


def test_the_restatement_window_holds_until_the_last_re_pull_of_the_ads(tmp_path: Path) -> None:
    db = serving(tmp_path / "s.duckdb", GOOD)
    early = check_readiness(db, config(), "romashka", OCTOBER, dt.date(2026, 11, 14))
    # Ads are re-pulled 14 days: 31 October for the last time on 14 November; final on the 15th.
    assert early.holds == (Hold("restatement_open", settles_on=dt.date(2026, 11, 15)),)
    # Calls only (3 days): final on 4 November.
    assert check_readiness(db, config(), "lilia", OCTOBER, dt.date(2026, 11, 4)).ready
    assert not check_readiness(db, config(), "lilia", OCTOBER, dt.date(2026, 11, 3)).ready


def test_a_failed_account_holds_only_its_clients_report_with_the_vendors_message(tmp_path: Path) -> None:
    runs: list[Run] = [
        ("romashka", "yandex_direct", "romashka-direct", "covered", "2025-05-01", "2026-10-27", None),
        ("romashka", "yandex_direct", "romashka-direct", "failed", "2026-10-28", "2026-11-02", "error 53"),
        ("romashka", "yandex_direct", "romashka-direct", "covered", "2026-11-03", "2026-11-20", None),
        *GOOD[1:],
    ]
    db = serving(tmp_path / "s.duckdb", runs)
    held = check_readiness(db, config(), "romashka", OCTOBER, dt.date(2026, 11, 20))
    assert held.holds == (Hold("account_failed", "yandex_direct", "romashka-direct", error="error 53"),)
    assert check_readiness(db, config(), "lilia", OCTOBER, dt.date(2026, 11, 20)).ready
    # Re-pulled after the fix: the days are covered again and the report goes.
    db2 = serving(tmp_path / "s2.duckdb", GOOD)
    assert check_readiness(db2, config(), "romashka", OCTOBER, dt.date(2026, 11, 20)).ready


def test_coverage_that_stops_short_of_the_period_holds_with_the_last_settled_day(tmp_path: Path) -> None:
    runs = [r for r in GOOD if r[1] != "calltouch"] + [
        ("romashka", "calltouch", "25918", "covered", "2025-05-01", "2026-10-25", None),
    ]
    db = serving(tmp_path / "s.duckdb", runs)
    held = check_readiness(db, config(), "romashka", OCTOBER, dt.date(2026, 11, 20))
    assert held.holds == (
        Hold("account_not_covered", "calltouch", "25918", covered_to=dt.date(2026, 10, 25)),
    )
    # A file-fed account is held only when nothing of it was ever loaded.
    no_files = serving(tmp_path / "s2.duckdb", [r for r in GOOD if r[1] != "calltouch_requests"])
    assert check_readiness(no_files, config(), "romashka", OCTOBER, dt.date(2026, 11, 20)).holds == (
        Hold("account_not_covered", "calltouch_requests", "25918"),
    )


def test_a_client_not_served_in_the_period_and_unknown_input(tmp_path: Path) -> None:
    db = serving(tmp_path / "s.duckdb", GOOD)
    september = Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert check_readiness(db, config(), "lilia", september, dt.date(2026, 11, 20)).holds == (
        Hold("not_served"),
    )
    with pytest.raises(UnknownClientError):
        check_readiness(db, config(), "nobody", OCTOBER, dt.date(2026, 11, 20))
    with pytest.raises(ServingNotFoundError):
        check_readiness(tmp_path / "none.duckdb", config(), "romashka", OCTOBER, dt.date(2026, 11, 20))


def test_a_serving_file_from_before_coverage_is_refused_with_what_to_do(tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        con.execute("create table dim_clients (client_id varchar)")
    with pytest.raises(ReportError, match=r"no account_coverage.*run a refresh"):
        check_readiness(old, config(), "romashka", OCTOBER, dt.date(2026, 11, 20))
