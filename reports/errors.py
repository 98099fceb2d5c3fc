"""The errors the reports raise, under one base class the command line and the dashboard catch.

::

    ReportError
    ├── ReportConfigError      the agency configuration is missing or wrong
    ├── ServingNotFoundError   no serving file has been published (also a FileNotFoundError)
    ├── UnknownClientError     a client id the serving file does not know
    └── PeriodError            --period is not a month, a week or a range of days (also a ValueError)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["PeriodError", "ReportConfigError", "ReportError", "ServingNotFoundError", "UnknownClientError"]


class ReportError(Exception):
    """Something a person can fix kept a report from being built; the message says what."""


class ReportConfigError(ReportError):
    """The agency configuration is missing or wrong (its problems are in the message)."""


class ServingNotFoundError(ReportError, FileNotFoundError):
    """No serving file at the path: nothing has been published yet."""

    def __init__(self, path: Path | str) -> None:
        what = f"no serving file at {path}" if isinstance(path, Path) else f"nothing published in the {path}"
        super().__init__(f"{what}: publish one first (make refresh, or make demo)")
        self.path = path


class UnknownClientError(ReportError, KeyError):
    """The serving file has no client with this id."""

    def __init__(self, client_id: str, known: Iterable[str] = ()) -> None:
        names = ", ".join(sorted(known))
        hint = f" (known: {names})" if names else ""
        super().__init__(f"unknown client {client_id!r}: the serving file has no such client{hint}")
        self.client_id = client_id

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class PeriodError(ReportError, ValueError):
    """``--period`` is not a month, a week or a range of days; the message says what is accepted."""
