"""The dbt project as Dagster assets; dbt tests become Dagster asset checks."""

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from pipelines.resources import AgencyEnvironment
from pipelines.settings import REPO_ROOT

__all__ = ["DBT_PROJECT_DIR", "agency_dbt_assets", "dbt_project", "dbt_resource"]

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def _ensure_dbt_on_path() -> None:
    """`dbt` must be on PATH for the dbt resource; under `uv run` it is, elsewhere add the venv's bin."""
    if shutil.which("dbt") is None:
        bindir = str(Path(sys.executable).parent)
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


_ensure_dbt_on_path()
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if dbt_project.preparer.using_dagster_dev() or not dbt_project.manifest_path.exists():
    # `dagster dev` re-parses to pick up edits; elsewhere parse once if there is no manifest yet.
    dbt_project.preparer.prepare(dbt_project)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR))


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, name="agency_dbt_models")
def agency_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, agency: AgencyEnvironment
) -> Iterator[Any]:
    """`dbt build`: seeds, models and their tests (tests arrive as asset checks).

    A failing error-severity test fails this step, so nothing downstream (the publish step)
    runs and the serving file stays on its last good version.
    """
    settings = agency.settings()
    os.environ["AGENCY_BUILD_DB"] = str(settings.build_db)
    dbt_vars = json.dumps({"as_of_date": settings.as_of_date().isoformat()})
    yield from dbt.cli(["build", "--vars", dbt_vars], context=context).stream()
