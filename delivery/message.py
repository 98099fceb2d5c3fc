"""What is delivered: a :class:`Message` (subject, plain-text body, attachments), the same for
every channel. The body is already in the recipient's language (see :mod:`delivery.texts`)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

__all__ = ["Attachment", "Message"]

_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_BAD_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Attachment:
    """A file sent with the message: its name as the recipient sees it, its bytes, its MIME type."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"

    def __post_init__(self) -> None:
        if not self.filename.strip() or _BAD_NAME.search(self.filename):
            raise ValueError(f"{self.filename!r} is not a file name (no folders or control characters)")
        if not _MIME.match(self.mime_type):
            raise ValueError(f"{self.mime_type!r} is not a MIME type like application/pdf")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def __repr__(self) -> str:  # never the bytes
        return f"Attachment({self.filename!r}, {len(self.content)} bytes, {self.mime_type!r})"


@dataclass(frozen=True)
class Message:
    """One message to send: a subject (the e-mail's; Telegram shows the text only), a plain-text
    body and any number of attachments. An alert is a message without attachments."""

    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()

    def __post_init__(self) -> None:
        if not self.subject.strip() or "\n" in self.subject or "\r" in self.subject:
            raise ValueError("a subject is one non-empty line")
        if not self.text.strip():
            raise ValueError("a message needs a text")
        names = [a.filename for a in self.attachments]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two attachments are named {name!r}")

    @property
    def files(self) -> tuple[tuple[str, str], ...]:
        """(file name, sha256) of each attachment: what the send log records."""
        return tuple((a.filename, a.sha256) for a in self.attachments)
