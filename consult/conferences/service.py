"""Case conferences: propose one under the person's consent, hold desks, tell, cancel, record.

The view commits. Every change of a conference is in the audit log by the flush
listener (`consult.audit`); reads of the agenda notes are recorded as note reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from consult.availability import availability
from consult.database import begin_write
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.models import (
    CONFERENCE,
    Agency,
    CaseConference,
    Channel,
    ConferenceMode,
    ConferenceStatus,
    Consent,
    ConsultationDay,
    DayKind,
    Message,
    MessageKind,
    Role,
    Seat,
    Session,
    Slot,
    StaffUser,
    Visit,
    VisitStatus,
)
from consult.models.base import clock
from consult.notes import service as notes
from consult.planner.simultaneous import Meeting, meeting_times
from consult.revisions import touch_days

LENGTHS = (30, 45, 60)
MAX_OPTIONS = 8
MAX_OUTCOME = 5000
MIN_AGENCIES = 2

# What the advisor reads out and the person agrees to; stored in the person's language.
CONFERENCE_QUESTION = N_(
    "May advisors of %(agencies)s hold a case conference about your case and talk about it "
    "together?"
)


class ConferenceError(DomainError):
    """A case conference that cannot be proposed, changed or shown as asked."""


# --- who takes part ---------------------------------------------------------------


def participants(conference: CaseConference) -> list[StaffUser]:
    """The active advisors of the conference's agencies."""
    return list(
        db.session.scalars(
            sa.select(StaffUser)
            .where(
                StaffUser.role == Role.ADVISOR,
                StaffUser.active,
                StaffUser.agency_id.in_(sorted(conference.agency_ids)),
            )
            .order_by(StaffUser.id)
        )
    )


def takes_part(user: StaffUser, conference: CaseConference) -> bool:
    """An advisor of one of the conference's agencies."""
    return user.role is Role.ADVISOR and user.active and user.agency_id in conference.agency_ids


def can_view(user: StaffUser, conference: CaseConference) -> bool:
    """Participants and the advisor who proposed it."""
    return takes_part(user, conference) or user.id == conference.proposed_by_id


def can_propose(user: StaffUser, visit: Visit) -> bool:
    """An advisor who may open the visit's notes, while its data is not erased."""
    return notes.can_open_visit(user, visit) and visit.erased_dt is None


# --- consent for this purpose ------------------------------------------------------------


def conference_consent(visit: Visit) -> Consent | None:
    """The latest consent to case conferences on this visit that is not withdrawn."""
    return db.session.scalar(
        sa.select(Consent)
        .where(
            Consent.visit_id == visit.id,
            Consent.purpose == CONFERENCE,
            Consent.withdrawn_dt.is_(None),
        )
        .order_by(Consent.recorded_dt.desc(), Consent.id.desc())
        .limit(1)
    )


def record_consent(user: StaffUser, visit: Visit, wording: str, language: str) -> Consent:
    """Record, in person, that the person agreed to a case conference, with the words shown."""
    if visit.erased_dt is not None:
        raise ConferenceError(N_("The personal data of this visit has been erased."))
    # The write lock before the first write: on SQLite a read transaction that turns into
    # a write while another writer waits is refused at once ("database is locked").
    begin_write()
    consent = Consent(
        visit_id=visit.id,
        purpose=CONFERENCE,
        wording=wording,
        language=language,
        recorded_by=user,
    )
    db.session.add(consent)  # the audit log records it as it is flushed
    db.session.flush()
    return consent


# --- when and where ---------------------------------------------------------------------


def chosen_agencies(user: StaffUser, agency_ids: Sequence[int]) -> list[Agency]:
    """The agencies asked for, the advisor's own among them, at least two."""
    wanted = sorted(set(agency_ids))
    agencies = list(db.session.scalars(sa.select(Agency).where(Agency.id.in_(wanted))))
    if len(agencies) != len(wanted):
        raise ConferenceError(N_("Please choose the agencies again."))
    if user.agency_id not in wanted:
        raise ConferenceError(N_("Your own agency takes part in the case conference."))
    if len(wanted) < MIN_AGENCIES:
        raise ConferenceError(N_("A case conference needs at least two agencies."))
    return agencies


def _rooms(day_id: int, agency_ids: Sequence[int]) -> dict[int, list[str]]:
    return {
        session_id: rooms or []
        for session_id, rooms in db.session.execute(
            sa.select(Session.id, Session.rooms).where(
                Session.day_id == day_id, Session.agency_id.in_(sorted(agency_ids))
            )
        )
    }


def on_site_options(
    day: ConsultationDay,
    agency_ids: Sequence[int],
    minutes: int,
    now: datetime | None = None,
    limit: int = MAX_OPTIONS,
) -> list[Meeting]:
    """Times on the joint day when every agency has a desk free at once, earliest first."""
    if day.kind is not DayKind.JOINT or not day.is_bookable:
        return []
    slots = [s for s in availability(day).slots if s.agency_id in set(agency_ids)]
    return meeting_times(
        slots,
        agency_ids,
        minutes,
        earliest=now or clock(),
        limit=limit,
        rooms=_rooms(day.id, agency_ids),
    )


def check_meeting_link(link: str) -> str:
    """An https address with a host, or ConferenceError."""
    text = link.strip()
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.netloc or len(text) > 500:
        raise ConferenceError(N_("Please give the meeting link as an https:// address."))
    return text


@dataclass(frozen=True)
class Proposal:
    """What the advisor chose: agencies, length, and a time on the day or online."""

    agency_ids: tuple[int, ...]
    minutes: int
    starts_dt: datetime
    online: bool = False
    meeting_link: str = ""


# --- proposing ----------------------------------------------------------------------------


def _check_consent(visit: Visit, consent: Consent | None) -> Consent:
    if (
        consent is None
        or consent.purpose != CONFERENCE
        or consent.visit_id != visit.id
        or consent.withdrawn_dt is not None
    ):
        raise ConferenceError(
            N_("A case conference needs the person's consent to it. Please ask them first.")
        )
    return consent


def propose(
    user: StaffUser, visit: Visit, proposal: Proposal, consent: Consent | None
) -> CaseConference:
    """Arrange the conference, hold its desks on the day, and invite the participants.

    Refused without the person's unwithdrawn consent to a case conference. On a
    joint day the day's row is touched first (as every booking does), then the
    slots are locked and the time is searched again: a desk taken meanwhile is
    not held twice, and the (slot, desk) key of `Seat` makes sure of it.
    """
    consent = _check_consent(visit, consent)
    begin_write()  # before anything is written (see `record_consent`)
    if not can_propose(user, visit):
        raise ConferenceError(N_("You cannot arrange a case conference about this visit."))
    if visit.status is not VisitStatus.BOOKED and not proposal.online:
        raise ConferenceError(N_("This visit is cancelled: please arrange the conference online."))
    agencies = chosen_agencies(user, proposal.agency_ids)
    if proposal.minutes not in LENGTHS:
        raise ConferenceError(N_("Please choose the length of the conference."))
    now = clock()
    if proposal.starts_dt <= now:
        raise ConferenceError(N_("Please choose a time in the future."))
    conference = CaseConference(
        visit_id=visit.id,
        proposed_by=user,
        agency_id=user.agency_id,
        consent_id=consent.id,
        starts_dt=proposal.starts_dt,
        ends_dt=proposal.starts_dt + timedelta(minutes=proposal.minutes),
        agencies=agencies,
    )
    if proposal.online:
        conference.mode = ConferenceMode.ONLINE
        conference.meeting_link = check_meeting_link(proposal.meeting_link)
        db.session.add(conference)
        db.session.flush()
    else:
        _hold_desks(conference, visit.day, proposal)
    tell_participants(conference, MessageKind.CONFERENCE_INVITED)
    return conference


def _hold_desks(conference: CaseConference, day: ConsultationDay, proposal: Proposal) -> None:
    db.session.flush()  # begin_write must not discard what the caller added
    begin_write()
    try:
        with db.session.begin_nested():
            touch_days([day.id])
            found = on_site_options(
                day, proposal.agency_ids, proposal.minutes, now=proposal.starts_dt, limit=1
            )
            if not found or found[0].starts_dt != proposal.starts_dt:
                raise ConferenceError(N_("This time is no longer free. Please choose another one."))
            meeting = found[0]
            wanted = sorted({i for a in meeting.attendances for i in a.slot_ids})
            db.session.scalars(
                sa.select(Slot.id).where(Slot.id.in_(wanted)).order_by(Slot.id).with_for_update()
            ).all()
            mine = meeting.attendance_of(conference.agency_id)
            conference.mode = ConferenceMode.ON_SITE
            conference.day_id = day.id
            conference.room = mine.room
            conference.seats = [
                Seat(slot_id=slot_id, desk=attendance.desk)
                for attendance in meeting.attendances
                for slot_id in attendance.slot_ids
            ]
            db.session.add(conference)
            db.session.flush()
    except IntegrityError:
        raise ConferenceError(
            N_("This time is no longer free. Please choose another one.")
        ) from None


# --- telling the participants ----------------------------------------------------------------


def tell_participants(
    conference: CaseConference, kind: MessageKind, reason: str = ""
) -> list[Message]:
    """An e-mail to each participant with an address, in their language; never a person's name.

    The message carries the conference, not the visit: the person's own pages list
    only the messages of their visit.
    """
    now = clock()
    rows = []
    for advisor in participants(conference):
        key = f"{kind}:{Channel.EMAIL}:c{conference.id}:s{advisor.id}"
        if db.session.scalar(sa.select(Message.id).where(Message.dedupe_key == key)):
            continue
        rows.append(
            Message(
                kind=kind,
                channel=Channel.EMAIL,
                recipient=advisor.email,
                language=advisor.language,
                conference_id=conference.id,
                day_id=conference.day_id,
                params={"reason": reason} if reason else {},
                dedupe_key=key,
                due_dt=now,
            )
        )
    db.session.add_all(rows)
    return rows


# --- cancelling, withdrawing, the outcome --------------------------------------------------------


def _locked(conference_ids: Sequence[int]) -> list[CaseConference]:
    """The conferences, locked and read afresh, in id order."""
    return list(
        db.session.scalars(
            sa.select(CaseConference)
            .where(CaseConference.id.in_(sorted(conference_ids)))
            .order_by(CaseConference.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def cancel(conference: CaseConference, reason: str = "") -> None:
    """Cancel the conference, give its desks back, and tell the participants."""
    begin_write()
    # The day's row first, as every writer of the day's desks locks it.
    touch_days([conference.day_id])
    (locked,) = _locked([conference.id])
    locked.cancel(reason)
    tell_participants(locked, MessageKind.CONFERENCE_CANCELLED, reason)


def withdraw_consent(user: StaffUser, conference: CaseConference, reason: str) -> list[int]:
    """The person withdrew their consent: every scheduled conference relying on it ends.

    Returns the ids of the conferences cancelled.
    """
    consent_id = conference.consent_id
    begin_write()
    relying = sa.select(CaseConference.id, CaseConference.day_id).where(
        CaseConference.consent_id == consent_id,
        CaseConference.status == ConferenceStatus.SCHEDULED,
    )
    rows = db.session.execute(relying).all()
    touch_days([row.day_id for row in rows])
    consent = db.session.get(Consent, consent_id, with_for_update=True, populate_existing=True)
    assert consent is not None
    if consent.withdrawn_dt is not None:
        raise ConferenceError(N_("This consent has already been withdrawn."))
    consent.withdraw(by=user)
    cancelled = []
    for found in _locked([row.id for row in rows]):
        if found.status is ConferenceStatus.SCHEDULED:
            found.cancel(reason)
            tell_participants(found, MessageKind.CONFERENCE_CANCELLED, reason)
            cancelled.append(found.id)
    return cancelled


def cancel_on_day(day_id: int, reason: str) -> list[int]:
    """The day is cancelled: so are its conferences, and their participants are told.

    Called by the day's cancellation, which holds the day's write lock already.
    """
    found = db.session.scalars(
        sa.select(CaseConference.id).where(
            CaseConference.day_id == day_id, CaseConference.status == ConferenceStatus.SCHEDULED
        )
    ).all()
    for conference in _locked(found):
        conference.cancel(reason)
        tell_participants(conference, MessageKind.CONFERENCE_CANCELLED, reason)
    return list(found)


def record_outcome(user: StaffUser, conference: CaseConference, text: str) -> None:
    """The one outcome note, by a participant, once the conference has begun."""
    body = text.strip()
    if not takes_part(user, conference):
        raise ConferenceError(N_("Only a participant can record the outcome."))
    if not body:
        raise ConferenceError(N_("Please write the outcome."))
    if len(body) > MAX_OUTCOME:
        raise ConferenceError(N_("A note can have at most %(max)d characters."), max=MAX_OUTCOME)
    if clock() < conference.starts_dt:
        raise ConferenceError(N_("The outcome can be recorded once the conference has begun."))
    begin_write()
    (locked,) = _locked([conference.id])  # two participants at once: one outcome
    locked.record_outcome(body, user)
