"""Case notes, consent records, client records and referrals: reads and writes.

Every function that shows or changes a note writes an audit entry in the same
transaction; the request commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from consult import audit
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.itineraries import PlannedOpening, slot_states, upcoming_days
from consult.models import (
    Agency,
    Appointment,
    CaseNote,
    Client,
    Consent,
    ConsultationDay,
    MessageKind,
    Role,
    Session,
    StaffUser,
    Topic,
    Visit,
    VisitStatus,
    utcnow,
)
from consult.notes import rules
from consult.permissions import can_view_location
from consult.planner import Need, Plan, openings_for, plan_visit
from consult.visits import BookingRequest, Contact, book_visit

MAX_NOTE = 5000
LATER_DAYS = 3  # how many later days a referral offers when today is full


class NoteError(DomainError):
    """A note, consent, client or referral action that cannot be done as asked."""


# --- the facts the rules need ------------------------------------------------


def visit_facts(visit: Visit) -> rules.VisitFacts:
    """The agencies and the consent of a visit, as the rules see them."""
    return rules.VisitFacts(
        agency_ids=frozenset(a.agency_id for a in visit.active_appointments),
        seen_by=frozenset(a.agency_id for a in visit.appointments),
        consent=visit.consent_to_share,
    )


def client_facts(client: Client) -> list[rules.VisitFacts]:
    return [visit_facts(visit) for visit in client.visits]


def can_open_visit(user: StaffUser, visit: Visit) -> bool:
    return rules.may_open_visit(user, visit_facts(visit))


def can_open_client(user: StaffUser, client: Client) -> bool:
    return rules.may_open_client(user, client_facts(client))


def can_record_consent(user: StaffUser, visit: Visit) -> bool:
    """Advisors of the visit and the front desk of its location record consent in person."""
    if user.role is Role.ADVISOR:
        return can_open_visit(user, visit)
    return user.role is Role.FRONTDESK and can_view_location(user, visit.day.location_id)


# --- reading -------------------------------------------------------------------


def readable_visit_notes(user: StaffUser, visit: Visit) -> list[CaseNote]:
    """The visit's notes this user may read, oldest first."""
    facts = visit_facts(visit)
    notes = db.session.scalars(
        sa.select(CaseNote)
        .where(CaseNote.visit_id == visit.id)
        .order_by(CaseNote.created_dt, CaseNote.id)
    )
    return [n for n in notes if rules.may_read_visit_note(user, n.agency_id, facts)]


def readable_client_notes(user: StaffUser, client: Client) -> list[CaseNote]:
    """The client record's notes this user may read, oldest first."""
    facts = client_facts(client)
    notes = db.session.scalars(
        sa.select(CaseNote)
        .where(CaseNote.client_id == client.id)
        .order_by(CaseNote.created_dt, CaseNote.id)
    )
    return [n for n in notes if rules.may_read_client_note(user, n.agency_id, facts)]


def record_read(user: StaffUser, object_type: str, object_id: int, notes: Sequence[CaseNote]):
    """Log which notes a page showed to whom."""
    return audit.record(user, "note.read", object_type, object_id, note_ids=[n.id for n in notes])


def client_visits_seen_by(user: StaffUser, client: Client) -> list[Visit]:
    """The client's visits that included the user's agency (not the others: need to know)."""
    return sorted(
        (v for v in client.visits if user.agency_id in visit_facts(v).seen_by),
        key=lambda v: (v.day.date, v.id),
    )


def clients_seen_by(agency_id: int) -> list[Client]:
    """Client records with a visit that included this agency, to link a visit to."""
    return list(
        db.session.scalars(
            sa.select(Client)
            .where(
                Client.erased_dt.is_(None),
                Client.visits.any(Visit.appointments.any(Appointment.agency_id == agency_id)),
            )
            .order_by(Client.name, Client.id)
        )
    )


# --- writing notes ---------------------------------------------------------------


def _checked_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise NoteError(N_("Please write the note."))
    if len(text) > MAX_NOTE:
        raise NoteError(N_("A note can have at most %(max)d characters."), max=MAX_NOTE)
    return text


def _check_not_erased(visit: Visit) -> None:
    if visit.erased_dt is not None:
        raise NoteError(N_("The personal data of this visit has been erased."))


def add_visit_note(
    user: StaffUser, visit: Visit, body: str, *, is_handover: bool = False
) -> CaseNote:
    """Write a note on a visit for the user's agency."""
    _check_not_erased(visit)
    note = CaseNote(
        visit=visit,
        agency_id=user.agency_id,
        author=user,
        body=_checked_body(body),
        is_handover=is_handover,
    )
    db.session.add(note)
    db.session.flush()
    audit.record(
        user, "note.write", "case_note", note.id, visit_id=visit.id, is_handover=is_handover
    )
    return note


def add_client_note(user: StaffUser, client: Client, body: str) -> CaseNote:
    """Write a note on a client record for the user's agency."""
    if client.erased_dt is not None:
        raise NoteError(N_("The personal data of this client has been erased."))
    note = CaseNote(client=client, agency_id=user.agency_id, author=user, body=_checked_body(body))
    db.session.add(note)
    db.session.flush()
    audit.record(user, "note.write", "case_note", note.id, client_id=client.id)
    return note


# --- consent ---------------------------------------------------------------------


def active_consent(visit: Visit) -> Consent | None:
    """The consent in force, if any."""
    return next((c for c in reversed(visit.consents) if c.withdrawn_dt is None), None)


def give_consent(user: StaffUser, visit: Visit, wording: str, language: str) -> Consent:
    """Record, in person, the consent to share with the wording the person was shown."""
    _check_not_erased(visit)
    if visit.status is not VisitStatus.BOOKED:
        raise NoteError(N_("Consent can only be recorded for a booked visit."))
    if visit.consent_to_share:
        raise NoteError(N_("The consent to share is already recorded."))
    consent = Consent(wording=wording, language=language, recorded_by=user)
    visit.consents.append(consent)  # the audit log records it as it is flushed
    return consent


def withdraw_consent(user: StaffUser, visit: Visit) -> None:
    """Withdraw every consent in force; shared notes are hidden at once."""
    active = [c for c in visit.consents if c.withdrawn_dt is None]
    if not active:
        raise NoteError(N_("There is no consent to withdraw."))
    for consent in active:
        consent.withdraw(by=user)  # the audit log records it as it is flushed


# --- client records ------------------------------------------------------------------


def create_client(user: StaffUser, visit: Visit) -> Client:
    """Start a client record from a visit: the name and language only (minimal data)."""
    _check_not_erased(visit)
    if visit.client_id is not None:
        raise NoteError(N_("This visit is already linked to a client record."))
    client = Client(name=visit.name, language=visit.language)
    visit.client = client
    db.session.add(client)
    db.session.flush()
    audit.record(user, "client.create", "client", client.id, visit_id=visit.id)
    return client


def link_client(user: StaffUser, visit: Visit, client: Client) -> None:
    """Link a visit to an existing client record (access is checked by the caller)."""
    _check_not_erased(visit)
    if visit.client_id is not None:
        raise NoteError(N_("This visit is already linked to a client record."))
    if client.erased_dt is not None:
        raise NoteError(N_("The personal data of this client has been erased."))
    visit.client = client
    audit.record(user, "client.link", "client", client.id, visit_id=visit.id)


# --- referrals -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralOption:
    """A free time with the receiving agency on a later day."""

    day: ConsultationDay
    plan: Plan


def referral_agencies(user: StaffUser) -> list[Agency]:
    """The agencies an advisor can refer a person to: every other one."""
    return list(
        db.session.scalars(
            sa.select(Agency).where(Agency.id != user.agency_id).order_by(Agency.name)
        )
    )


def check_referral(visit: Visit, agency: Agency, topic: Topic | None) -> None:
    """NoteError unless the visit can be referred to this agency for this topic."""
    _check_not_erased(visit)
    if visit.status is not VisitStatus.BOOKED:
        raise NoteError(N_("Only a booked visit can be referred."))
    if agency.id in visit_facts(visit).agency_ids:
        raise NoteError(
            N_("This visit already has an appointment with %(agency)s."), agency=agency.name
        )
    if topic is not None and agency not in topic.agencies:
        raise NoteError(N_("%(agency)s does not advise on this topic."), agency=agency.name)


def _first_opening(
    day: ConsultationDay,
    agency: Agency,
    topic: Topic | None,
    language: str,
    earliest: datetime,
) -> Plan | None:
    sessions = [
        s
        for s in day.published_sessions
        if s.agency_id == agency.id and (topic is None or topic in s.topics)
    ]
    if not day.is_bookable or not sessions:
        return None
    session_ids = {s.id for s in sessions}
    minutes = topic.default_minutes if topic else min(s.slot_minutes for s in sessions)
    states = [s for s in slot_states(day) if s.session_id in session_ids]
    openings = openings_for(states, Need(agency.id, minutes), language)
    plans = plan_visit(
        {agency.id: openings},
        gap=timedelta(minutes=day.location.changeover_minutes),
        earliest=earliest,
        limit=1,
    )
    return plans[0] if plans else None


def same_day_opening(
    visit: Visit, agency: Agency, topic: Topic | None, now: datetime | None = None
) -> Plan | None:
    """The first free time that day after the person's appointments and the changeover gap.

    Among the free times the planner's ranking applies: one in the person's
    language first, then the earliest.
    """
    now = now or utcnow()
    gap = timedelta(minutes=visit.day.location.changeover_minutes)
    ends = [a.ends_dt + gap for a in visit.active_appointments]
    return _first_opening(visit.day, agency, topic, visit.language, max([now, *ends]))


def later_options(
    visit: Visit, agency: Agency, topic: Topic | None, now: datetime | None = None
) -> list[ReferralOption]:
    """The first free time on each of the next days in the same town."""
    now = now or utcnow()
    start = max(visit.day.date + timedelta(days=1), now.date())
    found = []
    for day in upcoming_days(town=visit.day.location.town, start=start):
        plan = _first_opening(day, agency, topic, visit.language, now)
        if plan is not None:
            found.append(ReferralOption(day, plan))
            if len(found) >= LATER_DAYS:
                break
    return found


def _contact(visit: Visit) -> Contact:
    return Contact(
        name=visit.name or "",
        phone=visit.phone,
        email=visit.email,
        language=visit.language,
        interpreter_wanted=visit.interpreter_wanted,
    )


def _handover(user: StaffUser, source: Visit, target: Visit, agency: Agency, body: str) -> CaseNote:
    note = add_visit_note(user, target, body, is_handover=True)
    audit.record(
        user,
        "referral",
        "visit",
        source.id,
        agency_id=agency.id,
        to_visit_id=target.id,
        note_id=note.id,
    )
    return note


def refer_same_day(
    user: StaffUser, visit: Visit, agency: Agency, topic: Topic | None, body: str, plan: Plan
) -> Visit:
    """Book the opening into the visit, then add the handover note and audit."""
    body = _checked_body(body)
    book_visit(
        BookingRequest(
            visit.day_id,
            list(plan.appointments),
            _contact(visit),
            topic_ids=[topic.id] if topic else [],
            add_to_visit_id=visit.id,
            referred_by_agency_id=user.agency_id,
        )
    )
    _handover(user, visit, visit, agency, body)
    return visit


def refer_to_day(
    user: StaffUser,
    visit: Visit,
    agency: Agency,
    topic: Topic | None,
    body: str,
    day: ConsultationDay,
    openings: Sequence[PlannedOpening],
) -> Visit:
    """Book a new visit on a later day for the same person, then the handover."""
    body = _checked_body(body)
    if (
        day.id == visit.day_id
        or day.date < visit.day.date
        or day.location.town != visit.day.location.town
        or len(openings) != 1
    ):
        raise NoteError(N_("This time is no longer offered. Please choose another one."))
    session = db.session.get(Session, openings[0].session_id)
    if session is None or session.day_id != day.id or session.agency_id != agency.id:
        raise NoteError(N_("This time is no longer offered. Please choose another one."))
    client_id = visit.client_id
    new_visit = book_visit(
        BookingRequest(
            day.id,
            list(openings),
            _contact(visit),
            topic_ids=[topic.id] if topic else [],
            notice=MessageKind.REFERRAL,
            referred_by_agency_id=user.agency_id,
        )
    )
    # The same person: keep the visits together over time. Consent is not carried
    # over; it is asked again for the new visit and its agencies.
    new_visit.client_id = client_id
    _handover(user, visit, new_visit, agency, body)
    return new_visit
