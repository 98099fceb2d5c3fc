"""The demo agency's dashboard users: ``python -m demo_agency.users`` (``make demo`` runs it).

The dashboard asks for a sign-in (``AGENCY_AUTH=local``, the default). So that a first look needs
no setup, the demo's access store (``AGENCY_USERS``, by default ``data/demo/access/users.sqlite3``)
gets the agency head ``demo`` and one login per demo manager (their manager id), all with the
password :data:`PASSWORD`, printed when made. Users already in the store are left as they are.
These are demo credentials for a demo on your own machine; a real agency creates its users with
``python -m dashboard.access user add`` (README, "Users and client links").
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

import yaml

from dashboard.access import AccessStore

__all__ = ["HEAD_LOGIN", "PASSWORD", "ensure_demo_users"]

HEAD_LOGIN: Final = "demo"
PASSWORD: Final = "demo-password"


def _managers(config_path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    return [(str(m["id"]), str(m.get("name") or m["id"])) for m in data.get("managers") or []]


def ensure_demo_users(store: AccessStore, config_path: Path) -> list[str]:
    """Add the demo's head and managers that the store lacks; the logins added."""
    known = {user.login for user in store.users.all()}
    added: list[str] = []
    wanted: list[tuple[str, str, str | None, str]] = [
        (HEAD_LOGIN, "head", None, "Руководитель демо-агентства")
    ]
    wanted += [(manager.lower(), "manager", manager, name) for manager, name in _managers(config_path)]
    for login, role, manager_id, name in wanted:
        if login in known:
            continue
        store.users.add(login, PASSWORD, role, by="make demo", name=name, manager_id=manager_id)
        added.append(login)
    return added


def main() -> int:
    from dashboard.access.paths import config_path

    store = AccessStore()
    added = ensure_demo_users(store, config_path())
    logins = ", ".join(u.login for u in store.users.all())
    if added:
        print(f"Demo sign-in: {HEAD_LOGIN} / {PASSWORD} (the agency head); managers: the same password")
    print(f"Dashboard users ({store.path}): {logins}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
