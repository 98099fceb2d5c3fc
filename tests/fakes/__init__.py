"""Fakes for connector tests: a real HTTP server on 127.0.0.1, a scripted MockTransport, a fake clock."""

from tests.fakes._server import FakeResponse, FakeServer, RecordedRequest
from tests.fakes._transport import FakeTime, scripted

__all__ = ["FakeResponse", "FakeServer", "FakeTime", "RecordedRequest", "scripted"]
