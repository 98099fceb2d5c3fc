"""The `reports` package resolves its public names on first use (decision 59): reading the serving
file (`reports.data`, as the alert check after every refresh does) loads no rendering library,
and every name of `reports.__all__` still imports from the package."""

import subprocess
import sys

import reports

RENDERING = ("reportlab", "matplotlib", "openpyxl")


def test_the_alert_checks_imports_load_no_rendering_library() -> None:
    code = (
        "import sys, alerts, alerts.problems, reports.data; "
        f"print(sorted(m for m in {RENDERING!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_every_public_name_imports_from_the_package() -> None:
    for name in reports.__all__:
        assert getattr(reports, name) is not None, name
    from reports import Branding, render_report

    assert render_report.__module__ == "reports.build"
    assert Branding.__module__ == "reports.branding"
