"""Who advises, where, and on what: agencies, locations and topics."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.base import (
    Localized,
    UTCDateTime,
    localized,
    localized_text,
    new_feed_token,
    utcnow,
)

if TYPE_CHECKING:
    from consult.models.days import ConsultationDay


def _setting(name: str) -> Any:
    return current_app.config[name]


def _texts() -> Mapped[dict[str, str]]:
    """A text in several languages (language code -> text); '{}' for rows made before it."""
    return mapped_column(sa.JSON, default=dict, server_default=sa.text("'{}'"))


topic_agency = sa.Table(
    "topic_agency",
    db.metadata,
    sa.Column("topic_id", sa.ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
)


class Agency(db.Model):
    """An organisation that advises (Jobcenter, immigration office, …)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    short_name: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    website: Mapped[str] = mapped_column(sa.String(200), default="")
    color: Mapped[str] = mapped_column(sa.String(7), default="#3b5b92")

    topics: Mapped[list[Topic]] = relationship(secondary=topic_agency, back_populates="agencies")

    def __repr__(self) -> str:
        return f"<Agency {self.slug}>"

    def description_in(self, locale: str) -> Localized:
        """Who the agency helps with what, in `locale` or else in German."""
        return localized_text(self.description, locale)


class Location(db.Model):
    """A building or room where consultation days take place."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    street: Mapped[str] = mapped_column(sa.String(120))
    postcode: Mapped[str] = mapped_column(sa.String(10))
    town: Mapped[str] = mapped_column(sa.String(80), index=True)
    latitude: Mapped[float] = mapped_column(sa.Float)
    longitude: Mapped[float] = mapped_column(sa.Float)
    timezone: Mapped[str] = mapped_column(
        sa.String(40), default=lambda: _setting("CONSULT_TIMEZONE")
    )
    changeover_minutes: Mapped[int] = mapped_column(
        default=lambda: _setting("CONSULT_CHANGEOVER_MINUTES")
    )
    # Practical information for the person, each as language -> text.
    accessibility_notes: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    directions: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    parking: Mapped[dict[str, str]] = _texts()
    opening: Mapped[dict[str, str]] = _texts()  # when the building's doors open
    active: Mapped[bool] = mapped_column(default=True)
    feed_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_feed_token)
    # Calendar feeds carry the address: their version and SEQUENCE must see it change.
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    days: Mapped[list[ConsultationDay]] = relationship(back_populates="location")

    __table_args__ = (
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        sa.CheckConstraint("changeover_minutes BETWEEN 0 AND 60", name="changeover"),
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def address(self) -> str:
        return f"{self.name}, {self.street}, {self.postcode} {self.town}"

    def directions_in(self, locale: str) -> Localized:
        """How to get there by bus and train, in `locale` or else in German."""
        return localized_text(self.directions, locale)

    def parking_in(self, locale: str) -> Localized:
        """Where to park, in `locale` or else in German."""
        return localized_text(self.parking, locale)

    def accessibility_in(self, locale: str) -> Localized:
        """Steps, lift, toilets, in `locale` or else in German."""
        return localized_text(self.accessibility_notes, locale)

    def opening_in(self, locale: str) -> Localized:
        """When the doors open, in `locale` or else in German."""
        return localized_text(self.opening, locale)

    def __repr__(self) -> str:
        return f"<Location {self.slug}>"


class Topic(db.Model):
    """What a person needs help with; served by one or more agencies."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    icon: Mapped[str] = mapped_column(sa.String(16), default="")
    phase: Mapped[int] = mapped_column(sa.SmallInteger)
    default_minutes: Mapped[int] = mapped_column(default=20)
    names: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    explanations: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    bring: Mapped[dict[str, str]] = _texts()  # which papers to bring
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    agencies: Mapped[list[Agency]] = relationship(secondary=topic_agency, back_populates="topics")

    __table_args__ = (
        sa.CheckConstraint("phase BETWEEN 1 AND 5", name="phase"),
        sa.CheckConstraint("default_minutes BETWEEN 5 AND 240", name="default_minutes"),
    )

    def name_in(self, locale: str) -> str:
        """The topic's name in `locale`, or in English or German when missing."""
        return localized(self.names, locale, self.slug)

    def explanation_in(self, locale: str) -> str:
        """The one-line explanation in `locale`, with the same fallbacks."""
        return localized(self.explanations, locale)

    def bring_in(self, locale: str) -> Localized:
        """What to bring for this topic, in `locale` or else in German."""
        return localized_text(self.bring, locale)

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"
