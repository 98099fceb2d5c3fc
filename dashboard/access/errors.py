"""What can go wrong, one class per message a person should see.

Every class derives from :class:`AccessError`. :class:`InvalidInputError` is a wrong request (an
unknown role or client id, a short password, a login taken): the command line exits 2 on it.
A refused sign-in never says whether the login exists (:class:`BadCredentialsError` for both).
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "AccessError",
    "AccountDisabledError",
    "BadCredentialsError",
    "InvalidInputError",
    "LinkError",
    "LinkExpiredError",
    "LinkRevokedError",
    "LinkSecretMissingError",
    "LinkTamperedError",
    "LockedOutError",
    "SessionError",
    "SessionExpiredError",
    "SessionInvalidError",
    "SignInError",
]


class AccessError(Exception):
    """Anything the access library refuses."""


class InvalidInputError(AccessError, ValueError):
    """A request that cannot be carried out as asked (the message says what to change)."""


class SignInError(AccessError):
    """A sign-in that was refused."""


class BadCredentialsError(SignInError):
    def __init__(self) -> None:
        super().__init__("wrong login or password")


class LockedOutError(SignInError):
    def __init__(self, until: dt.datetime) -> None:
        self.until = until
        super().__init__(f"too many wrong passwords: signing in is locked until {until:%Y-%m-%d %H:%M} UTC")


class AccountDisabledError(SignInError):
    def __init__(self) -> None:
        super().__init__("this account is disabled: ask the agency's administrator")


class SessionError(AccessError):
    """A session token that no longer (or never) opens a session: sign in again."""


class SessionExpiredError(SessionError):
    def __init__(self) -> None:
        super().__init__("the session has expired: sign in again")


class SessionInvalidError(SessionError):
    def __init__(self) -> None:
        super().__init__("not signed in (unknown or signed-out session): sign in again")


class LinkError(AccessError):
    """A client link that cannot be made or opened."""


class LinkSecretMissingError(LinkError):
    def __init__(self, reason: str = "AGENCY_LINK_SECRET is not set") -> None:
        super().__init__(
            f"client links are switched off: {reason}. Set AGENCY_LINK_SECRET to a random value of at "
            'least 32 characters (python -c "import secrets; print(secrets.token_urlsafe(32))") '
            "in the dashboard's and the command line's environment"
        )


class LinkTamperedError(LinkError):
    def __init__(self) -> None:
        super().__init__("this link is not valid (altered, or signed with another key)")


class LinkExpiredError(LinkError):
    def __init__(self, expired_at: dt.datetime) -> None:
        self.expired_at = expired_at
        super().__init__(
            f"this link expired on {expired_at:%Y-%m-%d %H:%M} UTC: ask your manager for a new one"
        )


class LinkRevokedError(LinkError):
    def __init__(self) -> None:
        super().__init__("this link has been withdrawn: ask your manager for a new one")
