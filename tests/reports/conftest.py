"""Fixtures for the report tests: the dashboard's serving fixture and an agency configuration
with branding (a real PNG logo) for its four clients."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pypdf import PdfReader

from tests.dashboard.serving_fixture import build_serving_db

AGENCY_YAML = """
agency:
  name: Агентство «Пример»
  branding:
    logo: logo.png
    primary_color: "#0B6E4F"
    contact_line: "+7 495 123-45-67 · hello@primer.example"
managers:
  - {id: m_ivanova, name: Анна Иванова}
  - {id: m_petrov, name: Пётр Петров}
clients:
  - {id: alfa, name: Альфа Строй, inn: "7707083893", manager: m_ivanova, start_date: 2024-03-01}
  - {id: beta, name: Бета Клиник, inn: "7728168971", manager: m_ivanova, start_date: 2025-06-15, language: en}
  - {id: gamma, name: Гамма Мебель, inn: "7736050003", manager: m_petrov, start_date: 2023-11-01}
  - {id: delta, name: Дельта Авто, inn: "7702070139", manager: m_petrov, start_date: 2024-01-10,
     end_date: 2026-10-31}
"""


def logo_png() -> bytes:
    """A small logo: a coloured square with a letter, drawn with matplotlib."""
    figure = Figure(figsize=(1.2, 0.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.axis("off")
    axes.add_patch(
        __import__("matplotlib.patches", fromlist=["Rectangle"]).Rectangle((0, 0), 0.45, 1, color="#0B6E4F")
    )
    axes.text(0.22, 0.5, "П", color="white", fontsize=26, ha="center", va="center")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def serving_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_serving_db(tmp_path_factory.mktemp("serving") / "serving.duckdb")


@pytest.fixture(scope="session")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("config")
    (folder / "logo.png").write_bytes(logo_png())
    path = folder / "agency.yaml"
    path.write_text(AGENCY_YAML, encoding="utf-8")
    return path


@pytest.fixture
def agency_env(
    serving_file: Path, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """``AGENCY_SERVING_DB``, ``AGENCY_CONFIG`` and ``AGENCY_DATA_DIR`` (a fresh folder) set."""
    monkeypatch.setenv("AGENCY_SERVING_DB", str(serving_file))
    monkeypatch.setenv("AGENCY_CONFIG", str(config_file))
    monkeypatch.setenv("AGENCY_DATA_DIR", str(tmp_path / "data"))
    yield tmp_path / "data"


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text, with runs of spaces (and no-break spaces) made one space."""
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"[ \u00a0]+", " ", page.extract_text() or "") for page in reader.pages]


def plain(text: str) -> str:
    """A formatted figure as :func:`pdf_pages` returns it (no-break spaces as spaces)."""
    return text.replace("\u00a0", " ")
