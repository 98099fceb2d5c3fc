"""A fake Telegram Bot API on 127.0.0.1 (over :class:`FakeServer`), answering as the real one does.

    with FakeTelegram(TOKEN) as bot:
        channel = TelegramChannel(TOKEN, base_url=bot.url)
        ...
        (call,) = bot.calls  # method, chat id, text fields and uploaded files, parsed from multipart

Only ``POST /bot<token>/<method>`` with ``multipart/form-data`` (as a real client sends a file)
or a form body is accepted: a wrong token is 401 ``Unauthorized``, an unknown method 404; chats
in ``blocked`` answer 403 "Forbidden: bot was blocked by the user", chats in ``missing`` 400
"Bad Request: chat not found". Scripted replies (``enqueue``) come first, as in FakeServer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import parse_qs

from tests.fakes._server import FakeResponse, FakeServer, RecordedRequest

__all__ = ["FakeTelegram", "TelegramCall", "Upload", "bot_error", "parse_multipart"]

METHODS = ("sendDocument", "sendMediaGroup", "sendMessage")


@dataclass(frozen=True)
class Upload:
    field: str
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class TelegramCall:
    method: str
    fields: dict[str, str]
    files: dict[str, Upload] = field(default_factory=dict)

    @property
    def chat_id(self) -> str:
        return self.fields["chat_id"]


def bot_error(code: int, description: str, **parameters: object) -> FakeResponse:
    """A Bot API error reply, e.g. ``bot_error(429, "Too Many Requests: retry after 3", retry_after=3)``."""
    body: dict[str, object] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return FakeResponse(code, json.dumps(body).encode(), {"Content-Type": "application/json"})


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    """The text fields and files of a ``multipart/form-data`` body (strict: a malformed body raises)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or match is None:
        raise ValueError(f"not a multipart upload: {content_type!r}")
    delimiter = b"--" + match[1].encode("ascii")
    chunks = body.split(delimiter)
    if chunks[0] not in (b"", b"\r\n") or not chunks[-1].startswith(b"--"):
        raise ValueError("the multipart body is not framed by its boundary")
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for chunk in chunks[1:-1]:
        if not chunk.startswith(b"\r\n") or not chunk.endswith(b"\r\n"):
            raise ValueError("a part is not delimited by CRLF")
        head, separator, content = chunk[2:-2].partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("a part has no blank line after its headers")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = headers["content-disposition"]
        name_match = re.search(r'\bname="([^"]*)"', disposition)
        if not disposition.startswith("form-data") or name_match is None:
            raise ValueError(f"bad Content-Disposition: {disposition!r}")
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        if filename is None:
            fields[name_match[1]] = content.decode("utf-8")
        else:
            kind = headers.get("content-type", "application/octet-stream")
            files[name_match[1]] = Upload(name_match[1], filename[1], kind, content)
    return fields, files


class FakeTelegram:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[TelegramCall] = []
        self.blocked: set[str] = set()
        self.missing: set[str] = set()
        self.server = FakeServer(handler=self._handle)
        self._message_id = 0

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.server.requests

    def enqueue(self, *responses: FakeResponse) -> None:
        self.server.enqueue(*responses)

    def __enter__(self) -> FakeTelegram:
        self.server.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.stop()

    def _handle(self, request: RecordedRequest) -> FakeResponse:
        prefix, _, method = request.path.lstrip("/").partition("/")
        if prefix != f"bot{self.token}":
            return bot_error(401, "Unauthorized")
        if request.method != "POST" or method not in METHODS:
            return bot_error(404, "Not Found")
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            fields, files = parse_multipart(content_type, request.body)
        else:
            fields = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8")).items()}
            files = {}
        call = TelegramCall(method, fields, files)
        chat = fields.get("chat_id", "")
        if not chat or chat in self.missing:
            return bot_error(400, "Bad Request: chat not found")
        if chat in self.blocked:
            return bot_error(403, "Forbidden: bot was blocked by the user")
        if method == "sendDocument" and "document" not in files:
            return bot_error(400, "Bad Request: there is no document in the request")
        if method == "sendMediaGroup":
            media = json.loads(fields["media"])
            attached = {item["media"].removeprefix("attach://") for item in media}
            if not 2 <= len(media) <= 10 or attached != set(files):
                return bot_error(400, "Bad Request: wrong media group")
        self.calls.append(call)
        self._message_id += 1
        result = {"message_id": self._message_id, "chat": {"id": chat}}
        body = {"ok": True, "result": [result] if method == "sendMediaGroup" else result}
        return FakeResponse(200, json.dumps(body).encode(), {"Content-Type": "application/json"})
