"""``SparkRawStore`` (pipelines/load/spark.py): the loader interface on Spark's parquet tables.

The same sequence of loads (bulk, replace_partition with and without a date window, upserts
with repeated keys and NULL keys, replace_table, an emptied partition) goes into a DuckDB build
file and into Spark, and every raw and configuration table must hold the same rows, cell by
cell. A load that fails in the middle of Spark's write leaves the previous rows in place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from pipelines.load.raw_schema import CONFIG_TABLES, RAW_TABLES, RawTable
from pipelines.load.spark import PARTITION_COLUMNS, SparkRawStore
from pipelines.load.warehouse import DuckDBRawStore, log_load, to_arrow

pytestmark = [
    pytest.mark.filterwarnings("ignore:unclosed <socket:ResourceWarning"),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <socket:pytest.PytestUnraisableExceptionWarning"
    ),
]

DIRECT = RAW_TABLES["yandex_direct_campaign_stats"]
CABINET = RAW_TABLES["cabinet_campaign_stats"]
METRIKA = RAW_TABLES["yandex_metrika_goal_reaches"]
CALLS = RAW_TABLES["calltouch_calls"]
INVOICES = RAW_TABLES["invoice_register_rows"]
BANK = RAW_TABLES["bank_statement_payments"]
CLIENTS = CONFIG_TABLES["agency_clients"]
LOADED_AT = dt.datetime(2026, 3, 1, 6, 30, 15, 123456)


def lineage(origin: str, line: int | None) -> dict[str, Any]:
    return {"_origin": origin, "_origin_line": line, "_load_id": f"load-{origin}", "_loaded_at": LOADED_AT}


def direct(
    client: str, account: str, day: int, campaign: str, cost: int, line: int, origin: str
) -> dict[str, Any]:
    return {
        "client_id": client,
        "account_id": account,
        "date": dt.date(2026, 2, day),
        "campaign_id": campaign,
        "campaign_name": f"{campaign} at line {line}",
        "campaign_type": None if line % 3 == 0 else "TEXT",
        "impressions": 100 * line,
        "clicks": line,
        "cost_micros": cost * 1_000_000,
        "conversions": None if line % 2 else line // 2,
        **lineage(origin, line),
    }


def cabinet(day: int, campaign: str, cost: str, line: int, origin: str) -> dict[str, Any]:
    return {
        "client_id": "c1",
        "account_id": "google_ads",
        "platform": "google_ads",
        "date": dt.date(2026, 2, day),
        "campaign_name": campaign,
        "impressions": 10 * line,
        "clicks": line,
        "cost": Decimal(cost),
        "cost_includes_vat": line % 2 == 0,
        "vat_rate": Decimal("20.00"),
        **lineage(origin, line),
    }


def metrika(day: int, utm: str | None, reaches: int, line: int, origin: str) -> dict[str, Any]:
    return {
        "client_id": "c2",
        "account_id": "counter-9",
        "date": dt.date(2026, 2, day),
        "counter_id": 9,
        "goal_id": 77,
        "goal_name": f"goal at {line}",
        "goal_type": "form",
        "is_automatic": False,
        "attribution": "lastsign",
        "traffic_source": "ad",
        "traffic_source_name": "Ad traffic",
        "utm_source": utm,
        "utm_medium": None,
        "utm_campaign": None,
        "reaches": reaches,
        "sampled": None,
        "contains_sensitive_data": False,
        **lineage(origin, line),
    }


def call(client: str, call_id: int, duration: int, line: int, origin: str) -> dict[str, Any]:
    return {
        "client_id": client,
        "account_id": f"site-{client}",
        "call_id": call_id,
        "call_date_local": dt.datetime(2026, 2, 3, 10, call_id % 60, 5),
        "call_timestamp_utc": dt.datetime(2026, 2, 3, 7, call_id % 60, 5),
        "duration": duration,
        "successful": duration > 0,
        "caller_number": "+7 (900) 000-00-00" if call_id % 2 else "",
        "utm_source": "yandex",
        "city": "Москва",
        **lineage(origin, line),
    }


def invoice(inn: str, number: str, amount: str, client: str | None, line: int, origin: str) -> dict[str, Any]:
    return {
        "client_id": client,
        "inn": inn,
        "invoice_number": number,
        "issued_on": dt.date(2026, 1, 20),
        "amount": Decimal(amount),
        "vat_rate": None,
        "payment_status": "issued",
        **lineage(origin, line),
    }


def payment(
    account: str | None, number: str, amount: str, purpose: str, line: int, origin: str
) -> dict[str, Any]:
    return {
        "client_id": None,
        "document_number": number,
        "document_date": dt.date(2026, 2, 10),
        "amount": Decimal(amount),
        "direction": "in",
        "payer_account": account,
        "purpose": purpose,
        **lineage(origin, line),
    }


def client(client_id: str, name: str, fee: str | None) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "name": name,
        "inn": "77" + client_id,
        "manager_id": "m1",
        "currency": "RUB",
        "timezone": "Europe/Moscow",
        "start_date": dt.date(2025, 1, 1),
        "end_date": None,
        "payment_terms_days": 10,
        "fee_share": None if fee is None else Decimal(fee),
    }


def run_loads(store: Any) -> None:
    """Every kind of load of the interface, each result depending on the ones before."""
    store.ensure_schema()
    # bulk: two accounts of one client and an account of another
    store.bulk_load(
        DIRECT,
        to_arrow(
            DIRECT,
            [
                direct("c1", "a1", d, camp, 10 * d, i, "d1.tsv")
                for i, (d, camp) in enumerate(
                    [(1, "k1"), (2, "k1"), (3, "k1"), (4, "k1"), (2, "k2")], start=1
                )
            ]
            + [direct("c1", "a2", 2, "k1", 5, 1, "d2.tsv"), direct("c2", "a9", 3, "k1", 7, 1, "d3.tsv")],
        ),
    )
    # replace (c1, a1) days 2..3 with rows sharing a key (summed; the last line's text wins)
    restated = [
        direct("c1", "a1", 2, "k1", 11, 3, "d4.tsv"),
        direct("c1", "a1", 2, "k1", 12, 1, "d4.tsv"),
        direct("c1", "a1", 3, "k3", 13, 2, "d4.tsv"),
        direct("c1", "a1", 2, "k1", 14, 4, "d4.tsv"),
    ]
    store.replace_partition(
        DIRECT,
        to_arrow(DIRECT, restated),
        partition={"client_id": "c1", "account_id": "a1"},
        date_from=dt.date(2026, 2, 2),
        date_to=dt.date(2026, 2, 3),
    )
    # the whole partition (c1, a2) without a date window, by an empty export: it empties
    store.replace_partition(
        DIRECT,
        to_arrow(DIRECT, []),
        partition={"client_id": "c1", "account_id": "a2"},
        date_from=None,
        date_to=None,
    )
    # the whole partition (c2, a9), new rows unsorted
    store.replace_partition(
        DIRECT,
        to_arrow(
            DIRECT, [direct("c2", "a9", 5, "k2", 1, 2, "d5.tsv"), direct("c2", "a9", 4, "k1", 2, 1, "d5.tsv")]
        ),
        partition={"client_id": "c2", "account_id": "a9"},
        date_from=None,
        date_to=None,
    )
    # a cabinet: partitioned by platform, replaced by the account the inbox names
    store.replace_partition(
        CABINET,
        to_arrow(
            CABINET, [cabinet(1, "brand", "10.10", 1, "g1.csv"), cabinet(2, "brand", "20.20", 2, "g1.csv")]
        ),
        partition={"client_id": "c1", "account_id": "google_ads"},
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 2, 2),
    )
    store.replace_partition(
        CABINET,
        to_arrow(
            CABINET, [cabinet(2, "brand", "1.00", 2, "g2.csv"), cabinet(2, "brand", "2.50", 1, "g2.csv")]
        ),
        partition={"client_id": "c1", "account_id": "google_ads"},
        date_from=dt.date(2026, 2, 2),
        date_to=dt.date(2026, 2, 2),
    )
    # additive rows whose key has NULLs (NULL matches NULL when collapsing)
    store.replace_partition(
        METRIKA,
        to_arrow(
            METRIKA,
            [
                metrika(1, None, 3, 1, "m.json"),
                metrika(1, None, 4, 2, "m.json"),
                metrika(1, "ya", 5, 3, "m.json"),
            ],
        ),
        partition={"client_id": "c2", "account_id": "counter-9"},
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 2, 1),
    )
    # upserts with repeated keys (the last line wins) and keys already stored
    store.upsert(
        CALLS,
        to_arrow(
            CALLS,
            [
                call("c1", 1, 30, 1, "ct1.csv"),
                call("c1", 2, 0, 2, "ct1.csv"),
                call("c2", 3, 40, 1, "ct2.csv"),
            ],
        ),
    )
    store.upsert(
        CALLS,
        to_arrow(
            CALLS,
            [
                call("c1", 2, 55, 3, "ct3.csv"),
                call("c1", 2, 66, 1, "ct3.csv"),
                call("c1", 4, 10, 2, "ct3.csv"),
            ],
        ),
    )
    # invoices: partitioned by ИНН, client_id NULL on an unmatched one
    store.upsert(
        INVOICES,
        to_arrow(
            INVOICES,
            [
                invoice("7701", "1", "100.00", "c1", 1, "r1.xlsx"),
                invoice("9999", "7", "5.00", None, 2, "r1.xlsx"),
            ],
        ),
    )
    store.upsert(
        INVOICES,
        to_arrow(
            INVOICES,
            [
                invoice("7701", "1", "120.00", "c1", 1, "r2.xlsx"),
                invoice("7701", "2", "1.00", "c1", 2, "r2.xlsx"),
            ],
        ),
    )
    # bank statements: a NULL payer account is a key value of its own (IS NOT DISTINCT FROM)
    store.upsert(
        BANK,
        to_arrow(
            BANK,
            [
                payment(None, "11", "10.00", "first", 1, "b1.txt"),
                payment("40702", "11", "10.00", "other", 2, "b1.txt"),
            ],
        ),
    )
    store.upsert(
        BANK,
        to_arrow(
            BANK,
            [
                payment(None, "11", "10.00", "second", 1, "b2.txt"),
                payment(None, "12", "3.00", "new", 2, "b2.txt"),
            ],
        ),
    )
    # configuration: replaced whole, twice
    store.replace_table(
        CLIENTS, to_arrow(CLIENTS, [client("c1", "Первый", "0.1"), client("c2", "Второй", None)])
    )
    store.replace_table(
        CLIENTS, to_arrow(CLIENTS, [client("c2", "Второй «два»", "0.25"), client("c3", "", None)])
    )
    with store.transaction():
        log_load(store, load_id="l1", origin="d1.tsv", kind="yandex_direct", status="loaded", row_count=7)
        log_load(
            store, load_id="l2", origin="x.csv", kind="calltouch", status="rejected", error="bad 'quote'"
        )


@pytest.fixture
def spark_store(spark: Any) -> Iterator[SparkRawStore]:
    spark.sql("DROP SCHEMA IF EXISTS raw CASCADE")
    with SparkRawStore(spark) as store:
        store.ensure_schema()
        yield store


def sorted_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=lambda row: tuple((v is None, str(v)) for v in row))


def table_rows(store: Any, table: RawTable) -> list[tuple[Any, ...]]:
    columns = [c for c in table.column_names if c != "loaded_at"]  # now() on each engine
    return sorted_rows(store.query(f"SELECT {', '.join(columns)} FROM {table.qualified}"))  # noqa: S608


def test_the_same_loads_give_the_same_tables_as_duckdb(spark_store: SparkRawStore, tmp_path: Path) -> None:
    run_loads(spark_store)
    with DuckDBRawStore(tmp_path / "build.duckdb") as duck:
        run_loads(duck)
        for table in (*RAW_TABLES.values(), *CONFIG_TABLES.values()):
            expected, actual = table_rows(duck, table), table_rows(spark_store, table)
            assert actual == expected, table.name
    # the loads did something: the emptied partition is gone, the rest holds rows
    assert spark_store.count("yandex_direct_campaign_stats") == 6
    assert spark_store.count("calltouch_calls") == 4
    assert spark_store.count("bank_statement_payments") == 3
    assert spark_store.count("agency_clients") == 2
    partitions = {r[0] for r in spark_store.query("SHOW PARTITIONS raw.yandex_direct_campaign_stats")}
    assert partitions == {"client_id=c1/account_id=a1", "client_id=c2/account_id=a9"}


def test_each_raw_table_is_partitioned_by_its_declared_columns(spark_store: SparkRawStore) -> None:
    for table in (*RAW_TABLES.values(), *CONFIG_TABLES.values()):
        catalog = spark_store.spark.catalog.listColumns(table.qualified)
        declared = [c.name for c in catalog if c.isPartition]
        assert tuple(declared) == PARTITION_COLUMNS.get(table.name, ()), table.name
        assert {c.name for c in catalog} == set(table.column_names)


class FailingMidWrite(SparkRawStore):
    """Its incoming rows raise in Spark's tasks on the row whose ``_origin_line`` is 99: the
    write's job fails after its other tasks have written their files."""

    def _incoming(self, table: RawTable, data: pa.Table, *, collapse: bool) -> Any:
        from pyspark.sql import functions as F
        from pyspark.sql.types import IntegerType

        def line(value: int | None) -> int | None:
            if value == 99:
                raise RuntimeError("the disk went away mid-write")
            return value

        frame = super()._incoming(table, data, collapse=collapse).repartition(4)
        return frame.withColumn("_origin_line", F.udf(line, IntegerType())("_origin_line"))


def test_a_load_failing_mid_write_leaves_the_previous_rows(spark_store: SparkRawStore) -> None:
    first = [direct("c1", "a1", d, "k1", d, d, "d1.tsv") for d in range(1, 8)]
    first += [direct("c1", "a2", d, "k1", d, d, "d2.tsv") for d in range(1, 8)]
    spark_store.bulk_load(DIRECT, to_arrow(DIRECT, first))
    spark_store.upsert(CALLS, to_arrow(CALLS, [call("c1", i, i, i, "ct1.csv") for i in range(1, 9)]))
    before_direct = table_rows(spark_store, DIRECT)
    before_calls = table_rows(spark_store, CALLS)

    failing = FailingMidWrite(spark_store.spark)
    restated = [
        direct(c, a, d, "k2", 100, 10 * d, "d9.tsv")
        for c, a in (("c1", "a1"), ("c1", "a2"))
        for d in range(1, 8)
    ]
    restated.append(direct("c1", "a1", 4, "k9", 1, 99, "d9.tsv"))
    with pytest.raises(Exception, match="the disk went away"):
        failing.replace_partition(
            DIRECT,
            to_arrow(DIRECT, restated),
            partition={"client_id": "c1", "account_id": "a1"},
            date_from=None,
            date_to=None,
        )
    with pytest.raises(Exception, match="the disk went away"):
        failing.upsert(
            CALLS, to_arrow(CALLS, [call("c1", i, 0, 99 if i == 5 else i, "ct2.csv") for i in range(1, 12)])
        )
    assert table_rows(spark_store, DIRECT) == before_direct
    assert table_rows(spark_store, CALLS) == before_calls
    # the same load without the failure goes through (nothing was left half-written in the way)
    restated.pop()
    spark_store.replace_partition(
        DIRECT,
        to_arrow(DIRECT, restated),
        partition={"client_id": "c1", "account_id": "a1"},
        date_from=None,
        date_to=None,
    )
    assert spark_store.count("yandex_direct_campaign_stats") == 21


def test_a_null_in_a_not_null_column_fails_the_load_before_any_write(spark_store: SparkRawStore) -> None:
    spark_store.bulk_load(DIRECT, to_arrow(DIRECT, [direct("c1", "a1", 1, "k1", 1, 1, "d1.tsv")]))
    bad = to_arrow(DIRECT, [direct("c1", "a1", 1, "k1", 1, 1, "d2.tsv") | {"campaign_id": None}])
    with pytest.raises(ValueError, match="campaign_id is NOT NULL"):
        spark_store.replace_partition(
            DIRECT, bad, partition={"client_id": "c1", "account_id": "a1"}, date_from=None, date_to=None
        )
    assert spark_store.query("SELECT _origin FROM raw.yandex_direct_campaign_stats") == [("d1.tsv",)]
