"""Front desk writes: under the write lock, rows locked in one fixed order.

Every operation that changes state holds the write lock, because ticket numbers and
seats are consumed under it (see `consult.database.begin_write`), and runs in a
savepoint that a taken ticket number or seat undoes; the request commits. Rows are
always locked in the same order —
the day, then the visit, then its appointments, then slots, as bookings and
changes of hours lock them too (see `consult.revisions`) — so that two desks
never wait for each other in a circle.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from consult import models
from consult.cancelling import lock_visit
from consult.database import begin_write
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.models import Appointment, Visit

T = TypeVar("T")

TICKET_ATTEMPTS = 5


class FrontDeskError(DomainError):
    """A front desk action cannot be done as asked; nothing was written."""


def current_time() -> datetime:
    """The current instant in UTC (read through `models` so that tests can set the clock)."""
    return models.utcnow()


def today_at(zone: str) -> date:
    """Today's date in a time zone, by the same clock."""
    return current_time().astimezone(ZoneInfo(zone)).date()


# ---------------------------------------------------------------- transactions


def write(work: Callable[[], T], *, conflict: FrontDeskError | None = None) -> T:
    """Run `work` holding the write lock, in a savepoint; the request commits.

    A unique constraint that fires means another desk took the same ticket number
    (retry with the next one) or, when `conflict` is given, the same seat (give up).
    Only `work`'s own changes are undone then; what the request wrote before stays.
    """
    begin_write()
    for _attempt in range(TICKET_ATTEMPTS):
        try:
            with db.session.begin_nested():
                result = work()
        except IntegrityError:
            if conflict is not None:
                raise conflict from None
            continue
        # Read afresh from here on, as after a commit: the new rows' relationships load.
        db.session.expire_all()
        return result
    raise FrontDeskError(N_("Many people are being checked in at once. Please try again."))


def locked_visit(visit_id: int) -> Visit:
    """Lock the visit's day, then the visit (always in this order)."""
    visit = lock_visit(visit_id)
    if visit is None:
        raise FrontDeskError(N_("This visit does not exist any more."))
    return visit


def locked_appointment(appointment_id: int) -> tuple[Visit, Appointment]:
    """Lock the appointment's day and visit, then the appointment itself (in this order)."""
    visit_id = db.session.scalar(
        sa.select(Appointment.visit_id).where(Appointment.id == appointment_id)
    )
    if visit_id is None:
        raise FrontDeskError(N_("This appointment does not exist any more."))
    visit = locked_visit(visit_id)
    appointment = db.session.get(
        Appointment, appointment_id, with_for_update=True, populate_existing=True
    )
    assert appointment is not None  # appointments are only deleted with their visit
    return visit, appointment
