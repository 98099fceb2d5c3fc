"""The agency's client directory as the access library needs it: the manager ids, and each
client's id with its manager's (``managers:`` and ``clients:`` of the agency configuration).

The dashboard may not import ``pipelines`` (``tests/test_layers.py``), where the configuration is
validated (``pipelines.load.config.load_config``). So the command line reads these three keys
from the YAML itself, to check ``--manager`` and ``--clients`` against them; it does not
validate the rest of the file (the pipeline does, on every refresh). A test reads the example
configuration both ways and compares them. The dashboard, which has the published serving file,
passes the same mapping from there to :func:`dashboard.access.scope.user_scope`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dashboard.access.errors import InvalidInputError

__all__ = ["ClientDirectory", "DirectoryError", "read_directory"]


class DirectoryError(InvalidInputError):
    """The configuration cannot be read as a client directory (the message says where)."""


@dataclass(frozen=True)
class ClientDirectory:
    managers: frozenset[str]
    clients: Mapping[str, str] = field(default_factory=dict)
    """Client id -> manager id."""

    def check_manager(self, manager_id: str, source: str) -> None:
        if manager_id not in self.managers:
            known = ", ".join(sorted(self.managers)) or "none"
            raise InvalidInputError(f"unknown manager {manager_id!r}: {source} lists {known}")

    def check_clients(self, client_ids: Iterable[str], source: str) -> None:
        unknown = sorted(c for c in client_ids if c not in self.clients)
        if unknown:
            raise InvalidInputError(
                f"unknown client {', '.join(repr(c) for c in unknown)}: not among the {len(self.clients)} "
                f"clients of {source}"
            )


def _ids(node: Any, key: str, path: Path) -> list[Mapping[str, Any]]:
    items = node.get(key) if isinstance(node, Mapping) else None
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise DirectoryError(f"{path}: {key} is not a list of mappings")
    return items


def read_directory(path: Path) -> ClientDirectory:
    """The directory of the configuration at ``path`` (DirectoryError when unreadable)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DirectoryError(f"cannot read the agency configuration {path}: {exc}") from None
    managers = frozenset(str(m.get("id", "")).strip() for m in _ids(data, "managers", path))
    clients: dict[str, str] = {}
    for i, client in enumerate(_ids(data, "clients", path)):
        client_id, manager = str(client.get("id", "")).strip(), str(client.get("manager", "")).strip()
        if not client_id or not manager:
            raise DirectoryError(f"{path}: clients[{i}] needs an id and a manager")
        clients[client_id] = manager
    return ClientDirectory(managers=managers - {""}, clients=clients)
