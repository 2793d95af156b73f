"""The outbox: messages to people, written with the change they tell of, sent by a worker."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.base import UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from consult.models.conferences import CaseConference
    from consult.models.days import ConsultationDay
    from consult.models.visits import Visit
    from consult.models.waitlist import WaitlistEntry


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class MessageKind(enum.StrEnum):
    """What a message tells; each has its own text (see `consult.messages.texts`)."""

    BOOKED = "booked"
    MOVED = "moved"
    CANCELLED = "cancelled"  # the whole visit
    APPOINTMENT_CANCELLED = "appointment_cancelled"
    DAY_CANCELLED = "day_cancelled"
    REPLANNED = "replanned"  # hours changed, the visit moved by staff
    REFERRAL = "referral"
    REMINDER = "reminder"
    OFFER = "offer"  # a seat on the waiting list's wish
    OFFER_EXPIRING = "offer_expiring"
    CONFERENCE_INVITED = "conference_invited"  # to an advisor: a case conference
    CONFERENCE_CANCELLED = "conference_cancelled"


class MessageStatus(enum.StrEnum):
    PENDING = "pending"  # due at `due_dt`; a worker holds it while `claimed_until` is ahead
    SENT = "sent"
    FAILED = "failed"  # given up: refused, or too many tries
    DROPPED = "dropped"  # not sent on purpose: too late, changed meanwhile, daily limit


class Message(db.Model):
    """One message to one recipient on one channel; the dedupe key makes it unique."""

    __tablename__ = "message"
    __table_args__ = (
        sa.Index("ix_message_due", "status", "due_dt"),
        # The daily limit counts what a recipient was sent lately.
        sa.Index("ix_message_recipient_sent", "recipient", "sent_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(enum_type(MessageKind, length=24))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    # Erased by the retention purge with the rest of the person's data.
    recipient: Mapped[str | None] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(5), default="de")
    visit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("visit.id", ondelete="CASCADE"), index=True
    )
    waitlist_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("waitlist_entry.id", ondelete="CASCADE"), index=True
    )
    day_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consultation_day.id"), index=True)
    # A message to an advisor about a case conference carries no visit: the person's
    # pages never list it.
    conference_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("case_conference.id", ondelete="CASCADE"), index=True
    )
    # What the text needs beyond the visit as it is when sent: a reason, the time reminded of.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    dedupe_key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    due_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[MessageStatus] = mapped_column(
        enum_type(MessageStatus), default=MessageStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    # What went out, kept for the staff outbox and the person's visit page until the purge.
    subject: Mapped[str | None] = mapped_column(sa.String(300))
    body: Mapped[str | None] = mapped_column(sa.Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    visit: Mapped[Visit | None] = relationship()
    waitlist_entry: Mapped[WaitlistEntry | None] = relationship()
    day: Mapped[ConsultationDay | None] = relationship()
    conference: Mapped[CaseConference | None] = relationship()
