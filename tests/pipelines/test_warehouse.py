"""The raw-loading interface, on each warehouse that implements it: DuckDB (the embedded
default) and PostgreSQL (a throwaway server, tests/postgres.py). Every test runs on both; the
behaviour is the same by contract."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pipelines.load.postgres import PostgresRawStore
from pipelines.load.raw_schema import RAW_TABLES
from pipelines.load.warehouse import DuckDBRawStore, SqlRawStore, to_arrow, with_constants

DIRECT = RAW_TABLES["yandex_direct_campaign_stats"]
CALLS = RAW_TABLES["calltouch_calls"]
NOW = dt.datetime(2026, 11, 23, 5, 0)


def direct_row(day: int, campaign: str, cost_rub: int, line: int, origin: str = "f.tsv") -> dict[str, Any]:
    return {
        "client_id": "romashka",
        "account_id": "romashka-direct",
        "date": dt.date(2026, 11, day),
        "campaign_id": campaign,
        "campaign_name": " brand|search",
        "impressions": 100,
        "clicks": 10,
        "cost_micros": cost_rub * 1_000_000,
        "conversions": None,
        "_origin": origin,
        "_origin_line": line,
        "_load_id": "L1",
        "_loaded_at": NOW,
    }


OpenStore = Callable[[], AbstractContextManager[SqlRawStore]]


@pytest.fixture(params=["duckdb", "postgres"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    """Opens a store on one test's own warehouse (a DuckDB file, or a new PostgreSQL database);
    each call is a new connection to the same one."""
    if request.param == "duckdb":
        return lambda: DuckDBRawStore(tmp_path / "build.duckdb")
    server = request.getfixturevalue("postgres_server")
    conninfo = server.conninfo(server.create_database("warehouse"))
    return lambda: PostgresRawStore(conninfo)


@pytest.fixture
def store(open_store: OpenStore) -> Iterator[SqlRawStore]:
    with open_store() as s:
        s.ensure_schema()
        yield s


def totals(store: SqlRawStore) -> tuple[int, int]:
    rows = store.query("SELECT count(*), coalesce(sum(cost_micros), 0) FROM raw.yandex_direct_campaign_stats")
    return int(rows[0][0]), int(rows[0][1])


def test_replace_partition_is_idempotent_and_restates_the_period(store: SqlRawStore) -> None:
    rows = [direct_row(1, "1", 100, 3), direct_row(2, "1", 200, 4), direct_row(3, "1", 300, 5)]
    part = {"client_id": "romashka", "account_id": "romashka-direct"}
    for _ in range(2):
        store.replace_partition(
            DIRECT,
            to_arrow(DIRECT, rows),
            partition=part,
            date_from=dt.date(2026, 11, 1),
            date_to=dt.date(2026, 11, 3),
        )
    assert totals(store) == (3, 600_000_000)
    # An overlapping later export restates days 2..3 (day 3 now has no rows) and adds day 4.
    later = [direct_row(2, "1", 250, 3), direct_row(4, "1", 400, 4)]
    store.replace_partition(
        DIRECT,
        to_arrow(DIRECT, later),
        partition=part,
        date_from=dt.date(2026, 11, 2),
        date_to=dt.date(2026, 11, 4),
    )
    assert totals(store) == (3, 750_000_000)
    names = store.query("SELECT DISTINCT campaign_name FROM raw.yandex_direct_campaign_stats")
    assert names == [(" brand|search",)]  # kept byte-exact


def test_rows_sharing_a_key_in_one_batch_are_summed(store: SqlRawStore) -> None:
    # e.g. a report split by AdNetworkType: SEARCH and AD_NETWORK rows for the same campaign-day
    rows = [direct_row(1, "1", 100, 3), direct_row(1, "1", 50, 4)]
    n = store.replace_partition(
        DIRECT,
        to_arrow(DIRECT, rows),
        partition={"client_id": "romashka", "account_id": "romashka-direct"},
        date_from=dt.date(2026, 11, 1),
        date_to=dt.date(2026, 11, 1),
    )
    assert n == 1
    assert totals(store) == (1, 150_000_000)


@pytest.mark.parametrize(
    ("keys", "expected_rows"),
    [
        ([(1, "1"), (1, "2"), (2, "1"), (3, "10")], 4),  # in key order, no repeat
        ([(1, "1"), (1, "2"), (1, "2"), (2, "1")], 3),  # in key order, a repeat next to itself
        ([(3, "1"), (2, "2"), (1, "1"), (3, "1")], 3),  # out of order, a repeat far apart
        ([(2, "1"), (1, "1"), (1, "2")], 3),  # out of order, no repeat
    ],
)
def test_rows_sharing_a_key_are_summed_in_any_order_from_a_fast_reader(
    store: SqlRawStore, keys: list[tuple[int, str]], expected_rows: int
) -> None:
    # A fast reader's columns with the account as constants (dictionary-encoded): the shape the
    # inbox loads, whose sorted rows skip the search for repeated keys.
    parsed = to_arrow(
        DIRECT, [direct_row(day, campaign, 100, line) for line, (day, campaign) in enumerate(keys)]
    )
    columns = [c for c in parsed.column_names if c not in ("client_id", "account_id", "_load_id")]
    constants = {"client_id": "romashka", "account_id": "romashka-direct", "_load_id": "L1"}
    n = store.replace_partition(
        DIRECT,
        with_constants(DIRECT, parsed.select(columns), constants),
        partition={"client_id": "romashka", "account_id": "romashka-direct"},
        date_from=None,
        date_to=None,
    )
    assert n == expected_rows
    assert totals(store) == (expected_rows, 100_000_000 * len(keys))


def test_upsert_never_duplicates_a_call(store: SqlRawStore) -> None:
    def call(call_id: int, duration: int) -> dict[str, Any]:
        return {
            "client_id": "romashka",
            "account_id": "25918",
            "call_id": call_id,
            "duration": duration,
            "_origin": "c.json",
            "_origin_line": call_id,
            "_load_id": "L",
            "_loaded_at": NOW,
        }

    store.upsert(CALLS, to_arrow(CALLS, [call(1, 10), call(2, 20)]))
    store.upsert(CALLS, to_arrow(CALLS, [call(2, 25), call(3, 30), call(3, 30)]))
    rows = store.query("SELECT call_id, duration FROM raw.calltouch_calls ORDER BY call_id")
    assert rows == [(1, 10), (2, 25), (3, 30)]


def test_a_failed_batch_leaves_nothing_behind(store: SqlRawStore) -> None:
    part = {"client_id": "romashka", "account_id": "romashka-direct"}
    store.replace_partition(
        DIRECT, to_arrow(DIRECT, [direct_row(1, "1", 100, 3)]), partition=part, date_from=None, date_to=None
    )
    with pytest.raises(RuntimeError), store.transaction():
        store.replace_partition(
            DIRECT,
            to_arrow(DIRECT, [direct_row(1, "1", 999, 3)]),
            partition=part,
            date_from=None,
            date_to=None,
        )
        raise RuntimeError("the load log write failed")
    assert totals(store) == (1, 100_000_000)


def test_a_load_that_fails_in_the_warehouse_reports_its_own_error_and_changes_nothing(
    store: SqlRawStore,
) -> None:
    part = {"client_id": "romashka", "account_id": "romashka-direct"}
    store.replace_partition(
        DIRECT, to_arrow(DIRECT, [direct_row(1, "1", 100, 3)]), partition=part, date_from=None, date_to=None
    )
    # Two rows of one key whose summed cost no longer fits the BIGINT column: the INSERT fails
    # after the incoming rows were staged and the partition deleted.
    huge = [
        direct_row(1, "1", 0, 3) | {"cost_micros": 2**62},
        direct_row(1, "1", 0, 4) | {"cost_micros": 2**62},
    ]
    with pytest.raises(Exception) as failure:
        store.replace_partition(DIRECT, to_arrow(DIRECT, huge), partition=part, date_from=None, date_to=None)
    assert "aborted" not in str(failure.value).lower(), failure.value
    assert totals(store) == (1, 100_000_000)
    store.upsert(CALLS, to_arrow(CALLS, []))  # the store still works
    assert totals(store) == (1, 100_000_000)


def test_money_is_rounded_to_kopecks() -> None:
    table = RAW_TABLES["vk_ads_campaign_stats"]
    data = to_arrow(
        table,
        [
            {
                "client_id": "a",
                "account_id": "1",
                "date": dt.date(2026, 1, 1),
                "campaign_id": "9",
                "spent": Decimal("10.005"),
                "_origin": "x",
                "_load_id": "L",
                "_loaded_at": NOW,
            }
        ],
    )
    assert data.column("spent").to_pylist() == [Decimal("10.01")]


def test_an_older_build_database_gains_new_columns_and_keeps_its_rows(open_store: OpenStore) -> None:
    with open_store() as old:
        old.ensure_schema()
        old._execute("ALTER TABLE raw.agency_client_accounts DROP COLUMN lead_rule")
        old._execute("ALTER TABLE raw.agency_client_accounts DROP COLUMN attribution")
        old._execute(
            "INSERT INTO raw.agency_client_accounts VALUES ('c1', 'calltouch', '1', 'Europe/Moscow')"
        )
    with open_store() as store:
        store.ensure_schema()
        rows = store.query("SELECT client_id, lead_rule, attribution FROM raw.agency_client_accounts")
    assert rows == [("c1", None, None)]


def test_loads_into_a_table_an_older_contract_made_whose_columns_come_in_another_order(
    open_store: OpenStore,
) -> None:
    # An added column goes last in the table, not where the contract has it: loads name columns.
    with open_store() as old:
        old.ensure_schema()
        old._execute("ALTER TABLE raw.yandex_direct_campaign_stats DROP COLUMN campaign_type")
    with open_store() as store:
        store.ensure_schema()
        row = direct_row(1, "1", 100, 3) | {"campaign_type": "TEXT_CAMPAIGN", "conversions": 2}
        store.bulk_load(DIRECT, to_arrow(DIRECT, [row]))
        rows = store.query(
            "SELECT campaign_name, campaign_type, conversions, _origin_line "
            "FROM raw.yandex_direct_campaign_stats"
        )
    assert rows == [(" brand|search", "TEXT_CAMPAIGN", 2, 3)]


def test_values_arrive_exactly_nulls_and_empty_strings_apart(store: SqlRawStore) -> None:
    # The PostgreSQL store moves rows as CSV: quotes, separators, line breaks, Cyrillic, an empty
    # string and NULL, money and microsecond timestamps must come back as they went in.
    row = direct_row(1, "1", 100, 3) | {
        "campaign_name": 'Кампания "Весна", поиск\nвторая строка;|',
        "campaign_type": "",
        "conversions": None,
        "_loaded_at": dt.datetime(2026, 11, 23, 5, 0, 1, 123456),
    }
    store.bulk_load(DIRECT, to_arrow(DIRECT, [row]))
    rows = store.query(
        "SELECT campaign_name, campaign_type, conversions, cost_micros, _loaded_at "
        "FROM raw.yandex_direct_campaign_stats"
    )
    assert rows == [(row["campaign_name"], "", None, 100_000_000, dt.datetime(2026, 11, 23, 5, 0, 1, 123456))]
    vk = RAW_TABLES["vk_ads_campaign_stats"]
    store.bulk_load(
        vk,
        to_arrow(
            vk,
            [
                {
                    "client_id": "a",
                    "account_id": "1",
                    "date": dt.date(2026, 1, 1),
                    "campaign_id": "9",
                    "spent": Decimal("10.005"),
                    "_origin": "x",
                    "_load_id": "L",
                    "_loaded_at": NOW,
                }
            ],
        ),
    )
    assert store.query("SELECT spent, shows FROM raw.vk_ads_campaign_stats") == [(Decimal("10.01"), None)]


def test_last_loaded_at_is_the_latest_successful_load_of_its_kind(store: SqlRawStore) -> None:
    from pipelines.load.warehouse import log_load

    assert store.last_loaded_at("direct") is None
    log_load(store, load_id="a", origin="x", kind="direct", status="loaded")
    log_load(store, load_id="b", origin="y", kind="direct", status="rejected")
    first = store.last_loaded_at("direct")
    assert first is not None
    log_load(store, load_id="c", origin="z", kind="direct", status="loaded")
    later = store.last_loaded_at("direct")
    assert later is not None and later >= first
    assert store.count("load_log") == 3


def test_on_postgresql_a_load_finds_the_rows_it_replaces_through_the_key_index(
    postgres_server: Any,
) -> None:
    # Without an index every replace or upsert reads the whole raw table: a 300-client agency's
    # first load went quadratic (docs/benchmarks.md). Plans are asked with sequential scans
    # priced out, so they show an index only if one can serve the statement.
    with PostgresRawStore(postgres_server.conninfo(postgres_server.create_database("w"))) as store:
        store.ensure_schema()
        store.ensure_schema()  # again: an existing index is kept
        store.replace_partition(
            DIRECT,
            to_arrow(DIRECT, [direct_row(d, "111", 5, d) for d in range(1, 8)]),
            partition={"client_id": "romashka", "account_id": "romashka-direct"},
            date_from=dt.date(2026, 11, 1),
            date_to=dt.date(2026, 11, 7),
        )
        indexed = {
            str(r[0]): str(r[1])
            for r in store.query("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'raw'")
        }
        for table in RAW_TABLES.values():
            assert f"({', '.join(table.key)})" in indexed[table.name]
        with store.transaction():
            store.execute("SET LOCAL enable_seqscan = off")
            partition_delete = store.query(
                f"EXPLAIN DELETE FROM {DIRECT.qualified} WHERE client_id = 'romashka' "
                "AND account_id = 'romashka-direct' AND date BETWEEN '2026-11-01' AND '2026-11-07'"
            )
            key_delete = store.query(
                f"EXPLAIN DELETE FROM {CALLS.qualified} t WHERE EXISTS (SELECT 1 FROM "
                "(VALUES ('romashka', 'romashka-calltouch', 7::bigint)) v(client_id, account_id, call_id) "
                "WHERE t.client_id = v.client_id AND t.account_id = v.account_id AND t.call_id = v.call_id)"
            )
        assert "yandex_direct_campaign_stats_key" in " ".join(str(r[0]) for r in partition_delete)
        assert "calltouch_calls_key" in " ".join(str(r[0]) for r in key_delete)
        assert totals(store) == (7, 35_000_000)
