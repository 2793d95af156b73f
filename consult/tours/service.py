"""Mobile advice tours: stops as mobile consultation days, drives between them, publishing.

Each stop of a tour is a `ConsultationDay` of kind MOBILE at a location, with one
session of the tour's agency; the day stays a draft (not bookable) until the tour
is published. Plain functions over the models: they raise `TourError` (or the
domain errors of the modules they reuse) with an untranslated message; the request
commits.

"Today" comes from `consult.models.today_in`, and so from `consult.models.utcnow`,
which tests replace to set the clock.

This module holds the tours themselves: who manages them, listing, creating and
publishing them. Their parts live beside it: `stops` (adding a stop),
`planning` (a tour's days, drives and a shorter order), `moves` (moving and
cancelling stops), `calendar_stops` (stops from a calendar file) and `demand`
(where people wait).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.errors import N_
from consult.extensions import db
from consult.i18n import format_day
from consult.models import (
    Agency,
    ConsultationDay,
    DayStatus,
    Session,
    StaffUser,
    Topic,
    Tour,
    TourStatus,
    TourStop,
)

# An import `x as x` keeps a name that moved to its own module importable from here.
from consult.permissions import agency_scope as agency_scope
from consult.tours.calendar_stops import match_location as match_location
from consult.tours.demand import demand as demand
from consult.tours.moves import MAX_REASON as MAX_REASON
from consult.tours.planning import TourDay, TourPlan, plan_tour
from consult.tours.routing import DriveCheck, DriveSettings, DriveVerdict
from consult.tours.stops import StopRequest as StopRequest
from consult.tours.stops import TourError, chronological, clock_text, today_at
from consult.tours.stops import add_stop as add_stop
from consult.waitlist import offer_freed_seats

MAX_TITLE = 120
NEXT_STOPS = 3


# --- reading tours ------------------------------------------------------------------------


def _stop_options() -> list:
    day = selectinload(Tour.stops).selectinload(TourStop.day)
    return [
        day.selectinload(ConsultationDay.location),
        day.selectinload(ConsultationDay.sessions).selectinload(Session.topics),
        selectinload(Tour.agency),
        selectinload(Tour.advisor),
    ]


def tours_for(user: StaffUser) -> list[Tour]:
    """The tours a staff member manages, by title."""
    query = sa.select(Tour).options(*_stop_options()).order_by(Tour.title, Tour.id)
    agency_id = agency_scope(user)
    if agency_id is not None:
        query = query.where(Tour.agency_id == agency_id)
    return list(db.session.scalars(query))


def upcoming_stops(tour: Tour, limit: int = NEXT_STOPS) -> list[TourStop]:
    """The next stops that are not cancelled, soonest first."""
    stops = [
        stop
        for stop in tour.stops
        if stop.day.status is not DayStatus.CANCELLED and stop.day.date >= today_at(stop)
    ]
    return sorted(stops, key=chronological)[:limit]


# --- creating tours -----------------------------------------------------------------------


def create_tour(title: str, agency: Agency, advisor: StaffUser) -> Tour:
    """A new draft tour of `agency`; its advisor is the staff member who creates it."""
    title = " ".join((title or "").split())
    if not title:
        raise TourError(N_("Please give the tour a title."))
    if len(title) > MAX_TITLE:
        raise TourError(N_("The title is too long (at most %(max)d characters)."), max=MAX_TITLE)
    tour = Tour(agency=agency, advisor=advisor, title=title, status=TourStatus.DRAFT)
    db.session.add(tour)
    return tour


# --- publishing ---------------------------------------------------------------------------


def _drive_text(plan: TourPlan, day: TourDay, check: DriveCheck) -> str:
    before, after = plan.stop(check.from_key), plan.stop(check.to_key)
    zone = before.location.timezone
    assert before.session is not None and after.session is not None
    return (
        f"{before.location.town} {clock_text(before.session.ends_dt, zone)} → "
        f"{after.location.town} {clock_text(after.session.starts_dt, zone)} "
        f"({format_day(day.date, 'medium')})"
    )


def publish_tour(tour: Tour, settings: DriveSettings) -> list[ConsultationDay]:
    """Open every draft stop from today on for booking and publish the tour.

    Refused while a drive between two stops cannot be made in the time between them.
    """
    if tour.status is TourStatus.CANCELLED:
        raise TourError(N_("This tour is cancelled."))
    plan = plan_tour(tour, settings)
    impossible = plan.drives(DriveVerdict.IMPOSSIBLE)
    if impossible:
        raise TourError(
            N_(
                "The tour cannot be published: there is not enough time to drive "
                "%(drives)s. Please change the times or the order of these stops first."
            ),
            drives="; ".join(_drive_text(plan, day, check) for day, check in impossible),
        )
    ahead = [view for day in plan.days for view in day.stops if not view.over]
    if not ahead:
        raise TourError(N_("Please add a stop from today on before publishing the tour."))
    published = []
    for view in ahead:
        if view.day.status is DayStatus.DRAFT:
            view.day.publish()
            published.append(view.day)
    tour.status = TourStatus.PUBLISHED
    db.session.flush()
    for day in published:
        offer_freed_seats(day)  # people waiting for these towns get the new stops' seats
    return published


def tight_drives(tour: Tour, settings: DriveSettings) -> list[str]:
    """The drives that leave less spare time than `settings.tight_minutes`, as text."""
    plan = plan_tour(tour, settings)
    return [_drive_text(plan, day, check) for day, check in plan.drives(DriveVerdict.TIGHT)]


# --- helpers for the views ----------------------------------------------------------------


def served_topics(agency_id: int | None) -> list[Topic]:
    """Active topics an agency serves (with None: every active topic), in display order."""
    query = sa.select(Topic).where(Topic.active).order_by(Topic.position, Topic.id)
    if agency_id is not None:
        query = query.where(Topic.agencies.any(Agency.id == agency_id))
    return list(db.session.scalars(query))
