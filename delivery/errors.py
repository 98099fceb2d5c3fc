"""Why a message did not go: :class:`DeliveryError`, with whether trying later may help."""

from __future__ import annotations

__all__ = ["DeliveryError"]


class DeliveryError(Exception):
    """A channel could not deliver a message to a recipient.

    ``reason`` is one line for a person (the server's or Telegram's own words and what to do),
    never holding a password or token. ``permanent`` is true when sending again unchanged will
    fail again (a blocked bot, a refused address, a wrong password); ``maybe_sent`` when the
    message may have arrived although no confirmation came (a connection dropped after the
    upload), so it was not sent again.
    """

    def __init__(self, reason: str, *, permanent: bool, maybe_sent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.maybe_sent = maybe_sent

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.reason, self.permanent, self.maybe_sent))


def _rebuild(reason: str, permanent: bool, maybe_sent: bool) -> DeliveryError:
    return DeliveryError(reason, permanent=permanent, maybe_sent=maybe_sent)
