"""The folder tree is the architecture: who may import whom."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# folder -> top-level modules it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "connectors": ("pipelines", "dashboard", "demo_agency", "dagster", "dagster_dbt", "duckdb", "delivery"),
    "pipelines": ("demo_agency", "dashboard"),
    "pipelines/load": ("dagster", "dagster_dbt", "pipelines.defs", "pipelines.cli", "delivery"),
    "dashboard": ("pipelines", "connectors", "demo_agency", "dagster", "dagster_dbt"),
    # plain Python the dashboard, the command line and a scheduled job all call: reads the
    # configuration through pipelines.load only
    "reports": ("streamlit", "dagster", "dagster_dbt", "pipelines.defs", "pipelines.cli", "demo_agency"),
    # alerts: plain Python over delivery, reports and the configuration; Dagster runs it from outside
    "alerts": (
        "dagster",
        "dagster_dbt",
        "streamlit",
        "dashboard",
        "demo_agency",
        "pipelines.defs",
        "pipelines.cli",
    ),
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


def test_importing_reports_loads_neither_streamlit_nor_dagster() -> None:
    """Not only its own files: nothing it imports (``dashboard.fmt``, ``tables``...) brings them in."""
    probe = (
        "import sys, reports, reports.cli; "
        "print(sorted(m for m in ('streamlit', 'dagster', 'dagster_dbt') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
