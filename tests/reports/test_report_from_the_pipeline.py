"""A report from a serving file the real pipeline built: the demo agency through the production
refresh (one build for this module, about a minute), then ``python -m reports build``."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from dashboard import fmt
from dashboard.periods import Period
from demo_agency import simulate, write_demo
from demo_agency.pipeline import vendor_apis_for
from pipelines.defs.runner import run_refresh
from pipelines.load.config import load_config
from pipelines.load.publish import read_publish_meta
from pipelines.load.settings import Settings
from pipelines.load.windows import full_range
from reports.cli import EXIT_OK, main
from reports.readiness import check_readiness
from tests.reports.conftest import pdf_pages, plain

TODAY = dt.date(2026, 11, 23)
OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("demo")
    written = write_demo(simulate(TODAY, seed=11, months=3, n_clients=4), root)
    settings = Settings.for_directory(root, written.config_path, as_of=TODAY)
    config = load_config(written.config_path)
    outcome = run_refresh(settings, full_range(config, TODAY), vendor_apis=vendor_apis_for(settings))
    assert outcome.success and not outcome.failed_pulls
    return settings


def _biggest_client(serving: Path) -> tuple[str, tuple[Any, ...]]:
    with duckdb.connect(str(serving), read_only=True) as con:
        row = con.execute(
            """
            select client_id, sum(spend), sum(leads), sum(calls), sum(clicks), sum(impressions)
            from client_channel_daily
            where date between ? and ?
            group by client_id
            order by sum(spend) desc, client_id
            limit 1
            """,
            list(OCTOBER),
        ).fetchone()
    assert row is not None
    return str(row[0]), tuple(row[1:])


def test_a_report_from_the_pipelines_serving_file(demo, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AGENCY_SERVING_DB", str(demo.serving_db))
    monkeypatch.setenv("AGENCY_CONFIG", str(demo.config_path))
    monkeypatch.setenv("AGENCY_DATA_DIR", str(demo.data_dir))
    client_id, (spend, leads, calls, clicks, impressions) = _biggest_client(demo.serving_db)
    out = tmp_path / "out"
    assert main(["build", "--period", "2026-10", "--client", client_id, "--out", str(out)]) == EXIT_OK
    capsys.readouterr()

    published = read_publish_meta(demo.serving_db)
    assert published is not None
    manifest = json.loads(next(out.glob("manifest_*.json")).read_text(encoding="utf-8"))
    assert manifest["serving"]["run_id"] == published["run_id"]
    assert manifest["serving"]["data_cutoff"] == str(published["data_cutoff"])  # ISO date
    files = {e["format"]: out / e["file"] for e in manifest["reports"]}

    pdf = files["pdf"].read_bytes()
    first = pdf_pages(pdf)[0]
    cpl = float(spend) / leads
    for figure in (
        fmt.money(spend, "ru", 0),
        fmt.integer(leads, "ru"),
        fmt.money(cpl, "ru"),
        fmt.integer(calls, "ru"),
        fmt.percent(clicks / impressions, "ru", 2),
        fmt.integer(clicks, "ru"),
    ):
        assert plain(figure) in first, (figure, first[:600])
    assert "Октябрь 2026 (01.10.2026 – 31.10.2026)" in first

    workbook = load_workbook(io.BytesIO(files["xlsx"].read_bytes()))
    summary = workbook.worksheets[0]
    values = {summary.cell(row=r, column=1).value: summary.cell(row=r, column=2) for r in range(5, 11)}
    assert values["Расход"].value == pytest.approx(float(spend))
    assert (
        values["Лиды"].value == leads and values["Звонки"].value == calls and values["Клики"].value == clicks
    )
    assert values["CPL"].value == pytest.approx(cpl) and values["CPL"].number_format == '#,##0.00\\ "₽"'

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm is not None, "pdftoppm is missing: run scripts/ensure_poppler.sh"
    subprocess.run([pdftoppm, "-r", "40", "-png", str(files["pdf"]), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == pages >= 3


def test_the_gate_on_the_pipelines_coverage(demo):
    """After a full refresh every account of every client is covered through yesterday: last
    month is settled for all, this month is not (its days are still re-pulled)."""
    config = load_config(demo.config_path)
    october = Period(*OCTOBER)
    november = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 22))
    for client in config.clients:
        if client.end_date and client.end_date < october.start:
            continue
        assert check_readiness(demo.serving_db, config, client.id, october, TODAY).ready, client.id
        (hold,) = check_readiness(demo.serving_db, config, client.id, november, TODAY).holds
        assert hold.code == "restatement_open" and hold.settles_on is not None
