"""An agency's hours on a day: sessions, their slots, and the seats that appointments hold."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.base import UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from consult.models.conferences import CaseConference
    from consult.models.days import ConsultationDay
    from consult.models.places import Agency, Topic
    from consult.models.staff import StaffUser
    from consult.models.visits import Appointment


class SessionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


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
    """One desk of one slot, held by an active appointment or by a case conference.

    The primary key (slot, desk) lets the database itself refuse a second
    booking of the same desk at the same time; a cancelled appointment (or
    conference) gives its seats back by deleting them.
    """

    slot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("slot.id", ondelete="CASCADE"), primary_key=True
    )
    desk: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )
    conference_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("case_conference.id", ondelete="CASCADE"), index=True
    )

    slot: Mapped[Slot] = relationship(back_populates="seats")
    appointment: Mapped[Appointment | None] = relationship(back_populates="seats")
    conference: Mapped[CaseConference | None] = relationship(back_populates="seats")

    __table_args__ = (
        sa.CheckConstraint("desk >= 1", name="desk"),
        sa.CheckConstraint("(appointment_id IS NULL) != (conference_id IS NULL)", name="holder"),
    )
