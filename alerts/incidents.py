"""Incidents: one per problem while it lasts, so that people are told once when it starts and once
when it is over, not on every run.

A :class:`Problem` is what one check finds (an account whose last pull failed, a stale account, a
held report, a failed run), named by a stable ``key`` (``account_failed:yandex_direct:alfa-direct``).
:meth:`IncidentLog.reconcile` compares a check's problems with the open incidents of the kinds
the check looked at: a new key opens an incident, a known one is only seen again, an open one
the check no longer finds is resolved. :meth:`IncidentLog.to_announce` then lists what nobody
has been told yet (opened, and resolved after being announced); the sender marks what went, so
a failed or quiet-hours send is tried again by the next check. An incident that opens and clears
between two announcements is never announced.

A small SQLite file of its own (``<data>/alerts/incidents.sqlite3``), like the send log: written
by whoever checks (the Dagster job, the command line), never the warehouse.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["Change", "Incident", "IncidentLog", "Problem"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
    id               INTEGER PRIMARY KEY,
    key              TEXT NOT NULL,
    kind             TEXT NOT NULL,
    client           TEXT,
    detail           TEXT NOT NULL,
    opened_at        TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    resolved_at      TEXT,
    open_sent_at     TEXT,
    resolved_sent_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS incidents_open_once ON incidents (key) WHERE resolved_at IS NULL;
"""


@dataclass(frozen=True)
class Problem:
    """Something wrong now. ``kind`` is a code (``account_failed``, ``account_stale``,
    ``report_held``, ``run_failed``); ``detail`` holds codes and figures, never prose."""

    kind: str
    key: str
    client: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Incident:
    id: int
    key: str
    kind: str
    client: str | None
    detail: Mapping[str, Any]
    opened_at: dt.datetime
    last_seen_at: dt.datetime
    resolved_at: dt.datetime | None


Change = tuple[Literal["opened", "resolved"], Incident]


def _time(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def _incident(row: sqlite3.Row) -> Incident:
    return Incident(
        id=int(row["id"]),
        key=row["key"],
        kind=row["kind"],
        client=row["client"],
        detail=json.loads(row["detail"]),
        opened_at=dt.datetime.fromisoformat(row["opened_at"]),
        last_seen_at=dt.datetime.fromisoformat(row["last_seen_at"]),
        resolved_at=_time(row["resolved_at"]),
    )


class IncidentLog:
    """The incidents at ``path`` (created on first use); ``clock`` gives the time (UTC)."""

    def __init__(
        self, path: Path, *, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    ) -> None:
        self.path = Path(path)
        self._clock = clock

    def __repr__(self) -> str:
        return f"IncidentLog({str(self.path)!r})"

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.strip().split(";"):
                if statement.strip():
                    connection.execute(statement)
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        finally:
            connection.close()

    def reconcile(self, problems: Sequence[Problem], kinds: Collection[str]) -> list[Change]:
        """Open an incident per new problem, see the known ones again, resolve the open incidents
        in scope that ``problems`` no longer has: those whose kind, or key, is in ``kinds`` (a
        check of one job's runs resolves that job's failure only). Returns what opened and what
        resolved."""
        now = self._clock().astimezone(dt.UTC).isoformat()
        changes: list[Change] = []
        found = {p.key: p for p in problems}
        with self._connect() as db:
            open_rows = {
                row["key"]: row for row in db.execute("SELECT * FROM incidents WHERE resolved_at IS NULL")
            }
            for key, problem in found.items():
                detail = json.dumps(dict(problem.detail), ensure_ascii=False, sort_keys=True, default=str)
                if key in open_rows:
                    db.execute(
                        "UPDATE incidents SET last_seen_at = ?, detail = ? WHERE id = ?",
                        (now, detail, open_rows[key]["id"]),
                    )
                    continue
                cursor = db.execute(
                    "INSERT INTO incidents (key, kind, client, detail, opened_at, last_seen_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (key, problem.kind, problem.client, detail, now, now),
                )
                row = db.execute("SELECT * FROM incidents WHERE id = ?", (cursor.lastrowid,)).fetchone()
                changes.append(("opened", _incident(row)))
            for key, row in open_rows.items():
                if key in found or (row["kind"] not in kinds and key not in kinds):
                    continue
                db.execute("UPDATE incidents SET resolved_at = ? WHERE id = ?", (now, row["id"]))
                resolved = db.execute("SELECT * FROM incidents WHERE id = ?", (row["id"],)).fetchone()
                changes.append(("resolved", _incident(resolved)))
        return changes

    def to_announce(self) -> list[Change]:
        """What nobody has been told yet, oldest first: incidents opened (and still open), and
        incidents resolved after their opening was announced."""
        with self._connect() as db:
            opened = db.execute(
                "SELECT * FROM incidents WHERE open_sent_at IS NULL AND resolved_at IS NULL ORDER BY id"
            ).fetchall()
            resolved = db.execute(
                "SELECT * FROM incidents WHERE resolved_at IS NOT NULL AND open_sent_at IS NOT NULL "
                "AND resolved_sent_at IS NULL ORDER BY id"
            ).fetchall()
        return [("opened", _incident(r)) for r in opened] + [("resolved", _incident(r)) for r in resolved]

    def announced(self, change: Change) -> None:
        """Record that ``change`` was announced (to at least one recipient)."""
        what, incident = change
        column = "open_sent_at" if what == "opened" else "resolved_sent_at"
        with self._connect() as db:
            db.execute(
                f"UPDATE incidents SET {column} = ? WHERE id = ?",  # noqa: S608 - one of two names
                (self._clock().astimezone(dt.UTC).isoformat(), incident.id),
            )

    def open(self) -> list[Incident]:
        """The open incidents, oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM incidents WHERE resolved_at IS NULL ORDER BY id").fetchall()
        return [_incident(r) for r in rows]
