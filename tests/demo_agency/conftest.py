from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from demo_agency import Agency, GroundTruth, WrittenDemo, ground_truth, simulate, write_demo

TODAY = dt.date(2026, 11, 17)


@pytest.fixture(scope="session")
def agency() -> Agency:
    """The full-size demo agency (12 clients, 18 months), as the CLI writes it by default."""
    return simulate(TODAY)


@pytest.fixture(scope="session")
def truth(agency: Agency) -> GroundTruth:
    return ground_truth(agency)


@pytest.fixture(scope="session")
def written(agency: Agency, tmp_path_factory: pytest.TempPathFactory) -> WrittenDemo:
    return write_demo(agency, tmp_path_factory.mktemp("demo"), vendor_files=True)


@pytest.fixture(scope="session")
def small() -> Agency:
    return simulate(dt.date(2026, 3, 20), seed=3, months=2, n_clients=4)


def read_text(path: Path) -> str:
    """Decode like the inbox does: BOM -> utf-8-sig, else strict utf-8, else cp1251."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251")
