"""Client links: a URL that opens one client's report (optionally one period, optionally with the
client's invoices) for whoever holds it, until it expires or is revoked.

The token in the URL (``<dashboard>/?link=<token>``) is the link's id signed with
``AGENCY_LINK_SECRET`` by ``itsdangerous`` (an HMAC over a key derived from the secret and a salt
naming this purpose); changing one character breaks the signature. Everything else (the client,
the period, the money flag, the expiry, who made it, whether it was revoked) is the link's row in
the access store, so the URL tells nothing about the client and the row is what counts: opening
a link checks the signature, then that the row exists, is not revoked and has not expired. The
token is shown once and never stored or logged; the id names the link in the command line and
the audit log. Without ``AGENCY_LINK_SECRET`` (or with one shorter than 32 characters) links can be neither
made nor opened.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

from itsdangerous import BadData, URLSafeSerializer

from dashboard.access import audit as events
from dashboard.access._db import Database, from_text, to_text
from dashboard.access.audit import Audit
from dashboard.access.errors import (
    InvalidInputError,
    LinkExpiredError,
    LinkRevokedError,
    LinkSecretMissingError,
    LinkTamperedError,
)
from dashboard.access.scope import Scope, link_scope
from dashboard.access.users import check_client_id

__all__ = [
    "LINK_PARAM",
    "LINK_SECRET_ENV",
    "MAX_LINK_LIFETIME",
    "MIN_SECRET_LENGTH",
    "Link",
    "Links",
    "NewLink",
    "check_period",
    "link_secret",
    "link_url",
    "parse_lifetime",
]

LINK_SECRET_ENV: Final = "AGENCY_LINK_SECRET"
LINK_PARAM: Final = "link"
MIN_SECRET_LENGTH: Final = 32
MAX_LINK_LIFETIME: Final = dt.timedelta(days=366)
_SALT: Final = "dashboard.access.client-link.v1"
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_LIFETIME = re.compile(r"^(\d{1,4})\s*([mhdw])$")
_UNITS: Final = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def link_secret() -> str:
    """``AGENCY_LINK_SECRET``; LinkSecretMissingError when unset or too short."""
    secret = os.environ.get(LINK_SECRET_ENV, "").strip()
    if not secret:
        raise LinkSecretMissingError()
    if len(secret) < MIN_SECRET_LENGTH:
        raise LinkSecretMissingError(
            f"AGENCY_LINK_SECRET is too short ({len(secret)} characters, at least {MIN_SECRET_LENGTH})"
        )
    return secret


def check_period(period: str) -> str:
    """A link's period: one month, ``2026-10``."""
    value = period.strip()
    if not _PERIOD.match(value):
        raise InvalidInputError(f"{period!r} is not a period: a month like 2026-10")
    return value


def parse_lifetime(text: str) -> dt.timedelta:
    """``90m``, ``12h``, ``7d``, ``2w`` as a duration (at most a year)."""
    match = _LIFETIME.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise InvalidInputError(f"{text!r} is not a lifetime: a number and m, h, d or w (7d, 12h, 2w)")
    lifetime = dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if lifetime > MAX_LINK_LIFETIME:
        raise InvalidInputError(f"{text!r} is too long: a link lives at most 366 days")
    return lifetime


def link_url(base_url: str, token: str) -> str:
    """``<base_url>/?link=<token>``; InvalidInputError when ``base_url`` is not an http(s) address
    without a query of its own."""
    base = base_url.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidInputError(f"{base_url!r} is not the dashboard's address (https://reports.agency.ru)")
    return f"{base}/?{urlencode({LINK_PARAM: token})}"


@dataclass(frozen=True)
class Link:
    """A link as the store keeps it (no token)."""

    id: str
    client: str
    period: str | None
    money: bool
    created_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None

    @property
    def scope(self) -> Scope:
        return link_scope(self.client, period=self.period, money=self.money)


@dataclass(frozen=True)
class NewLink:
    """A link just made: ``token`` (inside ``url``) is shown once and kept nowhere."""

    link: Link
    token: str
    url: str

    def __repr__(self) -> str:  # the token never in a log line or a traceback
        return f"NewLink(link={self.link!r})"


def _link(row: sqlite3.Row) -> Link:
    created, expires = from_text(row["created_at"]), from_text(row["expires_at"])
    assert created is not None and expires is not None
    return Link(
        id=row["id"],
        client=row["client"],
        period=row["period"],
        money=bool(row["money"]),
        created_by=row["created_by"],
        created_at=created,
        expires_at=expires,
        revoked_at=from_text(row["revoked_at"]),
        revoked_by=row["revoked_by"],
    )


class Links:
    """The client links of the store ``db``. ``secret``: the signing key (default
    ``AGENCY_LINK_SECRET``, read at each use)."""

    def __init__(
        self,
        db: Database,
        audit: Audit,
        *,
        clock: Callable[[], dt.datetime],
        secret: Callable[[], str] = link_secret,
    ) -> None:
        self._db = db
        self._audit = audit
        self._clock = clock
        self._secret = secret

    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self._secret(), salt=_SALT)

    def create(
        self,
        client_id: str,
        *,
        by: str,
        lifetime: dt.timedelta = dt.timedelta(days=7),
        period: str | None = None,
        money: bool = False,
        base_url: str = "http://localhost:8501",
    ) -> NewLink:
        """A new link to ``client_id``'s report; the caller checks that the client exists."""
        serializer = self._serializer()  # no secret, no link (and no row)
        link_url(base_url, "")  # a wrong address, no row either
        client = check_client_id(client_id)
        month = None if period is None else check_period(period)
        if lifetime <= dt.timedelta(0) or lifetime > MAX_LINK_LIFETIME:
            raise InvalidInputError("a link lives more than nothing and at most 366 days")
        now = self._clock()
        expires = now + lifetime
        with self._db.transaction() as connection:
            link_id = _new_id(connection)
            connection.execute(
                "INSERT INTO links (id, client, period, money, created_by, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (link_id, client, month, int(money), by, to_text(now), to_text(expires)),
            )
            detail = {
                "link": link_id,
                "client": client,
                "period": month,
                "money": money,
                "expires_at": to_text(expires),
            }
            self._audit.record(events.LINK_CREATED, by, detail, connection=connection)
            row = connection.execute("SELECT * FROM links WHERE id = ?", (link_id,)).fetchone()
        link = _link(row)
        token = serializer.dumps(_payload(link))
        return NewLink(link=link, token=token, url=link_url(base_url, token))

    def open(self, token: str, *, record_use: bool = True) -> tuple[Link, Scope]:
        """The link behind ``token`` and what it opens.

        LinkSecretMissingError without a signing key; LinkTamperedError when the signature or
        the payload does not hold; LinkRevokedError when it was revoked (or is unknown to this
        store); LinkExpiredError after its expiry. Each refusal is audited; a use is audited
        when ``record_use`` (the dashboard records the first opening per browser session, not
        every rerun)."""
        serializer = self._serializer()
        try:
            payload = serializer.loads(token)
        except BadData:
            self._refused("tampered", None)
            raise LinkTamperedError() from None
        link_id = payload.get("id") if isinstance(payload, dict) else None
        if not isinstance(link_id, str):  # signed with our key, but not by this code
            self._refused("tampered", None)
            raise LinkTamperedError()
        link = self.get(link_id)
        if link is None:  # signed, but not in this store (a store replaced since)
            self._refused("unknown", link_id)
            raise LinkRevokedError()
        if link.revoked_at is not None:
            self._refused("revoked", link_id)
            raise LinkRevokedError()
        if self._clock() >= link.expires_at:
            self._refused("expired", link_id)
            raise LinkExpiredError(link.expires_at)
        if record_use:
            detail = {"link": link.id, "client": link.client, "period": link.period}
            self._audit.record(events.LINK_USED, f"link:{link.id}", detail)
        return link, link.scope

    def _refused(self, reason: str, link_id: str | None) -> None:
        self._audit.record(events.LINK_REFUSED, f"link:{link_id or '?'}", {"reason": reason, "link": link_id})

    def revoke(self, link_id: str, *, by: str) -> Link:
        """Revoke a link (again: nothing changes, the first revocation stands)."""
        with self._db.transaction() as connection:
            row = connection.execute("SELECT * FROM links WHERE id = ?", (link_id.strip(),)).fetchone()
            if row is None:
                raise InvalidInputError(
                    f"no link with the id {link_id!r} (python -m dashboard.access link list)"
                )
            if row["revoked_at"] is None:
                connection.execute(
                    "UPDATE links SET revoked_at = ?, revoked_by = ? WHERE id = ?",
                    (to_text(self._clock()), by, row["id"]),
                )
                self._audit.record(
                    events.LINK_REVOKED,
                    by,
                    {"link": row["id"], "client": row["client"]},
                    connection=connection,
                )
            row = connection.execute("SELECT * FROM links WHERE id = ?", (row["id"],)).fetchone()
        return _link(row)

    def get(self, link_id: str) -> Link | None:
        with self._db.connect() as connection:
            row = connection.execute("SELECT * FROM links WHERE id = ?", (link_id,)).fetchone()
        return None if row is None else _link(row)

    def all(self) -> list[Link]:
        """Every link, newest first."""
        with self._db.connect() as connection:
            return [
                _link(row) for row in connection.execute("SELECT * FROM links ORDER BY created_at DESC, id")
            ]


def _payload(link: Link) -> dict[str, Any]:
    return {"id": link.id}


def _new_id(connection: sqlite3.Connection) -> str:
    while True:
        candidate = secrets.token_hex(5)
        if connection.execute("SELECT 1 FROM links WHERE id = ?", (candidate,)).fetchone() is None:
            return candidate
