"""In-process fakes for connector tests: a scripted ``httpx.MockTransport`` and a fake clock."""

from __future__ import annotations

import httpx

__all__ = ["FakeTime", "scripted"]


def scripted(*responses: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A MockTransport answering with ``responses`` in order (an exception is raised instead);
    also returns the list of requests it saw."""
    queue = list(responses)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.MockTransport(handler), seen


class FakeTime:
    """A clock that only moves when the code under test sleeps; records the sleeps.

    Pass ``fake.clock`` (or the object itself, which is callable) as the clock and
    ``fake.sleep`` as the sleep function.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
