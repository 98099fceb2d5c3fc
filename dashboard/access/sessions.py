"""Server-side sessions: what a signed-in browser holds is a random token
(``secrets.token_urlsafe(32)``, 256 bits); the store keeps only its SHA-256, so a copy of the
file opens no session.

A session ends when it has not been used for ``Policy.session_idle``, ``Policy.session_absolute``
after sign-in however busy, at sign-out, and when its user is disabled or their password changed.
A fast hash (SHA-256) is right for the token, unlike for a password: the token is random and long,
so there is nothing to guess.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from dashboard.access._db import Database, from_text, to_text
from dashboard.access.errors import SessionExpiredError, SessionInvalidError
from dashboard.access.users import Policy, User, Users

__all__ = ["Session", "Sessions", "token_digest"]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    """A session just opened. ``token`` goes to the browser (a cookie or the app's state) and is
    kept nowhere else."""

    token: str
    user: User
    expires_at: dt.datetime
    """The absolute end; it ends earlier when idle."""

    def __repr__(self) -> str:  # the token never in a log line or a traceback
        return f"Session(user={self.user.login!r}, expires_at={self.expires_at.isoformat()!r})"


class Sessions:
    def __init__(
        self, db: Database, users: Users, *, policy: Policy, clock: Callable[[], dt.datetime]
    ) -> None:
        self._db = db
        self._users = users
        self._policy = policy
        self._clock = clock

    def open(self, user: User, connection: sqlite3.Connection) -> Session:
        """A new session of ``user`` (inside the sign-in's transaction)."""
        now = self._clock()
        token = secrets.token_urlsafe(32)
        expires = now + self._policy.session_absolute
        connection.execute(
            "INSERT INTO sessions (token_sha256, user_id, created_at, last_seen_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (token_digest(token), user.id, to_text(now), to_text(now), to_text(expires)),
        )
        return Session(token=token, user=user, expires_at=expires)

    def user(self, token: str) -> User:
        """The user of the session ``token`` (and the session marked as used now).

        SessionExpiredError when it ran out (idle or absolute); SessionInvalidError when there is
        no such session, it was signed out, or its user is disabled."""
        now = self._clock()
        with self._db.transaction() as connection:
            row = connection.execute(
                "SELECT * FROM sessions WHERE token_sha256 = ?", (token_digest(token),)
            ).fetchone()
            if row is None or row["revoked_at"] is not None:
                raise SessionInvalidError()
            expires = from_text(row["expires_at"])
            last_seen = from_text(row["last_seen_at"])
            assert expires is not None and last_seen is not None
            if now >= expires or now - last_seen >= self._policy.session_idle:
                raise SessionExpiredError()
            user = self._users.get_by_id(int(row["user_id"]), connection)
            if user is None or user.disabled:
                raise SessionInvalidError()
            connection.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", (to_text(now), row["id"]))
        return user

    def close(self, token: str, connection: sqlite3.Connection) -> User | None:
        """End the session ``token``; its user, or None when there was no open session."""
        row = connection.execute(
            "SELECT * FROM sessions WHERE token_sha256 = ? AND revoked_at IS NULL", (token_digest(token),)
        ).fetchone()
        if row is None:
            return None
        connection.execute(
            "UPDATE sessions SET revoked_at = ? WHERE id = ?", (to_text(self._clock()), row["id"])
        )
        return self._users.get_by_id(int(row["user_id"]), connection)
