"""The dashboard's fake serving file must look like the real one: the mart contracts decide.

``tests/dashboard/serving_fixture.py`` writes the public marts by hand, so nothing but this test
stops it from drifting from ``dbt_project/models/marts/_marts__models.yml`` (the contracts dbt
enforces on the real marts). Every published mart must be in the fixture, with exactly the
contracted columns, in the contracted order, of the contracted DuckDB types.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from pipelines.load.publish import PUBLIC_MARTS

CONTRACTS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "_marts__models.yml"
_TYPE = re.compile(r"^[a-z][a-z0-9_ ]*(\(\d+(, ?\d+)?\))?$")

Columns = list[tuple[str, str]]


def _duckdb_type(con: duckdb.DuckDBPyConnection, data_type: str) -> str:
    """A contract's data_type as DuckDB names it (``numeric(18,2)`` -> ``DECIMAL(18,2)``)."""
    assert _TYPE.match(data_type.lower()), f"unexpected contract data_type {data_type!r}"
    row = con.execute(f"select typeof(cast(null as {data_type}))").fetchone()
    assert row is not None
    return str(row[0])


def contracts() -> dict[str, Columns]:
    """Mart name -> [(column, DuckDB type)] for every mart with an enforced contract."""
    spec: dict[str, Any] = yaml.safe_load(CONTRACTS.read_text(encoding="utf-8"))
    out: dict[str, Columns] = {}
    with duckdb.connect() as con:
        for model in spec["models"]:
            columns = model.get("columns") or []
            assert all("data_type" in c for c in columns), f"{model['name']}: a column without data_type"
            out[model["name"]] = [(c["name"], _duckdb_type(con, str(c["data_type"]))) for c in columns]
    return out


def fixture_tables(path: Path) -> dict[str, Columns]:
    """Table name -> [(column, DuckDB type)] of the fixture file, in column order."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            """
            select table_name, column_name, data_type
            from information_schema.columns
            where table_schema = 'main'
            order by table_name, ordinal_position
            """
        ).fetchall()
    out: dict[str, Columns] = {}
    for table, column, data_type in rows:
        out.setdefault(table, []).append((column, data_type))
    return out


@pytest.fixture(scope="module")
def contracted() -> dict[str, Columns]:
    return contracts()


def test_every_published_mart_has_a_contract(contracted: dict[str, Columns]) -> None:
    assert set(PUBLIC_MARTS) <= set(contracted), set(PUBLIC_MARTS) - set(contracted)


def test_the_fixture_has_exactly_the_published_marts(serving_file: Path) -> None:
    tables = {name for name in fixture_tables(serving_file) if not name.startswith("_")}
    assert sorted(tables) == sorted(PUBLIC_MARTS)


@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_fixture_mart_matches_its_contract(
    mart: str, contracted: dict[str, Columns], serving_file: Path
) -> None:
    actual = fixture_tables(serving_file).get(mart)
    assert actual is not None, f"the fixture has no {mart}"
    expected = contracted[mart]
    missing = [c for c in expected if c not in actual]
    extra = [c for c in actual if c not in expected]
    assert not missing and not extra, f"{mart}: missing {missing}, not in the contract {extra}"
    assert actual == expected, f"{mart}: columns out of the contract's order"
