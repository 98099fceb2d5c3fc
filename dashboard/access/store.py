"""The access store: users, sessions, client links and the audit log in one SQLite file.

:class:`AccessStore` is what the dashboard and the command line hold. Its parts:
``store.users`` (:class:`~dashboard.access.users.Users`), ``store.links``
(:class:`~dashboard.access.links.Links`), ``store.audit``
(:class:`~dashboard.access.audit.Audit`); sign-in, the session's user and sign-out are methods
of the store itself, because they span users, sessions and the audit log in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

from argon2 import PasswordHasher

from dashboard.access import audit as events
from dashboard.access._db import Database
from dashboard.access.audit import Audit
from dashboard.access.errors import SignInError
from dashboard.access.links import Links, link_secret
from dashboard.access.paths import users_path
from dashboard.access.scope import Scope, user_scope
from dashboard.access.sessions import Session, Sessions
from dashboard.access.users import Policy, User, Users

__all__ = ["AccessStore", "utc_now"]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AccessStore:
    """The store at ``path`` (default :func:`~dashboard.access.paths.users_path`), created on
    first use. ``hasher``: argon2 parameters (default argon2-cffi's, RFC 9106's low-memory
    profile); ``policy``: lockout and session lifetimes; ``clock``: the time (tests);
    ``link_secret``: the links' signing key (default ``AGENCY_LINK_SECRET``)."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        hasher: PasswordHasher | None = None,
        policy: Policy | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        link_secret: Callable[[], str] = link_secret,
    ) -> None:
        self.db = Database(path if path is not None else users_path())
        self.policy = policy or Policy()
        self.hasher = hasher or PasswordHasher()
        self.audit = Audit(self.db, clock)
        self.users = Users(self.db, self.audit, hasher=self.hasher, policy=self.policy, clock=clock)
        self.sessions = Sessions(self.db, self.users, policy=self.policy, clock=clock)
        self.links = Links(self.db, self.audit, clock=clock, secret=link_secret)

    @property
    def path(self) -> Path:
        return self.db.path

    def __repr__(self) -> str:
        return f"AccessStore({str(self.path)!r})"

    def sign_in(self, login: str, password: str) -> Session:
        """A new session for the right password: BadCredentialsError (wrong password or unknown
        login, the same answer), LockedOutError, AccountDisabledError otherwise. Each outcome is
        audited; the failure count is kept even when the sign-in is refused."""
        refusal: SignInError | None = None
        with self.db.transaction() as connection:
            try:
                user = self.users.verify_sign_in(login, password, connection)
            except SignInError as exc:
                refusal = exc  # committed with the failure count and the audit rows
            else:
                session = self.sessions.open(user, connection)
                self.audit.record(events.SIGN_IN, user.login, {"role": user.role}, connection=connection)
        if refusal is not None:
            raise refusal
        return session

    def session_user(self, token: str) -> User:
        """The signed-in user of the session ``token`` (SessionExpiredError, SessionInvalidError)."""
        return self.sessions.user(token)

    def sign_out(self, token: str) -> None:
        """End the session ``token`` (nothing happens for a session already ended)."""
        with self.db.transaction() as connection:
            user = self.sessions.close(token, connection)
            if user is not None:
                self.audit.record(events.SIGN_OUT, user.login, {}, connection=connection)

    def scope(self, token: str, directory: Mapping[str, str]) -> Scope:
        """What the session ``token`` may see, given the client directory (client id -> manager)."""
        return user_scope(self.session_user(token), directory)
