"""Why a booking did not happen: the errors that booking, moving and adding raise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consult.errors import N_, DomainError

if TYPE_CHECKING:
    from consult.models import Visit

# Shared appointments move only together, and the family planner has no move yet.
GROUP_STAYS = N_(
    "A visit booked together for several people cannot be moved. Please cancel it and book again."
)


class BookingError(DomainError):
    """The visit cannot be booked as asked; nothing was written."""


class UnfitPlanError(BookingError):
    """The plan is not one the planner offers for these topics; asking again will not help.

    Unlike a seat taken meanwhile (a plain `BookingError`), this is the asker's
    mistake or a forged plan: the API answers 422, not 409.
    """


class ReusedKeyError(BookingError):
    """The idempotency key came before with a different request; nothing was booked."""


class AlreadyBooked(Exception):
    """Not booked again: a request with the same idempotency key booked `visit` before."""

    def __init__(self, visit: Visit) -> None:
        super().__init__()
        self.visit = visit
