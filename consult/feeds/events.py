"""Calendar events from the rows a feed covers, in the language of the reader.

An advisor's feed has their sessions and the appointments booked in them; the
front desk's and coordinators' feeds one event per day; a location's public feed
one event per published day, with no personal data at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from consult.conferences.calendar import conference_events
from consult.extensions import db
from consult.feeds.scope import (
    PUBLIC_SESSION_STATES,
    advisor_appointments,
    advisor_sessions,
    shows_names,
    staff_days,
)
from consult.i18n import format_local_time
from consult.ical import CalendarEvent
from consult.labels import APPOINTMENT_STATUS_LABELS
from consult.messages.sms import format_phone
from consult.models import (
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    Session,
    SessionStatus,
    StaffUser,
    Topic,
    Visit,
    appointment_topic,
)
from consult.permissions import location_scope
from consult.visit_calendar import event_uid

_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def sequence_of(*instants: datetime) -> int:
    """A SEQUENCE that grows with every change: whole seconds from 2020 to the latest change.

    A session's `updated_dt` moves forward on every change (the day's revision
    counts changes to its free times, not to what an event shows); in seconds it
    fits RFC 5545's 32-bit INTEGER until 2088.
    """
    return max(0, int((max(instants) - _SEQUENCE_EPOCH).total_seconds()))


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


def advisor_events(user: StaffUser, start: date) -> list[CalendarEvent]:
    """The advisor's sessions and the appointments booked in them, as events."""
    sessions = db.session.scalars(
        advisor_sessions(user, start).options(
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
    return events + conference_events(user, start)


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
    query = advisor_appointments(user, start).with_only_columns(*_APPOINTMENT_COLUMNS)
    return db.session.execute(query.order_by(Appointment.starts_dt, Appointment.id)).all()


def _topic_names(user: StaffUser, start: date, language: str) -> dict[int, tuple[str, ...]]:
    """The names of each appointment's topics, by appointment id."""
    appointment_ids = advisor_appointments(user, start).with_only_columns(Appointment.id)
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
        uid=event_uid("session", session.id),
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
                self.phone % {"phone": format_phone(row.phone)} if row.phone else "",
                self.email % {"email": row.email} if row.email else "",
            ]
        cancelled = row.status is AppointmentStatus.CANCELLED
        return CalendarEvent(
            uid=event_uid("staff-appointment", row.id),
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


def staff_day_events(user: StaffUser, start: date) -> list[CalendarEvent]:
    """One event per day at the front desk's or coordinator's locations."""
    days = db.session.scalars(
        staff_days(location_scope(user), start)
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
        uid=event_uid("day", day.id),
        status=status,
        description=description,
        url=page,
    )


def public_day_event(day: ConsultationDay) -> CalendarEvent | None:
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
        uid=event_uid("public-day", day.id),
        status="CANCELLED" if cancelled else "CONFIRMED",
        description=description,
        url=page,
    )
