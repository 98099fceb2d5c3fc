from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_bytes():
    """Exact bytes of a file in tests/connectors/fixtures."""
    return lambda name: (FIXTURES / name).read_bytes()
