"""Wishes for a day, agency, topic or town that has no free time yet."""

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
    from consult.models.places import Location, Topic


class WaitlistStatus(enum.StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


waitlist_topic = sa.Table(
    "waitlist_topic",
    db.metadata,
    sa.Column("entry_id", sa.ForeignKey("waitlist_entry.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)


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
    # Days the person turned down or let an offer for run out: not offered again.
    passed_day_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list, server_default="[]")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    topics: Mapped[list[Topic]] = relationship(secondary=waitlist_topic)
    location: Mapped[Location | None] = relationship()
    day: Mapped[ConsultationDay | None] = relationship(foreign_keys=[day_id])
    offered_day: Mapped[ConsultationDay | None] = relationship(foreign_keys=[offered_day_id])
