"""One process of the two-process send-log test: wait for the other, then send one report.

    python -m tests.delivery.send_once_process LOG PORT BARRIER NAME [--no-lock]

Prints one JSON line: the outcome's status and reason (with ``--no-lock``: checks the log, sends
and records without holding its lock, as a naive sender would; ``already sent`` if recording
then hits the log's unique index).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from delivery import (
    AlreadySentError,
    Attachment,
    Channels,
    EmailChannel,
    Message,
    SendKey,
    SendLog,
    deliver,
    deliver_once,
)
from pipelines.load.config import Recipient, SmtpSettings

RECIPIENT = Recipient(email="director@romashka.ru")
MESSAGE = Message(
    "Отчёт за октябрь 2026 — ООО «Ромашка»",
    "Здравствуйте!\n",
    (Attachment("Отчёт.pdf", b"%PDF-1.7 the same report", "application/pdf"),),
)


def wait_for_each_other(barrier: Path, name: str, expected: int = 2) -> None:
    barrier.mkdir(parents=True, exist_ok=True)
    (barrier / name).touch()
    deadline = time.monotonic() + 60
    while len(list(barrier.iterdir())) < expected:
        if time.monotonic() > deadline:
            raise SystemExit("the other process never came")
        time.sleep(0.01)


def main(argv: list[str]) -> None:
    log_path, port, barrier, name = Path(argv[0]), int(argv[1]), Path(argv[2]), argv[3]
    locked = "--no-lock" not in argv
    log = SendLog(log_path, who=name)
    smtp = SmtpSettings(host="127.0.0.1", port=port, starttls=False)
    channels = Channels(email=EmailChannel(smtp, sender="reports@agency.ru", timeout=30.0))
    wait_for_each_other(barrier, name)
    if locked:
        (outcome,) = deliver_once(
            MESSAGE, [RECIPIENT], channels, log, client="romashka", period="2026-10", formats=["pdf"]
        )
        print(json.dumps({"status": outcome.status, "reason": outcome.reason}))
        return
    key = SendKey.of("romashka", "2026-10", ["pdf"], RECIPIENT)
    if log.already_sent(key) is not None:
        print(json.dumps({"status": "skipped", "reason": None}))
        return
    (outcome,) = deliver(MESSAGE, [RECIPIENT], channels)
    try:
        log.record(key, MESSAGE.files, subject=MESSAGE.subject)
    except AlreadySentError as exc:
        print(json.dumps({"status": outcome.status, "reason": f"already sent: {exc}"}))
        return
    print(json.dumps({"status": outcome.status, "reason": None}))


if __name__ == "__main__":
    main(sys.argv[1:])
