"""Fixtures for the dashboard tests: a serving DuckDB file written through the documented contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboard.serving_fixture import build_serving_db

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@pytest.fixture(scope="session")
def serving_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture serving file (built once per test session; the dashboard only reads it)."""
    return build_serving_db(tmp_path_factory.mktemp("serving") / "serving.duckdb")


@pytest.fixture
def serving_db(serving_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point ``AGENCY_SERVING_DB`` at the fixture file, with the viewer not locked."""
    monkeypatch.setenv("AGENCY_SERVING_DB", str(serving_file))
    monkeypatch.delenv("AGENCY_DASHBOARD_MANAGER", raising=False)
    yield serving_file
