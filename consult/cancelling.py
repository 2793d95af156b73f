"""Cancelling a visit or one appointment, by the person or through the API.

The day and the visit are locked first, in the order every writer of a day keeps, so a
cancel never crosses a booking or a check-in half way. The request commits.
"""

from __future__ import annotations

import sqlalchemy as sa

from consult.database import begin_write
from consult.errors import N_
from consult.extensions import db
from consult.messages.outbox import tell_cancelled
from consult.models import ConsultationDay, Visit
from consult.visits import BookingError


def lock_visit(visit_id: int) -> Visit | None:
    """Lock the visit's day, then the visit: the order every writer of a day keeps."""
    day_id = db.session.scalar(sa.select(Visit.day_id).where(Visit.id == visit_id))
    if day_id is not None:
        db.session.get(ConsultationDay, day_id, with_for_update=True)
    return db.session.get(Visit, visit_id, with_for_update=True, populate_existing=True)


def cancel_visit(visit_id: int, reason: str) -> Visit:
    """Cancel the whole visit, its seats free at once; TransitionError if it cannot be.

    The day and the visit are locked first, as a booking or the desk locks them, so a
    cancel never crosses a check-in half way (the request commits).
    """
    begin_write()
    visit = lock_visit(visit_id)
    if visit is None:
        raise BookingError(N_("We could not find a visit with this booking reference."))
    visit.cancel(reason=reason)
    tell_cancelled(visit, [])
    return visit


def cancel_appointment(visit_id: int, appointment_id: int, reason: str) -> Visit:
    """Cancel one appointment of the visit, locked like `cancel_visit`."""
    begin_write()
    visit = lock_visit(visit_id)
    appointment = (
        next((a for a in visit.appointments if a.id == appointment_id), None) if visit else None
    )
    if visit is None or appointment is None:
        raise BookingError(N_("We could not find a visit with this booking reference."))
    visit.cancel_appointment(appointment, reason=reason)
    tell_cancelled(visit, [appointment])
    return visit
