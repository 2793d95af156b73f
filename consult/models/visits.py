"""A person's trip to a day: clients, visits, appointments and their state transitions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.errors import N_
from consult.extensions import db
from consult.models.base import (
    TransitionError,
    UTCDateTime,
    clock,
    enum_type,
    new_reference,
    utcnow,
)

if TYPE_CHECKING:
    from consult.models.days import ConsultationDay
    from consult.models.notes import Consent
    from consult.models.places import Agency, Topic
    from consult.models.sessions import Seat, Session
    from consult.models.staff import StaffUser
    from consult.models.waitlist import WaitlistEntry


class VisitStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class VisitOrigin(enum.StrEnum):
    """How a visit came about: booked ahead, at the desk, by a referral or from the waiting list."""

    BOOKED = "booked"  # ahead of the day, by the person (web, API) or for them by staff
    WALK_IN = "walk_in"
    REFERRAL = "referral"
    WAITLIST = "waitlist"


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    IN_CONSULTATION = "in_consultation"
    DONE = "done"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


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
    # The booking asked for a language mediator; who accompanies the person, if anyone.
    mediator_wanted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    mediator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    walk_in: Mapped[bool] = mapped_column(default=False)
    origin: Mapped[VisitOrigin] = mapped_column(
        enum_type(VisitOrigin), default=VisitOrigin.BOOKED, server_default=VisitOrigin.BOOKED.value
    )
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
    # The person asked for no more messages about this visit.
    messages_stopped: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Seats held for a waiting-list offer until then; None once accepted (or never offered).
    offer_expires_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlist_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("waitlist_entry.id", ondelete="SET NULL"), index=True
    )
    # A family's visit: each member's visit points to the lead's, whose reference and
    # contact the group shares (None for a visit of one person and for the lead).
    group_lead_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("visit.id", ondelete="CASCADE"), index=True
    )

    day: Mapped[ConsultationDay] = relationship(back_populates="visits")
    group_lead: Mapped[Visit | None] = relationship(
        remote_side=[id], back_populates="members", foreign_keys=[group_lead_id]
    )
    members: Mapped[list[Visit]] = relationship(
        back_populates="group_lead", foreign_keys=[group_lead_id], order_by="Visit.id"
    )
    waitlist_entry: Mapped[WaitlistEntry | None] = relationship()
    mediator: Mapped[StaffUser | None] = relationship()
    client: Mapped[Client | None] = relationship(back_populates="visits")
    topics: Mapped[list[Topic]] = relationship(secondary=visit_topic)
    appointments: Mapped[list[Appointment]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="Appointment.starts_dt"
    )
    # The consents to share only; consents for a case conference are the conference's.
    consents: Mapped[list[Consent]] = relationship(
        back_populates="visit",
        cascade="all, delete-orphan",
        order_by="Consent.recorded_dt",
        primaryjoin="and_(Visit.id == Consent.visit_id, Consent.purpose == 'share')",
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
            self._end(reason)

    @property
    def group_appointments(self) -> list[Appointment]:
        """The active appointments of everybody in the visit's family (its own when alone)."""
        return [a for person in self.group for a in person.active_appointments]

    @property
    def group(self) -> list[Visit]:
        """The visits of the family this visit belongs to, lead first (just itself when alone)."""
        lead = self.group_lead or self
        return [lead, *lead.members]

    def cancel(self, reason: str = "") -> None:
        """Cancel the whole visit and free every seat it holds; a lead's cancels the family's."""
        if self.status is VisitStatus.CANCELLED:
            raise TransitionError(N_("This visit is already cancelled."))
        for appointment in self.appointments:
            if appointment.status is AppointmentStatus.BOOKED:
                appointment.cancel(reason)
        self._end(reason)
        for member in self.members:
            if member.status is VisitStatus.BOOKED:
                member.cancel(reason)

    def _end(self, reason: str) -> None:
        self.status = VisitStatus.CANCELLED
        self.cancel_reason = reason
        self.cancelled_dt = clock()

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
    # The agency whose advisor referred the person to this appointment, if one did.
    referred_by_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    checked_in_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Indexed: the statistics fold again the days whose appointments changed since.
    updated_dt: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, index=True
    )
    # A family member's place in an appointment shared with others (a Jobcenter household
    # appointment): the appointment that holds the desk. A companion holds no seats of its
    # own, has the same time, desk and room, and is cancelled with the shared appointment.
    shared_with_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )

    visit: Mapped[Visit] = relationship(back_populates="appointments")
    session: Mapped[Session] = relationship()
    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    topics: Mapped[list[Topic]] = relationship(secondary=appointment_topic)
    seats: Mapped[list[Seat]] = relationship(
        back_populates="appointment", cascade="all, delete-orphan"
    )
    shared_with: Mapped[Appointment | None] = relationship(
        remote_side=[id], back_populates="companions", foreign_keys=[shared_with_id]
    )
    companions: Mapped[list[Appointment]] = relationship(
        back_populates="shared_with", foreign_keys=[shared_with_id], order_by="Appointment.id"
    )

    __table_args__ = (sa.CheckConstraint("ends_dt > starts_dt", name="interval"),)

    @property
    def sharing(self) -> list[Appointment]:
        """The family's places in a shared appointment, the desk's holder first (else itself)."""
        holder = self.shared_with or self
        return [
            holder,
            *(c for c in holder.companions if c.status is not AppointmentStatus.CANCELLED),
        ]

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
        self.checked_in_dt = clock()

    def undo_check_in(self) -> None:
        """Correct a check-in made by mistake."""
        self._move_to(AppointmentStatus.BOOKED)
        self.checked_in_dt = None

    def call_in(self) -> None:
        """The advisor calls the person into the consultation."""
        self._move_to(AppointmentStatus.IN_CONSULTATION)
        self.called_dt = clock()

    def finish(self) -> None:
        """The consultation is over."""
        self._move_to(AppointmentStatus.DONE)
        self.done_dt = clock()

    def mark_no_show(self) -> None:
        """The person did not come; the seat stays used, the time is gone."""
        self._move_to(AppointmentStatus.NO_SHOW)

    def cancel(self, reason: str = "") -> None:
        """Cancel and give the seats back at once."""
        self._move_to(AppointmentStatus.CANCELLED)
        self.cancel_reason = reason
        self.cancelled_dt = clock()
        self.seats.clear()
        # The family members who shared this appointment lose their place in it too.
        for companion in self.companions:
            if AppointmentStatus.CANCELLED in APPOINTMENT_TRANSITIONS[companion.status]:
                companion.visit.cancel_appointment(companion, reason)
