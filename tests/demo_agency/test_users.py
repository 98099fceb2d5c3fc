"""The demo's dashboard users: the head and one login per demo manager, made once."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher

from dashboard.access import AccessStore
from demo_agency.users import HEAD_LOGIN, PASSWORD, ensure_demo_users


def test_the_demo_gets_its_head_and_managers_once(tmp_path: Path) -> None:
    config = tmp_path / "agency.yaml"
    config.write_text(
        "managers:\n  - {id: ivanova, name: Мария Иванова}\n  - {id: petrov, name: Алексей Петров}\n",
        encoding="utf-8",
    )
    store = AccessStore(
        tmp_path / "users.sqlite3", hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    assert ensure_demo_users(store, config) == [HEAD_LOGIN, "ivanova", "petrov"]
    users = {u.login: u for u in store.users.all()}
    assert users[HEAD_LOGIN].role == "head"
    assert (users["petrov"].role, users["petrov"].manager_id) == ("manager", "petrov")
    assert store.sign_in("ivanova", PASSWORD).user.login == "ivanova"
    assert ensure_demo_users(store, config) == []  # a second `make demo` leaves them as they are
