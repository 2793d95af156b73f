"""Moving and cancelling tour stops, and the visits booked on them.

A moved stop is a new stop; the old one stays until each of its visits is moved
(`move_visit`, which books through `book_visit`) or cancelled.
"""

from __future__ import annotations

from datetime import datetime

from consult.coordination.service import booked_visits, cancel_day
from consult.errors import N_
from consult.extensions import db
from consult.itineraries import plans_for_day
from consult.messages.outbox import tell_cancelled
from consult.models import DayStatus, MessageKind, TourStatus, TourStop, Visit, VisitStatus
from consult.tours.stops import StopRequest, TourError, add_stop, today_at
from consult.visits import BookingRequest, Contact, book_visit

MAX_REASON = 300


def check_open(stop: TourStop) -> None:
    """TourError when a stop is cancelled or over."""
    if stop.day.status is DayStatus.CANCELLED:
        raise TourError(N_("This stop is cancelled."))
    if stop.day.date < today_at(stop):
        raise TourError(N_("This stop is over; it cannot be changed any more."))


def move_stop(stop: TourStop, request: StopRequest) -> TourStop:
    """The stop at its new date or place: a new stop, published if the tour is.

    The old stop stays until its bookings are moved or cancelled (see `move_visit`).
    """
    check_open(stop)
    return add_stop(
        stop.tour,
        request,
        publish=stop.tour.status is TourStatus.PUBLISHED,
        ignore_day_ids={stop.day_id},
    )


def _booked_visit(stop: TourStop, visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.day_id != stop.day_id or visit.status is not VisitStatus.BOOKED:
        raise TourError(N_("This booking is not on the old stop any more."))
    return visit


def move_visit(old: TourStop, new: TourStop, visit_id: int, *, now: datetime) -> Visit:
    """Move a visit from the old stop to the best free time at the new one (commits).

    The visit keeps its reference; its old appointments are freed only if the new
    ones are booked.
    """
    check_open(old)
    check_open(new)
    visit = _booked_visit(old, visit_id)
    if not new.day.is_bookable:
        raise TourError(
            N_("The new stop is not open for booking yet. Please publish the tour first.")
        )
    result = plans_for_day(new.day, visit.topics, language=visit.language, limit=1, now=now)
    if not result.plans:
        raise TourError(
            N_(
                "No free time at the new stop fits the visit %(reference)s. Please cancel it "
                "with a reason, or give the new stop more time."
            ),
            reference=visit.reference,
        )
    plan = result.plans[0]
    return book_visit(
        BookingRequest(
            day_id=new.day_id,
            appointments=plan.appointments,
            contact=Contact.of(visit),
            topic_ids=[topic.id for topic in visit.topics],
            visit_id=visit.id,
            notice=MessageKind.REPLANNED,
        )
    )


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise TourError(N_("Please give a reason; the person will be told."))
    if len(reason) > MAX_REASON:
        raise TourError(N_("The reason is too long (at most %(max)d characters)."), max=MAX_REASON)
    return reason


def cancel_visit(stop: TourStop, visit_id: int, reason: str) -> Visit:
    """Cancel one visit at a stop with a reason the person will see (the caller commits)."""
    reason = _clean_reason(reason)
    check_open(stop)
    visit = _booked_visit(stop, visit_id)
    visit.cancel(reason)
    tell_cancelled(visit, [], reason)
    return visit


def cancel_stop(stop: TourStop, reason: str) -> list[Visit]:
    """Cancel a stop and every visit on it; return those visits: the people to tell."""
    check_open(stop)
    return cancel_day(stop.day, reason)


def cancel_if_empty(stop: TourStop, reason: str) -> bool:
    """Cancel a stop that was moved once nobody is booked on it any more; True if done."""
    if stop.day.status is DayStatus.CANCELLED or booked_visits(stop.day):
        return False
    cancel_day(stop.day, reason)
    return True
