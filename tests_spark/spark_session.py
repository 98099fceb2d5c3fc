"""A local pyspark session configured as the dbt profile's ``spark`` target says.

The harness loads the raw layer through ``SparkRawStore`` in the session dbt-spark then finds
(``method: session`` calls ``SparkSession.builder.getOrCreate()``), so both see one warehouse and
one Hive metastore. The settings are read from ``dbt_project/profiles.yml`` itself (rendered with
its environment variables) by ``pipelines.load.spark``, never repeated here.
"""

from __future__ import annotations

from typing import Any

from pipelines.load.spark import spark_parameters
from pipelines.load.spark import spark_session as _profile_session

__all__ = ["spark_parameters", "spark_session"]


def spark_session() -> Any:
    """The process's session, configured from the profile with the process's environment."""
    return _profile_session()
