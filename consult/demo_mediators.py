"""Demo language mediators: three volunteers signed up for joint days, one visit accompanied.

Soraya speaks Persian and Dari, Karim Arabic, Olena Ukrainian and Russian. They are
signed up from 09:00 to 13:00 on every published joint day to come in their towns, and
Parisa, who reads only Persian, is booked with the Jobcenter and the employment agency
(neither speaks Persian) on the first joint day in Magdeburg, accompanied by Soraya.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import sqlalchemy as sa

from consult.extensions import db
from consult.itineraries import plans_for_day
from consult.models import (
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    MediatorShift,
    Role,
    StaffUser,
    Topic,
    Visit,
)
from consult.passwords import hash_password
from consult.slots import local_to_utc
from consult.visits import BookingRequest, Contact, book_visit


@dataclass(frozen=True)
class DemoMediator:
    email: str
    name: str
    languages: tuple[str, ...]
    towns: tuple[str, ...]
    role: str = "mediator"

    @property
    def note(self) -> str:
        return f"language mediator ({', '.join(self.languages)}; {', '.join(self.towns)})"


DEMO_MEDIATORS = (
    DemoMediator("soraya@example.org", "Soraya Sprachmittlerin", ("fa", "prs"), ("Magdeburg",)),
    DemoMediator(
        "karim@example.org", "Karim Sprachmittler", ("ar",), ("Magdeburg", "Halle (Saale)")
    ),
    DemoMediator("olena@example.org", "Olena Sprachmittlerin", ("uk", "ru"), ("Halle (Saale)",)),
)
SHIFT = (time(9, 0), time(13, 0))
# Who the demo visit with a mediator is for, and what they need.
ACCOMPANIED = ("Parisa", "fa", ("benefits", "career"))


def add_mediators(password: str, today: date) -> int:
    """Create the demo mediators and their sign-ups if missing; return the visits booked.

    The caller commits.
    """
    accounts = []
    for spec in DEMO_MEDIATORS:
        account = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == spec.email))
        if account is None:
            account = StaffUser(
                email=spec.email,
                name=spec.name,
                role=Role.MEDIATOR,
                language="de",
                languages=list(spec.languages),
                towns=list(spec.towns),
                password_hash=hash_password(password),
            )
            db.session.add(account)
        accounts.append(account)
    db.session.flush()
    days = db.session.scalars(
        sa.select(ConsultationDay)
        .join(Location)
        .where(
            ConsultationDay.status == DayStatus.PUBLISHED,
            ConsultationDay.kind == DayKind.JOINT,
            ConsultationDay.date >= today,
        )
        .order_by(ConsultationDay.date, ConsultationDay.id)
    ).all()
    signed = {(s.mediator_id, s.day_id) for s in db.session.scalars(sa.select(MediatorShift))}
    for day in days:
        zone = day.location.timezone
        for account in accounts:
            if day.location.town in account.towns and (account.id, day.id) not in signed:
                db.session.add(
                    MediatorShift(
                        mediator_id=account.id,
                        day_id=day.id,
                        starts_dt=local_to_utc(day.date, SHIFT[0], zone),
                        ends_dt=local_to_utc(day.date, SHIFT[1], zone),
                    )
                )
    db.session.flush()
    return _book_accompanied_visit([d for d in days if d.date > today])


def _book_accompanied_visit(days: list[ConsultationDay]) -> int:
    if db.session.scalar(sa.select(sa.func.count(Visit.id)).where(Visit.mediator_id.is_not(None))):
        return 0
    name, language, slugs = ACCOMPANIED
    topics = list(db.session.scalars(sa.select(Topic).where(Topic.slug.in_(slugs))))
    for day in days:
        if day.location.slug != "magdeburg":
            continue
        found = plans_for_day(day, topics, language=language, limit=1)
        if found.mediator_language and found.plans:
            book_visit(
                BookingRequest(
                    day.id,
                    found.plans[0].appointments,
                    Contact(name=name, language=language),
                    [t.id for t in topics],
                    mediator=True,
                )
            )
            return 1
    return 0
