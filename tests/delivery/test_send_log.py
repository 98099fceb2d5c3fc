"""The send log: append-only, one sent row per report and recipient, safe between processes."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from delivery import (
    AlreadySentError,
    Attachment,
    Channels,
    DeliveryError,
    Message,
    SendKey,
    SendLog,
    deliver_once,
)
from pipelines.load.config import Recipient
from tests.fakes.smtp import FakeSmtp

REPO = Path(__file__).resolve().parents[2]
DIRECTOR = Recipient(email="Director@romashka.ru")
CHAT = Recipient(telegram=-1001234567890)
FILES = (("Отчёт.pdf", "ab" * 32), ("Отчёт.xlsx", "cd" * 32))
NOON = dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.UTC)


def key(recipient: Recipient = DIRECTOR, formats: tuple[str, ...] = ("pdf", "xlsx")) -> SendKey:
    return SendKey.of("romashka", "2026-10", formats, recipient)


def test_a_report_is_recorded_once_with_who_when_and_hashes(tmp_path: Path) -> None:
    log = SendLog(tmp_path / "delivery" / "send_log.sqlite3", who="dagster run 42", clock=lambda: NOON)
    assert log.already_sent(key()) is None
    record = log.record(key(), FILES, subject="Отчёт за октябрь 2026 — ООО «Ромашка»")
    assert (record.status, record.who, record.at, record.files) == ("sent", "dagster run 42", NOON, FILES)
    assert log.already_sent(key()) == record
    # the same report in another spelling of the formats or the address is the same key
    assert log.already_sent(SendKey.of("romashka", "2026-10", ["XLSX", "pdf"], "email:director@romashka.ru"))
    with pytest.raises(AlreadySentError, match=r"romashka 2026-10 \(pdf,xlsx\) already went to") as caught:
        log.record(key(), FILES, who="someone else")
    assert caught.value.record == record
    # another format set, recipient or period is another report
    log.record(key(formats=("pdf",)), FILES[:1])
    log.record(key(CHAT), FILES)
    assert len(log.history(client="romashka")) == 3 and log.history(period="2026-09") == []


def test_failures_are_kept_and_do_not_count_as_sent(tmp_path: Path) -> None:
    log = SendLog(tmp_path / "log.sqlite3", who="me")
    log.record_failure(key(), FILES, "Telegram chat 1: bot was blocked")
    log.record_failure(key(), FILES, "again")
    assert log.already_sent(key()) is None
    log.record(key(), FILES)
    assert [(r.status, r.reason) for r in log.history()] == [
        ("failed", "Telegram chat 1: bot was blocked"),
        ("failed", "again"),
        ("sent", None),
    ]


def test_the_log_is_append_only(tmp_path: Path) -> None:
    log = SendLog(tmp_path / "log.sqlite3")
    log.record(key(), FILES)
    with sqlite3.connect(log.path) as db:
        for statement in ("UPDATE deliveries SET who = 'x'", "DELETE FROM deliveries"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            db.execute(
                "INSERT INTO deliveries (client, period, formats, recipient, status, files, subject, who, at)"
                " SELECT client, period, formats, recipient, status, files, subject, who, at FROM deliveries"
            )
    db.close()
    assert len(log.history()) == 1


class Recorder:
    """A channel that keeps what it was asked to send, failing for the addresses in ``fail``."""

    def __init__(self, fail: set[str] | None = None) -> None:
        self.sent: list[str] = []
        self.fail = fail or set()

    def send(self, message: Message, recipient: Recipient) -> None:
        if recipient.key in self.fail:
            raise DeliveryError("the server said no", permanent=False)
        self.sent.append(recipient.key)


def test_deliver_once_skips_what_was_sent_and_sends_what_failed(tmp_path: Path) -> None:
    log = SendLog(tmp_path / "log.sqlite3", who="nightly")
    message = Message("Отчёт", "Текст", (Attachment("Отчёт.pdf", b"%PDF", "application/pdf"),))
    email = Recorder(fail={"email:director@romashka.ru"})
    channels = Channels(email=email, telegram=Recorder())
    report = {"client": "romashka", "period": "2026-10", "formats": ["pdf"]}

    first = deliver_once(message, [DIRECTOR, CHAT], channels, log, **report)  # type: ignore[arg-type]
    assert [o.status for o in first] == ["failed", "sent"]
    email.fail.clear()  # the mail server is back
    second = deliver_once(message, [DIRECTOR, CHAT], channels, log, who="re-run", **report)  # type: ignore[arg-type]
    assert [o.status for o in second] == ["sent", "skipped"]
    assert second[1].reason is not None and second[1].reason.startswith("already sent ")
    third = deliver_once(message, [DIRECTOR, CHAT], channels, log, **report)  # type: ignore[arg-type]
    assert [o.status for o in third] == ["skipped", "skipped"]
    assert email.sent == ["email:director@romashka.ru"]  # once, in the second run
    rows = [(r.key.recipient, r.status, r.who) for r in log.history()]
    assert rows == [
        ("email:director@romashka.ru", "failed", "nightly"),
        ("telegram:-1001234567890", "sent", "nightly"),
        ("email:director@romashka.ru", "sent", "re-run"),
    ]
    assert log.history()[1].files == (("Отчёт.pdf", message.attachments[0].sha256),)


def test_a_process_waits_for_the_lock_and_gives_up_after_its_timeout(tmp_path: Path) -> None:
    log = SendLog(tmp_path / "log.sqlite3")
    impatient = SendLog(tmp_path / "log.sqlite3", busy_timeout=0.2)
    log.already_sent(key())  # creates the file
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with log.exclusive():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        assert impatient.already_sent(key()) is None  # reading is never blocked
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            impatient.record(key(), FILES)
    finally:
        release.set()
        holder.join(10)
    impatient.record(key(), FILES)


def test_a_send_log_that_cannot_be_locked_sends_nothing(tmp_path: Path) -> None:
    log = SendLog(tmp_path / "log.sqlite3")
    impatient = SendLog(tmp_path / "log.sqlite3", busy_timeout=0.1)
    message = Message("Отчёт", "Текст")
    channel = Recorder()
    with log.exclusive():  # another sender holds it for longer than this one waits
        outcomes = deliver_once(
            message, [DIRECTOR, CHAT], Channels(email=channel, telegram=channel), impatient,
            client="romashka", period="2026-10", formats=["pdf"],
        )  # fmt: skip
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert all(
        "not sent: the send log" in (o.reason or "") and "locked" in (o.reason or "") for o in outcomes
    )
    assert channel.sent == []


def run_two_senders(tmp_path: Path, *flags: str) -> tuple[list[dict[str, str | None]], FakeSmtp]:
    log_path = tmp_path / "send_log.sqlite3"
    barrier = tmp_path / "barrier"
    with FakeSmtp(delay=1.0) as server:  # each DATA reply takes a second: the two overlap
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.delivery.send_once_process",
                    str(log_path),
                    str(server.port),
                    str(barrier),
                    name,
                    *flags,
                ],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("first", "second")
        ]
        results = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
    return results, server


def test_two_processes_sending_the_same_report_send_it_once(tmp_path: Path) -> None:
    results, server = run_two_senders(tmp_path)
    assert sorted(str(r["status"]) for r in results) == ["sent", "skipped"]
    assert len(server.received) == 1
    rows = SendLog(tmp_path / "send_log.sqlite3").history()
    assert [(r.status, r.key.recipient) for r in rows] == [("sent", "email:director@romashka.ru")]
    skipped = next(r for r in results if r["status"] == "skipped")
    assert f"by {rows[0].who}" in str(skipped["reason"])


def test_without_the_lock_two_processes_would_both_send(tmp_path: Path) -> None:
    """The control of the test above: the two processes do overlap, so only the lock kept the
    report from going twice; the log's unique index still keeps one sent row."""
    results, server = run_two_senders(tmp_path, "--no-lock")
    assert len(server.received) == 2
    assert [r["status"] for r in results] == ["sent", "sent"]
    assert sum(1 for r in results if str(r["reason"]).startswith("already sent")) == 1
    assert len(SendLog(tmp_path / "send_log.sqlite3").history()) == 1
