"""python -m reports build: files, the manifest and its sha256, --period forms, exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import reports.build
import reports.pdf
from reports.cli import EXIT_FAILED_CLIENTS, EXIT_NO_SERVING, EXIT_OK, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[2]


def manifest(folder: Path) -> dict[str, Any]:
    found = sorted(folder.glob("manifest_*.json"))
    assert len(found) == 1, found
    data: dict[str, Any] = json.loads(found[0].read_text(encoding="utf-8"))
    return data


def test_a_month_for_every_client_served_with_a_manifest(agency_env, capsys):
    assert main(["build", "--period", "2026-10"]) == EXIT_OK
    folder = agency_env / "reports" / "2026-10"
    data = manifest(folder)
    assert data["period"] == {"name": "2026-10", "start": "2026-10-01", "end": "2026-10-31"}
    assert data["serving"]["run_id"] == "fixture-run-0001" and data["serving"]["data_cutoff"] == "2026-11-22"
    assert data["failed"] == []
    entries = {(e["client_id"], e["format"]): e for e in data["reports"]}
    assert set(entries) == {(c, f) for c in ("alfa", "beta", "gamma", "delta") for f in ("pdf", "xlsx")}
    for entry in entries.values():
        path = folder / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        assert entry["bytes"] == path.stat().st_size
        assert entry["run_id"] == "fixture-run-0001" and entry["data_cutoff"] == "2026-11-22"
        assert entry["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert entries[("beta", "pdf")]["language"] == "en"  # language: en in the configuration
    assert entries[("beta", "pdf")]["file"] == "beta_2026-10_en.pdf"
    assert entries[("alfa", "xlsx")]["file"] == "alfa_2026-10_ru.xlsx"
    out = capsys.readouterr().out
    assert "✓ alfa (Альфа Строй): alfa_2026-10_ru.pdf, alfa_2026-10_ru.xlsx" in out
    assert "8 file(s) for 4 of 4 client(s)" in out and "manifest: " in out


def test_a_week_a_range_a_format_a_language_and_a_manager(agency_env, tmp_path):
    out = tmp_path / "week"
    assert main(["build", "--period", "2026-W44", "--manager", "m_petrov", "--format", "pdf", "--lang", "en",
                 "--out", str(out)]) == EXIT_OK  # fmt: skip
    assert sorted(p.name for p in out.glob("*.pdf")) == ["delta_2026-W44_en.pdf", "gamma_2026-W44_en.pdf"]
    assert not list(out.glob("*.xlsx"))
    days = tmp_path / "days"
    assert (
        main(["build", "--period", "2026-11-03:2026-11-09", "--client", "alfa", "--out", str(days)])
        == EXIT_OK
    )
    entry = manifest(days)["reports"][0]
    assert entry["file"] == "alfa_2026-11-03_2026-11-09_ru.pdf"
    assert entry["period"] == {"start": "2026-11-03", "end": "2026-11-09"}


def test_a_churned_client_is_left_out_of_later_months_unless_named(agency_env, tmp_path, capsys):
    assert main(["build", "--period", "2026-11", "--out", str(tmp_path / "all")]) == EXIT_OK
    assert "delta" not in {e["client_id"] for e in manifest(tmp_path / "all")["reports"]}
    assert (
        main(["build", "--period", "2026-11", "--client", "delta", "--out", str(tmp_path / "one")]) == EXIT_OK
    )
    entry = manifest(tmp_path / "one")["reports"][0]
    assert entry["client_id"] == "delta" and entry["has_data"] is False  # still a report, saying so
    assert "(no data in the period)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "--period '2026-13': there is no month 13"),
        (["--period", "2026-10", "--client", "omega"], "unknown client 'omega'"),
        (["--period", "2026-10", "--manager", "m_nobody"], "unknown manager 'm_nobody'"),
        (
            ["--period", "2026-10", "--client", "alfa", "--manager", "m_petrov"],
            "no client to report for 2026-10",
        ),
        (["--period", "2020-01"], "no client to report for 2020-01"),
    ],
)
def test_usage_errors_exit_2_and_say_what_is_wrong(agency_env, capsys, args, message):
    assert main(["build", *args]) == EXIT_USAGE
    assert message in capsys.readouterr().err
    assert not list((agency_env / "reports").glob("*/*.pdf"))


def test_an_unknown_option_or_format_exits_2(agency_env, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--period", "2026-10", "--format", "docx"])
    assert exit_info.value.code == EXIT_USAGE
    assert "formats are pdf, xlsx" in capsys.readouterr().err


def test_a_wrong_configuration_exits_2_with_its_problems(agency_env, tmp_path, monkeypatch, capsys):
    bad = tmp_path / "agency.yaml"
    bad.write_text(
        "agency: {name: X, branding: {primary_color: red}}\nmanagers: [{id: a, name: A}]\n", "utf-8"
    )
    monkeypatch.setenv("AGENCY_CONFIG", str(bad))
    assert main(["build", "--period", "2026-10"]) == EXIT_USAGE
    assert "agency.branding.primary_color: 'red' is not a colour" in capsys.readouterr().err


def test_no_serving_file_exits_4(agency_env, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AGENCY_SERVING_DB", str(tmp_path / "nothing.duckdb"))
    assert main(["build", "--period", "2026-10"]) == EXIT_NO_SERVING
    assert "no serving file at" in capsys.readouterr().err


def test_a_failing_client_exits_3_and_the_others_are_built(agency_env, monkeypatch, capsys):
    real = reports.pdf.render_pdf

    def broken_for_gamma(content, branding):
        if content.client_name == "Гамма Мебель":
            raise RuntimeError("the logo file vanished")
        return real(content, branding)

    monkeypatch.setattr(reports.build, "render_pdf", broken_for_gamma)
    assert main(["build", "--period", "2026-10"]) == EXIT_FAILED_CLIENTS
    data = manifest(agency_env / "reports" / "2026-10")
    assert data["failed"] == [
        {"client_id": "gamma", "client_name": "Гамма Мебель", "error": "RuntimeError: the logo file vanished"}
    ]
    assert {e["client_id"] for e in data["reports"]} == {"alfa", "beta", "delta"}
    assert "failed: gamma" in capsys.readouterr().err


def test_python_dash_m_reports_exits_with_the_code(serving_file, config_file, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENCY_")}
    env.update(
        AGENCY_SERVING_DB=str(serving_file), AGENCY_CONFIG=str(config_file), AGENCY_DATA_DIR=str(tmp_path)
    )
    command = [sys.executable, "-m", "reports", "build", "--period", "2026-10"]
    ok = subprocess.run(
        [*command, "--client", "alfa", "--format", "xlsx"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "reports" / "2026-10" / "alfa_2026-10_ru.xlsx").is_file()
    missing = subprocess.run(
        command,
        cwd=ROOT, env={**env, "AGENCY_SERVING_DB": str(tmp_path / "none.duckdb")},
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert missing.returncode == 4 and "no serving file" in missing.stderr
