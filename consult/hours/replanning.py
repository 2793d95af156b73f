"""Bookings a change of hours affects: moving them to another plan or cancelling them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa

from consult.errors import N_
from consult.extensions import db
from consult.hours.changes import ChangePreview, preview_change
from consult.hours.editing import HoursChange, HoursError, check_changeable
from consult.itineraries import assign_topics, parse_plan_token, plan_token, slot_states
from consult.messages.outbox import tell_cancelled
from consult.models import Agency, AppointmentStatus, MessageKind, Session, Topic, Visit
from consult.planner import Need, Plan, plan_day
from consult.visits import BookingRequest, Contact, book_visit

MAX_REASON = 300
REPLAN_CHOICES = 5
# A chosen plan is accepted while it is still among this many best plans.
REPLAN_CHECK_LIMIT = 50


@dataclass(frozen=True)
class _SessionAfter:
    """A session as it will be after the change, for sharing topics among agencies."""

    id: int
    agency_id: int
    agency: Agency
    topics: list[Topic]
    languages: list[str]
    interpreter_available: bool

    @property
    def topic_ids(self) -> frozenset[int]:
        return frozenset(topic.id for topic in self.topics)

    def serves_language(self, language: str) -> bool:
        return language in self.languages or self.interpreter_available


def can_move(visit: Visit) -> bool:
    """A visit can be moved while none of its appointments has begun (nobody checked in).

    A family's visits stay as booked: their shared appointments move only together.
    """
    return len(visit.group) == 1 and all(
        a.status is AppointmentStatus.BOOKED for a in visit.active_appointments
    )


def replan_options(
    preview: ChangePreview, visit: Visit, *, now: datetime, limit: int = REPLAN_CHOICES
) -> list[Plan]:
    """The best free plans for an affected visit on the day as it will be after the change.

    Only slots that exist now and survive the change are offered (the booking is
    made before the change), the visit's own seats count as free, and in the
    changed session no more desks are offered than the kept bookings leave.
    """
    session, change = preview.session, preview.change
    day = session.day
    if not day.is_bookable or not can_move(visit):
        return []
    hours = change.hours
    sessions: list[Session | _SessionAfter] = []
    for other in day.published_sessions:
        if other.id != session.id:
            sessions.append(other)
        elif change.bookable and hours is not None:
            sessions.append(
                _SessionAfter(
                    id=other.id,
                    agency_id=other.agency_id,
                    agency=other.agency,
                    topics=_topics_by_id(change.topic_ids),
                    languages=list(hours.languages),
                    interpreter_available=hours.interpreter,
                )
            )
    assignments, unserved = assign_topics(sessions, visit.topics, visit.language)
    if unserved or not assignments:
        return []
    own: dict[int, set[int]] = defaultdict(set)
    for appointment in visit.active_appointments:
        for seat in appointment.seats:
            own[seat.slot_id].add(seat.desk)
    surviving = (
        {(spec.starts_dt, spec.ends_dt): i for i, spec in enumerate(preview.specs)}
        if change.bookable
        else {}
    )
    states = []
    for state in slot_states(day):
        free = state.free_desks | own.get(state.slot_id, set())
        if state.session_id == session.id:
            index = surviving.get((state.starts_dt, state.ends_dt))
            if index is None or hours is None:
                continue
            state = replace(
                state,
                free_desks=frozenset(sorted(free)[: max(preview.free_after(index), 0)]),
                languages=frozenset(hours.languages),
                interpreter=hours.interpreter,
            )
        else:
            state = replace(state, free_desks=frozenset(free))
        states.append(state)
    return plan_day(
        states,
        [Need(a.agency.id, a.minutes) for a in assignments],
        language=visit.language,
        gap=timedelta(minutes=day.location.changeover_minutes),
        earliest=now,
        limit=limit,
    )


def _topics_by_id(topic_ids: Iterable[int]) -> list[Topic]:
    wanted = set(topic_ids)
    return list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(wanted)))) if wanted else []


def _affected_visit(preview: ChangePreview, visit_id: int) -> Visit:
    visit = next((v for v in preview.affected_visits if v.id == visit_id), None)
    if visit is None:
        raise HoursError(N_("This booking is not affected by the change (any more)."))
    return visit


def replan_visit(
    session: Session, change: HoursChange, visit_id: int, token: str, *, now: datetime
) -> Visit:
    """Move an affected visit to a chosen plan; its old appointments are freed only on success.

    Books with `book_visit`; the request commits.
    """
    check_changeable(session.day)
    preview = preview_change(session, change)
    visit = _affected_visit(preview, visit_id)
    if not can_move(visit):
        raise HoursError(N_("This person has already checked in; the booking cannot be moved."))
    options = replan_options(preview, visit, now=now, limit=REPLAN_CHECK_LIMIT)
    if token not in {plan_token(plan) for plan in options}:
        raise HoursError(N_("This time is not free any more. Please choose another one."))
    request = BookingRequest(
        day_id=session.day_id,
        appointments=parse_plan_token(token),
        contact=Contact.of(visit),
        topic_ids=[t.id for t in visit.topics],
        visit_id=visit.id,
        notice=MessageKind.REPLANNED,
    )
    return book_visit(request)


def cancel_affected(session: Session, change: HoursChange, visit_id: int, reason: str) -> Visit:
    """Cancel an affected visit's appointments with this session (the caller commits).

    The visit ends when it has no other appointment left.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise HoursError(N_("Please give a reason; the person will be told."))
    if len(reason) > MAX_REASON:
        raise HoursError(N_("The reason is too long (at most %(max)d characters)."), max=MAX_REASON)
    check_changeable(session.day)
    preview = preview_change(session, change)
    visit = _affected_visit(preview, visit_id)
    affected = preview.affected_of(visit)
    for appointment in affected:
        visit.cancel_appointment(appointment, reason)
    tell_cancelled(visit, affected, reason)
    return visit
