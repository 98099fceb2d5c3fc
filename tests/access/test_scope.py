"""Each role's scope: the clients and pages it may see, computed from the identity."""

from __future__ import annotations

import pytest

from dashboard.access import (
    AGENCY,
    ALL_PAGES,
    CAMPAIGNS,
    CHANNELS,
    CLIENT_REPORT,
    DATA_HEALTH,
    INVOICES,
    NOTHING,
    PORTFOLIO,
    AccessStore,
    user_scope,
)
from tests.access.conftest import PASSWORD

DIRECTORY = {"alfa": "ivanova", "beta": "ivanova", "gamma": "petrov", "delta": "petrov"}


def test_the_head_sees_every_client_every_page_and_the_money(store: AccessStore) -> None:
    head = store.users.add("boss", PASSWORD, "head", by="test")
    scope = user_scope(head, DIRECTORY)
    assert scope.clients == frozenset(DIRECTORY)
    assert scope.pages == ALL_PAGES
    assert scope.money and scope.sidebar
    assert not scope.contacts


def test_a_manager_sees_their_own_clients_and_their_money(store: AccessStore) -> None:
    manager = store.users.add("maria", PASSWORD, "manager", by="test", manager_id="ivanova")
    scope = user_scope(manager, DIRECTORY)
    assert scope.clients == frozenset({"alfa", "beta"})
    assert scope.money
    assert INVOICES in scope.pages
    assert AGENCY not in scope.pages
    assert scope.pages == frozenset({PORTFOLIO, CLIENT_REPORT, CHANNELS, CAMPAIGNS, DATA_HEALTH, INVOICES})


def test_a_manager_without_clients_sees_none(store: AccessStore) -> None:
    manager = store.users.add("new", PASSWORD, "manager", by="test", manager_id="sidorov")
    assert user_scope(manager, DIRECTORY).clients == frozenset()


def test_a_specialist_sees_the_assigned_clients_without_money(store: AccessStore) -> None:
    specialist = store.users.add(
        "ppc", PASSWORD, "specialist", by="test", clients=["alfa", "gamma", "gone"], can_see_contacts=True
    )
    scope = user_scope(specialist, DIRECTORY)
    assert scope.clients == frozenset({"alfa", "gamma"})  # "gone" left the directory
    assert not scope.money
    assert INVOICES not in scope.pages and AGENCY not in scope.pages
    assert {CHANNELS, CAMPAIGNS} <= scope.pages
    assert scope.contacts


def test_a_client_user_sees_one_report_without_sidebar(store: AccessStore) -> None:
    client = store.users.add("alfa-ceo", PASSWORD, "client", by="test", clients=["alfa"])
    scope = user_scope(client, DIRECTORY)
    assert scope.clients == frozenset({"alfa"})
    assert scope.pages == frozenset({CLIENT_REPORT})
    assert not scope.money and not scope.sidebar and not scope.contacts


def test_a_disabled_user_sees_nothing(store: AccessStore) -> None:
    store.users.add("boss", PASSWORD, "head", by="test")
    disabled = store.users.set_disabled("boss", True, by="test")
    assert user_scope(disabled, DIRECTORY) == NOTHING


@pytest.mark.parametrize("login", ["boss", "maria", "ppc"])
def test_the_scope_of_a_session_is_its_users(store: AccessStore, login: str) -> None:
    store.users.add("boss", PASSWORD, "head", by="test")
    store.users.add("maria", PASSWORD, "manager", by="test", manager_id="petrov")
    store.users.add("ppc", PASSWORD, "specialist", by="test", clients=["beta"])
    session = store.sign_in(login, PASSWORD)
    expected = user_scope(store.users.get(login), DIRECTORY)  # type: ignore[arg-type]
    assert store.scope(session.token, DIRECTORY) == expected
    assert (
        expected.clients
        == {
            "boss": frozenset(DIRECTORY),
            "maria": frozenset({"gamma", "delta"}),
            "ppc": frozenset({"beta"}),
        }[login]
    )
