"""Consultation days and the recurring series that create them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.errors import N_
from consult.extensions import db
from consult.models.base import TransitionError, UTCDateTime, enum_type, utcnow
from consult.models.sessions import SessionStatus

if TYPE_CHECKING:
    from consult.models.places import Agency, Location
    from consult.models.sessions import Session
    from consult.models.tours import TourStop
    from consult.models.visits import Visit


class DayKind(enum.StrEnum):
    JOINT = "joint"
    MOBILE = "mobile"


class DayStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


day_invitation = sa.Table(
    "day_invitation",
    db.metadata,
    sa.Column("day_id", sa.ForeignKey("consultation_day.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
)


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
