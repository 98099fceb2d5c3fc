"""A local pyspark session configured as the dbt profile's ``spark`` target says.

The harness writes the raw layer into the session dbt-spark then finds (``method: session``
calls ``SparkSession.builder.getOrCreate()``), so both see one warehouse and one Hive metastore.
The settings are read from ``dbt_project/profiles.yml`` itself (rendered with its environment
variables), never repeated here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import yaml

PROFILES = Path(__file__).resolve().parents[1] / "dbt_project" / "profiles.yml"


def spark_parameters(target: str = "spark") -> dict[str, str]:
    """The ``server_side_parameters`` of the profile's target, rendered as dbt renders them."""

    def env_var(name: str, default: str | None = None) -> str:
        value = os.environ.get(name, default)
        if value is None:
            raise KeyError(f"profiles.yml needs the environment variable {name}")
        return value

    raw = yaml.safe_load(PROFILES.read_text(encoding="utf-8"))
    params = raw["agency_reporting"]["outputs"][target]["server_side_parameters"]
    render = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string
    return {str(k): render(str(v)).render(env_var=env_var) for k, v in params.items()}


def spark_session() -> Any:
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_parameters().items():
        builder = builder.config(key, value)
    builder = builder.config("spark.sql.ansi.enabled", "false")  # as dbt-spark sets it
    return builder.getOrCreate()
