"""A tiny threaded HTTP server on 127.0.0.1 (a free port) with scriptable responses.

    with FakeServer() as server:
        server.enqueue(FakeResponse(429, headers={"Retry-After": "0"}), FakeResponse(200, b"ok"))
        ...  # point the client at server.url
        assert len(server.requests) == 2

Responses are served in the order enqueued; when the queue is empty, ``handler`` (if set)
answers, else 500. Every request is logged with its arrival time (``time.monotonic``).
``hang=True`` holds the response until the server stops (a client timeout); ``truncate``
sends a Content-Length larger than the body and closes the connection (a cut-off body).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeResponse", "FakeServer", "RecordedRequest"]


@dataclass(frozen=True)
class FakeResponse:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    truncate: bool = False


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float


class FakeServer:
    def __init__(self, handler: Callable[[RecordedRequest], FakeResponse] | None = None) -> None:
        self.handler = handler
        self.requests: list[RecordedRequest] = []
        self._queue: deque[FakeResponse] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def enqueue(self, *responses: FakeResponse) -> None:
        with self._lock:
            self._queue.extend(responses)

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _respond_to(self, request: RecordedRequest) -> FakeResponse:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.popleft()
        if self.handler is not None:
            return self.handler(request)
        return FakeResponse(500, b"no scripted response left")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                arrived = time.monotonic()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                recorded = RecordedRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k: v for k, v in self.headers.items()},
                    body=body,
                    at=arrived,
                )
                response = server._respond_to(recorded)
                if response.hang:
                    server._stopping.wait(timeout=10)
                    self.close_connection = True
                    return
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                declared = len(response.body) + (100 if response.truncate else 0)
                self.send_header("Content-Length", str(declared))
                if response.truncate:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(response.body)
                self.wfile.flush()

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        return Handler
