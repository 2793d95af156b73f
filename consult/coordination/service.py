"""Coordination: places, agencies, topics, staff accounts and the joint days they share.

Plain functions over the models; they raise `CoordinationError` with an
untranslated message and leave committing to the caller.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from zoneinfo import available_timezones

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.config import LANGUAGES
from consult.days import create_series
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.models import (
    Agency,
    AppointmentStatus,
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    Role,
    Session,
    StaffUser,
    Topic,
    Visit,
    VisitStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from consult.passwords import MIN_PASSWORD_LENGTH, hash_password
from consult.permissions import end_sessions
from consult.recurrence import Frequency, build_rule, occurrences

# Marks the visits cancelled because their day was cancelled (the person's page says so).
DAY_CANCELLED = "consultation day cancelled"
MAX_REASON = 300
MAX_SERIES_DAYS = 366  # "until" may lie at most one year after the first date
REQUIRED_LANGUAGES = ("de", "en")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")


class CoordinationError(DomainError):
    """A coordination change cannot be made as asked; nothing was written."""


class Repeat(StrEnum):
    """How a new joint day repeats."""

    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_known_zone(name: str) -> bool:
    """True for an IANA time zone name such as Europe/Berlin."""
    return name in _known_zones()


def slugify(text: str, fallback: str = "item") -> str:
    """A lower-case ASCII slug of a name (umlauts lose their dots, other marks their accents)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:40].strip("-") or fallback


def _unique_slug(model: type[Location] | type[Topic], base: str, limit: int) -> str:
    base = base[: limit - 4].strip("-") or "item"
    taken = set(db.session.scalars(sa.select(model.slug).where(model.slug.like(f"{base}%"))))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# --- locations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LocationFields:
    """What a coordinator enters for a location."""

    name: str
    street: str
    postcode: str
    town: str
    latitude: float
    longitude: float
    timezone: str
    changeover_minutes: int
    accessibility_notes: dict[str, str]
    active: bool = True


def save_location(location: Location | None, fields: LocationFields) -> Location:
    """Create a location (`location` None) or change one; CoordinationError on bad values."""
    if not -90 <= fields.latitude <= 90:
        raise CoordinationError(N_("The latitude must be between -90 and 90."))
    if not -180 <= fields.longitude <= 180:
        raise CoordinationError(N_("The longitude must be between -180 and 180."))
    if not 0 <= fields.changeover_minutes <= 60:
        raise CoordinationError(N_("The changeover time must be between 0 and 60 minutes."))
    if not is_known_zone(fields.timezone):
        raise CoordinationError(
            N_("The time zone %(zone)s is not known. Please use a name like Europe/Berlin."),
            zone=fields.timezone,
        )
    if location is None:
        location = Location(slug=_unique_slug(Location, slugify(fields.name, "location"), 60))
        db.session.add(location)
    elif location.timezone != fields.timezone and _has_sessions(location):
        # Sessions are stored as UTC instants planned in the old zone's wall-clock time.
        raise CoordinationError(
            N_(
                "The time zone cannot be changed because consultation hours are already "
                "planned at this location."
            )
        )
    location.name = fields.name
    location.street = fields.street
    location.postcode = fields.postcode
    location.town = fields.town
    location.latitude = fields.latitude
    location.longitude = fields.longitude
    location.timezone = fields.timezone
    location.changeover_minutes = fields.changeover_minutes
    notes = {k: v for k, v in (location.accessibility_notes or {}).items()}
    for code, text in fields.accessibility_notes.items():
        if text:
            notes[code] = text
        else:
            notes.pop(code, None)
    location.accessibility_notes = notes
    location.active = fields.active
    return location


def _has_sessions(location: Location) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(Session.id))
            .join(ConsultationDay, Session.day_id == ConsultationDay.id)
            .where(ConsultationDay.location_id == location.id)
        )
    )


def locations(*, active_only: bool = False) -> list[Location]:
    """Locations by town and name."""
    query = sa.select(Location).order_by(Location.town, Location.name)
    if active_only:
        query = query.where(Location.active)
    return list(db.session.scalars(query))


# --- agencies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyFields:
    """What a coordinator enters for an agency."""

    slug: str
    name: str
    short_name: str
    color: str


def save_agency(agency: Agency | None, fields: AgencyFields) -> Agency:
    """Create or change an agency; the slug must be unique."""
    slug = fields.slug.strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise CoordinationError(
            N_("The short code may contain only small letters, digits and hyphens.")
        )
    if not COLOR_PATTERN.match(fields.color):
        raise CoordinationError(N_("Please choose a colour like #3b5b92."))
    clash = db.session.scalar(sa.select(Agency).where(Agency.slug == slug))
    if clash is not None and clash is not agency:
        raise CoordinationError(N_("The short code %(slug)s is already used."), slug=slug)
    if agency is None:
        agency = Agency()
        db.session.add(agency)
    agency.slug = slug
    agency.name = fields.name
    agency.short_name = fields.short_name
    agency.color = fields.color.lower()
    return agency


def agencies() -> list[Agency]:
    """Agencies by name."""
    return list(db.session.scalars(sa.select(Agency).order_by(Agency.name)))


# --- topics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicFields:
    """What a coordinator enters for a topic: texts per language, phase, length, agencies."""

    names: dict[str, str]
    explanations: dict[str, str]
    icon: str
    phase: int
    default_minutes: int
    agency_ids: Sequence[int]
    active: bool = True


def save_topic(topic: Topic | None, fields: TopicFields) -> Topic:
    """Create or change a topic; German and English names are required."""
    names = {code: text for code, text in fields.names.items() if code in LANGUAGES and text}
    explanations = {
        code: text for code, text in fields.explanations.items() if code in LANGUAGES and text
    }
    missing = [code for code in REQUIRED_LANGUAGES if not names.get(code)]
    if missing:
        raise CoordinationError(N_("Please give the topic a name in German and in English."))
    if not 1 <= fields.phase <= 5:
        raise CoordinationError(N_("Please choose a phase between 1 and 5."))
    if not 5 <= fields.default_minutes <= 240:
        raise CoordinationError(N_("The usual length must be between 5 and 240 minutes."))
    chosen = _load_agencies(fields.agency_ids)
    if topic is None:
        position = db.session.scalar(sa.select(sa.func.max(Topic.position))) or 0
        topic = Topic(
            slug=_unique_slug(Topic, slugify(names["en"], "topic"), 40), position=position + 1
        )
        db.session.add(topic)
    topic.names = names
    topic.explanations = explanations
    topic.icon = fields.icon
    topic.phase = fields.phase
    topic.default_minutes = fields.default_minutes
    topic.agencies = chosen
    topic.active = fields.active
    return topic


def topics() -> list[Topic]:
    """Every topic in display order."""
    return list(
        db.session.scalars(
            sa.select(Topic)
            .options(selectinload(Topic.agencies))
            .order_by(Topic.position, Topic.id)
        )
    )


def _load_agencies(agency_ids: Iterable[int]) -> list[Agency]:
    wanted = set(agency_ids)
    found = list(
        db.session.scalars(sa.select(Agency).where(Agency.id.in_(wanted)).order_by(Agency.name))
    )
    if len(found) != len(wanted):
        raise CoordinationError(N_("One of the chosen agencies does not exist."))
    return found


# --- staff accounts -----------------------------------------------------------------------


@dataclass(frozen=True)
class StaffFields:
    """What a coordinator enters for a staff account (password: administrators only;
    empty keeps the old one)."""

    email: str
    name: str
    role: Role
    agency_id: int | None
    location_ids: Sequence[int]
    language: str
    active: bool
    password: str = ""


def may_manage_account(by: StaffUser, account: StaffUser) -> bool:
    """Coordinators manage every account but administrators'; administrators manage all."""
    return by.role is Role.ADMIN or account.role is not Role.ADMIN


def save_staff(account: StaffUser | None, fields: StaffFields, *, by: StaffUser) -> StaffUser:
    """Create or change a staff account; CoordinationError on anything that does not fit."""
    email = fields.email.strip().lower()
    if fields.role is Role.ADMIN and by.role is not Role.ADMIN:
        raise CoordinationError(N_("Only administrators can give the administrator role."))
    if account is not None and account.id == by.id:
        if fields.role is not account.role:
            raise CoordinationError(N_("You cannot change your own role."))
        if not fields.active:
            raise CoordinationError(N_("You cannot deactivate your own account."))
    clash = db.session.scalar(sa.select(StaffUser).where(sa.func.lower(StaffUser.email) == email))
    if clash is not None and clash is not account:
        raise CoordinationError(N_("There is already an account for %(email)s."), email=email)
    agency = db.session.get(Agency, fields.agency_id) if fields.agency_id else None
    if fields.agency_id and agency is None:
        raise CoordinationError(N_("One of the chosen agencies does not exist."))
    if fields.role is Role.ADVISOR and agency is None:
        raise CoordinationError(N_("An advisor must belong to an agency."))
    chosen = list(
        db.session.scalars(sa.select(Location).where(Location.id.in_(fields.location_ids)))
    )
    if len(chosen) != len(set(fields.location_ids)):
        raise CoordinationError(N_("One of the chosen locations does not exist."))
    if fields.role is Role.FRONTDESK and not chosen:
        raise CoordinationError(N_("Front desk staff need at least one location."))
    if fields.language not in LANGUAGES:
        raise CoordinationError(N_("Please choose one of the offered languages."))
    if fields.password and by.role is not Role.ADMIN:
        # Whoever knows a password can sign in as its owner: only administrators set one.
        raise CoordinationError(N_("Only administrators can set passwords."))
    if account is None and not fields.password and by.role is Role.ADMIN:
        raise CoordinationError(N_("Please set a password for the new account."))
    if fields.password and len(fields.password) < MIN_PASSWORD_LENGTH:
        raise CoordinationError(
            N_("The password must have at least %(min)d characters."), min=MIN_PASSWORD_LENGTH
        )
    if account is None:
        # Until an administrator sets a password, no one knows one that signs in.
        account = StaffUser(password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(account)
    account.email = email
    account.name = fields.name
    account.role = fields.role
    account.agency = agency
    account.locations = chosen if fields.role is Role.FRONTDESK else []
    account.language = fields.language
    account.active = fields.active
    if fields.password:
        account.password_hash = hash_password(fields.password)
        if account.session_version is not None:  # a new account has no sessions to end
            end_sessions(account)
    return account


def staff_accounts() -> list[StaffUser]:
    """Every account: active first, then by name."""
    return list(
        db.session.scalars(
            sa.select(StaffUser)
            .options(selectinload(StaffUser.agency), selectinload(StaffUser.locations))
            .order_by(StaffUser.active.desc(), StaffUser.name)
        )
    )


# --- consultation days --------------------------------------------------------------------


@dataclass(frozen=True)
class DayRequest:
    """A new joint day, once or repeating."""

    location: Location
    first_date: date
    repeat: Repeat = Repeat.ONCE
    interval: int = 1
    nth: int | None = None  # monthly: 1-4 or -1 (last); None takes it from the first date
    until: date | None = None
    exceptions: tuple[date, ...] = ()
    kind: DayKind = DayKind.JOINT
    title: str = ""
    invited: tuple[Agency, ...] = ()
    publish: bool = False


def parse_exceptions(text: str) -> list[date]:
    """Dates such as "2030-03-26, 2030-04-09"; CoordinationError names the first bad one."""
    found = []
    for part in re.split(r"[,;\s]+", text or ""):
        if not part:
            continue
        try:
            found.append(date.fromisoformat(part))
        except ValueError:
            raise CoordinationError(
                N_("%(text)s is not a date. Please write dates like 2030-03-26."), text=part[:20]
            ) from None
    return sorted(set(found))


def nth_weekday_of(day: date) -> int:
    """Which weekday of its month `day` is: 1-4, or -1 for the fifth (the last)."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def one_year_after(day: date) -> date:
    """The same date a year later (28 February after a 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def series_dates(request: DayRequest) -> tuple[str | None, list[date]]:
    """The rule (None for a single day) and the dates a request creates."""
    if request.repeat is Repeat.ONCE:
        return None, [request.first_date]
    if request.until is None:
        raise CoordinationError(N_("Please give the date of the last day of the series."))
    if request.until < request.first_date:
        raise CoordinationError(N_("The last date must not be before the first date."))
    if request.until > one_year_after(request.first_date):
        raise CoordinationError(N_("A series can run for at most one year."))
    nth = None
    if request.repeat is Repeat.MONTHLY:
        nth = request.nth if request.nth is not None else nth_weekday_of(request.first_date)
    frequency = Frequency.WEEKLY if request.repeat is Repeat.WEEKLY else Frequency.MONTHLY
    rule = build_rule(
        frequency, weekday=request.first_date.weekday(), interval=request.interval, nth=nth
    )
    dates = occurrences(
        rule, request.first_date, until=request.until, exceptions=request.exceptions
    )
    return rule, dates


def create_days(request: DayRequest, *, today: date) -> list[ConsultationDay]:
    """Create one day or a series (RecurrenceError or CoordinationError on bad input)."""
    if not request.location.active:
        raise CoordinationError(N_("This location is not active."))
    if request.first_date < today:
        raise CoordinationError(N_("The first date must not be in the past."))
    if request.kind not in DayKind:
        raise CoordinationError(N_("Please choose the kind of day."))
    rule, dates = series_dates(request)
    if not dates:
        raise CoordinationError(N_("No date matches this pattern. Please check the dates."))
    clashes = db.session.scalars(
        sa.select(ConsultationDay.date)
        .where(
            ConsultationDay.location_id == request.location.id,
            ConsultationDay.date.in_(dates),
            ConsultationDay.status != DayStatus.CANCELLED,
        )
        .order_by(ConsultationDay.date)
    ).all()
    if clashes:
        raise CoordinationError(
            N_(
                "There is already a consultation day at this location on %(dates)s. "
                "Please leave these dates out."
            ),
            dates=", ".join(d.isoformat() for d in clashes),
        )
    if rule is None:
        day = ConsultationDay(
            location=request.location,
            date=request.first_date,
            kind=request.kind,
            title=request.title,
            invited_agencies=list(request.invited),
            status=DayStatus.PUBLISHED if request.publish else DayStatus.DRAFT,
        )
        db.session.add(day)
        return [day]
    series = create_series(
        request.location,
        rule,
        request.first_date,
        request.until or request.first_date,
        exceptions=request.exceptions,
        kind=request.kind,
        title=request.title,
        invited=request.invited,
        publish=request.publish,
    )
    db.session.add(series)
    return list(series.days)


def update_day(
    day: ConsultationDay, *, title: str, kind: DayKind, invited: Sequence[Agency]
) -> ConsultationDay:
    """Change the title, kind and invited agencies of a day that is not cancelled."""
    if day.status is DayStatus.CANCELLED:
        raise CoordinationError(N_("This day is cancelled and cannot be changed."))
    day.title = title
    day.kind = kind
    day.invited_agencies = list(invited)
    return day


def days_from(start: date, *, until: date | None = None) -> list[ConsultationDay]:
    """Days from `start` (up to `until`), soonest first, with their hours loaded."""
    query = (
        sa.select(ConsultationDay)
        .where(ConsultationDay.date >= start)
        .options(
            selectinload(ConsultationDay.location),
            selectinload(ConsultationDay.invited_agencies),
            selectinload(ConsultationDay.sessions).selectinload(Session.agency),
        )
        .order_by(ConsultationDay.date, ConsultationDay.id)
    )
    if until is not None:
        query = query.where(ConsultationDay.date <= until)
    return list(db.session.scalars(query))


def days_before(end: date, limit: int = 100) -> list[ConsultationDay]:
    """Past days, latest first."""
    return list(
        db.session.scalars(
            sa.select(ConsultationDay)
            .where(ConsultationDay.date < end)
            .options(
                selectinload(ConsultationDay.location),
                selectinload(ConsultationDay.invited_agencies),
                selectinload(ConsultationDay.sessions),
            )
            .order_by(ConsultationDay.date.desc(), ConsultationDay.id.desc())
            .limit(limit)
        )
    )


def booked_visits(day: ConsultationDay) -> list[Visit]:
    """The visits still booked on a day, by their first appointment."""
    visits = db.session.scalars(
        sa.select(Visit)
        .where(Visit.day_id == day.id, Visit.status == VisitStatus.BOOKED)
        .options(selectinload(Visit.appointments))
        .order_by(Visit.id)
    ).all()
    return sorted(visits, key=lambda v: (_first_start(v), v.id))


def cancelled_with_day(day: ConsultationDay) -> list[Visit]:
    """The visits that were cancelled because the day was cancelled: the people to tell."""
    visits = db.session.scalars(
        sa.select(Visit)
        .where(
            Visit.day_id == day.id,
            Visit.status == VisitStatus.CANCELLED,
            Visit.cancel_reason.like(f"{DAY_CANCELLED}%"),
        )
        .options(selectinload(Visit.appointments))
        .order_by(Visit.id)
    ).all()
    return sorted(visits, key=lambda v: (_first_start(v), v.id))


def _first_start(visit: Visit) -> datetime:
    starts = [a.starts_dt for a in visit.appointments]
    return min(starts) if starts else visit.created_dt


def cancel_day(day: ConsultationDay, reason: str) -> list[Visit]:
    """Cancel a day and every visit booked on it; return those visits (the people to tell)."""
    reason = " ".join((reason or "").split())
    if day.status is DayStatus.CANCELLED:
        raise CoordinationError(N_("This day is already cancelled."))
    if not reason:
        raise CoordinationError(N_("Please give a reason; the people booked will be told."))
    if len(reason) > MAX_REASON:
        raise CoordinationError(
            N_("The reason is too long (at most %(max)d characters)."), max=MAX_REASON
        )
    visits = booked_visits(day)
    visit_reason = f"{DAY_CANCELLED}: {reason}"
    for visit in visits:
        visit.cancel(visit_reason)
        # Visit.cancel frees booked appointments; people already checked in lose theirs too.
        for appointment in visit.appointments:
            if appointment.status is AppointmentStatus.CHECKED_IN:
                appointment.cancel(visit_reason)
    offers = db.session.scalars(
        sa.select(WaitlistEntry).where(
            WaitlistEntry.status == WaitlistStatus.OFFERED, WaitlistEntry.offered_day_id == day.id
        )
    )
    for entry in offers:
        # An offer for a cancelled day is worthless: back in line.
        entry.status = WaitlistStatus.WAITING
        entry.offered_day = None
        entry.offer_expires_dt = None
    day.cancel(reason)
    return visits
