"""Fake vendor servers for connector tests: a real HTTP socket on 127.0.0.1, scripted responses."""

from tests.fakes._server import FakeResponse, FakeServer, RecordedRequest

__all__ = ["FakeResponse", "FakeServer", "RecordedRequest"]
