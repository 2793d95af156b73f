"""What the calendar feeds hold, and their version without building them.

A staff member's secret feed: an advisor gets their tour stops and their
agency's hours on joint days, with every appointment booked in those hours;
front desk and coordinators get one event per day at their locations. A
location's public feed lists its published days and mobile stops with no
personal data at all.

Clients poll feeds every few minutes. The version of a feed (its ETag and
Last-Modified) comes from one aggregate query over the rows in scope -- counts,
sums of ids and the latest `updated_dt` -- so an unchanged feed is answered
with 304 without loading a single event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError
from flask import url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from consult import audit
from consult.extensions import db
from consult.i18n import format_local_time
from consult.ical import CalendarEvent, build_calendar
from consult.labels import APPOINTMENT_STATUS_LABELS
from consult.models import (
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    Role,
    Session,
    SessionStatus,
    StaffUser,
    Topic,
    Tour,
    TourStop,
    Visit,
    appointment_topic,
)
from consult.permissions import location_scope

# The feed reaches this many days back (local dates) and has no end ahead.
DAYS_BACK = 30
REFRESH_MINUTES = 15
# Part of every version: bump it when the feeds' content changes shape, so clients fetch afresh.
FEED_FORMAT = "feeds-1"
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_MAX_TOKEN = 64


@dataclass(frozen=True)
class FeedVersion:
    """What identifies one state of a feed: a strong ETag and the time of the latest change."""

    etag: str
    last_modified: datetime


def window_start(today: date) -> date:
    """The first local date a feed covers."""
    return today - timedelta(days=DAYS_BACK)


def sequence_of(*instants: datetime) -> int:
    """A SEQUENCE that grows with every change: whole seconds from 2020 to the latest change.

    Sessions and days keep no revision counter, but their `updated_dt` moves
    forward on every change; in seconds it fits RFC 5545's 32-bit INTEGER until 2088.
    """
    return max(0, int((max(instants) - _SEQUENCE_EPOCH).total_seconds()))


def staff_by_token(token: str) -> StaffUser | None:
    """The active staff member whose feed has this secret, if any."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    return db.session.scalar(
        sa.select(StaffUser).where(StaffUser.feed_token == token, StaffUser.active)
    )


def public_location(slug: str) -> Location | None:
    """The active location with this slug, if any."""
    return db.session.scalar(sa.select(Location).where(Location.slug == slug, Location.active))


def lists_appointments(user: StaffUser) -> bool:
    """True when the staff member's feed has appointments (and so could show names)."""
    return user.role is Role.ADVISOR


def shows_names(user: StaffUser) -> bool:
    """True when the feed carries the names and contacts of the people booked."""
    return lists_appointments(user) and user.feed_shows_names


def regenerate_token(user: StaffUser) -> None:
    """Give the staff member's feed a new secret address; the old one is dead (caller commits)."""
    user.regenerate_feed_token()  # the audit log records it as it is flushed


def set_names_shown(user: StaffUser, shown: bool) -> None:
    """Opt in to, or out of, names and contacts in the staff member's own feed (caller commits)."""
    if user.feed_shows_names != shown:
        user.feed_shows_names = shown
        audit.record(user, "feed.names", "staff_user", user.id, shown=shown)


# ---------------------------------------------------------------- which rows a feed covers


def _advisor_sessions(user: StaffUser, start: date) -> sa.Select[Any]:
    """The advisor's sessions: the agency's hours on joint days and the advisor's tour stops."""
    stop_days = (
        sa.select(TourStop.day_id)
        .join(Tour, Tour.id == TourStop.tour_id)
        .where(Tour.advisor_id == user.id)
    )
    return (
        sa.select(Session)
        .join(ConsultationDay, ConsultationDay.id == Session.day_id)
        .join(Location, Location.id == ConsultationDay.location_id)
        .where(
            Session.agency_id == user.agency_id,
            ConsultationDay.date >= start,
            sa.or_(ConsultationDay.kind == DayKind.JOINT, ConsultationDay.id.in_(stop_days)),
        )
    )


def _advisor_appointments(user: StaffUser, start: date) -> sa.Select[Any]:
    session_ids = _advisor_sessions(user, start).with_only_columns(Session.id)
    return (
        sa.select(Appointment)
        .join(Visit, Visit.id == Appointment.visit_id)
        .where(Appointment.session_id.in_(session_ids), Appointment.agency_id == user.agency_id)
    )


def _staff_days(scope: set[int] | None, start: date) -> sa.Select[Any]:
    """Front desk: the days at their locations; coordinators (scope None): at every location."""
    query = (
        sa.select(ConsultationDay)
        .join(Location, Location.id == ConsultationDay.location_id)
        .where(ConsultationDay.date >= start, Location.active)
    )
    if scope is not None:
        query = query.where(ConsultationDay.location_id.in_(sorted(scope)))
    return query


PUBLIC_DAY_STATES = (DayStatus.PUBLISHED, DayStatus.CANCELLED)
PUBLIC_SESSION_STATES = (SessionStatus.PUBLISHED, SessionStatus.WITHDRAWN)


def _public_days(location: Location, start: date) -> sa.Select[Any]:
    """A location's days the public may know of: published, or cancelled after all."""
    return (
        sa.select(ConsultationDay)
        .join(Location, Location.id == ConsultationDay.location_id)
        .where(
            ConsultationDay.location_id == location.id,
            ConsultationDay.date >= start,
            ConsultationDay.status.in_(PUBLIC_DAY_STATES),
        )
    )


# ---------------------------------------------------------------- versions


def _aggregate(query: sa.Select[Any], *columns: Any) -> sa.Subquery:
    """One row of aggregates over the rows `query` selects."""
    return query.with_only_columns(*columns).subquery()


def _counted(entity: Any) -> list[Any]:
    # Count, sum of ids and latest change: a row added, removed, swapped or changed shows.
    return [
        sa.func.count(entity.id),
        sa.func.coalesce(sa.func.sum(entity.id), 0),
        sa.func.max(entity.updated_dt),
    ]


def _read(*subqueries: sa.Subquery) -> tuple[Any, ...]:
    """Read single-row aggregate subqueries in one round trip."""
    first, *others = subqueries
    query = sa.select(first, *others).select_from(first)
    for other in others:
        query = query.join(other, sa.true())
    row = db.session.execute(query).one()
    return tuple(row)


def _version(parts: Sequence[object], today: date, zone: str) -> FeedVersion:
    # The window moves at local midnight, dropping a day: a change even when no row changed.
    floor = datetime.combine(today, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    latest = max([floor, *(p for p in parts if isinstance(p, datetime))])
    text = repr((FEED_FORMAT, today.isoformat(), *parts))
    return FeedVersion(
        etag=hashlib.sha256(text.encode()).hexdigest()[:40],
        last_modified=latest.astimezone(UTC).replace(microsecond=0),
    )


def staff_feed_version(user: StaffUser, today: date, zone: str, base_url: str) -> FeedVersion:
    """The version of a staff member's feed, from aggregates only."""
    start = window_start(today)
    settings = (user.id, user.feed_token, shows_names(user), user.language, user.role.value)
    if user.role is Role.ADVISOR:
        sessions = _advisor_sessions(user, start)
        row = _read(
            _aggregate(
                sessions,
                *_counted(Session),
                sa.func.max(ConsultationDay.updated_dt),
                sa.func.max(Location.updated_dt),
            ),
            _aggregate(
                _advisor_appointments(user, start),
                *_counted(Appointment),
                # Erasure after the retention period blanks names: only seen here.
                sa.func.max(Visit.erased_dt),
            ),
        )
        parts: tuple[object, ...] = (*settings, user.agency_id, *row)
    else:
        scope = location_scope(user)
        days = _staff_days(scope, start)
        row = _read(
            _aggregate(days, *_counted(ConsultationDay), sa.func.max(Location.updated_dt)),
            _aggregate(
                days.join(Session, Session.day_id == ConsultationDay.id), *_counted(Session)
            ),
        )
        parts = (*settings, sorted(scope) if scope is not None else None, *row)
    return _version((base_url, *parts), today, zone)


def location_feed_version(
    location: Location, today: date, language: str, base_url: str
) -> FeedVersion:
    """The version of a location's public feed, from aggregates only."""
    days = _public_days(location, window_start(today))
    row = _read(
        _aggregate(days, *_counted(ConsultationDay)),
        _aggregate(
            days.join(Session, Session.day_id == ConsultationDay.id).where(
                Session.status.in_(PUBLIC_SESSION_STATES)
            ),
            *_counted(Session),
        ),
    )
    parts = (base_url, location.id, location.updated_dt, language, *row)
    return _version(parts, today, location.timezone)


# ---------------------------------------------------------------- building the feeds


def staff_feed(user: StaffUser, today: date, zone: str, version: FeedVersion) -> bytes:
    """The staff member's feed as iCalendar, in their language."""
    start = window_start(today)
    with force_locale(user.language):
        if user.role is Role.ADVISOR:
            events = _advisor_events(user, start)
        else:
            events = _staff_day_events(user, start)
        name = _("My consultation calendar")
        return build_calendar(
            events,
            name=name,
            tz=zone,
            refresh_minutes=REFRESH_MINUTES,
            stamp=version.last_modified,
        )


def location_feed(location: Location, today: date, language: str, version: FeedVersion) -> bytes:
    """A location's public feed: its days and stops, and nothing about any person."""
    days = db.session.scalars(
        _public_days(location, window_start(today))
        .options(
            contains_eager(ConsultationDay.location),
            selectinload(ConsultationDay.sessions).joinedload(Session.agency),
        )
        .order_by(ConsultationDay.date, ConsultationDay.id)
    ).all()
    with force_locale(language):
        events = [event for day in days if (event := _public_day_event(day)) is not None]
        name = _("Consultation days at %(location)s", location=location.name)
        return build_calendar(
            events,
            name=name,
            tz=location.timezone,
            refresh_minutes=REFRESH_MINUTES,
            stamp=version.last_modified,
        )


def _place(location: Location) -> dict[str, Any]:
    return {"location": location.address, "geo": (location.latitude, location.longitude)}


def _hours(session: Session) -> str:
    zone = session.day.location.timezone
    return (
        f"{format_local_time(session.starts_dt, zone)}–{format_local_time(session.ends_dt, zone)}"
    )


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


@lru_cache(maxsize=256)
def language_name(code: str, reader: str) -> str:
    """The name of a language in the reader's language (`ar` → "Arabisch" for German staff)."""
    try:
        return Locale.parse(code).get_display_name(reader) or code
    except (UnknownLocaleError, ValueError, TypeError):
        return code


def _advisor_events(user: StaffUser, start: date) -> list[CalendarEvent]:
    sessions = db.session.scalars(
        _advisor_sessions(user, start).options(
            contains_eager(Session.day).contains_eager(ConsultationDay.location),
            joinedload(Session.agency),
        )
    ).all()
    appointments = _appointment_rows(user, start)
    topics = _topic_names(user, start, user.language)
    booked: dict[int, int] = {}
    for row in appointments:
        if row.status is not AppointmentStatus.CANCELLED:
            booked[row.session_id] = booked.get(row.session_id, 0) + 1
    events = [_session_event(session, booked.get(session.id, 0)) for session in sessions]
    texts = _AppointmentTexts(user.language, with_names=shows_names(user))
    places = {session.id: session.day.location for session in sessions}
    # On PostgreSQL each query sees the latest commits: skip a booking in hours added meanwhile.
    events += [
        texts.event(row, topics.get(row.id, ()), places[row.session_id])
        for row in appointments
        if row.session_id in places
    ]
    return events


# A feed may hold thousands of appointments: they are read as plain rows, because
# loading them as ORM objects (with their visits and topics) took longer than the rest.
_APPOINTMENT_COLUMNS = (
    Appointment.id,
    Appointment.session_id,
    Appointment.starts_dt,
    Appointment.ends_dt,
    Appointment.status,
    Appointment.sequence,
    Appointment.updated_dt,
    Appointment.room,
    Visit.id.label("visit_id"),
    Visit.name,
    Visit.phone,
    Visit.email,
    Visit.language,
    Visit.interpreter_wanted,
)


def _appointment_rows(user: StaffUser, start: date) -> Sequence[sa.Row[Any]]:
    query = _advisor_appointments(user, start).with_only_columns(*_APPOINTMENT_COLUMNS)
    return db.session.execute(query.order_by(Appointment.starts_dt, Appointment.id)).all()


def _topic_names(user: StaffUser, start: date, language: str) -> dict[int, tuple[str, ...]]:
    """The names of each appointment's topics, by appointment id."""
    appointment_ids = _advisor_appointments(user, start).with_only_columns(Appointment.id)
    pairs = db.session.execute(
        sa.select(appointment_topic.c.appointment_id, appointment_topic.c.topic_id)
        .where(appointment_topic.c.appointment_id.in_(appointment_ids))
        .order_by(appointment_topic.c.appointment_id, appointment_topic.c.topic_id)
    ).all()
    wanted = {topic_id for _, topic_id in pairs}
    names = {
        topic.id: topic.name_in(language)
        for topic in db.session.scalars(sa.select(Topic).where(Topic.id.in_(wanted)))
    }
    found: dict[int, list[str]] = {}
    for appointment_id, topic_id in pairs:
        found.setdefault(appointment_id, []).append(names[topic_id])
    return {appointment_id: tuple(topics) for appointment_id, topics in found.items()}


def _staff_status(day: ConsultationDay, sessions: Iterable[Session]) -> str:
    states = {session.status for session in sessions}
    if day.status is DayStatus.CANCELLED or states == {SessionStatus.WITHDRAWN}:
        return "CANCELLED"
    if day.status is DayStatus.DRAFT or SessionStatus.PUBLISHED not in states:
        return "TENTATIVE"
    return "CONFIRMED"


def _session_event(session: Session, booked: int) -> CalendarEvent:
    """An advisor's hours on a day: withdrawn hours and cancelled days are sent cancelled."""
    day, location = session.day, session.day.location
    if day.kind is DayKind.MOBILE:
        summary = _("Tour stop in %(town)s", town=location.town)
    else:
        summary = _("Consultation hours at %(location)s", location=location.name)
    status = _staff_status(day, [session])
    page = url_for("calendar.day", location_id=location.id, on=day.date.isoformat(), _external=True)
    description = _lines(
        day.title,
        session.agency.name,
        _("Booked appointments: %(count)d", count=booked),
        _("Rooms: %(rooms)s", rooms=", ".join(session.rooms)) if session.rooms else "",
        _("Cancelled: %(reason)s", reason=day.cancel_reason) if status == "CANCELLED" else "",
        page,
    )
    return CalendarEvent(
        uid=f"session-{session.id}@consult",
        starts_dt=session.starts_dt,
        ends_dt=session.ends_dt,
        summary=summary,
        description=description,
        url=page,
        sequence=sequence_of(session.updated_dt, day.updated_dt, location.updated_dt),
        status=status,
        last_modified=max(session.updated_dt, day.updated_dt, location.updated_dt),
        **_place(location),
    )


class _AppointmentTexts:
    """Appointment events in one language; the translated templates are looked up once.

    A feed may hold thousands of appointments: formatting a template looked up
    once is much cheaper than one gettext call per line per appointment.
    """

    def __init__(self, language: str, *, with_names: bool) -> None:
        self.language = language
        self.with_names = with_names
        # gettext without arguments returns the translated template, still to be filled in.
        # The visit's number, never its booking reference: a reference opens the person's
        # own pages, and a feed URL travels further than a staff page does.
        self.summary = _("Appointment, visit %(visit)d")
        self.summary_named = _("%(name)s, visit %(visit)d")
        self.topics = _("Topics: %(topics)s")
        self.language_line = _("Language: %(language)s")
        self.interpreter = _("Interpreter wanted")
        self.room = _("Room %(room)s")
        self.state = _("Status: %(status)s")
        self.name = _("Name: %(name)s")
        self.phone = _("Phone: %(phone)s")
        self.email = _("E-mail: %(email)s")
        self.statuses = {status: str(label) for status, label in APPOINTMENT_STATUS_LABELS.items()}
        # One URL built, the others derived: url_for for each of thousands of rows is slow.
        self._page = url_for("notes.visit", visit_id=0, _external=True)

    def page(self, visit_id: int) -> str:
        return f"{self._page.removesuffix('/0')}/{visit_id}"

    def event(self, row: sa.Row[Any], topics: Sequence[str], location: Location) -> CalendarEvent:
        """One appointment, from a row of `_APPOINTMENT_COLUMNS`."""
        named = self.with_names and bool(row.name)
        if named:
            summary = self.summary_named % {"name": row.name, "visit": row.visit_id}
        else:
            summary = self.summary % {"visit": row.visit_id}
        page = self.page(row.visit_id)
        lines = [
            self.topics % {"topics": ", ".join(topics)} if topics else "",
            self.language_line % {"language": language_name(row.language, self.language)},
            self.interpreter if row.interpreter_wanted else "",
            self.room % {"room": row.room} if row.room else "",
            self.state % {"status": self.statuses[row.status]},
        ]
        if self.with_names:
            lines += [
                self.name % {"name": row.name} if named else "",
                self.phone % {"phone": row.phone} if row.phone else "",
                self.email % {"email": row.email} if row.email else "",
            ]
        cancelled = row.status is AppointmentStatus.CANCELLED
        return CalendarEvent(
            uid=f"staff-appointment-{row.id}@consult",
            starts_dt=row.starts_dt,
            ends_dt=row.ends_dt,
            summary=summary,
            description=_lines(*lines, page),
            url=page,
            sequence=row.sequence,
            status="CANCELLED" if cancelled else "CONFIRMED",
            last_modified=row.updated_dt,
            **_place(location),
        )


def _staff_day_events(user: StaffUser, start: date) -> list[CalendarEvent]:
    days = db.session.scalars(
        _staff_days(location_scope(user), start)
        .options(
            contains_eager(ConsultationDay.location),
            selectinload(ConsultationDay.sessions).joinedload(Session.agency),
        )
        .order_by(ConsultationDay.date, ConsultationDay.id)
    ).all()
    return [event for day in days if (event := _staff_day_event(day)) is not None]


def _day_summary(day: ConsultationDay) -> str:
    location = day.location
    if day.kind is DayKind.MOBILE:
        return _("Mobile advice in %(town)s", town=location.town)
    return _("Joint consultation day at %(location)s", location=location.name)


def _agency_lines(sessions: Iterable[Session]) -> list[str]:
    ordered = sorted(sessions, key=lambda s: (s.starts_dt, s.agency.name, s.id))
    return [f"{session.agency.name}: {_hours(session)}" for session in ordered]


def _day_event(
    day: ConsultationDay,
    shown: Sequence[Session],
    considered: Sequence[Session],
    *,
    uid: str,
    status: str,
    description: str,
    url: str,
) -> CalendarEvent:
    """One event for a whole day, from the first shown session's start to the last one's end.

    SEQUENCE follows every session considered, so withdrawn hours move it on too.
    """
    location = day.location
    changed = [day.updated_dt, location.updated_dt, *(s.updated_dt for s in considered)]
    return CalendarEvent(
        uid=uid,
        starts_dt=min(s.starts_dt for s in shown),
        ends_dt=max(s.ends_dt for s in shown),
        summary=_day_summary(day),
        description=description,
        url=url,
        sequence=sequence_of(*changed),
        status=status,
        last_modified=max(changed),
        **_place(location),
    )


def _staff_day_event(day: ConsultationDay) -> CalendarEvent | None:
    """A day at the front desk's or coordinator's locations: its hours and agencies."""
    live = [s for s in day.sessions if s.status is not SessionStatus.WITHDRAWN]
    published = [s for s in live if s.status is SessionStatus.PUBLISHED]
    shown = published or live or day.sessions
    if not shown:
        return None  # no hours yet: nothing to put in a calendar
    status = _staff_status(day, day.sessions)
    page = url_for(
        "calendar.day", location_id=day.location_id, on=day.date.isoformat(), _external=True
    )
    description = _lines(
        day.title,
        *_agency_lines(shown),
        _("Cancelled: %(reason)s", reason=day.cancel_reason) if status == "CANCELLED" else "",
        page,
    )
    return _day_event(
        day,
        shown,
        day.sessions,
        uid=f"day-{day.id}@consult",
        status=status,
        description=description,
        url=page,
    )


def _public_day_event(day: ConsultationDay) -> CalendarEvent | None:
    """A day as the public sees it: hours, agencies, languages; no person, no reference."""
    visible = [s for s in day.sessions if s.status in PUBLIC_SESSION_STATES]
    published = [s for s in visible if s.status is SessionStatus.PUBLISHED]
    shown = published or visible
    if not shown:
        return None
    cancelled = day.status is DayStatus.CANCELLED or not published
    languages = sorted({code for s in published for code in s.languages})
    reader = str(get_locale())
    page = url_for("public.day_plans", day_id=day.id, _external=True)
    description = _lines(
        day.title,
        *_agency_lines(shown),
        _(
            "Languages: %(languages)s",
            languages=", ".join(language_name(c, reader) for c in languages),
        )
        if languages
        else "",
        _("Interpreters available") if any(s.interpreter_available for s in published) else "",
        _("This day is cancelled.") if cancelled else "",
        page,
    )
    return _day_event(
        day,
        shown,
        visible,
        uid=f"public-day-{day.id}@consult",
        status="CANCELLED" if cancelled else "CONFIRMED",
        description=description,
        url=page,
    )
