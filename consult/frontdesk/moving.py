"""Moving one appointment of a visit to another free time of the same agency that day."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from consult.errors import N_
from consult.extensions import db
from consult.frontdesk.transactions import (
    FrontDeskError,
    current_time,
    locked_appointment,
    write,
)
from consult.itineraries import PlannedOpening, parse_plan_token, slot_states
from consult.messages.outbox import tell
from consult.models import Appointment, AppointmentStatus, MessageKind, Session, VisitStatus
from consult.planner import Need, Opening, openings_for
from consult.visits import needed_minutes, rebook_appointment
from consult.waitlist import offer_freed_seats


def move_options(appointment: Appointment, now: datetime) -> list[Opening]:
    """Free times of the same agency that day, as long as the appointment, that fit the visit."""
    visit = appointment.visit
    day = visit.day
    own = {seat.slot_id: seat.desk for seat in appointment.seats}
    # Sessions of the same agency that serve the appointment's topics, as the booking checks.
    serving = {
        s.id: s
        for s in day.published_sessions
        if s.agency_id == appointment.agency_id and all(t in s.topics for t in appointment.topics)
    }
    if not serving:
        return []
    states = [
        replace(s, free_desks=s.free_desks | {own[s.slot_id]}) if s.slot_id in own else s
        for s in slot_states(day)
        if s.session_id in serving
    ]
    # As long as the topics need, not as long as the appointment happens to be.
    minutes = needed_minutes(appointment.topics) or min(s.slot_minutes for s in serving.values())
    gap = timedelta(minutes=day.location.changeover_minutes)
    others = [a for a in visit.active_appointments if a.id != appointment.id]
    options = []
    for opening in openings_for(states, Need(appointment.agency_id, minutes), visit.language):
        if opening.starts_dt < now or (
            opening.session_id == appointment.session_id
            and opening.starts_dt == appointment.starts_dt
        ):
            continue
        if any(
            opening.starts_dt < a.ends_dt + gap and a.starts_dt < opening.ends_dt + gap
            for a in others
        ):
            continue
        options.append(opening)
    return options


def parse_opening(token: str) -> PlannedOpening:
    """One opening from a form value such as "12:301.302"."""
    openings = parse_plan_token(token)
    if len(openings) != 1:
        raise FrontDeskError(N_("Please choose a new time."))
    return openings[0]


def move_appointment(appointment_id: int, target: PlannedOpening) -> Appointment:
    """Book the new time and free the old one in one transaction: all or nothing."""

    def work() -> Appointment:
        visit, appointment = locked_appointment(appointment_id)
        if visit.status is not VisitStatus.BOOKED or appointment.status not in (
            AppointmentStatus.BOOKED,
            AppointmentStatus.CHECKED_IN,
        ):
            raise FrontDeskError(N_("Only an appointment that has not started can be moved."))
        session = db.session.get(Session, target.session_id)
        if session is not None and session.agency_id != appointment.agency_id:
            raise FrontDeskError(N_("The new time must be with the same service."))
        moved = rebook_appointment(appointment, target)
        db.session.flush()
        tell(visit, MessageKind.REPLANNED)
        offer_freed_seats(visit.day, current_time())
        return moved

    return write(
        work, conflict=FrontDeskError(N_("Sorry, this time was just taken by someone else."))
    )
