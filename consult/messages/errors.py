"""The one error the e-mail and SMS transports raise when a message could not be delivered."""

from __future__ import annotations


class DeliveryError(Exception):
    """A message was not delivered; `str()` is a short English reason for staff logs.

    `permanent` is true when sending the same message again cannot help (the
    recipient was refused, the number is invalid); otherwise the worker retries.
    Reasons never contain the message's text.
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent

    def __repr__(self) -> str:
        return f"DeliveryError({self.reason!r}, permanent={self.permanent})"
