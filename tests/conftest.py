"""Tests never see a developer's settings.

A developer's shell may export ``AGENCY_*`` variables (their own config, data folder, serving
file, dashboard lock, SMTP password), ``DAGSTER_HOME`` or their bot's ``TELEGRAM_BOT_TOKEN``,
and their checkout may hold a ``.env`` that the pipeline's settings load. None of that may
change what a test does, so:

- before anything is collected (``pytest_configure``, so before any project module is imported)
  every ``AGENCY_*`` variable, ``DAGSTER_HOME`` and ``TELEGRAM_BOT_TOKEN`` are removed for the
  whole session, and ``.env`` loading is switched off: ``PYTHON_DOTENV_DISABLED=1`` (honoured
  by python-dotenv >= 1.1, and inherited by the subprocesses tests start) and, for any
  python-dotenv, ``dotenv.load_dotenv`` replaced by a no-op at its source, so ``from dotenv
  import load_dotenv`` done later (in whichever module of ``pipelines`` does it) binds the no-op;
- around every test (:func:`_no_developer_settings`) the same again with ``monkeypatch``, and
  ``AGENCY_*`` variables the code under test wrote straight into ``os.environ`` are removed
  afterwards, so one test's leftovers never reach the next.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from typing import IO, Any

import dotenv
import dotenv.main
import pytest

pytest_plugins = ["tests.postgres_demo"]  # the demo refreshed into PostgreSQL, once per session

HIDDEN_PREFIX = "AGENCY_"
HIDDEN_NAMES = frozenset({"DAGSTER_HOME", "TELEGRAM_BOT_TOKEN"})
OUR_PACKAGES = frozenset(
    {"connectors", "pipelines", "dashboard", "demo_agency", "reports", "delivery", "alerts", "scripts"}
)

_original_load_dotenv = dotenv.main.load_dotenv
_session = pytest.MonkeyPatch()


def developer_settings() -> list[str]:
    """The environment variables a developer's setup could leak into a test."""
    return sorted(name for name in os.environ if name.startswith(HIDDEN_PREFIX) or name in HIDDEN_NAMES)


def _no_load_dotenv(
    dotenv_path: str | os.PathLike[str] | None = None, stream: IO[str] | None = None, **kwargs: Any
) -> bool:
    """``dotenv.load_dotenv`` during tests: reads nothing, sets nothing (like python-dotenv's
    own answer when ``PYTHON_DOTENV_DISABLED`` is set)."""
    return False


def _hide(mp: pytest.MonkeyPatch) -> None:
    for name in developer_settings():
        mp.delenv(name)
    mp.setenv("PYTHON_DOTENV_DISABLED", "1")
    mp.setattr(dotenv.main, "load_dotenv", _no_load_dotenv)
    mp.setattr(dotenv, "load_dotenv", _no_load_dotenv)
    # our modules that imported the real function before it was replaced (none should, but an
    # early import could), wherever they live now
    for name, module in list(sys.modules.items()):
        ours = name.partition(".")[0] in OUR_PACKAGES
        if ours and getattr(module, "__dict__", {}).get("load_dotenv") is _original_load_dotenv:
            mp.setattr(module, "load_dotenv", _no_load_dotenv)


def pytest_configure(config: pytest.Config) -> None:
    _hide(_session)


def pytest_unconfigure(config: pytest.Config) -> None:
    _session.undo()


@pytest.fixture(autouse=True)
def _no_developer_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    before = set(developer_settings())
    _hide(monkeypatch)
    # The dashboard asks for a sign-in by default; tests of its pages run with sign-in off, and
    # the sign-in, role and link tests (tests/dashboard/test_access_*.py) switch it back on.
    monkeypatch.setenv("AGENCY_AUTH", "off")
    yield
    # written straight into os.environ by the code under test (monkeypatch cannot undo those)
    for name in developer_settings():
        if name not in before:
            del os.environ[name]


DEMO_TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def published_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any]:
    """The demo agency through the production refresh (its fake vendor APIs and inbox files ->
    raw -> dbt build -> publish) as of 23.11.2026, built once per session: ``(settings, ground
    truth, agency)``. Six clients and seven months, the smallest demo with a churned client, a
    new one and a late payer. Shared by the end-to-end tests and the head's page tests, which
    only read it (a test that breaks it works on a copy; a rerun republishes the same marts)."""
    from demo_agency import ground_truth, simulate, write_demo
    from demo_agency.pipeline import vendor_apis_for
    from pipelines.defs.runner import run_refresh
    from pipelines.load.config import load_config
    from pipelines.load.settings import Settings
    from pipelines.load.windows import full_range

    root = tmp_path_factory.mktemp("e2e")
    agency = simulate(DEMO_TODAY, seed=11, months=7, n_clients=6)
    written = write_demo(agency, root)
    settings = Settings.for_directory(root, written.config_path, as_of=DEMO_TODAY)
    pull_range = full_range(load_config(written.config_path), DEMO_TODAY)
    outcome = run_refresh(settings, pull_range, vendor_apis=vendor_apis_for(settings))
    assert outcome.success and not outcome.failed_pulls
    return settings, ground_truth(agency), agency


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """A throwaway PostgreSQL server on 127.0.0.1 for the whole session (tests/postgres.py);
    fails, never skips, when the server programs are not installed."""
    from tests.postgres import running_postgres

    with running_postgres() as server:
        yield server
