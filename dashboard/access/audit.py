"""The audit log: who signed in (or failed to, or was locked out), who signed out, which client
links were made, opened, refused and revoked, which reports were downloaded, which users were
added and disabled; with who and when (UTC) and a small JSON detail.

It is a table of the access store (:mod:`dashboard.access._db`) that triggers keep append-only:
an UPDATE or DELETE is refused by SQLite itself, whoever runs it. Secrets never go in: no
password, no session token, no link token, no hash of either. A detail whose key names a secret
(``token``, ``password``...) is refused before it is written, so a careless caller fails loudly
rather than leaks. A login that does not exist is not written either (people type their
password into the login field): the row says only that the login was unknown.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from dashboard.access._db import Database, to_text

__all__ = ["EVENTS", "Audit", "AuditEvent"]

SIGN_IN: Final = "sign_in"
SIGN_IN_FAILED: Final = "sign_in_failed"
LOCKED_OUT: Final = "locked_out"
SIGN_OUT: Final = "sign_out"
LINK_CREATED: Final = "link_created"
LINK_USED: Final = "link_used"
LINK_REFUSED: Final = "link_refused"
LINK_REVOKED: Final = "link_revoked"
REPORT_DOWNLOADED: Final = "report_downloaded"
USER_ADDED: Final = "user_added"
USER_DISABLED: Final = "user_disabled"
USER_ENABLED: Final = "user_enabled"
PASSWORD_CHANGED: Final = "password_changed"

EVENTS: Final = frozenset(
    {
        SIGN_IN,
        SIGN_IN_FAILED,
        LOCKED_OUT,
        SIGN_OUT,
        LINK_CREATED,
        LINK_USED,
        LINK_REFUSED,
        LINK_REVOKED,
        REPORT_DOWNLOADED,
        USER_ADDED,
        USER_DISABLED,
        USER_ENABLED,
        PASSWORD_CHANGED,
    }
)

_SECRET_KEY = re.compile(r"(token|password|passwd|secret|hash|cookie)", re.I)


@dataclass(frozen=True)
class AuditEvent:
    """One row of the audit log."""

    id: int
    at: dt.datetime
    """When, in UTC."""
    event: str
    who: str
    """A login, ``link:<id>`` for a client link, or ``user@host`` for the command line."""
    detail: Mapping[str, Any]


def _detail_json(detail: Mapping[str, Any] | None) -> str:
    detail = dict(detail or {})
    secret = sorted(key for key in detail if _SECRET_KEY.search(str(key)))
    if secret:
        raise ValueError(f"the audit log never holds secrets: detail keys {secret} refused")
    return json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)


class Audit:
    """The audit log of the store ``db``; ``clock`` gives the time (tests)."""

    def __init__(self, db: Database, clock: Callable[[], dt.datetime]) -> None:
        self._db = db
        self._clock = clock

    def record(
        self,
        event: str,
        who: str,
        detail: Mapping[str, Any] | None = None,
        *,
        connection: sqlite3.Connection | None = None,
    ) -> None:
        """Append one event (inside ``connection``'s transaction when given)."""
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r} (one of {', '.join(sorted(EVENTS))})")
        row = (to_text(self._clock()), event, who, _detail_json(detail))
        sql = "INSERT INTO audit (at, event, who, detail) VALUES (?, ?, ?, ?)"
        if connection is not None:
            connection.execute(sql, row)
            return
        with self._db.connect() as own:
            own.execute(sql, row)

    def recent(self, limit: int = 50, *, event: str | None = None) -> list[AuditEvent]:
        """The latest ``limit`` events, newest first (optionally of one kind)."""
        sql = "SELECT * FROM audit WHERE (:event IS NULL OR event = :event) ORDER BY id DESC LIMIT :limit"
        with self._db.connect() as connection:
            rows = connection.execute(sql, {"event": event, "limit": max(0, limit)}).fetchall()
        return [
            AuditEvent(
                id=int(row["id"]),
                at=dt.datetime.fromisoformat(row["at"]),
                event=row["event"],
                who=row["who"],
                detail=json.loads(row["detail"]),
            )
            for row in rows
        ]
