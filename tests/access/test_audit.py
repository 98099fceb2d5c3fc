"""The audit log: the events with who and when, append-only, never a secret."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from dashboard.access import AccessStore, BadCredentialsError, LockedOutError
from tests.access.conftest import PASSWORD, START, Clock


def test_the_events_say_who_and_when(store: AccessStore, clock: Clock) -> None:
    store.users.add("boss", PASSWORD, "head", by="admin@host")
    clock.advance(minutes=1)
    session = store.sign_in("boss", PASSWORD)
    with pytest.raises(BadCredentialsError):
        store.sign_in("ghost", PASSWORD)
    store.audit.record("report_downloaded", "boss", {"client": "alfa", "period": "2026-10", "format": "pdf"})
    store.sign_out(session.token)
    store.users.set_disabled("boss", True, by="admin@host")
    events = [(e.event, e.who) for e in reversed(store.audit.recent(10))]
    assert events == [
        ("user_added", "admin@host"),
        ("sign_in", "boss"),
        ("sign_in_failed", "?"),
        ("report_downloaded", "boss"),
        ("sign_out", "boss"),
        ("user_disabled", "admin@host"),
    ]
    first = store.audit.recent(10)[-1]
    assert first.at == START
    assert first.detail["role"] == "head"
    assert [e.event for e in store.audit.recent(2)] == ["user_disabled", "sign_out"]
    assert [e.who for e in store.audit.recent(10, event="sign_in_failed")] == ["?"]


def test_a_lockout_is_audited(store: AccessStore) -> None:
    store.users.add("boss", PASSWORD, "head", by="test")
    for _ in range(4):
        with pytest.raises(BadCredentialsError):
            store.sign_in("boss", "wrong password!")
    with pytest.raises(LockedOutError):
        store.sign_in("boss", "wrong password!")
    latest = store.audit.recent(1)[0]
    assert (latest.event, latest.who, latest.detail["failures"]) == ("locked_out", "boss", 5)
    assert len(store.audit.recent(20, event="sign_in_failed")) == 5


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit SET who = 'someone else'", "DELETE FROM audit", "DELETE FROM audit WHERE id = 1"],
)
def test_the_audit_log_refuses_update_and_delete(store: AccessStore, statement: str) -> None:
    store.users.add("boss", PASSWORD, "head", by="test")
    with sqlite3.connect(store.path) as db, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute(statement)
    assert [(e.event, e.who) for e in store.audit.recent()] == [("user_added", "test")]


@pytest.mark.parametrize("key", ["token", "password", "session_token", "link_secret", "password_hash"])
def test_a_detail_naming_a_secret_is_refused(store: AccessStore, key: str) -> None:
    with pytest.raises(ValueError, match="never holds secrets"):
        store.audit.record("report_downloaded", "boss", {key: "x"})
    assert store.audit.recent() == []


def test_an_unknown_event_is_refused(store: AccessStore) -> None:
    with pytest.raises(ValueError, match="unknown audit event"):
        store.audit.record("coffee", "boss")


def test_only_its_owner_can_read_the_store(store: AccessStore) -> None:
    store.users.add("boss", PASSWORD, "head", by="test")
    with sqlite3.connect(store.path) as db:  # hold it open: the WAL file exists meanwhile
        db.execute("SELECT count(*) FROM users").fetchone()
        files = sorted(store.path.parent.glob(store.path.name + "*"))
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
    assert store.path.name + "-wal" in modes
    assert set(modes.values()) == {0o600}
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
