"""Who is looking: sign-in, client links and sign-out, in front of every page.

:func:`identify` runs first on every rerun (``dashboard/shell.py``) and returns an
:class:`Identity` (who, and the :class:`~dashboard.access.Scope` of what they may see), or draws
the sign-in page (or the refusal of a link) and returns None. The scope comes from the server
only: a signed-in session (``dashboard.access``) or a client link's row; nothing in the URL or a
widget widens it.

``AGENCY_AUTH`` chooses how people sign in:

- ``local`` (default): the access store's users (``AGENCY_USERS``), a login and a password. The
  session token lives in the Streamlit session and in a cookie (``agency_session``, SameSite
  Strict, Secure over https), so a reload or a deep link keeps the person signed in until the
  session expires (an hour unused, twelve hours at most) or they sign out;
- ``oidc``: the agency's identity provider through Streamlit's ``st.login`` (``[auth]`` in
  ``.streamlit/secrets.toml``); the provider's e-mail must be a user's login in the store, which
  gives the role;
- ``off``: no sign-in at all, as before issue 17 (the sidebar picks the viewer,
  ``AGENCY_DASHBOARD_MANAGER`` locks one manager); a banner says so. Only for a machine nobody
  else reaches.

A client link (``?link=<token>``) is honoured in every mode: it opens one client's report and
nothing else; a tampered, expired or revoked link is refused with its reason.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import streamlit as st

from dashboard.access import (
    LINK_PARAM,
    AccessStore,
    AccountDisabledError,
    BadCredentialsError,
    LinkError,
    LinkExpiredError,
    LinkRevokedError,
    LinkSecretMissingError,
    LinkTamperedError,
    LockedOutError,
    Scope,
    SessionError,
    User,
    user_scope,
    users_path,
)
from dashboard.access import audit as events
from dashboard.fmt import Lang
from dashboard.i18n import t

__all__ = ["AUTH_ENV", "COOKIE", "Identity", "auth_mode", "identify", "sign_out_button", "store"]

AUTH_ENV: Final = "AGENCY_AUTH"
COOKIE: Final = "agency_session"
_TOKEN: Final = "_access_token"
_COOKIE_SET: Final = "_access_cookie"
_LINK_SEEN: Final = "_access_link_seen"
_OIDC_SEEN: Final = "_access_oidc_seen"
_SIGNED_OUT: Final = "_access_signed_out"

AuthMode = Literal["local", "oidc", "off"]


@dataclass(frozen=True)
class Identity:
    """Who is looking and what they may see."""

    kind: Literal["user", "link", "open"]
    who: str
    """The login, ``link <id>``, or ``anyone`` (sign-in off): what the audit log records."""
    name: str
    """What the sidebar shows."""
    scope: Scope | None
    """None only when sign-in is off (the viewer selector decides, as before)."""
    user: User | None = None
    link_token: str | None = None
    """A client link's token: kept in the URL so a reload opens the same link."""

    @property
    def is_head(self) -> bool:
        return self.user is not None and self.user.role == "head"


def auth_mode() -> AuthMode:
    value = os.environ.get(AUTH_ENV, "").strip().lower() or "local"
    if value not in ("local", "oidc", "off"):
        raise ValueError(f"{AUTH_ENV}={value!r}: use local, oidc or off")
    return "off" if value == "off" else "oidc" if value == "oidc" else "local"


@st.cache_resource(show_spinner=False)
def _store(path: str) -> AccessStore:
    return AccessStore(Path(path))


def store() -> AccessStore:
    """The access store at ``AGENCY_USERS`` (one per path and process)."""
    return _store(str(users_path()))


def _cookie_script(token: str | None, max_age: int) -> str:
    value = json.dumps(f"{COOKIE}={token or ''}; path=/; max-age={max_age}; SameSite=Strict")
    return f"<script>document.cookie = {value} + (location.protocol === 'https:' ? '; Secure' : '');</script>"


def _write_cookie(token: str | None) -> None:
    """Put the session token into the browser's cookie (None: remove it)."""
    if st.session_state.get(_COOKIE_SET) == (token or ""):
        return
    access = store()
    max_age = int(access.policy.session_absolute.total_seconds()) if token else 0
    st.html(_cookie_script(token, max_age), unsafe_allow_javascript=True)
    st.session_state[_COOKIE_SET] = token or ""


def _user_from_token(access: AccessStore) -> tuple[str, User] | None:
    for token in (st.session_state.get(_TOKEN), st.context.cookies.get(COOKIE)):
        if not token:
            continue
        try:
            return str(token), access.session_user(str(token))
        except SessionError:
            continue
    return None


def _link_refusal(exc: LinkError, lang: Lang) -> str:
    if isinstance(exc, LinkSecretMissingError):
        return t("link_no_secret", lang)
    if isinstance(exc, LinkExpiredError):
        return t("link_expired", lang)
    if isinstance(exc, LinkRevokedError):
        return t("link_revoked", lang)
    if isinstance(exc, LinkTamperedError):
        return t("link_tampered", lang)
    return t("link_refused", lang)


def _from_link(token: str, lang: Lang) -> Identity | None:
    access = store()
    seen = st.session_state.get(_LINK_SEEN)
    try:
        link, scope = access.links.open(token, record_use=seen != token)
    except LinkError as exc:
        _refusal_page(t("link_title", lang), _link_refusal(exc, lang))
        return None
    st.session_state[_LINK_SEEN] = token
    return Identity("link", f"link {link.id}", t("link_viewer", lang), scope, link_token=token)


def _refusal_page(title: str, body: str) -> None:
    st.title(title)
    st.error(body, icon=":material/lock:")


def _sign_in_form(access: AccessStore, lang: Lang) -> None:
    st.title(t("signin_title", lang))
    if not access.users.all():
        st.warning(t("signin_no_users", lang), icon=":material/person_add:")
        st.code("uv run python -m dashboard.access user add --login <login> --role head", language="bash")
        return
    with st.form("sign_in", enter_to_submit=True):
        login = st.text_input(t("signin_login", lang), key="signin_login", autocomplete="username")
        password = st.text_input(
            t("signin_password", lang),
            type="password",
            key="signin_password",
            autocomplete="current-password",
        )
        submitted = st.form_submit_button(t("signin_submit", lang), type="primary")
    if not submitted:
        return
    try:
        session = access.sign_in(login, password)
    except LockedOutError as exc:
        until = exc.until.astimezone(dt.timezone(dt.timedelta(hours=3)))
        st.error(t("signin_locked", lang, until=f"{until:%H:%M}"), icon=":material/lock_clock:")
        return
    except AccountDisabledError:
        st.error(t("signin_disabled", lang), icon=":material/block:")
        return
    except BadCredentialsError:
        st.error(t("signin_bad", lang), icon=":material/error:")
        return
    st.session_state[_TOKEN] = session.token
    st.rerun()


def _from_session(lang: Lang) -> Identity | None:
    access = store()
    found = _user_from_token(access)
    if found is None:
        if st.session_state.pop(_SIGNED_OUT, False) or st.context.cookies.get(COOKIE):
            _write_cookie(None)  # a signed-out or expired session's cookie goes too
        _sign_in_form(access, lang)
        return None
    token, user = found
    st.session_state[_TOKEN] = token
    _write_cookie(token)
    return Identity("user", user.login, user.display_name or user.login, None, user=user)


def _from_oidc(lang: Lang) -> Identity | None:
    if not st.user.is_logged_in:
        st.title(t("signin_title", lang))
        st.button(t("signin_oidc", lang), on_click=st.login, type="primary")
        return None
    email = str(st.user.get("email") or "").strip().lower()
    access = store()
    user = access.users.get(email) if email else None
    if user is None or user.disabled:
        _refusal_page(t("signin_title", lang), t("signin_oidc_unknown", lang, email=email or "?"))
        st.button(t("signout", lang), on_click=st.logout)
        return None
    if st.session_state.get(_OIDC_SEEN) != user.login:
        access.audit.record(events.SIGN_IN, user.login, {"role": user.role, "via": "oidc"})
        st.session_state[_OIDC_SEEN] = user.login
    return Identity("user", user.login, user.display_name or user.login, None, user=user)


def identify(lang: Lang) -> Identity | None:
    """Who is looking (see the module's docstring); None when the page drawn is the sign-in form
    or a refusal. The user's scope is filled in by :func:`with_scope` once the client directory
    is read."""
    token = st.query_params.get(LINK_PARAM)
    if token:
        return _from_link(str(token), lang)
    mode = auth_mode()
    if mode == "off":
        return Identity("open", "anyone", "", None)
    if mode == "oidc":
        return _from_oidc(lang)
    return _from_session(lang)


def with_scope(identity: Identity, directory: Mapping[str, str]) -> Identity:
    """The identity with its user's scope over ``directory`` (client id -> manager id)."""
    if identity.user is None or identity.scope is not None:
        return identity
    return Identity(
        identity.kind,
        identity.who,
        identity.name,
        user_scope(identity.user, directory),
        user=identity.user,
        link_token=identity.link_token,
    )


def _sign_out() -> None:
    token = st.session_state.pop(_TOKEN, None)
    if token:
        store().sign_out(str(token))
    st.session_state[_SIGNED_OUT] = True
    if auth_mode() == "oidc":
        st.logout()


def sign_out_button(identity: Identity, lang: Lang) -> None:
    """The sidebar's "sign out" (for a signed-in user)."""
    if identity.kind != "user":
        return
    st.sidebar.button(t("signout", lang), on_click=_sign_out, icon=":material/logout:", key="sign_out")
