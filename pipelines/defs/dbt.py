"""The dbt project as Dagster assets; dbt tests become Dagster asset checks.

Asset groups follow the model folders (``staging``, ``intermediate``, ``marts``, ``seeds``), so
the Dagster UI shows the same layers as the dbt project.
"""

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines.defs.partitions import REBUILD_MODELS_TAG
from pipelines.defs.resources import AgencyEnvironment
from pipelines.load.model_builds import plan_build, record_build
from pipelines.load.settings import REPO_ROOT

__all__ = ["DBT_PROJECT_DIR", "AgencyDbtTranslator", "agency_dbt_assets", "dbt_project", "dbt_resource"]

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
_DBT_SOURCES = ("models", "macros", "seeds", "tests", "dbt_project.yml")


def _ensure_dbt_on_path() -> None:
    """`dbt` must be on PATH for the dbt resource; under `uv run` it is, elsewhere add the venv's bin."""
    if shutil.which("dbt") is None:
        bindir = str(Path(sys.executable).parent)
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    """True when the manifest is missing or older than any file of the dbt project."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in _DBT_SOURCES:
        path = project_dir / name
        files = [path] if path.is_file() else path.rglob("*")
        if any(f.is_file() and f.stat().st_mtime > built for f in files):
            return True
    return False


_ensure_dbt_on_path()
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if dbt_project.preparer.using_dagster_dev() or manifest_is_stale(DBT_PROJECT_DIR, dbt_project.manifest_path):
    # Parse again whenever a model, macro, seed or test changed since the last parse.
    dbt_project.preparer.prepare(dbt_project)


class AgencyDbtTranslator(DagsterDbtTranslator):
    """Asset groups after the dbt layer a node lives in (its first folder)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn") or []
        return str(fqn[1]) if len(fqn) > 2 else super().get_group_name(dbt_resource_props)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    name="agency_dbt_models",
    dagster_dbt_translator=AgencyDbtTranslator(),
)
def agency_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, agency: AgencyEnvironment
) -> Iterator[Any]:
    """`dbt build`: seeds, models and their tests (tests arrive as asset checks).

    Incremental models replace only the windows loaded since the last successful build; a
    changed dbt project or configuration, a first build, or the run tag
    ``agency/rebuild_models`` (``refresh --full``, ``--rebuild-models``) rebuild everything
    (``pipelines.load.model_builds``). A failing error-severity test fails this step, so nothing
    downstream (the publish step) runs and the serving file stays on its last good version.
    """
    settings = agency.settings()
    os.environ["AGENCY_BUILD_DB"] = str(settings.build_db)
    rebuild = context.run.tags.get(REBUILD_MODELS_TAG) == "true"
    plan = plan_build(settings.build_db, DBT_PROJECT_DIR, rebuild=rebuild)
    how = "full rebuild" if plan.full else "incremental"
    context.log.info(f"dbt build: {how} ({plan.reason})")
    yield from dbt.cli(plan.dbt_args(settings.as_of_date()), context=context).stream()
    # Only after every model and test passed (a failure raised above): the next build's mark.
    record_build(settings.build_db, plan)
