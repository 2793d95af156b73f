"""The waiting list: wishes that no day fits yet, and offers when a seat frees up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from consult.database import begin_write
from consult.errors import N_
from consult.extensions import db
from consult.itineraries import plans_for_day
from consult.messages.outbox import tell
from consult.models import (
    ConsultationDay,
    MessageKind,
    Topic,
    Visit,
    VisitStatus,
    WaitlistEntry,
    WaitlistStatus,
    utcnow,
)
from consult.visits import BookingError, BookingRequest, Contact, book_visit

# The offer's last word goes out this long before it runs out (a quarter of a shorter one).
OFFER_WARNING = timedelta(hours=6)


def join_waitlist(topics: Sequence[Topic], contact: Contact, town: str = "") -> WaitlistEntry:
    """Record a wish; the caller commits. An entry nobody can reach is refused."""
    contact = contact.checked()
    if not contact.phone and not contact.email:
        raise BookingError(
            N_("Please give a phone number or an e-mail address so that we can reach you.")
        )
    entry = WaitlistEntry(
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        language=contact.language,
        town=town,
        topics=list(topics),
    )
    db.session.add(entry)
    return entry


def expire_offers(now: datetime | None = None) -> int:
    """Release the seats of offers that ran out and offer them to the next in line.

    The person goes back in line, and the day is not offered to them again.
    Returns how many offers ran out.
    """
    now = now or utcnow()
    ran_out = (
        sa.select(Visit)
        .where(Visit.offer_expires_dt.is_not(None), Visit.offer_expires_dt < now)
        .order_by(Visit.id)
    )
    if db.session.scalar(sa.select(ran_out.exists())) is not True:
        return 0  # the common case: no write lock taken
    begin_write()
    held = db.session.scalars(ran_out).all()
    for visit in held:
        _release(visit, "offer expired")
    for day in {visit.day for visit in held}:
        offer_freed_seats(day, now)
    return len(held)


def offer_freed_seats(day: ConsultationDay, now: datetime | None = None) -> list[WaitlistEntry]:
    """Hold seats of the day for the earliest waiting entries it can serve, one plan each.

    As many entries get an offer as the free seats serve. Each offer books the plan as a
    visit whose seats are held (nobody else can book them) until `CONSULT_OFFER_HOURS`
    from now, and tells the person, who accepts or declines on the visit page.
    """
    now = now or utcnow()
    expire_offers(now)
    if not day.is_bookable:
        return []
    waiting = db.session.scalars(
        sa.select(WaitlistEntry)
        .where(
            WaitlistEntry.status == WaitlistStatus.WAITING,
            sa.or_(WaitlistEntry.town == "", WaitlistEntry.town == day.location.town),
        )
        .options(selectinload(WaitlistEntry.topics))
        .order_by(WaitlistEntry.created_dt, WaitlistEntry.id)
    ).all()
    offered = []
    for entry in waiting:
        if entry.topics and day.id not in (entry.passed_day_ids or []) and _hold(entry, day, now):
            offered.append(entry)
    return offered


def _hold(entry: WaitlistEntry, day: ConsultationDay, now: datetime) -> bool:
    result = plans_for_day(day, entry.topics, language=entry.language, limit=1, now=now)
    if not result.plans or entry.erased_dt is not None:
        return False
    until = now + timedelta(hours=current_app.config["CONSULT_OFFER_HOURS"])
    contact = Contact(entry.name or "", entry.phone, entry.email, entry.language)
    try:
        visit = book_visit(
            BookingRequest(
                day.id,
                list(result.plans[0].appointments),
                contact,
                [topic.id for topic in entry.topics],
                notice=MessageKind.OFFER,
                hold_until=until,
                waitlist_entry_id=entry.id,
            )
        )
    except BookingError:
        return False  # taken meanwhile
    entry.status = WaitlistStatus.OFFERED
    entry.offered_day = day
    entry.offer_expires_dt = until
    # A last word before the seats go to the next person: six hours before, or a quarter
    # of the time before when the offer is shorter than a day.
    warning = until - min(OFFER_WARNING, (until - now) / 4)
    if warning > now + (until - now) / 2:
        tell(visit, MessageKind.OFFER_EXPIRING, due=warning)
    return True


def accept_offer(visit: Visit, now: datetime | None = None) -> Visit:
    """The person takes the held seats: the visit is theirs, as if booked now."""
    now = now or utcnow()
    begin_write()  # the visit is read afresh under the lock, as a booking reads its day
    if visit.offer_expires_dt is None or visit.status is not VisitStatus.BOOKED:
        raise BookingError(N_("This offer is no longer open."))
    if visit.offer_expires_dt < now:
        raise BookingError(N_("This offer has run out. The time went to the next person."))
    visit.offer_expires_dt = None
    entry = visit.waitlist_entry
    if entry is not None:
        entry.status = WaitlistStatus.BOOKED
        entry.offer_expires_dt = None
    tell(visit, MessageKind.BOOKED)
    return visit


def decline_offer(visit: Visit, now: datetime | None = None) -> Visit:
    """The person does not want the held seats: they go to the next person in line."""
    begin_write()
    if visit.offer_expires_dt is None or visit.status is not VisitStatus.BOOKED:
        raise BookingError(N_("This offer is no longer open."))
    _release(visit, "offer declined")
    offer_freed_seats(visit.day, now)
    return visit


def held_visit_of(entry_id: int) -> Visit | None:
    """The visit whose seats are held for this waiting-list entry, if an offer is open."""
    return db.session.scalar(
        sa.select(Visit).where(
            Visit.waitlist_entry_id == entry_id,
            Visit.offer_expires_dt.is_not(None),
            Visit.status == VisitStatus.BOOKED,
        )
    )


def _release(visit: Visit, reason: str) -> None:
    visit.cancel(reason)
    visit.offer_expires_dt = None
    entry = visit.waitlist_entry
    if entry is not None and entry.status is WaitlistStatus.OFFERED:
        entry.status = WaitlistStatus.WAITING
        entry.offered_day = None
        entry.offer_expires_dt = None
        entry.passed_day_ids = [*(entry.passed_day_ids or []), visit.day_id]


def open_offers(now: datetime | None = None) -> list[WaitlistEntry]:
    """Offers still held, soonest expiry first, for the staff to pass on."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            sa.select(WaitlistEntry)
            .where(
                WaitlistEntry.status == WaitlistStatus.OFFERED,
                WaitlistEntry.offer_expires_dt >= now,
            )
            .options(
                selectinload(WaitlistEntry.topics),
                selectinload(WaitlistEntry.offered_day).selectinload(ConsultationDay.location),
            )
            .order_by(WaitlistEntry.offer_expires_dt)
        )
    )


def waiting_entries() -> list[WaitlistEntry]:
    """Everyone still waiting, longest first."""
    return list(
        db.session.scalars(
            sa.select(WaitlistEntry)
            .where(WaitlistEntry.status == WaitlistStatus.WAITING)
            .options(selectinload(WaitlistEntry.topics))
            .order_by(WaitlistEntry.created_dt, WaitlistEntry.id)
        )
    )
