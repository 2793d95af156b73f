"""Factory functions: each builds a valid object, every field overridable; shared worlds."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from consult.days import Hours, add_session
from consult.extensions import db
from consult.itineraries import PlannedOpening
from consult.models import (
    Agency,
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    MediatorShift,
    Role,
    Session,
    StaffUser,
    Topic,
    Visit,
)
from consult.passwords import hash_password
from consult.slots import local_to_utc
from consult.visits import BookingRequest, Contact, book_visit

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


# The agencies that most worlds bring together, by the keys their tests use.
AGENCIES = {  # key: (slug, name, short name)
    "abh": ("abh", "Ausländerbehörde", "ABH"),
    "jc": ("jobcenter", "Jobcenter", "JC"),
    "mbe": ("mbe", "Migrationsberatung", "MBE"),
    "ihk": ("ihk", "IHK", "IHK"),
}


def create_agencies(*keys: str, slugs: bool = False) -> list[Agency]:
    """The `AGENCIES` named by `keys`, in that order; numbered slugs unless `slugs`."""
    agencies = []
    for key in keys:
        slug, name, short_name = AGENCIES[key]
        params = {"slug": slug} if slugs else {}
        agencies.append(create_agency(name=name, short_name=short_name, **params))
    return agencies


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


class Team:
    """The staff of a test's world by the keys its tests use ("desk", "jc"); `login` reads it."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.emails: dict[str, str] = {}
        self.tokens: dict[str, str] = {}  # feed tokens

    def add(self, key: str, role: Role = Role.COORDINATOR, **params: Any) -> StaffUser:
        """A new staff member (see `create_staff`), known from now on as `key`."""
        user = create_staff(role, **params)
        db.session.flush()  # the id and the feed token are set on flush
        self.ids[key], self.emails[key], self.tokens[key] = user.id, user.email, user.feed_token
        return user


def create_visit(
    day: ConsultationDay,
    *openings: tuple[Session, int],
    topic_ids: Sequence[int] = (),
    **contact: Any,
) -> Visit:
    """A visit booked as the public would: for each (session, n), the session's n-th slot.

    Committed, as the booking's request commits.
    """
    contact.setdefault("name", "Amina")
    chosen = [PlannedOpening(session.id, (session.slots[n].id,)) for session, n in openings]
    visit = book_visit(BookingRequest(day.id, chosen, Contact(**contact), topic_ids))
    db.session.commit()
    return visit


# --- worlds that more than one test module works in -------------------------------------


@dataclass(frozen=True)
class ApiWorld:
    day: int  # Magdeburg: immigration office and Jobcenter
    mobile_day: int  # Halle, 2 April 2030 (CEST): Jobcenter only
    draft_day: int  # Magdeburg, not published
    residence: int  # immigration office, 09:00-10:00, one desk, German and Arabic
    work: int  # Jobcenter, 09:00-11:00, one desk, German only
    recognition: int  # offered by nobody on these days
    office: int
    jobcenter: int


def create_api_world(on: date = date(2030, 3, 12), draft_on: date = date(2030, 3, 19)) -> ApiWorld:
    """Four topics (one retired), a joint day `on`, a mobile day in Halle, a draft day."""
    office = create_agency(name="Ausländerbehörde", short_name="ABH")
    jobcenter = create_agency(name="Jobcenter", short_name="JC")
    residence = create_topic(
        [office],
        names={"en": "Residence permit", "de": "Aufenthaltstitel"},
        explanations={"en": "Visa and permits", "de": "Visum und Erlaubnisse"},
        position=1,
    )
    work = create_topic([jobcenter], names={"en": "Work", "de": "Arbeit"}, position=2)
    recognition = create_topic([], names={"en": "Recognition"}, position=3)
    create_topic([office], names={"en": "Retired topic"}, active=False, position=4)
    magdeburg = create_location(name="Rathaus", town="Magdeburg")
    day = create_day(magdeburg, date=on, title="Joint day")
    create_session(day, office, [residence], languages=("de", "ar"), rooms=("101",))
    create_session(day, jobcenter, [work], ends=time(11), rooms=("102",))
    halle = create_location(name="Stadthaus", town="Halle")
    mobile = create_day(halle, date=date(2030, 4, 2), kind=DayKind.MOBILE)
    create_session(mobile, jobcenter, [work])
    draft = create_day(magdeburg, date=draft_on, status=DayStatus.DRAFT)
    create_session(draft, office, [residence])
    db.session.commit()
    return ApiWorld(
        day=day.id,
        mobile_day=mobile.id,
        draft_day=draft.id,
        residence=residence.id,
        work=work.id,
        recognition=recognition.id,
        office=office.id,
        jobcenter=jobcenter.id,
    )


DESK_DAY = date(2030, 3, 12)


@dataclass(frozen=True)
class DeskWorld:
    here: int  # the location of the day under test
    there: int  # another location, with its own front desk
    day: int
    sessions: dict[str, int]  # "abh", "jc", "mbe" on the day here
    slots: dict[str, tuple[int, ...]]  # their slots in time order
    topics: dict[str, int]
    visits: dict[str, int]
    references: dict[str, str]
    appointments: dict[str, int]  # "amina-abh", "amina-jc", "boris-jc", "chen-mbe"


def create_desk_world(staff: Team) -> DeskWorld:
    """A joint day in Magdeburg (ABH 9-10, Jobcenter and MBE 9-11, 20-minute slots, one desk).

    Amina sees ABH at 09:00 and the Jobcenter at 09:40, Chen sees MBE at 09:20 and
    Boris the Jobcenter at 10:00. Dana comes next week; Emil goes to Halle. The staff
    are "desk" and "far-desk" (Halle) and an advisor of each agency, "abh", "jc", "mbe".
    """
    here = create_location(name="Bürgerhaus", town="Magdeburg")
    there = create_location(name="Stadthaus", town="Halle (Saale)")
    abh, jc, mbe, ihk = create_agencies("abh", "jc", "mbe", "ihk")
    topics = {
        "residence": create_topic([abh]),
        "money": create_topic([jc]),
        "counselling": create_topic([mbe]),
        "recognition": create_topic([ihk]),  # IHK has no hours on the day
    }
    day = create_day(here, date=DESK_DAY)
    sessions = {
        "abh": create_session(day, abh, [topics["residence"]], rooms=("1.01",)),
        "jc": create_session(day, jc, [topics["money"]], ends=time(11, 0), rooms=("2.01",)),
        "mbe": create_session(day, mbe, [topics["counselling"]], ends=time(11, 0), rooms=("3.01",)),
    }
    next_week = create_day(here, date=DESK_DAY + timedelta(days=7))
    next_week_hours = create_session(next_week, abh, [topics["residence"]])
    far_day = create_day(there, date=DESK_DAY)
    far_hours = create_session(far_day, abh, [topics["residence"]])
    staff.add("desk", Role.FRONTDESK, locations=[here])
    staff.add("far-desk", Role.FRONTDESK, locations=[there])
    for key, agency in (("abh", abh), ("jc", jc), ("mbe", mbe)):
        staff.add(key, Role.ADVISOR, agency=agency)
    db.session.commit()

    def book(day: ConsultationDay, *openings: tuple[Session, int], name: str) -> Visit:
        topic_ids = [topic.id for session, _ in openings for topic in session.topics]
        return create_visit(day, *openings, topic_ids=topic_ids, name=name)

    # Booked out of time order, so that the desk's order is not the order of booking.
    visits = {
        "boris": book(day, (sessions["jc"], 3), name="Boris"),
        "chen": book(day, (sessions["mbe"], 1), name="Chen"),
        "amina": book(day, (sessions["abh"], 0), (sessions["jc"], 2), name="Amina"),
        "dana": book(next_week, (next_week_hours, 0), name="Dana"),
        "emil": book(far_day, (far_hours, 0), name="Emil"),
    }
    appointments = {
        f"{name}-{a.agency.short_name.lower()}": a.id
        for name in ("amina", "boris", "chen")
        for a in visits[name].appointments
    }
    return DeskWorld(
        here=here.id,
        there=there.id,
        day=day.id,
        sessions={key: s.id for key, s in sessions.items()},
        slots={key: tuple(slot.id for slot in s.slots) for key, s in sessions.items()},
        topics={key: t.id for key, t in topics.items()},
        visits={key: v.id for key, v in visits.items()},
        references={key: v.reference for key, v in visits.items()},
        appointments=appointments,
    )


# --- case conferences ----------------------------------------------------------------------


@dataclass(frozen=True)
class ConferenceWorld:
    day: int
    visit: int  # Amina: Jobcenter 09:00, immigration office 10:00
    jobcenter: int
    office: int
    counselling: int  # on the day, not in the visit
    other: int  # not on the day
    sessions: dict[int, int]  # agency → session


def create_conference_world(staff: Team, on: date = date(2030, 3, 12)) -> ConferenceWorld:
    """A joint day of three agencies (09:00-11:00, 20-minute slots, one desk each, a room each),
    a visit with two of them, and an advisor of each agency plus one of an agency elsewhere."""
    jobcenter = create_agency(name="Jobcenter", short_name="JC")
    office = create_agency(name="Ausländerbehörde", short_name="ABH")
    counselling = create_agency(name="Migrationsberatung", short_name="MBE")
    other = create_agency(name="Elsewhere", short_name="EW")
    day = create_day(create_location(), date=on)
    by_agency = {
        agency.id: create_session(day, agency, ends=time(11, 0), rooms=[room])
        for agency, room in ((jobcenter, "J1"), (office, "A1"), (counselling, "M1"))
    }
    staff.add("jc", Role.ADVISOR, agency=jobcenter, language="en")
    staff.add("abh", Role.ADVISOR, agency=office, language="de")
    staff.add("mbe", Role.ADVISOR, agency=counselling)
    staff.add("ew", Role.ADVISOR, agency=other)
    staff.add("desk", Role.FRONTDESK)
    db.session.commit()
    visit = create_visit(
        day, (by_agency[jobcenter.id], 0), (by_agency[office.id], 3), language="ar"
    )
    return ConferenceWorld(
        day=day.id,
        visit=visit.id,
        jobcenter=jobcenter.id,
        office=office.id,
        counselling=counselling.id,
        other=other.id,
        sessions={a: s.id for a, s in by_agency.items()},
    )


# --- language mediators ----------------------------------------------------------------


def create_mediator(
    languages: Sequence[str] = ("fa",), towns: Sequence[str] = ("Magdeburg",), **params: Any
) -> StaffUser:
    """A volunteer language mediator who speaks `languages` and reaches `towns`."""
    user = create_staff(Role.MEDIATOR, languages=list(languages), towns=list(towns), **params)
    db.session.flush()
    return user


def create_shift(
    mediator: StaffUser, day: ConsultationDay, starts: time = time(9, 0), ends: time = time(12, 0)
) -> MediatorShift:
    """The mediator's sign-up for `day` from `starts` to `ends` (local times)."""
    zone = day.location.timezone
    shift = MediatorShift(
        mediator_id=mediator.id,
        day=day,
        starts_dt=local_to_utc(day.date, starts, zone),
        ends_dt=local_to_utc(day.date, ends, zone),
    )
    db.session.add(shift)
    db.session.flush()
    return shift
