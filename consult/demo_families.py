"""A family in the demo: a couple who come together, with a shared Jobcenter appointment.

Amir and Leyla are one Jobcenter household: they see the Jobcenter together, and each
has one appointment of their own. They are planned and booked as the family pages
plan and book, on the first joint day in Magdeburg; Amir agreed to sharing, Leyla not.
"""

from __future__ import annotations

import sqlalchemy as sa

from consult.extensions import db
from consult.family_booking import book_family
from consult.family_visits import Person, family_plans_for_day
from consult.models import ConsultationDay, DayKind, Location, Topic
from consult.visits import BookingRequest, Contact

# name, topics; the first is the contact for both.
FAMILY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Amir", ("benefits", "residence")),
    ("Leyla", ("benefits", "recognition")),
)
LANGUAGE = "ar"
PHONE = "+49 151 23456790"
# The consent question as the booking page asks it in Arabic.
CONSENT = "هل تسمح للمستشارين في هذه الزيارة بأن يتحدثوا معًا عن حالتك؟"


def add_family(location: Location, topics: dict[str, Topic]) -> int:
    """Book the couple's visit on the location's first joint day; how many people it is for."""
    day = db.session.scalars(
        sa.select(ConsultationDay)
        .where(ConsultationDay.location_id == location.id, ConsultationDay.kind == DayKind.JOINT)
        .order_by(ConsultationDay.date)
    ).first()
    if day is None:
        return 0
    each = [[topics[slug] for slug in slugs] for _, slugs in FAMILY]
    plans = family_plans_for_day(day, each, language=LANGUAGE, limit=1).plans()
    if not plans:
        return 0
    people = [
        Person(name, tuple(t.id for t in mine), CONSENT if i == 0 else None)
        for i, ((name, _), mine) in enumerate(zip(FAMILY, each, strict=True))
    ]
    contact = Contact(name=FAMILY[0][0], phone=PHONE, language=LANGUAGE)
    book_family(BookingRequest(day.id, plans[0].plan.appointments, contact), people)
    return len(people)
