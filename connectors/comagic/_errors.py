"""The error CoMagic reports in a JSON-RPC ``error`` object."""

from __future__ import annotations

from connectors.errors import ConnectorError

__all__ = ["ComagicApiError"]


class ComagicApiError(ConnectorError):
    """A JSON-RPC error reply from the Data API.

    Branch on ``mnemonic`` (``error.data.mnemonic``, e.g. ``limit_exceeded``, ``auth_error``):
    the numeric ``code`` is shared by whole groups of errors.
    """

    def __init__(
        self, message: str, *, code: int | None = None, mnemonic: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.mnemonic = mnemonic
        self.field = field

    def __str__(self) -> str:
        label = "CoMagic API error"
        if self.mnemonic:
            label += f" {self.mnemonic}"
        if self.code is not None:
            label += f" ({self.code})"
        where = f' (field "{self.field}")' if self.field else ""
        return f"{label}: {self.message}{where}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.message, self.code, self.mnemonic, self.field))


def _rebuild(message: str, code: int | None, mnemonic: str | None, field: str | None) -> ComagicApiError:
    return ComagicApiError(message, code=code, mnemonic=mnemonic, field=field)
