"""Where the access library's files and settings are, from environment variables.

| variable             | default (relative to the repository root)       |
|----------------------|-------------------------------------------------|
| AGENCY_USERS         | <AGENCY_DATA_DIR or data>/access/users.sqlite3  |
| AGENCY_CONFIG        | config/agency.yaml (the client directory)       |
| AGENCY_DASHBOARD_URL | http://localhost:8501 (the links' base URL)     |
| AGENCY_LINK_SECRET   | none: links are refused without it              |

The same rules as :class:`pipelines.load.settings.Settings` (``users_db``, ``config_path``),
resolved here because the dashboard does not import ``pipelines`` (``tests/test_layers.py``); a
test keeps the two equal. ``.env`` is read by the command line (:mod:`dashboard.access.cli`), not
here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

__all__ = ["DEFAULT_DASHBOARD_URL", "REPO_ROOT", "config_path", "dashboard_url", "users_path"]

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_DASHBOARD_URL: Final = "http://localhost:8501"


def _path(value: str | None, default: Path) -> Path:
    text = (value or "").strip()
    if not text:
        return default
    path = Path(text).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def users_path() -> Path:
    """The access store's file: ``$AGENCY_USERS``, else ``<data>/access/users.sqlite3``."""
    data_dir = _path(os.environ.get("AGENCY_DATA_DIR"), REPO_ROOT / "data")
    return _path(os.environ.get("AGENCY_USERS"), data_dir / "access" / "users.sqlite3")


def config_path() -> Path:
    """The agency configuration (``$AGENCY_CONFIG``, else ``config/agency.yaml``)."""
    return _path(os.environ.get("AGENCY_CONFIG"), REPO_ROOT / "config" / "agency.yaml")


def dashboard_url() -> str:
    """The dashboard's address as clients reach it: links start with it."""
    return os.environ.get("AGENCY_DASHBOARD_URL", "").strip() or DEFAULT_DASHBOARD_URL
