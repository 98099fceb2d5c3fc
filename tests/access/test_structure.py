"""The access library is plain Python and finds its files where the pipeline's settings say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.access.directory import DirectoryError, read_directory
from dashboard.access.paths import config_path, users_path
from pipelines.load.config import load_config
from pipelines.load.settings import REPO_ROOT, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_importing_it_loads_neither_streamlit_nor_dagster_nor_duckdb() -> None:
    probe = (
        "import sys, dashboard.access, dashboard.access.cli; "
        "print(sorted(m for m in ('streamlit', 'dagster', 'duckdb', 'pipelines') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"AGENCY_DATA_DIR": "/srv/agency"},
        {"AGENCY_DATA_DIR": "relative/data"},
        {"AGENCY_DATA_DIR": "/srv/agency", "AGENCY_USERS": "/etc/agency/users.db"},
        {"AGENCY_USERS": "var/users.db"},
        {"AGENCY_CONFIG": "/srv/agency.yaml"},
    ],
)
def test_the_paths_are_the_settings_paths(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env(dotenv=False)
    assert users_path() == settings.users_db
    assert config_path() == settings.config_path


def test_the_default_store_is_under_the_data_folder() -> None:
    assert Settings.from_env(dotenv=False).users_db == REPO_ROOT / "data" / "access" / "users.sqlite3"


def test_the_directory_is_the_configurations() -> None:
    path = ROOT / "config" / "agency.example.yaml"
    config = load_config(path)
    directory = read_directory(path)
    assert directory.managers == {m.id for m in config.managers}
    assert dict(directory.clients) == {c.id: c.manager for c in config.clients}
    assert directory.clients  # the example is not empty


@pytest.mark.parametrize("text", ["clients: [1, 2]", "clients:\n  - {id: a}\n", "key: [unclosed"])
def test_an_unreadable_directory_says_where(tmp_path: Path, text: str) -> None:
    path = tmp_path / "agency.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError, match=str(path)):
        read_directory(path)
