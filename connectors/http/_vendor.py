"""What every vendor client shares: it owns one :class:`HttpClient`, closes it, and never shows
a secret in its repr."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from connectors.http._client import HttpClient

__all__ = ["VendorClient"]


class VendorClient:
    """Base of the vendor API clients: a context manager over their :class:`HttpClient`.

    Subclasses set ``self._http`` and ``self.base_url`` (or override ``__repr__`` when the URL
    itself is a secret, as a Bitrix24 webhook is).
    """

    _http: HttpClient
    base_url: str

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
