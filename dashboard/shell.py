"""The dashboard's frame: page config, sidebar (language, viewer, freshness) and navigation.

``dashboard/app.py`` calls :func:`run`, which registers the pages with ``st.navigation`` and
runs the one the URL names.

The page scripts live in ``views/``, not ``pages/``: a ``pages/`` folder beside the entry
script would switch Streamlit into its legacy multipage mode.

Reads the published marts (one version per page, :func:`dashboard.data.pinned`). Who is looking comes first
(:mod:`dashboard.signin`: a signed-in user, a client link, or nobody when sign-in is off); their
scope decides the clients (passed to every query), the pages, whether the agency's money shows
and whether there is a sidebar at all. The agency head may narrow the view to one manager's
clients in the sidebar; a manager sees their own, a specialist the assigned ones, a client (or a
client link) one client's report. With sign-in off the sidebar picks the viewer as before
(``AGENCY_DASHBOARD_MANAGER`` locks it to one manager).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data, signin, view
from dashboard.access import INVOICES, LINK_PARAM
from dashboard.fmt import Lang
from dashboard.i18n import LANGS, t
from dashboard.periods import Period, month_end

HERE = Path(__file__).resolve().parent

__all__ = ["run"]


def _language(sidebar: bool) -> Lang:
    if not sidebar:  # a client link: the language from the URL, no sidebar at all
        return "en" if st.query_params.get("lang") == "en" else "ru"
    view.seed_widget("lang", "lang", LANGS, "ru")
    current: Lang = st.session_state["lang"]
    chosen = st.sidebar.segmented_control(
        t("language", current), LANGS, key="lang", format_func=str.upper, required=True
    )
    return "en" if chosen == "en" else "ru"


def _message_page(title: str, body: str, *, error: bool = False) -> Callable[[], None]:
    def status() -> None:
        st.title(title)
        (st.error if error else st.info)(body, icon=":material/error:" if error else ":material/info:")

    return status


def _viewer(directory_ids: list[str], names: dict[str, str], lang: Lang) -> str:
    options = [view.ALL_CLIENTS, *directory_ids]
    labels = {view.ALL_CLIENTS: t("viewer_all", lang), **names}
    view.seed_widget("viewer", "viewer", options, view.ALL_CLIENTS)
    chosen = st.sidebar.selectbox(t("viewer", lang), options, key="viewer", format_func=labels.__getitem__)
    return str(chosen)


def _pages(lang: Lang) -> dict[str, st.Page]:
    return {
        "portfolio": st.Page(
            HERE / "views" / "portfolio.py",
            title=t("page_portfolio", lang),
            icon=":material/dashboard:",
            url_path="portfolio",
            default=True,
        ),
        "client_report": st.Page(
            HERE / "views" / "client_report.py",
            title=t("page_client_report", lang),
            icon=":material/analytics:",
            url_path="client_report",
        ),
        "agency": st.Page(
            HERE / "views" / "agency.py",
            title=t("page_agency", lang),
            icon=":material/groups:",
            url_path="agency",
        ),
        "data_health": st.Page(
            HERE / "views" / "data_health.py",
            title=t("page_data_health", lang),
            icon=":material/monitor_heart:",
            url_path="data_health",
        ),
    }


def _fixed_period(period: str | None) -> Period | None:
    """A link's one month (``2026-10``) as days."""
    if not period:
        return None
    year, month = (int(part) for part in period.split("-"))
    start = dt.date(year, month, 1)
    return Period(start, month_end(start))


def _hidden(title: str, pages: dict[str, st.Page]) -> None:
    """Keep the URL's page (a deep link survives the sign-in) without running it."""
    st.navigation(list(pages.values()) or [st.Page(lambda: None, title=title)], position="hidden")


def _refuse(title: str, body: str) -> None:
    page = _message_page(title, body, error=True)
    st.navigation([st.Page(page, title=title)], position="hidden").run()


_RETRIED = "_serving_version_retried"


def run() -> None:
    """Draw the frame and run the page the URL asks for, reading one published version
    (:func:`dashboard.data.pinned`); when that version is dropped mid-page, the page is run again
    once, on the current one."""
    try:
        with data.pinned():
            _run()
    except data.ServingVersionGoneError:
        if st.session_state.get(_RETRIED):
            raise
        st.session_state[_RETRIED] = True
        st.rerun()
    st.session_state.pop(_RETRIED, None)


def _run() -> None:
    st.set_page_config(page_title="Отчётность агентства", page_icon=":material/monitoring:", layout="wide")
    lang = _language(sidebar=not st.query_params.get(LINK_PARAM))
    all_pages = _pages(lang)
    try:
        identity = signin.identify(lang)
    except ValueError as exc:  # a wrong AGENCY_AUTH: say so rather than guess
        _refuse(t("app_title", lang), str(exc))
        return
    if identity is None:  # the sign-in form (or a refused link) is on the page
        _hidden(t("app_title", lang), all_pages)
        return

    try:
        meta = data.publish_meta()
        directory = data.viewer_directory()
    except data.ServingNotPublishedError as exc:
        page = _message_page(t("not_published_title", lang), t("not_published_body", lang, path=exc.path))
        st.navigation([st.Page(page, title=t("app_title", lang))], position="hidden").run()
        return

    if identity.kind == "open":
        _run_open(lang, meta, directory, all_pages)
        return
    managers_of = {
        str(c): str(m) for c, m in zip(directory["client_id"], directory["manager_id"], strict=True)
    }
    identity = signin.with_scope(identity, managers_of)
    scope = identity.scope
    assert scope is not None  # a user's or a link's
    pages = {key: page for key, page in all_pages.items() if scope.allows(key)}
    if not pages:
        _refuse(t("app_title", lang), t("no_access_page", lang))
        return
    mine = directory[directory["client_id"].astype(str).isin(scope.clients)]
    manager_names = _manager_names(mine)
    viewer, viewer_name, locked = view.ALL_CLIENTS, identity.name, True
    if identity.is_head:
        viewer = _viewer(list(manager_names), manager_names, lang)
        viewer_name = manager_names.get(viewer, t("viewer_all", lang))
        locked = False
    elif identity.user is not None and identity.user.role == "manager" and identity.user.manager_id:
        viewer = identity.user.manager_id
    visible = view.visible_clients(mine, viewer)
    if scope.sidebar and identity.user is not None:
        role = t(f"role_{identity.user.role}", lang)
        st.sidebar.markdown(t("signed_in_as", lang, name=identity.name, role=role))
        signin.sign_out_button(identity, lang)
    view.set_current(
        view.View(
            lang=lang,
            viewer=viewer,
            viewer_name=viewer_name,
            locked=locked,
            clients=tuple(visible),
            client_names=visible,
            meta=meta,
            pages=pages,
            money=scope.money and scope.allows(INVOICES),
            can_approve=identity.user is not None and identity.user.role in ("head", "manager"),
            who=identity.who,
            fixed_period=_fixed_period(scope.period),
            link_token=identity.link_token,
        )
    )
    navigation = st.navigation(list(pages.values()), position="sidebar" if scope.sidebar else "hidden")
    if scope.sidebar:
        st.sidebar.caption(view.freshness_line(meta, lang))
    try:
        navigation.run()
    finally:
        view.set_current(None)


def _manager_names(directory: pd.DataFrame) -> dict[str, str]:
    managers = (
        directory[["manager_id", "manager_name"]]
        .drop_duplicates("manager_id")
        .sort_values(["manager_name", "manager_id"])
    )
    return {str(m): str(n) for m, n in zip(managers["manager_id"], managers["manager_name"], strict=True)}


def _run_open(lang: Lang, meta: data.PublishMeta, directory: pd.DataFrame, pages: dict[str, st.Page]) -> None:
    """Sign-in off (``AGENCY_AUTH=off``): the sidebar picks the viewer, as before issue 17."""
    st.sidebar.warning(t("auth_off", lang), icon=":material/lock_open:")
    manager_names = _manager_names(directory)
    locked = view.locked_manager()
    if locked is not None:
        if locked not in manager_names:
            page = _message_page(t("app_title", lang), t("unknown_manager", lang, manager=locked), error=True)
            st.navigation([st.Page(page, title=t("app_title", lang))], position="hidden").run()
            return
        viewer, viewer_name = locked, manager_names[locked]
        st.sidebar.markdown(f"**{t('viewer_locked', lang, name=viewer_name)}**")
    else:
        viewer = _viewer(list(manager_names), manager_names, lang)
        viewer_name = manager_names.get(viewer, t("viewer_all", lang))

    visible = view.visible_clients(directory, viewer)
    view.set_current(
        view.View(
            lang=lang,
            viewer=viewer,
            viewer_name=viewer_name,
            locked=locked is not None,
            clients=tuple(visible),
            client_names=visible,
            meta=meta,
            pages=pages,
            who="anyone",
        )
    )
    navigation = st.navigation(list(pages.values()))
    st.sidebar.caption(view.freshness_line(meta, lang))
    try:
        navigation.run()
    finally:
        view.set_current(None)
