"""The source registry is the one list of sources: everything a source needs hangs off it, and
nothing else in the code base spells the list again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connectors.files import FILE_KINDS, parse_file
from pipelines.load.config import Account
from pipelines.load.raw_schema import RAW_TABLES
from pipelines.load.sources import (
    ACCOUNT_SOURCES,
    API_SOURCES,
    DBT_MACRO_PATH,
    SOURCES,
    by_file_kind,
    render_dbt_macro,
)
from tests.connectors.conftest import FIXTURES
from tests.connectors.test_files import SAMPLES

ROOT = Path(__file__).resolve().parents[2]
STAGING = ROOT / "dbt_project" / "models" / "staging"


def test_the_dbt_macro_is_generated_from_the_registry() -> None:
    assert DBT_MACRO_PATH.read_text(encoding="utf-8") == render_dbt_macro(), (
        "run `uv run python -m pipelines.load.sources --write-dbt`"
    )


@pytest.mark.parametrize("name", list(SOURCES))
def test_every_source_has_a_raw_table_a_staging_model_and_labels(name: str) -> None:
    source = SOURCES[name]
    assert RAW_TABLES[source.raw_table.name] is source.raw_table
    folder = source.shares_staging_with or source.name
    model = STAGING / folder / f"{source.staging_model}.sql"
    assert model.exists(), f"{name}: no staging model {model.relative_to(ROOT)}"
    assert source.staging_model.startswith(f"stg_{folder}__")
    assert source.label_ru and source.label_en and source.title
    if source.shares_staging_with is None:
        assert f'"name": "{name}"' in render_dbt_macro()


def test_api_sources_name_their_credentials_and_fetch() -> None:
    assert API_SOURCES
    for name in API_SOURCES:
        source = SOURCES[name]
        assert source.credentials and all(re.fullmatch(r"[A-Z][A-Z0-9_]*", c) for c in source.credentials)
        assert source.accounts and source.raw_table.key[:2] == ("client_id", "account_id")


def test_every_file_kind_the_connectors_detect_goes_to_exactly_one_source() -> None:
    claimed = [kind for s in SOURCES.values() for kind in s.file_kinds]
    assert sorted(claimed) == sorted(FILE_KINDS)
    for kind in FILE_KINDS:
        source = by_file_kind(kind)
        assert source.accounts or source.inn_of is not None, f"{kind}: no way to tell the client"


@pytest.mark.parametrize(("name", "kind"), SAMPLES.items())
def test_a_parsed_export_has_exactly_its_raw_tables_columns(name: str, kind: str) -> None:
    result = parse_file((FIXTURES / name).read_bytes(), name)
    assert result.kind == kind and result.rows
    table = by_file_kind(kind).raw_table
    set_by_the_loader = {"client_id", "account_id", "platform", "_origin", "_load_id", "_loaded_at"}
    expected = set(table.column_names) - set_by_the_loader
    for row in result.rows:
        assert set(row) == expected


def test_the_configuration_accepts_exactly_the_account_sources() -> None:
    for name in ACCOUNT_SOURCES:
        goals = {"goals": [1]} if SOURCES[name].lead_goals else {}
        account = Account.model_validate({"source": name, "id": "1", "via": "inbox", **goals})
        assert account.source == name and not account.pulled_via_api
    with pytest.raises(ValueError, match="is not allowed"):
        Account(source="bank_statement", id="1")


# Places that must read the registry instead of naming sources: the Python that loads and
# orchestrates, the dashboard, the reports, every dbt model past staging and the singular tests. (Staging
# models are per source by design; channel codes such as 'yandex_direct' live in staging and
# the channel seeds.)
_NAMES = "|".join(SOURCES)
_SOURCE_LITERAL = re.compile(rf"""(?<!SOURCES\[)["']({_NAMES})["':]""")
_OWNERS = {
    ROOT / "pipelines" / "load" / "sources.py",  # the registry itself
    ROOT / "pipelines" / "load" / "raw_schema.py",  # the raw tables (named after their source)
    ROOT / "pipelines" / "load" / "vendors.py",  # the clients, keyed by source for their transports
}


def _files_that_must_not_name_sources() -> list[Path]:
    python = [p for folder in ("pipelines", "dashboard", "reports") for p in (ROOT / folder).rglob("*.py")]
    dbt = ROOT / "dbt_project"
    sql = [
        *(dbt / "models" / "intermediate").glob("*.sql"),
        *(dbt / "models" / "marts").glob("*.sql"),
        *(dbt / "tests").glob("*.sql"),
    ]
    return sorted(p for p in [*python, *sql] if p not in _OWNERS)


def test_nothing_but_the_registry_names_a_source() -> None:
    offenders = []
    for path in _files_that_must_not_name_sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0] if path.suffix == ".py" else line.split("--", 1)[0]
            if _SOURCE_LITERAL.search(code):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
