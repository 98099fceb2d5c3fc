"""tests/conftest.py hides a developer's environment and ``.env`` from every test."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import dotenv
import pytest

CONFTEST = Path(__file__).with_name("conftest.py")
DEVELOPER_ENV = (
    "AGENCY_CONFIG=/developer/agency.yaml\nAGENCY_DATA_DIR=/developer/data\nDAGSTER_HOME=/developer\n"
)


def _settings_module() -> ModuleType:
    """The module with ``Settings.from_env``."""
    return importlib.import_module("pipelines.load.settings")


def test_no_agency_variable_or_dagster_home_is_visible() -> None:
    # AGENCY_AUTH=off is the tests' own setting (tests/conftest.py), not a developer's
    assert os.environ.get("AGENCY_AUTH") == "off"
    assert [
        n for n in os.environ if (n.startswith("AGENCY_") and n != "AGENCY_AUTH") or n == "DAGSTER_HOME"
    ] == []


def test_load_dotenv_reads_nothing(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(DEVELOPER_ENV)
    assert dotenv.load_dotenv(env_file) is False
    assert dotenv.main.load_dotenv(env_file) is False
    assert "AGENCY_CONFIG" not in os.environ and "DAGSTER_HOME" not in os.environ


def test_settings_ignore_a_dotenv_in_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(DEVELOPER_ENV)
    module = _settings_module()
    monkeypatch.setattr(module, "REPO_ROOT", tmp_path)
    settings = module.Settings.from_env(dotenv=True)
    assert settings.config_path == tmp_path / "config" / "agency.yaml"
    assert settings.data_dir == tmp_path / "data"
    assert "AGENCY_CONFIG" not in os.environ


def test_variables_written_by_the_code_under_test_do_not_reach_the_next_test() -> None:
    os.environ["AGENCY_LEAKED_BY_A_TEST"] = "1"  # as pipelines code does with AGENCY_BUILD_DB


def test_the_leftover_is_gone() -> None:
    assert "AGENCY_LEAKED_BY_A_TEST" not in os.environ


INNER_TEST = """
import os

import dotenv
from dotenv import load_dotenv


def test_developer_settings_are_hidden():
    assert [n for n in os.environ if n.startswith("AGENCY_") or n == "DAGSTER_HOME"] == ["AGENCY_AUTH"]
    assert os.environ["AGENCY_AUTH"] == "off"  # the tests' own setting, not the developer's
    assert load_dotenv(".env") is False and dotenv.load_dotenv() is False
    assert "AGENCY_CONFIG" not in os.environ
    assert "TELEGRAM_BOT_TOKEN" not in os.environ  # a developer's own bot never gets a test's messages
"""


def test_a_developer_shell_and_dotenv_do_not_reach_the_tests(tmp_path: Path) -> None:
    """A pytest run started from a shell that exports AGENCY_*, DAGSTER_HOME and a bot token, in a folder with
    a ``.env``: the tests see none of it, from collection on."""
    (tmp_path / "conftest.py").write_text(CONFTEST.read_text())
    (tmp_path / "test_inner.py").write_text(INNER_TEST)
    (tmp_path / ".env").write_text(DEVELOPER_ENV)
    env = {
        **os.environ,
        "AGENCY_CONFIG": "/developer/agency.yaml",
        "AGENCY_SERVING_DB": "/developer/serving.duckdb",
        "AGENCY_AUTH": "oidc",
        "DAGSTER_HOME": "/developer",
        "TELEGRAM_BOT_TOKEN": "123456789:AA-developers-own-bot",
    }
    env.pop("PYTHON_DOTENV_DISABLED")  # as in a developer's shell
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_inner.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
