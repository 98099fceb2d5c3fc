"""The exceptions connectors raise; catch ``ConnectorError`` to catch them all."""

from __future__ import annotations

__all__ = ["ConnectorError", "FormatError", "UnknownFormatError"]


class ConnectorError(Exception):
    """Base of every error raised by a connector."""


class FormatError(ConnectorError):
    """The content is not in the expected vendor format.

    ``line`` is the 1-based line of a text file, ``field`` the column (or, for JSON, the path
    of the value, e.g. ``items[0].rows[3].base.spent``) and ``reason`` what is wrong with it::

        line 14, field "Расход": "12,3,4" is not a number
    """

    def __init__(self, reason: str, *, line: int | None = None, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f'field "{self.field}"')
        return f"{', '.join(where)}: {self.reason}" if where else self.reason

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.reason, self.line, self.field))


class UnknownFormatError(FormatError):
    """The kind of a file could not be told from its content."""


def _rebuild(cls: type[FormatError], reason: str, line: int | None, field: str | None) -> FormatError:
    return cls(reason, line=line, field=field)
