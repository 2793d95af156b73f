"""Case conferences: advisors of several agencies meet about one person's case, with consent."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.errors import N_
from consult.extensions import db
from consult.models.base import TransitionError, UTCDateTime, clock, enum_type, utcnow

if TYPE_CHECKING:
    from consult.models.days import ConsultationDay
    from consult.models.notes import Consent
    from consult.models.places import Agency
    from consult.models.sessions import Seat
    from consult.models.staff import StaffUser
    from consult.models.visits import Visit


class ConferenceStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"


class ConferenceMode(enum.StrEnum):
    ON_SITE = "on_site"  # on a joint day, at free desks of the agencies
    ONLINE = "online"  # by a meeting link


conference_agency = sa.Table(
    "conference_agency",
    db.metadata,
    sa.Column(
        "conference_id", sa.ForeignKey("case_conference.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("agency_id", sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
)


class CaseConference(db.Model):
    """Advisors of the chosen agencies meet about one person's visit, under purpose consent."""

    __tablename__ = "case_conference"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))  # the proposing agency
    status: Mapped[ConferenceStatus] = mapped_column(
        enum_type(ConferenceStatus), default=ConferenceStatus.SCHEDULED
    )
    mode: Mapped[ConferenceMode] = mapped_column(enum_type(ConferenceMode))
    day_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultation_day.id"), index=True
    )  # on site only
    starts_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(sa.String(60), default="")
    meeting_link: Mapped[str | None] = mapped_column(sa.String(500))
    consent_id: Mapped[int] = mapped_column(sa.ForeignKey("consent.id"), index=True)
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    outcome_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    outcome_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Calendar feeds read it as "the event changed".
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    visit: Mapped[Visit] = relationship()
    proposed_by: Mapped[StaffUser] = relationship(foreign_keys=[proposed_by_id])
    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    day: Mapped[ConsultationDay | None] = relationship()
    consent: Mapped[Consent] = relationship()
    outcome_by: Mapped[StaffUser | None] = relationship(foreign_keys=[outcome_by_id])
    agencies: Mapped[list[Agency]] = relationship(
        secondary=conference_agency, order_by="Agency.name"
    )
    seats: Mapped[list[Seat]] = relationship(
        back_populates="conference", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("ends_dt > starts_dt", name="interval"),
        sa.CheckConstraint(
            "(mode = 'online' AND meeting_link IS NOT NULL) "
            "OR (mode = 'on_site' AND day_id IS NOT NULL)",
            name="place",
        ),
    )

    @property
    def agency_ids(self) -> frozenset[int]:
        return frozenset(agency.id for agency in self.agencies)

    @property
    def is_online(self) -> bool:
        return self.mode is ConferenceMode.ONLINE

    def cancel(self, reason: str = "") -> None:
        """Cancel the conference and give its desks back."""
        if self.status is not ConferenceStatus.SCHEDULED:
            raise TransitionError(N_("Only a scheduled case conference can be cancelled."))
        self.status = ConferenceStatus.CANCELLED
        self.cancel_reason = reason
        self.cancelled_dt = clock()
        self.seats.clear()

    def record_outcome(self, text: str, by: StaffUser) -> None:
        """The one outcome note; the conference has then been held."""
        if self.status is not ConferenceStatus.SCHEDULED or self.outcome is not None:
            raise TransitionError(N_("The outcome of this case conference is already recorded."))
        self.outcome = text
        self.outcome_by = by
        self.outcome_dt = clock()
        self.status = ConferenceStatus.HELD

    def __repr__(self) -> str:
        return f"<CaseConference {self.id} {self.status.value}>"
