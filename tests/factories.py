"""Factory functions: each builds a valid object, every field overridable."""

from __future__ import annotations

import itertools
from datetime import date, time
from typing import Any

from consult.days import Hours, add_session
from consult.extensions import db
from consult.models import (
    Agency,
    ConsultationDay,
    DayStatus,
    Location,
    Role,
    Session,
    StaffUser,
    Topic,
)
from consult.passwords import hash_password

_numbers = itertools.count(1)
PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashing is slow on purpose; do it once


def create_agency(**params: Any) -> Agency:
    n = next(_numbers)
    params.setdefault("slug", f"agency-{n}")
    params.setdefault("name", f"Agency {n}")
    params.setdefault("short_name", f"A{n}")
    agency = Agency(**params)
    db.session.add(agency)
    return agency


def create_location(**params: Any) -> Location:
    n = next(_numbers)
    params.setdefault("slug", f"location-{n}")
    params.setdefault("name", f"Location {n}")
    params.setdefault("street", "Breiter Weg 1")
    params.setdefault("postcode", "39104")
    params.setdefault("town", "Magdeburg")
    params.setdefault("latitude", 52.12)
    params.setdefault("longitude", 11.63)
    location = Location(**params)
    db.session.add(location)
    db.session.flush()  # column defaults (time zone, gap) are set on flush
    return location


def create_topic(agencies: list[Agency] | None = None, **params: Any) -> Topic:
    n = next(_numbers)
    params.setdefault("slug", f"topic-{n}")
    params.setdefault("phase", 1)
    params.setdefault("default_minutes", 20)
    params.setdefault("names", {"en": f"Topic {n}", "de": f"Anliegen {n}"})
    topic = Topic(agencies=agencies or [], **params)
    db.session.add(topic)
    return topic


def create_day(location: Location | None = None, **params: Any) -> ConsultationDay:
    params.setdefault("date", date(2030, 3, 12))
    params.setdefault("status", DayStatus.PUBLISHED)
    day = ConsultationDay(location=location or create_location(), **params)
    db.session.add(day)
    return day


def create_session(
    day: ConsultationDay | None = None,
    agency: Agency | None = None,
    topics: list[Topic] | None = None,
    **hours: Any,
) -> Session:
    """A published session; `hours` override `Hours` (default 09:00-10:00, 20 min, 1 desk)."""
    hours.setdefault("starts", time(9, 0))
    hours.setdefault("ends", time(10, 0))
    day = day or create_day()
    agency = agency or create_agency()
    session = add_session(day, agency, Hours(**hours), topics or [])
    db.session.flush()
    return session


def create_staff(role: Role = Role.COORDINATOR, **params: Any) -> StaffUser:
    n = next(_numbers)
    params.setdefault("email", f"staff{n}@example.org")
    params.setdefault("name", f"Staff {n}")
    if role is Role.ADVISOR and "agency" not in params:
        params["agency"] = create_agency()
    user = StaffUser(role=role, password_hash=_PASSWORD_HASH, **params)
    db.session.add(user)
    return user
