"""Who may see what on the dashboard: users and their roles, sign-in and sessions, client links,
masked personal data and the audit log (issue 17).

Plain Python over one SQLite file (``AGENCY_USERS``): no Streamlit, no Dagster, no DuckDB, so
the dashboard's sign-in page, the command line (``python -m dashboard.access``) and the tests
all call the same code. The dashboard turns an identity into a :class:`Scope` (the clients and
pages it may show) on the server; nothing in the URL widens it.

    store = AccessStore()                                   # AGENCY_USERS
    session = store.sign_in(login, password)                # session.token -> the browser
    scope = user_scope(store.session_user(token), directory)  # directory: client id -> manager id
    link, scope = store.links.open(token_from_url)          # a client link
"""

from __future__ import annotations

from dashboard.access.audit import EVENTS, AuditEvent
from dashboard.access.errors import (
    AccessError,
    AccountDisabledError,
    BadCredentialsError,
    InvalidInputError,
    LinkError,
    LinkExpiredError,
    LinkRevokedError,
    LinkSecretMissingError,
    LinkTamperedError,
    LockedOutError,
    SessionError,
    SessionExpiredError,
    SessionInvalidError,
    SignInError,
)
from dashboard.access.links import LINK_PARAM, LINK_SECRET_ENV, Link, NewLink
from dashboard.access.masking import mask_email, mask_phone, show_email, show_phone
from dashboard.access.paths import users_path
from dashboard.access.scope import (
    AGENCY,
    ALL_PAGES,
    CAMPAIGNS,
    CHANNELS,
    CLIENT_REPORT,
    DATA_HEALTH,
    INVOICES,
    NOTHING,
    PORTFOLIO,
    Scope,
    link_scope,
    user_scope,
)
from dashboard.access.sessions import Session
from dashboard.access.store import AccessStore
from dashboard.access.users import ROLES, Policy, Role, User

__all__ = [
    "AGENCY",
    "ALL_PAGES",
    "CAMPAIGNS",
    "CHANNELS",
    "CLIENT_REPORT",
    "DATA_HEALTH",
    "EVENTS",
    "INVOICES",
    "LINK_PARAM",
    "LINK_SECRET_ENV",
    "NOTHING",
    "PORTFOLIO",
    "ROLES",
    "AccessError",
    "AccessStore",
    "AccountDisabledError",
    "AuditEvent",
    "BadCredentialsError",
    "InvalidInputError",
    "Link",
    "LinkError",
    "LinkExpiredError",
    "LinkRevokedError",
    "LinkSecretMissingError",
    "LinkTamperedError",
    "LockedOutError",
    "NewLink",
    "Policy",
    "Role",
    "Scope",
    "Session",
    "SessionError",
    "SessionExpiredError",
    "SessionInvalidError",
    "SignInError",
    "User",
    "link_scope",
    "mask_email",
    "mask_phone",
    "show_email",
    "show_phone",
    "user_scope",
    "users_path",
]
