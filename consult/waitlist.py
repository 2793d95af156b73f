"""The waiting list: wishes that no day fits yet, and offers when a seat frees up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.errors import N_
from consult.extensions import db
from consult.itineraries import plans_for_day
from consult.models import ConsultationDay, Topic, WaitlistEntry, WaitlistStatus, utcnow
from consult.visits import BookingError, Contact

OFFER_HOURS = 48


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
    """Put entries whose offer ran out back in line; return how many."""
    now = now or utcnow()
    expired = db.session.scalars(
        sa.select(WaitlistEntry).where(
            WaitlistEntry.status == WaitlistStatus.OFFERED, WaitlistEntry.offer_expires_dt < now
        )
    ).all()
    for entry in expired:
        entry.status = WaitlistStatus.WAITING
        entry.offered_day = None
        entry.offer_expires_dt = None
    return len(expired)


def offer_freed_seats(day: ConsultationDay, now: datetime | None = None) -> WaitlistEntry | None:
    """Offer the day to the earliest waiting entry it can serve; the caller commits."""
    now = now or utcnow()
    expire_offers(now)
    waiting = db.session.scalars(
        sa.select(WaitlistEntry)
        .where(
            WaitlistEntry.status == WaitlistStatus.WAITING,
            sa.or_(WaitlistEntry.town == "", WaitlistEntry.town == day.location.town),
        )
        .options(selectinload(WaitlistEntry.topics))
        .order_by(WaitlistEntry.created_dt, WaitlistEntry.id)
    )
    for entry in waiting:
        if not entry.topics:
            continue
        if plans_for_day(day, entry.topics, language=entry.language, limit=1, now=now).plans:
            entry.status = WaitlistStatus.OFFERED
            entry.offered_day = day
            entry.offer_expires_dt = now + timedelta(hours=OFFER_HOURS)
            return entry
    return None


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
            .options(selectinload(WaitlistEntry.topics), selectinload(WaitlistEntry.offered_day))
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
