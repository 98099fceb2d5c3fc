"""The folder tree is the architecture: who may import whom."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# folder -> top-level modules it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "connectors": ("pipelines", "dashboard", "demo_agency", "dagster", "dagster_dbt", "duckdb", "delivery"),
    "pipelines": ("demo_agency", "dashboard"),
    "pipelines/load": ("dagster", "dagster_dbt", "pipelines.defs", "pipelines.cli", "delivery"),
    "dashboard": ("pipelines", "connectors", "demo_agency", "dagster", "dagster_dbt"),
    # delivery may read the configuration and settings (pipelines.load), never the orchestration
    "delivery": (
        "dagster",
        "dagster_dbt",
        "streamlit",
        "dashboard",
        "demo_agency",
        "pipelines.defs",
        "pipelines.cli",
    ),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("folder", list(FORBIDDEN))
def test_layer_imports(folder: str) -> None:
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for module in imported_modules(path):
            for banned in FORBIDDEN[folder]:
                if module == banned or module.startswith(banned + "."):
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offenders, "\n".join(offenders)
