"""Who is looking, in which language, and the URL that reproduces what they see.

The frame (:mod:`dashboard.shell`, run by ``app.py``) resolves the :class:`View` once per run
(viewer, language, visible clients, the serving file's metadata) and hands it to the page
through :func:`set_current`; pages read it with :func:`current`. Every choice a person makes
is mirrored into ``st.query_params`` so a view is a shareable URL: widgets are seeded from the
URL on first render (:func:`seed_widget`) and the URL is rewritten from the widgets each run
(:func:`sync_url`).

Access: the clients in a view come from the signed-in identity's scope (:mod:`dashboard.signin`);
the URL's ``viewer`` only narrows the agency head's view. With sign-in off (``AGENCY_AUTH=off``)
the viewer selector is a convenience, not a security boundary, and
``AGENCY_DASHBOARD_MANAGER=<manager_id>`` locks a server to one manager.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from dashboard import fmt
from dashboard.data import PublishMeta
from dashboard.fmt import Lang
from dashboard.i18n import t
from dashboard.periods import Period

__all__ = [
    "ALL_CLIENTS",
    "LOCK_ENV",
    "View",
    "current",
    "freshness_line",
    "locked_manager",
    "seed_widget",
    "set_current",
    "sync_url",
    "visible_clients",
]

ALL_CLIENTS = "all"
LOCK_ENV = "AGENCY_DASHBOARD_MANAGER"
_STATE_KEY = "_dashboard_view"


@dataclass(frozen=True)
class View:
    lang: Lang
    viewer: str
    """``all`` (the agency head) or a manager id."""
    viewer_name: str
    locked: bool
    clients: tuple[str, ...]
    """Ids of the clients this viewer may see: pass to every query."""
    client_names: Mapping[str, str]
    """Visible client id -> name, in display order."""
    meta: PublishMeta
    pages: Mapping[str, st.Page] = field(default_factory=dict)
    """The pages this viewer may open (``portfolio``, ``client_report``), for links and switches."""
    money: bool = True
    """The agency's money (invoices, payments, receivables) may be shown."""
    can_approve: bool = True
    """May approve reports for sending (the agency head and managers)."""
    who: str = "anyone"
    """Who is looking, as the audit log and the approvals name them (a login, ``link <id>``)."""
    fixed_period: Period | None = None
    """A client link's one month: the only period the client page shows."""
    link_token: str | None = None
    """A client link's token, kept in the URL so that a reload opens the same link."""

    @property
    def audited(self) -> str | None:
        """Who the access audit log names for this viewer's actions; None with sign-in off."""
        return None if self.who == "anyone" else self.who

    def url_params(self) -> dict[str, str]:
        """The query parameters that reproduce the viewer and language (defaults omitted)."""
        params: dict[str, str] = {}
        if self.link_token is not None:
            params["link"] = self.link_token
        if not self.locked and self.viewer != ALL_CLIENTS:
            params["viewer"] = self.viewer
        if self.lang != "ru":
            params["lang"] = self.lang
        return params


def locked_manager() -> str | None:
    """The manager id the dashboard is locked to (``AGENCY_DASHBOARD_MANAGER``), if any."""
    value = os.environ.get(LOCK_ENV, "").strip()
    return value or None


def visible_clients(directory: pd.DataFrame, viewer: str) -> dict[str, str]:
    """Client id -> name for the clients ``viewer`` may see (``all``: every client).

    Active clients come first, then churned ones, each by name.
    """
    rows = directory if viewer == ALL_CLIENTS else directory[directory["manager_id"] == viewer]
    rows = rows.assign(_churned=rows["is_churned"].fillna(False).astype(bool)).sort_values(
        ["_churned", "client_name", "client_id"]
    )
    return {str(cid): str(name) for cid, name in zip(rows["client_id"], rows["client_name"], strict=True)}


def set_current(view: View | None) -> None:
    """Hand the resolved view to the page about to run (``None`` once it has run)."""
    if view is None:
        st.session_state.pop(_STATE_KEY, None)
    else:
        st.session_state[_STATE_KEY] = view


def current() -> View | None:
    """The view the frame (:mod:`dashboard.shell`) resolved for the page now running.

    ``None`` when a page file runs on its own (see :mod:`dashboard.shell`); the page then runs
    the frame, which runs the page again with a view.
    """
    view = st.session_state.get(_STATE_KEY)
    return view if isinstance(view, View) else None


def seed_widget(key: str, param: str, options: Sequence[str], default: str) -> None:
    """Before a widget is drawn: take its value from the URL on first render, keep it valid.

    A widget's state is dropped when it is not drawn (e.g. on another page), so on arrival the
    URL (``?client=...``) decides; while the person stays on the page the widget does.
    """
    if st.session_state.get(key) in options:
        return
    from_url = st.query_params.get(param)
    st.session_state[key] = from_url if from_url in options else default


def sync_url(view: View, page_params: Mapping[str, str | None] | None = None) -> None:
    """Make the URL describe the current view: viewer, language and the page's own choices."""
    params = view.url_params()
    params.update({k: v for k, v in (page_params or {}).items() if v is not None})
    if dict(st.query_params.to_dict()) != params:
        st.query_params.from_dict(params)


def freshness_line(meta: PublishMeta, lang: Lang) -> str:
    """``Данные по 22.11.2026, опубликовано 23.11.2026 07:15 МСК``."""
    published = fmt.datetime_msk(meta.published_at, lang)
    if meta.data_cutoff is None:
        return t("freshness_no_data", lang, published=published)
    return t("freshness", lang, cutoff=fmt.date(meta.data_cutoff, lang), published=published)
