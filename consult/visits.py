"""Booking a visit: one or more appointments on one day, all or nothing, never overbooked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from consult.booking_errors import (
    GROUP_STAYS,
    AlreadyBooked,
    BookingError,
    ReusedKeyError,
    UnfitPlanError,
)
from consult.carrying import Carried, carried_of, left_behind
from consult.contacts import Contact
from consult.database import begin_write
from consult.errors import N_
from consult.extensions import db
from consult.family_visits import Person, seen_apart, split_among
from consult.fitting import Bookable, FittedAppointment, fit_plan
from consult.logs import refused
from consult.mediators.service import accompany, keep_mediator
from consult.messages.outbox import tell
from consult.models import (
    Appointment,
    AppointmentStatus,
    Consent,
    ConsultationDay,
    MessageKind,
    Seat,
    Slot,
    Topic,
    Visit,
    VisitOrigin,
    VisitStatus,
)
from consult.revisions import touch_days


@dataclass(frozen=True)
class BookingRequest:
    """Everything one confirmation books: the day, the appointments, the person."""

    day_id: int
    appointments: Sequence[Bookable]
    contact: Contact
    topic_ids: Sequence[int] = ()
    consent_wording: str | None = None
    walk_in: bool = False
    # Move this existing visit: its appointments are freed in the same transaction,
    # so they are given up only if the new ones can be booked.
    visit_id: int | None = None
    # Add the appointments to this visit of the same day (a referral, a walk-in fitted
    # in later); its other appointments stay and the new ones must not clash with them.
    add_to_visit_id: int | None = None
    # The person is at the desk and is seen now (a queued walk-in called in): the first
    # slot may already be running, as long as it has not ended.
    seen_now: bool = False
    # A client's key for this request and a digest of what it asked for: the request,
    # sent again with the same key, books nothing and finds the new visit instead.
    idempotency_key: str | None = None
    idempotency_digest: str | None = None
    # What the person is told: by default booked, moved (`visit_id`) or referred
    # (`add_to_visit_id`); nothing when they are at the desk and seen now.
    notice: MessageKind | None = None
    # Hold the seats for this waiting-list entry until then: an offer to accept or decline.
    hold_until: datetime | None = None
    waitlist_entry_id: int | None = None
    # An advisor of this agency sent the person to the appointments (statistics count it).
    referred_by_agency_id: int | None = None
    # A move takes the visit's referral appointments along (`consult.carrying`): a wish
    # with a referred agency is that appointment, and `topic_ids` are the person's own.
    carry_referrals: bool = False
    # The person agreed that referral appointments the new day cannot take are cancelled.
    drop_referrals: bool = False
    # The person said no to sharing while moving a visit they had agreed for.
    withdraw_consent: bool = False
    # A family's booking (`book_family`): everybody, the lead first; `topic_ids` are all
    # their topics and the visit booked is split among them in the same transaction.
    party: Sequence[Person] = ()
    # The party may be seen at different desks at the same time (unless a mediator goes
    # with them): only each person's own appointments must keep apart.
    apart: bool = False
    # A language mediator must accompany the visit (the person asked, or chose a plan
    # with one); without it, one is still given when an agency does not speak the
    # person's language and a mediator who does is free.
    mediator: bool = False

    @property
    def origin(self) -> VisitOrigin:
        """How a new visit booked by this request came about."""
        if self.walk_in:
            return VisitOrigin.WALK_IN
        if self.waitlist_entry_id is not None:
            return VisitOrigin.WAITLIST
        if self.referred_by_agency_id is not None:
            return VisitOrigin.REFERRAL
        return VisitOrigin.BOOKED


def booked_before(key: str | None, digest: str | None) -> Visit | None:
    """The visit booked under this idempotency key, or None; ReusedKeyError for another request."""
    if key is None:
        return None
    visit = db.session.scalar(sa.select(Visit).where(Visit.idempotency_key == key))
    if visit is not None and visit.idempotency_digest != digest:
        raise ReusedKeyError(N_("This Idempotency-Key was already used for a different request."))
    return visit


def book_visit(request: BookingRequest) -> Visit:
    """Book every appointment of the request, or raise BookingError having written nothing.

    Capacity is enforced inside the inserting transaction: the slots are locked
    (row locks on PostgreSQL, the write lock on SQLite), each appointment takes
    the lowest desk free in all its slots, and the (slot, desk) primary key of
    `Seat` makes the database refuse any second booking of the same desk.

    The booking is made in a savepoint: if it fails, what the request wrote before
    stays, and the request commits (or rolls back) as a whole. A request with an
    idempotency key that a twin request booked meanwhile raises AlreadyBooked with the
    twin's visit; the unique key decides between the two.
    """
    contact = request.contact.checked()
    if not request.appointments:
        raise BookingError(N_("Please choose at least one appointment."))
    begin_write()
    try:
        with db.session.begin_nested():
            # The day rows first, as every writer of a day locks them: the day booked and,
            # for a move, the day the visit leaves.
            leaving = (
                db.session.scalar(sa.select(Visit.day_id).where(Visit.id == request.visit_id))
                if request.visit_id
                else None
            )
            touch_days([request.day_id, leaving])
            visit = _book_locked(request, contact)
            db.session.flush()  # the new appointments get their ids and states
            moved, added = request.visit_id, request.add_to_visit_id
            default = MessageKind.MOVED if moved else MessageKind.REFERRAL if added else None
            if not request.seen_now:
                tell(visit, request.notice or default or MessageKind.BOOKED)
    except IntegrityError:
        _raise_if_booked_before(request)
        refused("visit.book", N_("Sorry, this time was just taken by someone else."))
        raise BookingError(N_("Sorry, this time was just taken by someone else.")) from None
    except BookingError as error:
        _raise_if_booked_before(request)
        refused("visit.book", error.message)
        raise
    # Read afresh from here on, as after a commit: the new rows' relationships load.
    db.session.expire_all()
    return visit


def _raise_if_booked_before(request: BookingRequest) -> None:
    # A twin request (a retry sent while the first was still running) took the seats or
    # the key; it has committed by now, as the locks and the unique key waited for it.
    earlier = booked_before(request.idempotency_key, request.idempotency_digest)
    if earlier is not None:
        raise AlreadyBooked(earlier) from None


def _book_locked(request: BookingRequest, contact: Contact) -> Visit:
    day = db.session.get(ConsultationDay, request.day_id)
    if day is None or not day.is_bookable:
        raise UnfitPlanError(N_("This consultation day is not open for booking."))
    moving, carried = _release_for_move(request.visit_id) if request.visit_id else (None, [])
    if not request.carry_referrals:
        carried = []
    extending = _visit_to_extend(request.add_to_visit_id, day) if request.add_to_visit_id else None
    wanted_ids = sorted({sid for a in request.appointments for sid in a.slot_ids})
    slots = _lock_slots(wanted_ids)
    taken = _taken_desks(wanted_ids)
    topics = _requested_topics(request.topic_ids)
    if extending is not None:
        return _add_appointments(extending, request, topics, slots, taken)
    apart = request.apart and not request.mediator
    each = seen_apart(day, request.party, slots.values(), contact.language) if apart else []
    fitted = fit_plan(
        day,
        request.appointments,
        topics,
        slots,
        language=contact.language,
        seen_now=request.seen_now,
        carried=carried,
        apart=each,
    )
    dropped = left_behind(carried, [fit.session.agency_id for fit in fitted])
    if dropped and not request.drop_referrals:
        raise BookingError(
            N_(
                "Your appointment with %(agencies)s cannot move to this day. Please confirm "
                "that it will be cancelled."
            ),
            agencies=", ".join(c.agency.name for c in dropped),
        )
    visit = moving or Visit(
        walk_in=request.walk_in,
        origin=request.origin,
        idempotency_key=request.idempotency_key,
        idempotency_digest=request.idempotency_digest,
    )
    visit.name = contact.name
    visit.phone = contact.phone
    visit.email = contact.email
    visit.language = contact.language
    visit.interpreter_wanted = contact.interpreter_wanted
    # The person's topics, and those of the referral appointments a move took along.
    taken_along = [t for fit in fitted for t in fit.topics]
    visit.topics = list({t.id: t for t in [*topics, *taken_along]}.values())
    visit.offer_expires_dt = request.hold_until
    visit.waitlist_entry_id = request.waitlist_entry_id
    db.session.add(visit)
    visit.day = day
    _place(visit, fitted, taken, request.referred_by_agency_id)
    if request.party:
        # Before anything reads the database: the appointments placed now are not flushed.
        split_among(visit, request.party, contact)
    accompany(
        visit,
        _spans(fitted),
        wanted=request.mediator,
        language_gap=not each
        and any(not fit.session.serves_language(visit.language) for fit in fitted),
    )
    if request.consent_wording and not visit.consent_to_share:
        visit.consents.append(Consent(wording=request.consent_wording, language=contact.language))
    elif request.withdraw_consent:
        for consent in visit.consents:
            if consent.withdrawn_dt is None:
                consent.withdraw()
    return visit


def _lock_slots(slot_ids: Sequence[int]) -> dict[int, Slot]:
    # Lock in id order so two bookers never wait for each other in a circle.
    return {
        slot.id: slot
        for slot in db.session.scalars(
            sa.select(Slot).where(Slot.id.in_(sorted(slot_ids))).order_by(Slot.id).with_for_update()
        )
    }


def _taken_desks(slot_ids: Sequence[int]) -> dict[int, set[int]]:
    taken: dict[int, set[int]] = {sid: set() for sid in slot_ids}
    for seat in db.session.scalars(sa.select(Seat).where(Seat.slot_id.in_(slot_ids))):
        taken[seat.slot_id].add(seat.desk)
    return taken


def _requested_topics(topic_ids: Sequence[int]) -> list[Topic]:
    """The topics in the order asked for: the planner shares them among agencies in that order."""
    wanted = list(dict.fromkeys(topic_ids))
    found = {t.id: t for t in db.session.scalars(sa.select(Topic).where(Topic.id.in_(wanted)))}
    if len(found) != len(wanted):
        raise UnfitPlanError(N_("One of the chosen topics is not offered."))
    return [found[topic_id] for topic_id in wanted]


def needed_minutes(topics: Sequence[Topic]) -> int:
    """How long an appointment for these topics takes, as the planner counts (0 for none)."""
    return sum(topic.default_minutes for topic in topics)


def _place(
    visit: Visit,
    fitted: Sequence[FittedAppointment],
    taken: dict[int, set[int]],
    referred_by_agency_id: int | None = None,
) -> list[Appointment]:
    """Give each fitted appointment a desk free in all its slots and add it to the visit."""
    placed = []
    for fit in fitted:
        desk = free_desk(fit.slots, taken)
        for slot in fit.slots:
            taken[slot.id].add(desk)
        appointment = Appointment(
            session_id=fit.session.id,
            agency_id=fit.session.agency_id,
            starts_dt=fit.slots[0].starts_dt,
            ends_dt=fit.slots[-1].ends_dt,
            desk=desk,
            room=fit.session.room_for(desk),
            topics=list(fit.topics),
            referred_by_agency_id=fit.referred_by_agency_id or referred_by_agency_id,
        )
        appointment.seats = [Seat(slot_id=slot.id, desk=desk) for slot in fit.slots]
        visit.appointments.append(appointment)
        placed.append(appointment)
    return placed


def rebook_appointment(appointment: Appointment, target: Bookable) -> Appointment:
    """Move one appointment to the target time for the same topics, keeping its state.

    Runs in the caller's write transaction, with the visit and the appointment
    locked; the new time passes `fit_plan` like any booking, so the moved
    appointment is as long as its topics need. The old seats are given up in
    the same transaction, so they are lost only if the new ones are booked.
    """
    visit = appointment.visit
    if appointment.shared_with_id is not None or appointment.companions:
        raise BookingError(GROUP_STAYS)
    others = [a for a in visit.active_appointments if a.id != appointment.id]
    wanted_ids = sorted(set(target.slot_ids))
    slots = _lock_slots(wanted_ids)
    (fit,) = fit_plan(
        visit.day, [target], list(appointment.topics), slots, language=visit.language, keep=others
    )
    status, checked_in_dt = appointment.status, appointment.checked_in_dt
    appointment.cancel("moved")
    db.session.flush()  # the old seats must be gone before free desks are counted
    (moved,) = _place(visit, [fit], _taken_desks(wanted_ids), appointment.referred_by_agency_id)
    moved.status, moved.checked_in_dt = status, checked_in_dt
    keep_mediator(visit, [(a.starts_dt, a.ends_dt) for a in [*others, moved]])
    return moved


def _visit_to_extend(visit_id: int, day: ConsultationDay) -> Visit:
    visit = db.session.get(Visit, visit_id, with_for_update=True)
    if visit is None or visit.status is not VisitStatus.BOOKED or visit.day_id != day.id:
        raise BookingError(N_("Appointments can only be added to a booked visit of the same day."))
    return visit


def _add_appointments(
    visit: Visit,
    request: BookingRequest,
    topics: list[Topic],
    slots: dict[int, Slot],
    taken: dict[int, set[int]],
) -> Visit:
    fitted = fit_plan(
        visit.day,
        request.appointments,
        topics,
        slots,
        language=visit.language,
        keep=visit.active_appointments,
        seen_now=request.seen_now,
    )
    visit.topics = list({t.id: t for t in [*visit.topics, *topics]}.values())
    kept = [(a.starts_dt, a.ends_dt) for a in visit.active_appointments]
    _place(visit, fitted, taken, request.referred_by_agency_id)
    keep_mediator(visit, [*kept, *_spans(fitted)])
    return visit


def _spans(fitted: Sequence[FittedAppointment]) -> list[tuple[datetime, datetime]]:
    return [(fit.slots[0].starts_dt, fit.slots[-1].ends_dt) for fit in fitted]


def _release_for_move(visit_id: int) -> tuple[Visit, list[Carried]]:
    """Free the visit's appointments; return it and the referral appointments it had."""
    visit = db.session.get(Visit, visit_id, with_for_update=True)
    if visit is None or visit.status is not VisitStatus.BOOKED:
        raise BookingError(N_("This visit cannot be moved any more."))
    if len(visit.group) > 1:
        raise BookingError(GROUP_STAYS)
    movable = [a for a in visit.appointments if a.status is AppointmentStatus.BOOKED]
    if len(movable) != len(visit.active_appointments):
        raise BookingError(N_("This visit has already started and cannot be moved."))
    carried = carried_of(visit)
    for appointment in movable:
        appointment.cancel("moved")
    db.session.flush()  # the freed seats must be gone before free desks are counted
    return visit, carried


def free_desk(chosen: Sequence[Slot], taken: dict[int, set[int]]) -> int:
    """The lowest desk free in every one of the slots, or BookingError (taken meanwhile)."""
    capacity = min(slot.capacity for slot in chosen)
    for desk in range(1, capacity + 1):
        if all(desk not in taken[slot.id] for slot in chosen):
            return desk
    raise BookingError(N_("Sorry, this time was just taken by someone else."))
