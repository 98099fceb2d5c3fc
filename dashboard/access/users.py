"""The users of the dashboard: who they are, their role, and the check of their password.

A user has a login (unique whatever its case: stored in lower case), a display name, a role and
what the role needs: a manager is one of the agency configuration's ``managers`` (``manager_id``),
a specialist has the clients assigned to them, a client user has exactly one client. The right
``can_see_contacts`` shows whole phone numbers and e-mails (masked otherwise, see
:mod:`dashboard.access.masking`). A user is disabled, never deleted: the audit log keeps naming
them.

Passwords are hashed with argon2id (``argon2-cffi``, its RFC 9106 defaults); the password itself
is never stored, logged or kept. :meth:`Users.verify_sign_in` is the sign-in check: after
``max_failures`` wrong passwords in a row the login is locked for ``lockout`` (even the right
password is refused meanwhile); a login that does not exist costs the same argon2 verification
as one that does (against a dummy hash), so timing does not tell them apart; a hash made with
older parameters is replaced on the next successful sign-in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, Literal, NoReturn, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dashboard.access import audit as events
from dashboard.access._db import Database, from_text, to_text
from dashboard.access.audit import Audit
from dashboard.access.errors import (
    AccountDisabledError,
    BadCredentialsError,
    InvalidInputError,
    LockedOutError,
)

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "Policy",
    "Role",
    "User",
    "Users",
    "check_client_id",
    "check_manager_id",
    "check_new_password",
    "normalize_login",
]

Role = Literal["head", "manager", "specialist", "client"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)
MIN_PASSWORD_LENGTH: Final = 10
MAX_PASSWORD_LENGTH: Final = 1024

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,63}$")
# the same shapes as the agency configuration's ids (pipelines.load.config: Slug, ManagerId)
_CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_MANAGER_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Policy:
    """How forgiving sign-in is and how long a session lives."""

    max_failures: int = 5
    """Wrong passwords in a row that lock the login."""
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    session_idle: dt.timedelta = dt.timedelta(hours=1)
    """A session unused this long has expired."""
    session_absolute: dt.timedelta = dt.timedelta(hours=12)
    """A session expires this long after sign-in, however busy."""


@dataclass(frozen=True)
class User:
    id: int
    login: str
    display_name: str
    role: Role
    manager_id: str | None
    """For a manager: which of the configuration's ``managers`` they are."""
    clients: tuple[str, ...]
    """For a specialist or a client user: the client ids assigned."""
    can_see_contacts: bool
    disabled: bool
    created_at: dt.datetime
    locked_until: dt.datetime | None = None


def normalize_login(login: str) -> str:
    """The login as stored (trimmed, lower case); InvalidInputError when it cannot be one."""
    value = login.strip().lower()
    if not _LOGIN.match(value):
        raise InvalidInputError(
            f"{login!r} is not a login: 1-64 characters, latin letters, digits and . _ @ + - "
            "(starting with a letter or digit)"
        )
    return value


def check_client_id(client_id: str) -> str:
    value = client_id.strip()
    if not _CLIENT_ID.match(value):
        raise InvalidInputError(
            f"{client_id!r} is not a client id (lower-case latin letters, digits, _ and -)"
        )
    return value


def check_manager_id(manager_id: str) -> str:
    value = manager_id.strip()
    if not _MANAGER_ID.match(value):
        raise InvalidInputError(
            f"{manager_id!r} is not a manager id (lower-case latin letters, digits, . _ -)"
        )
    return value


def check_new_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"the password is too short: at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInputError(f"the password is too long: at most {MAX_PASSWORD_LENGTH} characters")
    if password != password.strip() or "\n" in password:
        raise InvalidInputError("the password may not start or end with spaces or hold a line break")
    return password


def _role_fields(
    role: str, manager_id: str | None, clients: Iterable[str]
) -> tuple[Role, str | None, tuple[str, ...]]:
    """The role with what it needs, checked: a manager id for a manager, clients for a specialist,
    exactly one client for a client user, neither for the head."""
    if role not in ROLES:
        raise InvalidInputError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    ids = tuple(dict.fromkeys(check_client_id(c) for c in clients if c.strip()))
    manager = check_manager_id(manager_id) if manager_id and manager_id.strip() else None
    if role == "manager" and manager is None:
        raise InvalidInputError("a manager needs --manager: their id among the configuration's managers")
    if role != "manager" and manager is not None:
        raise InvalidInputError(f"only a manager has a manager id (this user is a {role})")
    if role in ("head", "manager") and ids:
        raise InvalidInputError(
            f"a {role} sees clients through their role; --clients is for specialists and clients"
        )
    if role == "specialist" and not ids:
        raise InvalidInputError("a specialist needs --clients: the client ids assigned to them")
    if role == "client" and len(ids) != 1:
        raise InvalidInputError("a client user needs exactly one client in --clients")
    checked: Role = role  # type: ignore[assignment]  # checked against ROLES above
    return checked, manager, ids


def _user(row: sqlite3.Row) -> User:
    created = from_text(row["created_at"])
    assert created is not None
    return User(
        id=int(row["id"]),
        login=row["login"],
        display_name=row["display_name"],
        role=row["role"],
        manager_id=row["manager_id"],
        clients=tuple(json.loads(row["clients"])),
        can_see_contacts=bool(row["can_see_contacts"]),
        disabled=bool(row["disabled"]),
        created_at=created,
        locked_until=from_text(row["locked_until"]),
    )


class Users:
    """The users of the store ``db``. ``hasher``: the argon2 parameters (tests pass cheap ones)."""

    def __init__(
        self,
        db: Database,
        audit: Audit,
        *,
        hasher: PasswordHasher,
        policy: Policy,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._db = db
        self._audit = audit
        self._hasher = hasher
        self._policy = policy
        self._clock = clock
        self._dummy: str | None = None

    # --- reading ---------------------------------------------------------------------------
    def get(self, login: str) -> User | None:
        try:
            key = normalize_login(login)
        except InvalidInputError:
            return None
        with self._db.connect() as connection:
            row = connection.execute("SELECT * FROM users WHERE login = ?", (key,)).fetchone()
        return None if row is None else _user(row)

    def get_by_id(self, user_id: int, connection: sqlite3.Connection) -> User | None:
        row = connection.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return None if row is None else _user(row)

    def all(self) -> list[User]:
        with self._db.connect() as connection:
            return [_user(row) for row in connection.execute("SELECT * FROM users ORDER BY login")]

    # --- changing --------------------------------------------------------------------------
    def add(
        self,
        login: str,
        password: str,
        role: str,
        *,
        by: str,
        name: str | None = None,
        manager_id: str | None = None,
        clients: Iterable[str] = (),
        can_see_contacts: bool = False,
    ) -> User:
        """A new user; InvalidInputError when the login is taken or a field is wrong."""
        key = normalize_login(login)
        checked_role, manager, ids = _role_fields(role, manager_id, clients)
        password_hash = self._hasher.hash(check_new_password(password))
        display = (name or "").strip() or key
        now = self._clock()
        with self._db.transaction() as connection:
            if connection.execute("SELECT 1 FROM users WHERE login = ?", (key,)).fetchone():
                raise InvalidInputError(f"the login {key!r} is taken")
            connection.execute(
                "INSERT INTO users (login, display_name, role, manager_id, clients, can_see_contacts, "
                "password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    display,
                    checked_role,
                    manager,
                    json.dumps(ids),
                    int(can_see_contacts),
                    password_hash,
                    to_text(now),
                ),
            )
            detail = {
                "login": key,
                "role": checked_role,
                "manager_id": manager,
                "clients": list(ids),
                "can_see_contacts": can_see_contacts,
            }
            self._audit.record(events.USER_ADDED, by, detail, connection=connection)
            row = connection.execute("SELECT * FROM users WHERE login = ?", (key,)).fetchone()
        return _user(row)

    def set_disabled(self, login: str, disabled: bool, *, by: str) -> User:
        """Disable (or enable again) a user; disabling ends their sessions at once."""
        key = normalize_login(login)
        now = self._clock()
        with self._db.transaction() as connection:
            row = self._row(connection, key)
            connection.execute(
                "UPDATE users SET disabled = ?, failed_count = 0, locked_until = NULL WHERE id = ?",
                (int(disabled), row["id"]),
            )
            if disabled:
                _revoke_sessions(connection, int(row["id"]), now)
            event = events.USER_DISABLED if disabled else events.USER_ENABLED
            self._audit.record(event, by, {"login": key}, connection=connection)
            row = self._row(connection, key)
        return _user(row)

    def set_password(self, login: str, password: str, *, by: str) -> User:
        """A new password (and an end to the lockout and to every session of the user)."""
        key = normalize_login(login)
        password_hash = self._hasher.hash(check_new_password(password))
        now = self._clock()
        with self._db.transaction() as connection:
            row = self._row(connection, key)
            connection.execute(
                "UPDATE users SET password_hash = ?, failed_count = 0, locked_until = NULL WHERE id = ?",
                (password_hash, row["id"]),
            )
            _revoke_sessions(connection, int(row["id"]), now)
            self._audit.record(events.PASSWORD_CHANGED, by, {"login": key}, connection=connection)
            row = self._row(connection, key)
        return _user(row)

    def _row(self, connection: sqlite3.Connection, key: str) -> sqlite3.Row:
        row = connection.execute("SELECT * FROM users WHERE login = ?", (key,)).fetchone()
        if row is None:
            raise InvalidInputError(f"no user with the login {key!r}")
        return row  # type: ignore[no-any-return]

    # --- signing in -----------------------------------------------------------------------
    def verify_sign_in(self, login: str, password: str, connection: sqlite3.Connection) -> User:
        """The sign-in check, inside ``connection``'s transaction (the failure count is read and
        written under the write lock, so parallel guesses cannot pass the limit). Audits every
        refusal; the caller audits the success with the session it opens."""
        now = self._clock()
        if len(password) > MAX_PASSWORD_LENGTH:  # cannot be right; not worth hashing a megabyte
            password = ""
        try:
            key: str | None = normalize_login(login)
        except InvalidInputError:
            key = None
        row = (
            None
            if key is None
            else connection.execute("SELECT * FROM users WHERE login = ?", (key,)).fetchone()
        )
        if row is None:
            self._verify(self._dummy_hash(), password)
            self._audit.record(events.SIGN_IN_FAILED, "?", {"reason": "unknown_login"}, connection=connection)
            raise BadCredentialsError()
        locked_until = from_text(row["locked_until"])
        if locked_until is not None and now < locked_until:
            self._verify(self._dummy_hash(), password)
            self._audit.record(
                events.SIGN_IN_FAILED, row["login"], {"reason": "locked_out"}, connection=connection
            )
            raise LockedOutError(locked_until)
        if not self._verify(row["password_hash"], password):
            self._failed(connection, row, now, lock_expired=locked_until is not None)
        if row["disabled"]:
            self._audit.record(
                events.SIGN_IN_FAILED, row["login"], {"reason": "disabled"}, connection=connection
            )
            raise AccountDisabledError()
        new_hash = (
            self._hasher.hash(password) if self._hasher.check_needs_rehash(row["password_hash"]) else None
        )
        connection.execute(
            "UPDATE users SET failed_count = 0, locked_until = NULL, "
            "password_hash = COALESCE(?, password_hash) WHERE id = ?",
            (new_hash, row["id"]),
        )
        return _user(connection.execute("SELECT * FROM users WHERE id = ?", (row["id"],)).fetchone())

    def _failed(
        self, connection: sqlite3.Connection, row: sqlite3.Row, now: dt.datetime, *, lock_expired: bool
    ) -> NoReturn:
        failures = 1 if lock_expired else int(row["failed_count"]) + 1
        login = row["login"]
        if failures >= self._policy.max_failures:
            until = now + self._policy.lockout
            connection.execute(
                "UPDATE users SET failed_count = ?, locked_until = ? WHERE id = ?",
                (failures, to_text(until), row["id"]),
            )
            detail = {"failures": failures, "until": to_text(until)}
            self._audit.record(
                events.SIGN_IN_FAILED, login, {"reason": "wrong_password"}, connection=connection
            )
            self._audit.record(events.LOCKED_OUT, login, detail, connection=connection)
            raise LockedOutError(until)
        connection.execute(
            "UPDATE users SET failed_count = ?, locked_until = NULL WHERE id = ?", (failures, row["id"])
        )
        detail = {"reason": "wrong_password", "failures": failures}
        self._audit.record(events.SIGN_IN_FAILED, login, detail, connection=connection)
        raise BadCredentialsError()

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(24))
        return self._dummy


def _revoke_sessions(connection: sqlite3.Connection, user_id: int, now: dt.datetime) -> None:
    connection.execute(
        "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", (to_text(now), user_id)
    )
