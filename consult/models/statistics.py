"""Anonymous daily counts that the statistics read: no name, no contact, no note, no id.

Each row counts (`n`) the visits or appointments of one consultation day that share
every other column. `consult.statistics.folding` writes them from the live rows of the
days that changed; the retention purge folds the days it is about to erase first, so a
period's figures are the same before and after the purge.

Visits and appointments are counted once in `stat_visit` and `stat_appointment`, whose
`topics_key` (",3,7,") lets a topic be chosen; the `…_topic` tables count them once per
topic asked for, for the figures by topic.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.models.base import UTCDateTime


def _day_column() -> Mapped[int]:
    return mapped_column(sa.ForeignKey("consultation_day.id", ondelete="CASCADE"), index=True)


class StatVisit(db.Model):
    """Visits of one day with the same language, origin, outcome, agencies and topics."""

    __tablename__ = "stat_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = _day_column()
    on: Mapped[date]
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("location.id"))
    kind: Mapped[str] = mapped_column(sa.String(10))
    language: Mapped[str] = mapped_column(sa.String(5))
    interpreter: Mapped[bool]
    # A language mediator accompanied the visit.
    mediator: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    origin: Mapped[str] = mapped_column(sa.String(10))
    # booked, cancelled; for waiting-list offers also offer_open, offer_expired, offer_declined
    outcome: Mapped[str] = mapped_column(sa.String(16))
    # Agencies the visit kept (not cancelled), and all it ever had as ",1,4," for filters.
    agencies: Mapped[int] = mapped_column(sa.SmallInteger)
    agencies_key: Mapped[str] = mapped_column(sa.String(200))
    topics_key: Mapped[str] = mapped_column(sa.String(200))  # ",3,7,": the topics asked for
    appointments: Mapped[int] = mapped_column(sa.SmallInteger)
    # From the first appointment's start to the last one's end, in minutes.
    site_minutes: Mapped[int]
    # A waiting-list offer: whole days from joining the list to the day of the visit.
    wait_days: Mapped[int | None]
    n: Mapped[int]

    __table_args__ = (sa.Index("ix_stat_visit_on_location", "on", "location_id"),)


class StatVisitTopic(db.Model):
    """Visits of one day asking for one topic (a visit for two topics counts for each)."""

    __tablename__ = "stat_visit_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = _day_column()
    on: Mapped[date]
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("location.id"))
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    agencies_key: Mapped[str] = mapped_column(sa.String(200))
    n: Mapped[int]

    __table_args__ = (sa.Index("ix_stat_visit_topic_on_location", "on", "location_id"),)


class StatAppointment(db.Model):
    """Appointments of one day with the same agency, topics, state and lead time."""

    __tablename__ = "stat_appointment"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = _day_column()
    on: Mapped[date]
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("location.id"))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    topics_key: Mapped[str] = mapped_column(sa.String(200))
    origin: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(16))
    # Whole days from booking to the appointment, and from cancelling to it.
    lead_days: Mapped[int]
    cancel_lead_days: Mapped[int | None]
    referred_by_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    n: Mapped[int]
    minutes: Mapped[int]  # the sum over the counted appointments

    __table_args__ = (sa.Index("ix_stat_appointment_on_location", "on", "location_id"),)


class StatAppointmentTopic(db.Model):
    """Appointments of one day for one topic, by agency, state and lead time."""

    __tablename__ = "stat_appointment_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = _day_column()
    on: Mapped[date]
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("location.id"))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(16))
    lead_days: Mapped[int]
    n: Mapped[int]

    __table_args__ = (sa.Index("ix_stat_appointment_topic_on_location", "on", "location_id"),)


class StatCapacity(db.Model):
    """One agency's offered and booked time on one day."""

    __tablename__ = "stat_capacity"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = _day_column()
    on: Mapped[date]
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("location.id"))
    kind: Mapped[str] = mapped_column(sa.String(10))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    offered_minutes: Mapped[int]
    booked_minutes: Mapped[int]
    # Desk slots offered, and those no appointment held.
    slots: Mapped[int]
    unused_slots: Mapped[int]

    __table_args__ = (sa.Index("ix_stat_capacity_on_location", "on", "location_id"),)


class StatStaleDay(db.Model):
    """A day changed since its counts were made: the next fold makes them again."""

    __tablename__ = "stat_stale_day"

    day_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_day.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(sa.BigInteger)


class StatFold(db.Model):
    """When the counts were last brought up to date (one row; none before the first fold)."""

    __tablename__ = "stat_fold"

    id: Mapped[int] = mapped_column(primary_key=True)
    folded_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    # The retention purge erased the days before this date: their counts are final.
    purged_before: Mapped[date | None]
