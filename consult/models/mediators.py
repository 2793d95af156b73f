"""Language mediators' sign-ups: the hours a volunteer mediator is at a consultation day."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from consult.models.days import ConsultationDay
    from consult.models.staff import StaffUser


class MediatorShift(db.Model):
    """A mediator's hours at one consultation day: they can accompany visits within them."""

    __tablename__ = "mediator_shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    mediator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    day_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_day.id", ondelete="CASCADE"), index=True
    )
    starts_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mediator: Mapped[StaffUser] = relationship()
    day: Mapped[ConsultationDay] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("mediator_id", "day_id"),
        sa.CheckConstraint("ends_dt > starts_dt", name="hours"),
    )

    def __repr__(self) -> str:
        return f"<MediatorShift {self.mediator_id} day {self.day_id}>"
