"""The domain model: agencies, places, days, sessions, slots, visits and the people around them.

Every instant is stored as UTC (`*_dt` columns, aware `datetime` in Python);
calendar dates of a day (`ConsultationDay.date`) are local to its location.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.errors import N_, DomainError
from consult.extensions import db

# Crockford's base32: no I, L, O, U, so a reference read aloud is unambiguous.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 12  # 12 symbols of 5 bits: 60 bits of randomness


def _setting(name: str) -> Any:
    return current_app.config[name]


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def today_in(zone: str) -> date:
    """Today's calendar date in a time zone."""
    return utcnow().astimezone(ZoneInfo(zone)).date()


def new_reference() -> str:
    """A fresh booking reference such as `7KQ2-MX4D-9TPA` (60 random bits)."""
    symbols = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return "-".join(symbols[i : i + 4] for i in range(0, REFERENCE_LENGTH, 4))


def normalise_reference(text: str) -> str:
    """The canonical form of a reference typed by a person (case, spaces, O/0, I/L/1)."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(cleaned) != REFERENCE_LENGTH:
        return cleaned
    return "-".join(cleaned[i : i + 4] for i in range(0, REFERENCE_LENGTH, 4))


def new_feed_token() -> str:
    """A secret token for a personal calendar feed (192 random bits)."""
    return secrets.token_urlsafe(24)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite keeps no zone, so we add it back)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC instant is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_class: type[enum.Enum]) -> sa.Enum:
    """A portable enum column: a short string with a CHECK constraint, no native type."""
    return sa.Enum(
        enum_class,
        name=enum_class.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class TransitionError(DomainError):
    """A state change that the current state does not allow."""


class Role(enum.StrEnum):
    ADVISOR = "advisor"
    FRONTDESK = "frontdesk"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class DayKind(enum.StrEnum):
    JOINT = "joint"
    MOBILE = "mobile"


class DayStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class SessionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class VisitStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    IN_CONSULTATION = "in_consultation"
    DONE = "done"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class WaitlistStatus(enum.StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class TourStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


# Appointment states that hold a seat: a cancelled appointment frees it.
ACTIVE_APPOINTMENT_STATES = frozenset(
    {
        AppointmentStatus.BOOKED,
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.IN_CONSULTATION,
        AppointmentStatus.DONE,
        AppointmentStatus.NO_SHOW,
    }
)

topic_agency = sa.Table(
    "topic_agency",
    db.metadata,
    sa.Column("topic_id", sa.ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
)
session_topic = sa.Table(
    "session_topic",
    db.metadata,
    sa.Column(
        "session_id",
        sa.ForeignKey("consultation_session.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("topic_id", sa.ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)
visit_topic = sa.Table(
    "visit_topic",
    db.metadata,
    sa.Column("visit_id", sa.ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)
appointment_topic = sa.Table(
    "appointment_topic",
    db.metadata,
    sa.Column(
        "appointment_id", sa.ForeignKey("appointment.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("topic_id", sa.ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)
waitlist_topic = sa.Table(
    "waitlist_topic",
    db.metadata,
    sa.Column("entry_id", sa.ForeignKey("waitlist_entry.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)
staff_location = sa.Table(
    "staff_location",
    db.metadata,
    sa.Column("staff_id", sa.ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("location_id", sa.ForeignKey("location.id", ondelete="CASCADE"), primary_key=True),
)
day_invitation = sa.Table(
    "day_invitation",
    db.metadata,
    sa.Column("day_id", sa.ForeignKey("consultation_day.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
)


def localized(values: dict[str, str] | None, locale: str, fallback: str = "") -> str:
    """The text for `locale` from a per-language mapping, falling back to English, then German."""
    values = values or {}
    return values.get(locale) or values.get("en") or values.get("de") or fallback


class Agency(db.Model):
    """An organisation that advises (Jobcenter, immigration office, …)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    short_name: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    website: Mapped[str] = mapped_column(sa.String(200), default="")
    color: Mapped[str] = mapped_column(sa.String(7), default="#3b5b92")

    topics: Mapped[list[Topic]] = relationship(secondary=topic_agency, back_populates="agencies")

    def __repr__(self) -> str:
        return f"<Agency {self.slug}>"


class Location(db.Model):
    """A building or room where consultation days take place."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    street: Mapped[str] = mapped_column(sa.String(120))
    postcode: Mapped[str] = mapped_column(sa.String(10))
    town: Mapped[str] = mapped_column(sa.String(80), index=True)
    latitude: Mapped[float] = mapped_column(sa.Float)
    longitude: Mapped[float] = mapped_column(sa.Float)
    timezone: Mapped[str] = mapped_column(
        sa.String(40), default=lambda: _setting("CONSULT_TIMEZONE")
    )
    changeover_minutes: Mapped[int] = mapped_column(
        default=lambda: _setting("CONSULT_CHANGEOVER_MINUTES")
    )
    accessibility_notes: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    directions: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    feed_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_feed_token)
    # Calendar feeds carry the address: their version and SEQUENCE must see it change.
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    days: Mapped[list[ConsultationDay]] = relationship(back_populates="location")

    __table_args__ = (
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        sa.CheckConstraint("changeover_minutes BETWEEN 0 AND 60", name="changeover"),
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def address(self) -> str:
        return f"{self.name}, {self.street}, {self.postcode} {self.town}"

    def __repr__(self) -> str:
        return f"<Location {self.slug}>"


class Topic(db.Model):
    """What a person needs help with; served by one or more agencies."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    icon: Mapped[str] = mapped_column(sa.String(16), default="")
    phase: Mapped[int] = mapped_column(sa.SmallInteger)
    default_minutes: Mapped[int] = mapped_column(default=20)
    names: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    explanations: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    agencies: Mapped[list[Agency]] = relationship(secondary=topic_agency, back_populates="topics")

    __table_args__ = (
        sa.CheckConstraint("phase BETWEEN 1 AND 5", name="phase"),
        sa.CheckConstraint("default_minutes BETWEEN 5 AND 240", name="default_minutes"),
    )

    def name_in(self, locale: str) -> str:
        """The topic's name in `locale`, or in English or German when missing."""
        return localized(self.names, locale, self.slug)

    def explanation_in(self, locale: str) -> str:
        """The one-line explanation in `locale`, with the same fallbacks."""
        return localized(self.explanations, locale)

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"


class DaySeries(db.Model):
    """A recurrence rule that created a series of joint days at one location."""

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("location.id"))
    rule: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    until: Mapped[date]
    exceptions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    location: Mapped[Location] = relationship()
    days: Mapped[list[ConsultationDay]] = relationship(back_populates="series")


class ConsultationDay(db.Model):
    """A date at a location when agencies receive people (a joint day or a mobile stop)."""

    __tablename__ = "consultation_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("location.id"), index=True)
    date: Mapped[date] = mapped_column(index=True)
    kind: Mapped[DayKind] = mapped_column(enum_type(DayKind), default=DayKind.JOINT)
    status: Mapped[DayStatus] = mapped_column(enum_type(DayStatus), default=DayStatus.DRAFT)
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("day_series.id"))
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Bumped in the same transaction by every write that changes the day's free times
    # (see consult.revisions), so the planner can cache them per (id, revision).
    revision: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")

    location: Mapped[Location] = relationship(back_populates="days")
    series: Mapped[DaySeries | None] = relationship(back_populates="days")
    sessions: Mapped[list[Session]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="Session.starts_dt"
    )
    invited_agencies: Mapped[list[Agency]] = relationship(secondary=day_invitation)
    visits: Mapped[list[Visit]] = relationship(back_populates="day")
    tour_stop: Mapped[TourStop | None] = relationship(back_populates="day")

    @property
    def is_bookable(self) -> bool:
        return self.status is DayStatus.PUBLISHED

    @property
    def published_sessions(self) -> list[Session]:
        return [s for s in self.sessions if s.status is SessionStatus.PUBLISHED]

    @property
    def agencies(self) -> list[Agency]:
        """The agencies with published hours on this day, each once."""
        return list({s.agency_id: s.agency for s in self.published_sessions}.values())

    def publish(self) -> None:
        """Open the day for booking."""
        if self.status is DayStatus.CANCELLED:
            raise TransitionError(N_("A cancelled day cannot be published again."))
        self.status = DayStatus.PUBLISHED

    def cancel(self, reason: str) -> None:
        """Cancel the day; visits are cancelled by the caller, who must tell the people."""
        self.status = DayStatus.CANCELLED
        self.cancel_reason = reason

    def __repr__(self) -> str:
        return f"<ConsultationDay {self.date} @{self.location_id}>"


def room_of(rooms: Sequence[str], desk: int) -> str:
    """The room of a desk among a session's rooms (desks are numbered from 1)."""
    if not rooms:
        return ""
    return rooms[desk - 1] if desk <= len(rooms) else rooms[0]


class Session(db.Model):
    """One agency's part of a consultation day: window, slot length, desks, topics, languages."""

    __tablename__ = "consultation_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_day.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    advisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    starts_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    slot_minutes: Mapped[int] = mapped_column(default=20)
    desks: Mapped[int] = mapped_column(default=1)
    rooms: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    interpreter_available: Mapped[bool] = mapped_column(default=False)
    breaks: Mapped[list[list[str]]] = mapped_column(sa.JSON, default=list)
    status: Mapped[SessionStatus] = mapped_column(
        enum_type(SessionStatus), default=SessionStatus.DRAFT
    )
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    day: Mapped[ConsultationDay] = relationship(back_populates="sessions")
    agency: Mapped[Agency] = relationship()
    advisor: Mapped[StaffUser | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=session_topic)
    slots: Mapped[list[Slot]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Slot.starts_dt"
    )

    __table_args__ = (
        sa.CheckConstraint("ends_dt > starts_dt", name="window"),
        sa.CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_minutes"),
        sa.CheckConstraint("desks BETWEEN 1 AND 50", name="desks"),
    )

    def room_for(self, desk: int) -> str:
        """The room of a desk (desks are numbered from 1); the first room when unnamed."""
        return room_of(self.rooms, desk)

    @property
    def topic_ids(self) -> frozenset[int]:
        return frozenset(topic.id for topic in self.topics)

    def serves_language(self, language: str) -> bool:
        return language in self.languages or self.interpreter_available


class Slot(db.Model):
    """A bookable interval of a session; `capacity` desks may be booked in parallel."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_session.id", ondelete="CASCADE"), index=True
    )
    starts_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]

    session: Mapped[Session] = relationship(back_populates="slots")
    seats: Mapped[list[Seat]] = relationship(back_populates="slot", cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("session_id", "starts_dt"),
        sa.CheckConstraint("capacity >= 0", name="capacity"),
        sa.CheckConstraint("ends_dt > starts_dt", name="interval"),
    )


class Seat(db.Model):
    """One desk of one slot, held by an active appointment.

    The primary key (slot, desk) lets the database itself refuse a second
    booking of the same desk at the same time; a cancelled appointment gives
    its seats back by deleting them.
    """

    slot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("slot.id", ondelete="CASCADE"), primary_key=True
    )
    desk: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )

    slot: Mapped[Slot] = relationship(back_populates="seats")
    appointment: Mapped[Appointment] = relationship(back_populates="seats")

    __table_args__ = (sa.CheckConstraint("desk >= 1", name="desk"),)


class Client(db.Model):
    """An optional record that links a person's visits over time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(5), default="de")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    visits: Mapped[list[Visit]] = relationship(back_populates="client")


class Visit(db.Model):
    """One person's trip to one consultation day: appointments back to back, one reference."""

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(14), unique=True, default=new_reference)
    day_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation_day.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client.id"))
    name: Mapped[str | None] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(5), default="de")
    interpreter_wanted: Mapped[bool] = mapped_column(default=False)
    walk_in: Mapped[bool] = mapped_column(default=False)
    ticket: Mapped[int | None]
    status: Mapped[VisitStatus] = mapped_column(enum_type(VisitStatus), default=VisitStatus.BOOKED)
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A client's Idempotency-Key and a digest of what it asked for: a retried booking
    # request finds the visit its first attempt stored instead of booking twice.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    idempotency_digest: Mapped[str | None] = mapped_column(sa.String(64))

    day: Mapped[ConsultationDay] = relationship(back_populates="visits")
    client: Mapped[Client | None] = relationship(back_populates="visits")
    topics: Mapped[list[Topic]] = relationship(secondary=visit_topic)
    appointments: Mapped[list[Appointment]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="Appointment.starts_dt"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="Consent.recorded_dt"
    )

    __table_args__ = (sa.UniqueConstraint("day_id", "ticket"),)

    @property
    def active_appointments(self) -> list[Appointment]:
        return [a for a in self.appointments if a.status in ACTIVE_APPOINTMENT_STATES]

    @property
    def starts_dt(self) -> datetime | None:
        active = self.active_appointments
        return min(a.starts_dt for a in active) if active else None

    @property
    def consent_to_share(self) -> bool:
        """True while the person's latest consent to share is recorded and not withdrawn."""
        return any(c.withdrawn_dt is None for c in self.consents)

    def cancel_appointment(self, appointment: Appointment, reason: str = "") -> None:
        """Cancel one appointment; the visit ends when none is left."""
        if appointment.visit_id != self.id:
            raise TransitionError(N_("This appointment does not belong to this visit."))
        appointment.cancel(reason)
        if not self.active_appointments:
            self.status = VisitStatus.CANCELLED
            self.cancel_reason = reason
            self.cancelled_dt = utcnow()

    def cancel(self, reason: str = "") -> None:
        """Cancel the whole visit and free every seat it holds."""
        if self.status is VisitStatus.CANCELLED:
            raise TransitionError(N_("This visit is already cancelled."))
        for appointment in self.appointments:
            if appointment.status is AppointmentStatus.BOOKED:
                appointment.cancel(reason)
        self.status = VisitStatus.CANCELLED
        self.cancel_reason = reason
        self.cancelled_dt = utcnow()

    def __repr__(self) -> str:
        return f"<Visit {self.reference}>"


# Allowed moves of the appointment state machine.
APPOINTMENT_TRANSITIONS: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    AppointmentStatus.BOOKED: frozenset(
        {AppointmentStatus.CHECKED_IN, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW}
    ),
    AppointmentStatus.CHECKED_IN: frozenset(
        {AppointmentStatus.IN_CONSULTATION, AppointmentStatus.CANCELLED, AppointmentStatus.BOOKED}
    ),
    AppointmentStatus.IN_CONSULTATION: frozenset({AppointmentStatus.DONE}),
    AppointmentStatus.DONE: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset({AppointmentStatus.CHECKED_IN}),
}


class Appointment(db.Model):
    """One booked time with one agency within a visit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation_session.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    starts_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    desk: Mapped[int] = mapped_column(default=1)
    room: Mapped[str] = mapped_column(sa.String(60), default="")
    status: Mapped[AppointmentStatus] = mapped_column(
        enum_type(AppointmentStatus), default=AppointmentStatus.BOOKED
    )
    sequence: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    checked_in_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="appointments")
    session: Mapped[Session] = relationship()
    agency: Mapped[Agency] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=appointment_topic)
    seats: Mapped[list[Seat]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.CheckConstraint("ends_dt > starts_dt", name="interval"),)

    def _move_to(self, target: AppointmentStatus) -> None:
        if target not in APPOINTMENT_TRANSITIONS[self.status]:
            raise TransitionError(
                N_("An appointment that is %(current)s cannot become %(target)s."),
                current=self.status.value,
                target=target.value,
            )
        self.status = target
        self.sequence += 1

    def check_in(self) -> None:
        """The person has arrived at the front desk."""
        self._move_to(AppointmentStatus.CHECKED_IN)
        self.checked_in_dt = utcnow()

    def undo_check_in(self) -> None:
        """Correct a check-in made by mistake."""
        self._move_to(AppointmentStatus.BOOKED)
        self.checked_in_dt = None

    def call_in(self) -> None:
        """The advisor calls the person into the consultation."""
        self._move_to(AppointmentStatus.IN_CONSULTATION)
        self.called_dt = utcnow()

    def finish(self) -> None:
        """The consultation is over."""
        self._move_to(AppointmentStatus.DONE)
        self.done_dt = utcnow()

    def mark_no_show(self) -> None:
        """The person did not come; the seat stays used, the time is gone."""
        self._move_to(AppointmentStatus.NO_SHOW)

    def cancel(self, reason: str = "") -> None:
        """Cancel and give the seats back at once."""
        self._move_to(AppointmentStatus.CANCELLED)
        self.cancel_reason = reason
        self.cancelled_dt = utcnow()
        self.seats.clear()


class Consent(db.Model):
    """The person's recorded agreement that the agencies of a visit may share their case."""

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    wording: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(5))
    recorded_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    withdrawn_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))

    visit: Mapped[Visit] = relationship(back_populates="consents")
    recorded_by: Mapped[StaffUser | None] = relationship(foreign_keys=[recorded_by_id])
    withdrawn_by: Mapped[StaffUser | None] = relationship(foreign_keys=[withdrawn_by_id])

    def withdraw(self, by: StaffUser | None = None) -> None:
        """Withdraw the consent; shared notes are hidden from then on."""
        if self.withdrawn_dt is not None:
            raise TransitionError(N_("This consent has already been withdrawn."))
        self.withdrawn_dt = utcnow()
        self.withdrawn_by = by


class CaseNote(db.Model):
    """A staff note on a visit or on a client record, owned by the writer's agency."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("visit.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("client.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    is_handover: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    visit: Mapped[Visit | None] = relationship()
    client: Mapped[Client | None] = relationship()
    agency: Mapped[Agency] = relationship()
    author: Mapped[StaffUser] = relationship()

    __table_args__ = (
        sa.CheckConstraint("visit_id IS NOT NULL OR client_id IS NOT NULL", name="subject"),
    )


class Tour(db.Model):
    """A mobile advisor's series of stops in rural towns."""

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    advisor_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    title: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[TourStatus] = mapped_column(enum_type(TourStatus), default=TourStatus.DRAFT)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
    advisor: Mapped[StaffUser] = relationship()
    stops: Mapped[list[TourStop]] = relationship(
        back_populates="tour", cascade="all, delete-orphan", order_by="TourStop.position"
    )


class TourStop(db.Model):
    """One stop of a tour; the stop's day is a mobile consultation day."""

    __tablename__ = "tour_stop"

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int] = mapped_column(sa.ForeignKey("tour.id", ondelete="CASCADE"), index=True)
    day_id: Mapped[int] = mapped_column(sa.ForeignKey("consultation_day.id"), unique=True)
    position: Mapped[int] = mapped_column(default=0)

    tour: Mapped[Tour] = relationship(back_populates="stops")
    day: Mapped[ConsultationDay] = relationship(back_populates="tour_stop")


class WaitlistEntry(db.Model):
    """A wish for a day, agency, topic or town that is full or not yet served."""

    __tablename__ = "waitlist_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(5), default="de")
    town: Mapped[str] = mapped_column(sa.String(80), default="", index=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("location.id"))
    day_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consultation_day.id"))
    status: Mapped[WaitlistStatus] = mapped_column(
        enum_type(WaitlistStatus), default=WaitlistStatus.WAITING
    )
    offered_day_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consultation_day.id"))
    offer_expires_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    topics: Mapped[list[Topic]] = relationship(secondary=waitlist_topic)
    location: Mapped[Location | None] = relationship()
    day: Mapped[ConsultationDay | None] = relationship(foreign_keys=[day_id])
    offered_day: Mapped[ConsultationDay | None] = relationship(foreign_keys=[offered_day_id])


class StaffUser(UserMixin, db.Model):
    """A staff account; advisors belong to an agency, front desk to locations."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    language: Mapped[str] = mapped_column(sa.String(5), default="de")
    active: Mapped[bool] = mapped_column(default=True)
    feed_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_feed_token)
    feed_shows_names: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised on log-out and password change: every session signed with an older value ends.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    agency: Mapped[Agency | None] = relationship()
    locations: Mapped[list[Location]] = relationship(secondary=staff_location)

    __table_args__ = (
        sa.CheckConstraint("role != 'advisor' OR agency_id IS NOT NULL", name="advisor_agency"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles or self.role is Role.ADMIN

    def regenerate_feed_token(self) -> str:
        """Give the feed a new secret; the old URL stops working at once."""
        self.feed_token = new_feed_token()
        return self.feed_token

    def __repr__(self) -> str:
        return f"<StaffUser {self.email} {self.role.value}>"


class AuditLog(db.Model):
    """Who read or changed what, and when (case notes, consents, accounts)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    # "staff" (actor_id says who), "person" (by booking reference) or "system".
    actor_kind: Mapped[str] = mapped_column(sa.String(10), default="staff", server_default="staff")
    action: Mapped[str] = mapped_column(sa.String(40))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[StaffUser | None] = relationship()

    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)
