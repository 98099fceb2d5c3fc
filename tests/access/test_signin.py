"""Users, sign-in, lockout and sessions against a real SQLite file and real argon2."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Literal

import argon2
import pytest
from argon2 import PasswordHasher

from dashboard.access import (
    AccessStore,
    AccountDisabledError,
    BadCredentialsError,
    InvalidInputError,
    LockedOutError,
    Policy,
    SessionExpiredError,
    SessionInvalidError,
)
from tests.access.conftest import PASSWORD, Clock, cheap_hasher, file_bytes


def add_head(store: AccessStore, login: str = "Boss") -> None:
    store.users.add(login, PASSWORD, "head", by="test")


def test_the_default_argon2_parameters_are_sound(tmp_path: Path) -> None:
    hasher = AccessStore(tmp_path / "u.sqlite3").hasher
    assert hasher.type is argon2.Type.ID
    assert hasher.memory_cost >= 19 * 1024  # OWASP's minimum for argon2id: 19 MiB
    assert hasher.time_cost >= 2
    assert hasher.salt_len >= 16


def test_sign_in_with_the_right_password_opens_a_session(store: AccessStore) -> None:
    add_head(store)
    session = store.sign_in("BOSS", PASSWORD)  # the login is case-insensitive
    assert session.user.login == "boss"
    assert len(session.token) >= 40
    assert store.session_user(session.token).login == "boss"
    assert session.token not in repr(session)


def test_a_login_is_unique_whatever_its_case(store: AccessStore) -> None:
    add_head(store, "boss")
    with pytest.raises(InvalidInputError, match="taken"):
        store.users.add("BOSS", PASSWORD, "head", by="test")


@pytest.mark.parametrize("password", ["", "short", "123456789"])
def test_a_short_password_is_refused(store: AccessStore, password: str) -> None:
    with pytest.raises(InvalidInputError, match="too short"):
        store.users.add("boss", password, "head", by="test")
    assert store.users.all() == []


def test_a_wrong_password_and_an_unknown_login_get_the_same_answer(store: AccessStore) -> None:
    add_head(store)
    with pytest.raises(BadCredentialsError) as wrong:
        store.sign_in("boss", PASSWORD + "!")
    with pytest.raises(BadCredentialsError) as unknown:
        store.sign_in("nobody", PASSWORD)
    assert str(wrong.value) == str(unknown.value)


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


def test_an_unknown_login_costs_an_argon2_verification(store_path: Path, clock: Clock) -> None:
    hasher = CountingHasher()
    store = AccessStore(store_path, hasher=hasher, clock=clock)
    for login in ("nobody", "not a login at all!"):
        before = hasher.verified
        with pytest.raises(BadCredentialsError):
            store.sign_in(login, PASSWORD)
        assert hasher.verified == before + 1


def test_lockout_after_five_wrong_passwords_then_unlock_after_the_period(
    store: AccessStore, clock: Clock
) -> None:
    add_head(store)
    for _ in range(4):
        with pytest.raises(BadCredentialsError):
            store.sign_in("boss", "wrong password!")
    with pytest.raises(LockedOutError) as locked:
        store.sign_in("boss", "wrong password!")
    assert locked.value.until == clock.now + Policy().lockout
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(LockedOutError):  # the right password is refused while locked
        store.sign_in("boss", PASSWORD)
    clock.advance(seconds=1)
    assert store.sign_in("boss", PASSWORD).user.login == "boss"
    events = [e.event for e in store.audit.recent(20)]
    assert events.count("locked_out") == 1
    assert events[0] == "sign_in"


def test_four_failures_then_success_resets_the_count(store: AccessStore) -> None:
    add_head(store)
    for _ in range(4):
        with pytest.raises(BadCredentialsError):
            store.sign_in("boss", "wrong password!")
    store.sign_in("boss", PASSWORD)
    for _ in range(4):
        with pytest.raises(BadCredentialsError):
            store.sign_in("boss", "wrong password!")
    assert store.sign_in("boss", PASSWORD)


def test_after_a_lockout_ends_the_count_starts_again(store_path: Path, clock: Clock) -> None:
    store = AccessStore(store_path, hasher=cheap_hasher(), clock=clock, policy=Policy(max_failures=3))
    add_head(store)
    for _ in range(2):
        with pytest.raises(BadCredentialsError):
            store.sign_in("boss", "wrong password!")
    with pytest.raises(LockedOutError):
        store.sign_in("boss", "wrong password!")
    clock.advance(minutes=15)
    with pytest.raises(BadCredentialsError):  # one failure, not the fourth
        store.sign_in("boss", "wrong password!")


def test_a_disabled_user_cannot_sign_in_and_loses_their_sessions(store: AccessStore) -> None:
    add_head(store)
    session = store.sign_in("boss", PASSWORD)
    store.users.set_disabled("boss", True, by="test")
    with pytest.raises(SessionInvalidError):
        store.session_user(session.token)
    with pytest.raises(AccountDisabledError):
        store.sign_in("boss", PASSWORD)
    with pytest.raises(BadCredentialsError):  # a wrong password does not tell it is disabled
        store.sign_in("boss", "wrong password!")
    store.users.set_disabled("boss", False, by="test")
    assert store.sign_in("boss", PASSWORD)


def test_a_new_password_ends_the_sessions(store: AccessStore) -> None:
    add_head(store)
    session = store.sign_in("boss", PASSWORD)
    store.users.set_password("boss", "another long password", by="test")
    with pytest.raises(SessionInvalidError):
        store.session_user(session.token)
    with pytest.raises(BadCredentialsError):
        store.sign_in("boss", PASSWORD)
    assert store.sign_in("boss", "another long password")


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(store_path: Path, clock: Clock) -> None:
    AccessStore(store_path, hasher=cheap_hasher(time_cost=1), clock=clock).users.add(
        "boss", PASSWORD, "head", by="test"
    )
    stronger = cheap_hasher(time_cost=2)
    store = AccessStore(store_path, hasher=stronger, clock=clock)

    def stored_hash() -> str:
        with sqlite3.connect(store_path) as db:
            return str(db.execute("SELECT password_hash FROM users").fetchone()[0])

    assert stronger.check_needs_rehash(stored_hash())
    store.sign_in("boss", PASSWORD)
    assert argon2.extract_parameters(stored_hash()).time_cost == 2
    assert not stronger.check_needs_rehash(stored_hash())
    assert store.sign_in("boss", PASSWORD)  # the new hash verifies


def test_a_session_expires_when_idle(store: AccessStore, clock: Clock) -> None:
    add_head(store)
    session = store.sign_in("boss", PASSWORD)
    clock.advance(minutes=59)
    assert store.session_user(session.token)  # used: the idle time starts again
    clock.advance(minutes=59)
    assert store.session_user(session.token)
    clock.advance(hours=1)
    with pytest.raises(SessionExpiredError):
        store.session_user(session.token)


def test_a_session_expires_after_its_absolute_lifetime_however_busy(store: AccessStore, clock: Clock) -> None:
    add_head(store)
    session = store.sign_in("boss", PASSWORD)
    for _ in range(23):
        clock.advance(minutes=30)
        assert store.session_user(session.token)
    clock.advance(minutes=30)  # 12 hours after sign-in
    with pytest.raises(SessionExpiredError):
        store.session_user(session.token)


def test_sign_out_ends_the_session_and_only_that_one(store: AccessStore) -> None:
    add_head(store)
    first = store.sign_in("boss", PASSWORD)
    second = store.sign_in("boss", PASSWORD)
    store.sign_out(first.token)
    with pytest.raises(SessionInvalidError):
        store.session_user(first.token)
    assert store.session_user(second.token).login == "boss"
    store.sign_out(first.token)  # again: nothing happens
    assert [e.event for e in store.audit.recent(10)].count("sign_out") == 1


def test_an_unknown_token_opens_nothing(store: AccessStore) -> None:
    add_head(store)
    session = store.sign_in("boss", PASSWORD)
    with pytest.raises(SessionInvalidError):
        store.session_user(session.token[:-1] + ("A" if session.token[-1] != "A" else "B"))


def test_neither_the_password_nor_the_session_token_is_on_disk(store: AccessStore) -> None:
    add_head(store)
    session = store.sign_in("boss", PASSWORD)
    with pytest.raises(BadCredentialsError):
        store.sign_in("boss", "a mistyped secret password")
    with pytest.raises(BadCredentialsError):  # a password typed into the login field
        store.sign_in("typed-into-login-field", PASSWORD)
    stored = file_bytes(store.path)
    assert b"boss" in stored  # the file is read, and holds what it should
    for secret in (PASSWORD, "a mistyped secret password", "typed-into-login-field", session.token):
        assert secret.encode() not in stored


@pytest.mark.parametrize(
    ("role", "manager", "clients", "message"),
    [
        ("boss", None, (), "unknown role"),
        ("manager", None, (), "needs --manager"),
        ("head", "ivanova", (), "only a manager"),
        ("manager", "ivanova", ("romashka",), "through their role"),
        ("specialist", None, (), "needs --clients"),
        ("client", None, ("a", "b"), "exactly one client"),
        ("specialist", None, ("Bad Id",), "not a client id"),
    ],
)
def test_a_role_gets_exactly_what_it_needs(
    store: AccessStore, role: str, manager: str | None, clients: tuple[str, ...], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        store.users.add("someone", PASSWORD, role, by="test", manager_id=manager, clients=clients)
    assert store.users.all() == []


def test_an_overlong_password_is_a_wrong_one(store: AccessStore) -> None:
    add_head(store)
    with pytest.raises(BadCredentialsError):
        store.sign_in("boss", PASSWORD + "x" * 2000)
    assert store.audit.recent(1)[0].detail == {"reason": "wrong_password", "failures": 1}
