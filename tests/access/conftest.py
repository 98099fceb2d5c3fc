"""Fixtures of the access library's tests: a real SQLite store in ``tmp_path``, real argon2 with
cheap parameters (the defaults cost ~50 ms a hash; their soundness has its own test), a clock
the test moves, and a link secret."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from dashboard.access import AccessStore

SECRET = "test-link-secret-0123456789abcdefghij"
PASSWORD = "correct horse battery staple"
START = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


def cheap_hasher(time_cost: int = 1) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=8, parallelism=1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def link_secret_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AGENCY_LINK_SECRET", SECRET)
    return SECRET


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "access" / "users.sqlite3"


@pytest.fixture
def store(store_path: Path, clock: Clock) -> AccessStore:
    return AccessStore(store_path, hasher=cheap_hasher(), clock=clock)


def file_bytes(path: Path) -> bytes:
    """Every byte the store keeps on disk: the file and its WAL and journal, if any."""
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))
