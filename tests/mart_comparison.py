"""Marts on PostgreSQL against the same marts on DuckDB, cell by cell (issue 20).

One comparison for the dbt project's proof (``tests/dbt/test_postgres_build.py``) and the
refresh's (``tests/test_postgres_end_to_end.py``). Only the representation is normalised, never a
value (:func:`normalised`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "MARTS",
    "MARTS_DIR",
    "VOLATILE_COLUMNS",
    "Query",
    "assert_mart_equal",
    "declared_types",
    "duckdb_query",
    "normalised",
    "postgres_query",
]

MARTS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "marts"
MARTS = sorted(path.stem for path in MARTS_DIR.glob("*.sql"))

Query = Callable[[str], tuple[list[str], list[tuple[Any, ...]]]]
"""Runs a SELECT; its column names and rows."""

VOLATILE_COLUMNS = frozenset({"last_loaded_at", "balance_at", "last_read_at"})
"""Columns that say when a run happened: two runs of the same data differ there and nowhere else."""


def postgres_query(conninfo: str) -> Query:
    """A :data:`Query` on a PostgreSQL database (a connection per call)."""
    import psycopg

    def query(sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        with psycopg.connect(conninfo) as con, con.cursor() as cur:
            cur.execute(sql.encode())
            return [c.name for c in cur.description or []], cur.fetchall()

    return query


def duckdb_query(database: Path | str) -> Query:
    """A :data:`Query` on a DuckDB file, read-only (a connection per call)."""
    import duckdb

    def query(sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        with duckdb.connect(str(database), read_only=True) as con:
            cur = con.execute(sql)
            return [d[0] for d in cur.description or ()], cur.fetchall()

    return query


def declared_types() -> dict[tuple[str, str], str]:
    """(mart, column) -> the contract's data_type."""
    out: dict[tuple[str, str], str] = {}
    for path in MARTS_DIR.glob("*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models") or []:
            for column in model.get("columns") or []:
                out[(model["name"], column["name"])] = str(column["data_type"]).lower()
    return out


_SCALE = r"(?:decimal|numeric)\(\d+, ?(\d+)\)"


def normalised(value: Any, declared: str) -> Any:
    """A cell as the comparison sees it. Only the representation is normalised, never the value:

    - a fixed-point column (``decimal(p,s)``) becomes a Decimal at the declared scale ``s``, so
      ``Decimal('1.0')`` and ``Decimal('1.00')`` (or a float a driver might hand out for one)
      compare by value; a float that is not exactly that Decimal stays unequal;
    - a timestamp with a time zone (none is expected: contracts say ``timestamp``, which both
      engines return naive) becomes the naive UTC timestamp it stands for;
    - nothing else: a double-precision column is compared exactly (both engines compute the
      ratios in IEEE doubles and give the same bits today; a difference in the last bits would be
      a real difference of the SQL, to look at before loosening this).
    """
    if value is None:
        return None
    scale = re.fullmatch(_SCALE, declared)
    if scale:
        exact = Decimal(str(value))
        at_scale = exact.quantize(Decimal(1).scaleb(-int(scale.group(1))))
        return at_scale if at_scale == exact else exact  # never rounds a value away
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _sorted(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=lambda row: tuple((v is None, str(v)) for v in row))


def assert_mart_equal(
    mart: str,
    on_postgres: Query,
    postgres_relation: str,
    on_duckdb: Query,
    duckdb_relation: str,
    *,
    leave_out: Collection[str] = (),
) -> None:
    """The same columns in the same order, and the same rows (in any order) but for the columns
    ``leave_out`` (when a run happened); every column compared has a contract type."""
    declared = declared_types()
    pg_columns, _ = on_postgres(f"select * from {postgres_relation} limit 0")
    duck_columns, _ = on_duckdb(f"select * from {duckdb_relation} limit 0")
    assert pg_columns == duck_columns
    columns = [c for c in pg_columns if c not in leave_out]
    assert all((mart, c) in declared for c in columns), "a column without a contract type"
    select = ", ".join(columns)
    _, pg_rows = on_postgres(f"select {select} from {postgres_relation}")
    _, duck_rows = on_duckdb(f"select {select} from {duckdb_relation}")

    def normalise(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return _sorted(
            [
                tuple(normalised(v, declared[(mart, c)]) for c, v in zip(columns, row, strict=True))
                for row in rows
            ]
        )

    assert normalise(pg_rows) == normalise(duck_rows)
