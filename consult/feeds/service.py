"""What the calendar feeds hold, and their version without building them.

A staff member's secret feed: an advisor gets their tour stops and their
agency's hours on joint days, with every appointment booked in those hours;
front desk and coordinators get one event per day at their locations. A
location's public feed lists its published days and mobile stops with no
personal data at all.

Clients poll feeds every few minutes. The version of a feed (its ETag and
Last-Modified) comes from one aggregate query over the rows in scope -- counts,
sums of ids and the latest `updated_dt` -- so an unchanged feed is answered
with 304 without loading a single event.

This module holds the secret addresses, the feed settings and the builders;
`scope` says which rows a feed covers and computes its version, `events` turns
rows into calendar events. Their public names are re-exported here.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, selectinload

from consult import audit
from consult.extensions import db
from consult.feeds.events import (
    advisor_events,
    language_name,
    public_day_event,
    sequence_of,
    staff_day_events,
)
from consult.feeds.scope import (
    DAYS_BACK,
    FEED_FORMAT,
    PUBLIC_DAY_STATES,
    PUBLIC_SESSION_STATES,
    FeedVersion,
    lists_appointments,
    location_feed_version,
    public_days,
    shows_names,
    staff_feed_version,
    window_start,
)
from consult.ical import build_calendar
from consult.models import ConsultationDay, Location, Role, Session, StaffUser

__all__ = [
    "DAYS_BACK",
    "FEED_FORMAT",
    "PUBLIC_DAY_STATES",
    "PUBLIC_SESSION_STATES",
    "REFRESH_MINUTES",
    "FeedVersion",
    "language_name",
    "lists_appointments",
    "location_feed",
    "location_feed_version",
    "public_location",
    "regenerate_token",
    "sequence_of",
    "set_names_shown",
    "shows_names",
    "staff_by_token",
    "staff_feed",
    "staff_feed_version",
    "window_start",
]

REFRESH_MINUTES = 15
_MAX_TOKEN = 64


def staff_by_token(token: str) -> StaffUser | None:
    """The active staff member whose feed has this secret, if any."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    return db.session.scalar(
        sa.select(StaffUser).where(StaffUser.feed_token == token, StaffUser.active)
    )


def agency_staff_by_token(token: str) -> StaffUser | None:
    """As `staff_by_token`, but never a language mediator (they have a feed of their own)."""
    user = staff_by_token(token)
    return None if user is None or user.role is Role.MEDIATOR else user


def public_location(slug: str) -> Location | None:
    """The active location with this slug, if any."""
    return db.session.scalar(sa.select(Location).where(Location.slug == slug, Location.active))


def regenerate_token(user: StaffUser) -> None:
    """Give the staff member's feed a new secret address; the old one is dead (caller commits)."""
    user.regenerate_feed_token()  # the audit log records it as it is flushed


def set_names_shown(user: StaffUser, shown: bool) -> None:
    """Opt in to, or out of, names and contacts in the staff member's own feed (caller commits)."""
    if user.feed_shows_names != shown:
        user.feed_shows_names = shown
        audit.record(user, "feed.names", "staff_user", user.id, shown=shown)


# ---------------------------------------------------------------- building the feeds


def staff_feed(user: StaffUser, today: date, zone: str, version: FeedVersion) -> bytes:
    """The staff member's feed as iCalendar, in their language."""
    start = window_start(today)
    with force_locale(user.language):
        if user.role is Role.ADVISOR:
            events = advisor_events(user, start)
        else:
            events = staff_day_events(user, start)
        name = _("My consultation calendar")
        return build_calendar(
            events,
            name=name,
            tz=zone,
            refresh_minutes=REFRESH_MINUTES,
            stamp=version.last_modified,
        )


def location_feed(location: Location, today: date, language: str, version: FeedVersion) -> bytes:
    """A location's public feed: its days and stops, and nothing about any person."""
    days = db.session.scalars(
        public_days(location, window_start(today))
        .options(
            contains_eager(ConsultationDay.location),
            selectinload(ConsultationDay.sessions).joinedload(Session.agency),
        )
        .order_by(ConsultationDay.date, ConsultationDay.id)
    ).all()
    with force_locale(language):
        events = [event for day in days if (event := public_day_event(day)) is not None]
        name = _("Consultation days at %(location)s", location=location.name)
        return build_calendar(
            events,
            name=name,
            tz=location.timezone,
            refresh_minutes=REFRESH_MINUTES,
            stamp=version.last_modified,
        )
