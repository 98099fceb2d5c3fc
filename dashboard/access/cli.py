"""The command line of the access store: ``python -m dashboard.access ...``.

    user add --login L --role head|manager|specialist|client [--name N] [--manager ID]
             [--clients a,b] [--contacts]          (the password on standard input, one line)
    user disable --login L | user enable --login L | user passwd --login L | user list
    link create --client ID [--period 2026-10] [--expires 7d] [--money] [--base-url URL]
    link revoke ID | link list
    audit [--limit N]

The store is ``AGENCY_USERS`` (default ``<data>/access/users.sqlite3``); ``--manager`` and
``--clients`` are checked against the agency configuration (``AGENCY_CONFIG``) when it exists.
A password is read from standard input (typed twice, unseen, at a terminal) and is never
printed; a link's URL is printed once and kept nowhere. Exit codes: 0 done, 2 a wrong request
(usage, an unknown id, a short password), 1 anything else (no link secret, an unreadable store).
"""

from __future__ import annotations

import argparse
import getpass
import socket
import sqlite3
import sys
from collections.abc import Sequence
from typing import TextIO

from dotenv import load_dotenv
from rich.console import Console
from rich.table import Column, Table

from dashboard.access.directory import ClientDirectory, read_directory
from dashboard.access.errors import AccessError, InvalidInputError
from dashboard.access.links import check_period, parse_lifetime
from dashboard.access.paths import REPO_ROOT, config_path, dashboard_url
from dashboard.access.store import AccessStore
from dashboard.access.users import ROLES, check_new_password

__all__ = ["main"]


def cli_who() -> str:
    """``user@host``: who ran the command, for the audit log."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.access", description="The dashboard's users, client links and audit log."
    )
    groups = parser.add_subparsers(dest="group", required=True)

    user = groups.add_parser("user", help="add, disable, enable, list users; change a password")
    users = user.add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="a new user (the password on standard input)")
    add.add_argument("--login", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--name", help="the display name (default: the login)")
    add.add_argument("--manager", help="for a manager: their id among the configuration's managers")
    add.add_argument(
        "--clients", default="", help="for a specialist or a client: client ids, comma-separated"
    )
    add.add_argument("--contacts", action="store_true", help="may see whole phone numbers and e-mails")
    for name, text in (
        ("disable", "disable a user (ends their sessions)"),
        ("enable", "enable a user again"),
        ("passwd", "a new password (standard input); ends the user's sessions"),
    ):
        users.add_parser(name, help=text).add_argument("--login", required=True)
    users.add_parser("list", help="every user")

    link = groups.add_parser("link", help="client links: create, revoke, list")
    links = link.add_subparsers(dest="action", required=True)
    create = links.add_parser("create", help="a link to one client's report; prints its URL")
    create.add_argument("--client", required=True)
    create.add_argument("--period", help="only this month, e.g. 2026-10")
    create.add_argument("--expires", default="7d", help="lifetime: 90m, 12h, 7d, 2w (default 7d)")
    create.add_argument("--money", action="store_true", help="the link shows the client's invoices too")
    create.add_argument("--base-url", help="the dashboard's address (default AGENCY_DASHBOARD_URL)")
    links.add_parser("revoke", help="withdraw a link").add_argument("id")
    links.add_parser("list", help="every link (ids, never tokens)")

    audit = groups.add_parser("audit", help="the latest events of the audit log")
    audit.add_argument("--limit", type=int, default=50)
    return parser


def _password(stdin: TextIO, stderr: TextIO) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password: ", stream=stderr)
        if getpass.getpass("Again: ", stream=stderr) != first:
            raise InvalidInputError("the two passwords differ")
        return check_new_password(first)
    line = stdin.readline().rstrip("\r\n")
    if not line:
        raise InvalidInputError("no password on standard input (one line, at least 10 characters)")
    return check_new_password(line)


def _directory(stderr: TextIO) -> tuple[ClientDirectory | None, str]:
    path = config_path()
    if not path.exists():
        print(f"note: {path} does not exist: manager and client ids are not checked", file=stderr)
        return None, str(path)
    return read_directory(path), str(path)


def _clients(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _user(args: argparse.Namespace, store: AccessStore, out: Console, stdin: TextIO, stderr: TextIO) -> None:
    who = cli_who()
    if args.action == "list":
        table = Table(
            Column("login", no_wrap=True),
            "name",
            "role",
            "manager",
            "clients",
            "contacts",
            "state",
            "created (UTC)",
        )
        for u in store.users.all():
            state = "disabled" if u.disabled else ("locked" if u.locked_until else "active")
            table.add_row(
                u.login,
                u.display_name,
                u.role,
                u.manager_id or "",
                ",".join(u.clients),
                "yes" if u.can_see_contacts else "",
                state,
                f"{u.created_at:%Y-%m-%d %H:%M}",
            )
        out.print(table)
        return
    if args.action == "add":
        clients = _clients(args.clients)
        directory, source = _directory(stderr)
        if directory is not None:
            if args.manager:
                directory.check_manager(args.manager.strip(), source)
            directory.check_clients(clients, source)
        password = _password(stdin, stderr)
        added = store.users.add(
            args.login,
            password,
            args.role,
            by=who,
            name=args.name,
            manager_id=args.manager,
            clients=clients,
            can_see_contacts=args.contacts,
        )
        out.print(f"added {added.login} ({added.role})")
    elif args.action in ("disable", "enable"):
        changed = store.users.set_disabled(args.login, args.action == "disable", by=who)
        out.print(f"{changed.login}: {'disabled' if changed.disabled else 'enabled'}")
    elif args.action == "passwd":
        password = _password(stdin, stderr)
        changed = store.users.set_password(args.login, password, by=who)
        out.print(f"{changed.login}: password changed, their sessions ended")


def _link(args: argparse.Namespace, store: AccessStore, out: Console, stderr: TextIO) -> None:
    who = cli_who()
    if args.action == "list":
        table = Table(
            Column("id", no_wrap=True),
            "client",
            "period",
            "money",
            "created by",
            "created (UTC)",
            "expires (UTC)",
            "revoked",
        )
        for link in store.links.all():
            revoked = "" if link.revoked_at is None else f"{link.revoked_at:%Y-%m-%d %H:%M}"
            table.add_row(
                link.id,
                link.client,
                link.period or "all",
                "yes" if link.money else "",
                link.created_by,
                f"{link.created_at:%Y-%m-%d %H:%M}",
                f"{link.expires_at:%Y-%m-%d %H:%M}",
                revoked,
            )
        out.print(table)
    elif args.action == "create":
        lifetime = parse_lifetime(args.expires)
        period = None if args.period is None else check_period(args.period)
        directory, source = _directory(stderr)
        if directory is not None:
            directory.check_clients([args.client.strip()], source)
        made = store.links.create(
            args.client,
            by=who,
            lifetime=lifetime,
            period=period,
            money=args.money,
            base_url=args.base_url or dashboard_url(),
        )
        print(made.url)  # plain print: rich would wrap a long URL
        print(
            f"link {made.link.id} for {made.link.client}, expires {made.link.expires_at:%Y-%m-%d %H:%M} UTC",
            file=stderr,
        )
    elif args.action == "revoke":
        withdrawn = store.links.revoke(args.id, by=who)
        out.print(f"link {withdrawn.id} revoked")


def _audit(args: argparse.Namespace, store: AccessStore, out: Console) -> None:
    if args.limit < 1:
        raise InvalidInputError("--limit is a positive number")
    table = Table("when (UTC)", "event", "who", "detail")
    for event in store.audit.recent(args.limit):
        detail = ", ".join(f"{k}={v}" for k, v in event.detail.items() if v not in (None, "", []))
        table.add_row(f"{event.at:%Y-%m-%d %H:%M:%S}", event.event, event.who, detail)
    out.print(table)


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None) -> int:
    """Run one command; the exit code (0 done, 2 a wrong request, 1 anything else)."""
    stdin = stdin if stdin is not None else sys.stdin
    stderr = sys.stderr
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: 2 on a usage error, 0 after --help
        return int(exc.code or 0)
    load_dotenv(REPO_ROOT / ".env", override=False)
    # a wide table when piped (rich assumes 80 columns): ids and logins are never cut
    out = Console(file=sys.stdout, highlight=False, width=None if sys.stdout.isatty() else 200)
    try:
        store = AccessStore()
        if args.group == "user":
            _user(args, store, out, stdin, stderr)
        elif args.group == "link":
            _link(args, store, out, stderr)
        else:
            _audit(args, store, out)
    except InvalidInputError as exc:
        print(f"error: {exc}", file=stderr)
        return 2
    except (AccessError, sqlite3.Error, OSError) as exc:
        print(f"error: {exc}", file=stderr)
        return 1
    return 0
