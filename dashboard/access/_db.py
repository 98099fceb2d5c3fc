"""The access store's SQLite file: its schema and how it is opened.

One file (``AGENCY_USERS``, default ``<data>/access/users.sqlite3``) holds four tables: the users,
their sessions, the client links and the audit log. SQLite for the same reasons as the send log
(``delivery.send_log``, decision 22): several processes share it (the dashboard's server, the
command line), it waits for a lock instead of failing, readers pass while one writes (WAL), and
it is in the standard library. The audit table is append-only: triggers refuse UPDATE and DELETE.

Secrets are never columns here: passwords are argon2 hashes, sessions are kept by the SHA-256 of
their token, links by their id (the signed token is handed out once and not stored).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

__all__ = ["Database", "from_text", "to_text"]

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id               INTEGER PRIMARY KEY,
    login            TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('head', 'manager', 'specialist', 'client')),
    manager_id       TEXT,
    clients          TEXT NOT NULL DEFAULT '[]',
    can_see_contacts INTEGER NOT NULL DEFAULT 0 CHECK (can_see_contacts IN (0, 1)),
    disabled         INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    password_hash    TEXT NOT NULL,
    failed_count     INTEGER NOT NULL DEFAULT 0,
    locked_until     TEXT,
    created_at       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id           INTEGER PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS links (
    id          TEXT PRIMARY KEY,
    client      TEXT NOT NULL,
    period      TEXT,
    money       INTEGER NOT NULL CHECK (money IN (0, 1)),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    event  TEXT NOT NULL,
    who    TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def to_text(moment: dt.datetime) -> str:
    """A moment as stored: ISO 8601 in UTC."""
    if moment.tzinfo is None:
        raise ValueError("times in the access store are timezone-aware")
    return moment.astimezone(dt.UTC).isoformat()


def from_text(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


class Database:
    """The store's file at ``path``, created on first use with its folder (mode 0700: it holds
    password hashes). ``busy_timeout``: seconds to wait for another writer."""

    def __init__(self, path: Path, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._ready = False

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode; use :meth:`transaction` to group writes."""
        if not self.path.exists():
            self._create_file()
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            if not self._ready:
                self._create(connection)
            yield connection
        finally:
            connection.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection holding the write lock (``BEGIN IMMEDIATE``): committed when the block
        ends normally, rolled back on an exception."""
        with self.connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def _create(self, connection: sqlite3.Connection) -> None:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        if version > _SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.path} was written by a newer version (schema {version}): update this one"
            )
        if version < _SCHEMA_VERSION:
            connection.execute("BEGIN IMMEDIATE")
            for statement in _statements(_SCHEMA):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
            connection.execute("COMMIT")
        self._ready = True

    def _create_file(self) -> None:
        """The empty file (a valid SQLite database) made readable by its owner only, before
        SQLite opens it: its WAL and journal files take the same mode."""
        if not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                self.path.parent.chmod(0o700)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _statements(script: str) -> list[str]:
    """The schema's statements one by one (``executescript`` would commit the transaction)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return [s for s in statements if s]
