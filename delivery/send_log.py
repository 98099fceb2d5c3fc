"""The send log: an append-only record of every report sent (or that failed), so that the same
report never goes to the same recipient twice.

A report is identified by a :class:`SendKey`: the client, the period (``2026-10``, ``2026-W44``,
``2026-10-01:2026-10-31``), the set of formats (``pdf,xlsx``) and the recipient
(``email:a@b.ru``, ``telegram:-100123``). Each row adds what was sent (file names and SHA-256),
the subject, who sent it (a user, a Dagster run) and when (UTC); a failed attempt is a row too,
with its reason. At most one ``sent`` row per key: a unique index says so, and triggers refuse
UPDATE and DELETE.

A deliberate correction (``python -m reports send --resend "why"``) is a new *revision* for a
recipient who already has the report: each row carries the report's content digest (what it says
about the period, :func:`reports.content.content_digest`), and a correction goes only to a
recipient whose last copy says something else, as revision ``last + 1`` with the reason. So a
correction run twice sends once, and a report is never sent twice with the same content.

The same file keeps the managers' approvals (``approvals``, append-only too): for clients whose
reports are reviewed first, an approval names the exact content approved (its digest), so a report
whose figures changed after the approval waits for a new one.

It is a small SQLite file of its own (``<data>/delivery/send_log.sqlite3``), never the build or
serving database. :meth:`SendLog.exclusive` holds the file's write lock (``BEGIN IMMEDIATE``) while
one recipient is checked, sent to and recorded, so two processes sending the same batch never
both send: the second waits (``busy_timeout``), then finds the report sent. The lock goes with a
process that dies; readers are never blocked (WAL).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import socket
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipelines.load.config import Recipient

__all__ = ["AlreadySentError", "Approval", "SendKey", "SendLog", "SendRecord", "default_who"]

Status = Literal["sent", "failed"]

_SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id        INTEGER PRIMARY KEY,
    client    TEXT NOT NULL,
    period    TEXT NOT NULL,
    formats   TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status    TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
    files     TEXT NOT NULL,
    subject   TEXT NOT NULL,
    reason    TEXT,
    who       TEXT NOT NULL,
    at        TEXT NOT NULL,
    revision  INTEGER NOT NULL DEFAULT 0,
    digest    TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS deliveries_sent_once_per_revision
    ON deliveries (client, period, formats, recipient, revision) WHERE status = 'sent';
CREATE INDEX IF NOT EXISTS deliveries_by_report ON deliveries (client, period);
CREATE TRIGGER IF NOT EXISTS deliveries_no_update BEFORE UPDATE ON deliveries
BEGIN SELECT RAISE(ABORT, 'the send log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS deliveries_no_delete BEFORE DELETE ON deliveries
BEGIN SELECT RAISE(ABORT, 'the send log is append-only'); END;
CREATE TABLE IF NOT EXISTS approvals (
    id        INTEGER PRIMARY KEY,
    client    TEXT NOT NULL,
    period    TEXT NOT NULL,
    formats   TEXT NOT NULL,
    digest    TEXT NOT NULL,
    who       TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approvals_by_report ON approvals (client, period);
CREATE TRIGGER IF NOT EXISTS approvals_no_update BEFORE UPDATE ON approvals
BEGIN SELECT RAISE(ABORT, 'the approvals are append-only'); END;
CREATE TRIGGER IF NOT EXISTS approvals_no_delete BEFORE DELETE ON approvals
BEGIN SELECT RAISE(ABORT, 'the approvals are append-only'); END;
"""
_UPGRADES: dict[int, str] = {
    # 1 -> 2: revisions and content digests (corrections), one sent row per revision
    1: """
ALTER TABLE deliveries ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN digest TEXT;
DROP INDEX IF EXISTS deliveries_sent_once;
""",
}


def default_who() -> str:
    """``user@host (pid N)``: who is sending, when the caller names nobody."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} (pid {os.getpid()})"


@dataclass(frozen=True)
class SendKey:
    """One report to one recipient: what "the same report" means."""

    client: str
    period: str
    formats: str
    """The format set, normalised: lower case, sorted, comma-separated (``pdf,xlsx``)."""
    recipient: str
    """:attr:`Recipient.key <pipelines.load.config.Recipient.key>` (``email:a@b.ru``)."""
    revision: int = 0
    """0 for the report as first sent; 1, 2, ... for each correction sent to this recipient."""

    @classmethod
    def of(
        cls, client: str, period: str, formats: Iterable[str], recipient: Recipient | str, revision: int = 0
    ) -> SendKey:
        if revision < 0:
            raise ValueError(f"a revision is 0 or more, not {revision}")
        client, period = _report(client, period)
        return cls(client, period, normalise_formats(formats), _recipient_key(recipient), revision)

    def revised(self, revision: int) -> SendKey:
        """The same report to the same recipient, as revision ``revision``."""
        return SendKey.of(self.client, self.period, self.formats.split(","), self.recipient, revision)


def normalise_formats(formats: Iterable[str]) -> str:
    """``pdf,xlsx``: a format set as the log writes it (lower case, sorted, comma-separated)."""
    return ",".join(sorted({f.strip().lower() for f in formats if f.strip()}))


def _recipient_key(recipient: Recipient | str) -> str:
    who = recipient.key if isinstance(recipient, Recipient) else recipient.strip()
    if ":" not in who:
        raise ValueError(f"{recipient!r} is not a recipient key like email:a@b.ru")
    return who


def _report(client: str, period: str) -> tuple[str, str]:
    if not client.strip() or not period.strip():
        raise ValueError("a send key needs a client and a period")
    return client.strip(), period.strip()


@dataclass(frozen=True)
class SendRecord:
    """One row of the log."""

    key: SendKey
    status: Status
    files: tuple[tuple[str, str], ...]
    """(file name, SHA-256) of each file sent."""
    subject: str
    reason: str | None
    who: str
    at: dt.datetime
    """When, in UTC."""
    digest: str | None = None
    """What the report said (:func:`reports.content.content_digest`); None in rows of an older log."""

    @property
    def revision(self) -> int:
        return self.key.revision


@dataclass(frozen=True)
class Approval:
    """A manager's approval of one report's content (its digest) for sending."""

    client: str
    period: str
    formats: str
    digest: str
    who: str
    at: dt.datetime
    """When, in UTC."""


class AlreadySentError(Exception):
    """The report already went to this recipient (``record`` says when, by whom, which file)."""

    def __init__(self, record: SendRecord) -> None:
        self.record = record
        revision = f" revision {record.revision}" if record.revision else ""
        super().__init__(
            f"{record.key.client} {record.key.period} ({record.key.formats}){revision} already went to "
            f"{record.key.recipient} at {record.at:%Y-%m-%d %H:%M} UTC ({record.who})"
        )


def _row(row: sqlite3.Row) -> SendRecord:
    files = tuple((str(name), str(digest)) for name, digest in json.loads(row["files"]))
    return SendRecord(
        key=SendKey(row["client"], row["period"], row["formats"], row["recipient"], int(row["revision"])),
        status="sent" if row["status"] == "sent" else "failed",
        files=files,
        subject=row["subject"],
        reason=row["reason"],
        who=row["who"],
        at=dt.datetime.fromisoformat(row["at"]),
        digest=row["digest"],
    )


def _approval(row: sqlite3.Row) -> Approval:
    return Approval(
        client=row["client"],
        period=row["period"],
        formats=row["formats"],
        digest=row["digest"],
        who=row["who"],
        at=dt.datetime.fromisoformat(row["at"]),
    )


class _Session:
    """The log through one open connection (inside :meth:`SendLog.exclusive`, one transaction)."""

    def __init__(self, connection: sqlite3.Connection, who: str, clock: Callable[[], dt.datetime]) -> None:
        self._db = connection
        self._who = who
        self._clock = clock

    def already_sent(self, key: SendKey) -> SendRecord | None:
        row = self._db.execute(
            "SELECT * FROM deliveries WHERE client = ? AND period = ? AND formats = ? AND recipient = ? "
            "AND revision = ? AND status = 'sent'",
            (key.client, key.period, key.formats, key.recipient, key.revision),
        ).fetchone()
        return None if row is None else _row(row)

    def last_sent(self, key: SendKey) -> SendRecord | None:
        row = self._db.execute(
            "SELECT * FROM deliveries WHERE client = ? AND period = ? AND formats = ? AND recipient = ? "
            "AND status = 'sent' ORDER BY revision DESC LIMIT 1",
            (key.client, key.period, key.formats, key.recipient),
        ).fetchone()
        return None if row is None else _row(row)

    def add(
        self,
        key: SendKey,
        status: Status,
        files: Sequence[tuple[str, str]],
        subject: str,
        reason: str | None,
        who: str | None,
        digest: str | None = None,
    ) -> SendRecord:
        record = SendRecord(
            key=key,
            status=status,
            files=tuple((str(n), str(d)) for n, d in files),
            subject=subject,
            reason=reason,
            who=who or self._who,
            at=self._clock().astimezone(dt.UTC),
            digest=digest,
        )
        try:
            self._db.execute(
                "INSERT INTO deliveries (client, period, formats, recipient, status, files, subject, "
                "reason, who, at, revision, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key.client,
                    key.period,
                    key.formats,
                    key.recipient,
                    status,
                    json.dumps([list(f) for f in record.files], ensure_ascii=False),
                    subject,
                    reason,
                    record.who,
                    record.at.isoformat(),
                    key.revision,
                    digest,
                ),
            )
        except sqlite3.IntegrityError:
            existing = self.already_sent(key)
            if existing is None:  # pragma: no cover - the only constraint is the sent-once index
                raise
            raise AlreadySentError(existing) from None
        return record


class Exclusive:
    """The send log while :meth:`SendLog.exclusive` holds its write lock; what is recorded here is
    committed when the block ends (with or without an exception: a report sent stays sent)."""

    def __init__(self, session: _Session) -> None:
        self._session = session

    def already_sent(self, key: SendKey) -> SendRecord | None:
        return self._session.already_sent(key)

    def last_sent(self, key: SendKey) -> SendRecord | None:
        """The highest revision of ``key``'s report sent to its recipient, or None."""
        return self._session.last_sent(key)

    def record(
        self,
        key: SendKey,
        files: Sequence[tuple[str, str]],
        *,
        subject: str = "",
        who: str | None = None,
        digest: str | None = None,
        note: str | None = None,
    ) -> SendRecord:
        """Record a sent report (``note``: why a correction was sent); AlreadySentError if this
        revision was sent before."""
        return self._session.add(key, "sent", files, subject, note, who, digest)

    def record_failure(
        self,
        key: SendKey,
        files: Sequence[tuple[str, str]],
        reason: str,
        *,
        subject: str = "",
        who: str | None = None,
        digest: str | None = None,
    ) -> SendRecord:
        """Record an attempt that failed, with its reason."""
        return self._session.add(key, "failed", files, subject, reason, who, digest)


class SendLog:
    """The send log at ``path`` (created on first use with its folder).

    ``who`` names the sender in every row unless a call names another (default
    :func:`default_who`); ``busy_timeout`` is how long (seconds) to wait for another process
    holding the lock; ``clock`` gives the time (tests).
    """

    def __init__(
        self,
        path: Path,
        *,
        who: str | None = None,
        busy_timeout: float = 900.0,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.path = Path(path)
        self.who = who or default_who()
        self.busy_timeout = busy_timeout
        self._clock = clock
        self._ready = False

    def __repr__(self) -> str:
        return f"SendLog({str(self.path)!r})"

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            if not self._ready and self._version(connection) != _SCHEMA_VERSION:
                connection.execute("BEGIN IMMEDIATE")  # create or upgrade it (or wait for whoever is)
                found = self._version(connection)
                has_table = connection.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'"
                ).fetchone()[0]
                for version in range(max(found, 1), _SCHEMA_VERSION) if has_table else ():
                    for statement in _statements(_UPGRADES[version]):
                        connection.execute(statement)
                for statement in _statements(_SCHEMA):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
                connection.execute("COMMIT")
            self._ready = True
            yield connection
        finally:
            connection.close()

    def _version(self, connection: sqlite3.Connection) -> int:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        if version > _SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.path} was written by a newer version (schema {version}): update this one"
            )
        return version

    def _session(self, connection: sqlite3.Connection) -> _Session:
        return _Session(connection, self.who, self._clock)

    def already_sent(self, key: SendKey) -> SendRecord | None:
        """The row of ``key`` sent, or None."""
        with self._connect() as connection:
            return self._session(connection).already_sent(key)

    def last_sent(self, key: SendKey) -> SendRecord | None:
        """The highest revision of ``key``'s report sent to its recipient, or None."""
        with self._connect() as connection:
            return self._session(connection).last_sent(key)

    def record(
        self,
        key: SendKey,
        files: Sequence[tuple[str, str]],
        *,
        subject: str = "",
        who: str | None = None,
        digest: str | None = None,
    ) -> SendRecord:
        """Record a sent report; AlreadySentError if the log has it sent already."""
        with self.exclusive() as log:
            return log.record(key, files, subject=subject, who=who, digest=digest)

    def record_failure(
        self,
        key: SendKey,
        files: Sequence[tuple[str, str]],
        reason: str,
        *,
        subject: str = "",
        who: str | None = None,
    ) -> SendRecord:
        """Record an attempt that failed, with its reason."""
        with self.exclusive() as log:
            return log.record_failure(key, files, reason, subject=subject, who=who)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[Exclusive]:
        """Hold the log's write lock for a check, a send and its record: no other process can
        record (or take the lock) meanwhile; it waits up to ``busy_timeout`` seconds
        (``sqlite3.OperationalError: database is locked`` after that)."""
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield Exclusive(self._session(connection))
            finally:
                if connection.in_transaction:
                    connection.execute("COMMIT")

    def history(self, *, client: str | None = None, period: str | None = None) -> list[SendRecord]:
        """Every row (sent and failed), oldest first, optionally of one client and/or period."""
        sql = (
            "SELECT * FROM deliveries WHERE (:client IS NULL OR client = :client) "
            "AND (:period IS NULL OR period = :period) ORDER BY id"
        )
        args = {"client": client, "period": period}
        with self._connect() as connection:
            return [_row(row) for row in connection.execute(sql, args).fetchall()]

    def approve(
        self, client: str, period: str, formats: Iterable[str], digest: str, *, who: str | None = None
    ) -> Approval:
        """Record that ``who`` approved the report whose content is ``digest`` for sending."""
        client, period = _report(client, period)
        if not digest.strip():
            raise ValueError("an approval names the content approved (its digest)")
        approval = Approval(
            client=client,
            period=period,
            formats=normalise_formats(formats),
            digest=digest.strip(),
            who=who or self.who,
            at=self._clock().astimezone(dt.UTC),
        )
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO approvals (client, period, formats, digest, who, at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    approval.client,
                    approval.period,
                    approval.formats,
                    approval.digest,
                    approval.who,
                    approval.at.isoformat(),
                ),
            )
        return approval

    def approvals(
        self, *, client: str | None = None, period: str | None = None, after_id: int = 0
    ) -> list[tuple[int, Approval]]:
        """Approvals with their row ids, oldest first, optionally of one client and/or period, and
        only those after row ``after_id`` (a sensor's cursor)."""
        sql = (
            "SELECT * FROM approvals WHERE (:client IS NULL OR client = :client) "
            "AND (:period IS NULL OR period = :period) AND id > :after ORDER BY id"
        )
        args = {"client": client, "period": period, "after": after_id}
        with self._connect() as connection:
            return [(int(row["id"]), _approval(row)) for row in connection.execute(sql, args).fetchall()]

    def approval(self, client: str, period: str, formats: Iterable[str]) -> Approval | None:
        """The latest approval of the report (whatever content it named), or None."""
        rows = [a for _, a in self.approvals(client=client, period=period)]
        wanted = normalise_formats(formats)
        return next((a for a in reversed(rows) if a.formats == wanted), None)


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
