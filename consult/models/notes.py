"""What staff record about a visit or a client: consents to share and case notes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.errors import N_
from consult.extensions import db
from consult.models.base import TransitionError, UTCDateTime, clock, utcnow

if TYPE_CHECKING:
    from consult.models.places import Agency
    from consult.models.staff import StaffUser
    from consult.models.visits import Client, Visit


SHARE = "share"  # the agencies of the visit may talk to each other about the case
CONFERENCE = "conference"  # the chosen agencies may hold a case conference about it


class Consent(db.Model):
    """The person's recorded agreement, for one purpose, about their case.

    The purpose "share" lets the agencies of a visit share their case; the purpose
    "conference" lets chosen agencies hold a case conference about it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    wording: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(5))
    purpose: Mapped[str] = mapped_column(sa.String(20), default=SHARE, server_default=SHARE)
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
        self.withdrawn_dt = clock()
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
