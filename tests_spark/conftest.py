"""The Spark harness shares the main suite's guard against a developer's settings and its demo
agency (``tests/conftest.py``): the same refresh on DuckDB is what Spark's build is compared with."""

from tests.conftest import (  # noqa: F401  (pytest finds fixtures and hooks by name here)
    _no_developer_settings,
    published_demo,
    pytest_configure,
    pytest_unconfigure,
)
