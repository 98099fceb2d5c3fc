"""The dashboard's frame: page config, sidebar (language, viewer, freshness) and navigation.

``dashboard/app.py`` calls :func:`run`, which registers the pages with ``st.navigation`` and
runs the one the URL names.

The page scripts live in ``views/``, not ``pages/``: a ``pages/`` folder beside the entry
script would switch Streamlit into its legacy multipage mode.

Reads only the published serving DuckDB file (``AGENCY_SERVING_DB``). The sidebar says who is
looking (a manager, or the agency head for all clients; ``AGENCY_DASHBOARD_MANAGER`` locks it to
one manager) and in which language; the clients that viewer may see are passed to every query.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from dashboard import data, view
from dashboard.fmt import Lang
from dashboard.i18n import LANGS, t

HERE = Path(__file__).resolve().parent

__all__ = ["run"]


def _language() -> Lang:
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
    }


def run() -> None:
    """Draw the frame and run the page the URL asks for."""
    st.set_page_config(page_title="Отчётность агентства", page_icon=":material/monitoring:", layout="wide")
    lang = _language()

    try:
        meta = data.publish_meta()
        directory = data.viewer_directory()
    except data.ServingNotPublishedError as exc:
        page = _message_page(t("not_published_title", lang), t("not_published_body", lang, path=exc.path))
        st.navigation([st.Page(page, title=t("app_title", lang))], position="hidden").run()
        return

    managers = (
        directory[["manager_id", "manager_name"]]
        .drop_duplicates("manager_id")
        .sort_values(["manager_name", "manager_id"])
    )
    manager_names = {
        str(m): str(n) for m, n in zip(managers["manager_id"], managers["manager_name"], strict=True)
    }
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

    pages = _pages(lang)
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
        )
    )
    navigation = st.navigation(list(pages.values()))
    st.sidebar.caption(view.freshness_line(meta, lang))
    try:
        navigation.run()
    finally:
        view.set_current(None)
