"""Mobile advice tours and their stops."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.base import UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from consult.models.days import ConsultationDay
    from consult.models.places import Agency
    from consult.models.staff import StaffUser


class TourStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


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
