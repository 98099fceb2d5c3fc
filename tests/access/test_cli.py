"""``python -m dashboard.access``: users, links and the audit log from the command line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.access import AccessStore, LinkRevokedError
from dashboard.access.cli import main
from tests.access.conftest import PASSWORD, SECRET, cheap_hasher, file_bytes

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CONFIG = ROOT / "config" / "agency.example.yaml"  # managers ivanova, petrov; clients romashka, ...


@pytest.fixture
def users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.sqlite3"
    monkeypatch.setenv("AGENCY_USERS", str(path))
    monkeypatch.setenv("AGENCY_CONFIG", str(EXAMPLE_CONFIG))
    return path


def run(*argv: str, stdin: str = "") -> int:
    return main(list(argv), stdin=io.StringIO(stdin))


def store(path: Path) -> AccessStore:
    return AccessStore(path, hasher=cheap_hasher())


def test_add_a_user_then_sign_in(users: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            "user",
            "add",
            "--login",
            "Maria",
            "--role",
            "manager",
            "--manager",
            "ivanova",
            "--name",
            "Мария Иванова",
            stdin=PASSWORD + "\n",
        )
        == 0
    )
    out, err = capsys.readouterr()
    assert "added maria (manager)" in out
    assert PASSWORD not in out + err
    assert store(users).sign_in("maria", PASSWORD).user.display_name == "Мария Иванова"


def test_user_list_shows_every_user(users: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("user", "add", "--login", "boss", "--role", "head", stdin=PASSWORD) == 0
    assert (
        run(
            "user",
            "add",
            "--login",
            "ppc",
            "--role",
            "specialist",
            "--clients",
            "romashka",
            "--contacts",
            stdin=PASSWORD,
        )
        == 0
    )
    assert run("user", "disable", "--login", "ppc") == 0
    capsys.readouterr()
    assert run("user", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    boss = next(line for line in lines if " boss " in line)
    ppc = next(line for line in lines if " ppc " in line)
    assert "head" in boss and "active" in boss
    assert "specialist" in ppc and "romashka" in ppc and "disabled" in ppc and "yes" in ppc


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--role", "manager", "--manager", "sidorov"), "unknown manager 'sidorov'"),
        (("--role", "specialist", "--clients", "romashka,nosuch"), "unknown client 'nosuch'"),
        (("--role", "client", "--clients", "nosuch"), "unknown client 'nosuch'"),
        (("--role", "manager"), "needs --manager"),
        (("--role", "specialist"), "needs --clients"),
    ],
)
def test_unknown_ids_and_missing_fields_are_usage_errors(
    users: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    assert run("user", "add", "--login", "someone", *argv, stdin=PASSWORD) == 2
    assert message in capsys.readouterr().err
    assert store(users).users.all() == []


@pytest.mark.parametrize("stdin", ["", "\n", "short\n", "123456789\n"])
def test_an_empty_or_short_password_is_refused(users: Path, stdin: str) -> None:
    assert run("user", "add", "--login", "boss", "--role", "head", stdin=stdin) == 2
    assert store(users).users.all() == []


def test_without_a_configuration_ids_are_not_checked_and_it_says_so(
    users: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AGENCY_CONFIG", str(tmp_path / "missing.yaml"))
    assert (
        run("user", "add", "--login", "m", "--role", "manager", "--manager", "sidorov", stdin=PASSWORD) == 0
    )
    assert "not checked" in capsys.readouterr().err


def test_usage_errors_exit_2(users: Path) -> None:
    assert run("user", "add", "--login", "x", "--role", "king", stdin=PASSWORD) == 2
    assert run("user") == 2
    assert run("user", "disable", "--login", "nobody") == 2
    assert run("link", "create", "--client", "romashka", "--expires", "forever") == 2
    assert run("audit", "--limit", "0") == 2


def test_passwd_changes_the_password(users: Path) -> None:
    assert run("user", "add", "--login", "boss", "--role", "head", stdin=PASSWORD) == 0
    assert run("user", "passwd", "--login", "boss", stdin="a brand new password\n") == 0
    assert store(users).sign_in("boss", "a brand new password")


def test_disable_and_enable(users: Path) -> None:
    assert run("user", "add", "--login", "boss", "--role", "head", stdin=PASSWORD) == 0
    assert run("user", "disable", "--login", "BOSS") == 0
    assert store(users).users.get("boss").disabled  # type: ignore[union-attr]
    assert run("user", "enable", "--login", "boss") == 0
    assert not store(users).users.get("boss").disabled  # type: ignore[union-attr]


def test_link_create_prints_a_url_that_opens_the_clients_report(
    users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AGENCY_LINK_SECRET", SECRET)
    monkeypatch.setenv("AGENCY_DASHBOARD_URL", "https://reports.agency.ru")
    assert run("link", "create", "--client", "romashka", "--period", "2026-10", "--expires", "2w") == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://reports.agency.ru/?link=")
    token = parse_qs(urlsplit(url).query)["link"][0]
    link, scope = store(users).links.open(token)
    assert scope.clients == frozenset({"romashka"}) and scope.period == "2026-10" and not scope.money

    assert run("link", "list") == 0
    assert link.id in capsys.readouterr().out
    assert run("link", "revoke", link.id) == 0
    with pytest.raises(LinkRevokedError):
        store(users).links.open(token)
    assert run("audit") == 0
    audit = capsys.readouterr().out
    assert "link_created" in audit and "link_revoked" in audit
    assert token not in audit
    assert token.encode() not in file_bytes(users)


def test_link_create_for_an_unknown_client_is_a_usage_error(
    users: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AGENCY_LINK_SECRET", SECRET)
    assert run("link", "create", "--client", "nosuch") == 2
    assert "unknown client 'nosuch'" in capsys.readouterr().err


def test_link_create_without_a_secret_fails_with_the_remedy(
    users: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("link", "create", "--client", "romashka") == 1
    err = capsys.readouterr().err
    assert "Set AGENCY_LINK_SECRET" in err
    assert store(users).links.all() == []


def test_the_module_runs_with_the_password_on_standard_input(tmp_path: Path) -> None:
    path = tmp_path / "users.sqlite3"
    env = {**os.environ, "AGENCY_USERS": str(path), "AGENCY_CONFIG": str(EXAMPLE_CONFIG)}
    added = subprocess.run(
        [sys.executable, "-m", "dashboard.access", "user", "add", "--login", "boss", "--role", "head"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    assert PASSWORD not in added.stdout + added.stderr
    assert store(path).sign_in("boss", PASSWORD)
    assert PASSWORD.encode() not in file_bytes(path)
    refused = subprocess.run(
        [sys.executable, "-m", "dashboard.access", "link", "create", "--client", "romashka"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 1
    assert "AGENCY_LINK_SECRET" in refused.stderr
