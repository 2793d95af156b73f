"""Mobile advice tours: stops as mobile consultation days, drives between them, publishing.

Each stop of a tour is a `ConsultationDay` of kind MOBILE at a location, with one
session of the tour's agency; the day stays a draft (not bookable) until the tour
is published. Plain functions over the models: they raise `TourError` (or the
domain errors of the modules they reuse) with an untranslated message and leave
committing to the caller — except moving a visit, which books through
`book_visit`, and that commits.

"Today" comes from `consult.models.today_in`, and so from `consult.models.utcnow`,
which tests replace to set the clock.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.config import LANGUAGES
from consult.coordination.service import (
    LocationFields,
    booked_visits,
    cancel_day,
    save_location,
)
from consult.days import Hours, add_session
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.hours.service import booked_counts
from consult.i18n import format_day
from consult.itineraries import plans_for_day
from consult.models import (
    Agency,
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    Role,
    Session,
    SessionStatus,
    StaffUser,
    Topic,
    Tour,
    TourStatus,
    TourStop,
    Visit,
    VisitStatus,
    WaitlistEntry,
    WaitlistStatus,
    today_in,
)
from consult.slots import generate_slots, local_to_utc
from consult.tours.importing import HORIZON_DAYS
from consult.tours.routing import (
    MAX_EXACT,
    DriveCheck,
    DriveSettings,
    DriveVerdict,
    StopTimes,
    best_order,
    check_drives,
    distance_km,
    total_km,
)
from consult.visits import BookingRequest, Contact, book_visit

MAX_TITLE = 120
MAX_REASON = 300
# A new order is suggested only when it saves at least this many road kilometres.
MIN_SAVING_KM = 1.0
NEXT_STOPS = 3
# Mobile advisors see one person at a time.
DESKS = 1


class TourError(DomainError):
    """The tour cannot be changed as asked; nothing was written."""


# --- who may do what ----------------------------------------------------------------------


def may_manage(user: StaffUser, tour: Tour) -> bool:
    """Advisors manage the tours of their own agency; coordinators and admins every tour."""
    if user.has_role(Role.COORDINATOR):
        return True
    return user.role is Role.ADVISOR and user.agency_id == tour.agency_id


def agency_scope(user: StaffUser) -> int | None:
    """The agency whose tours and topics a staff member sees; None means every agency."""
    return None if user.has_role(Role.COORDINATOR) else user.agency_id


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


def stop_session(stop: TourStop) -> Session | None:
    """The tour agency's hours at a stop (None once they are withdrawn)."""
    sessions = [
        s
        for s in stop.day.sessions
        if s.agency_id == stop.tour.agency_id and s.status is not SessionStatus.WITHDRAWN
    ]
    return min(sessions, key=lambda s: s.starts_dt) if sessions else None


def _today(stop: TourStop) -> date:
    return today_in(stop.day.location.timezone)


def upcoming_stops(tour: Tour, limit: int = NEXT_STOPS) -> list[TourStop]:
    """The next stops that are not cancelled, soonest first."""
    stops = [
        stop
        for stop in tour.stops
        if stop.day.status is not DayStatus.CANCELLED and stop.day.date >= _today(stop)
    ]
    return sorted(stops, key=_chronological)[:limit]


def _chronological(stop: TourStop) -> tuple[date, datetime, int]:
    session = stop_session(stop)
    starts = session.starts_dt if session is not None else None
    # Stops without hours sort after the others of their date.
    return (stop.day.date, starts or datetime.max.replace(tzinfo=UTC), stop.id)


@dataclass(frozen=True)
class StopView:
    """One stop as the tour page shows it."""

    stop: TourStop
    session: Session | None
    bookings: int

    @property
    def day(self) -> ConsultationDay:
        return self.stop.day

    @property
    def location(self) -> Location:
        return self.stop.day.location

    @property
    def cancelled(self) -> bool:
        return self.stop.day.status is DayStatus.CANCELLED

    @property
    def over(self) -> bool:
        return self.stop.day.date < _today(self.stop)

    def times(self) -> StopTimes | None:
        if self.session is None:
            return None
        return StopTimes(
            key=self.stop.id,
            point=(self.location.latitude, self.location.longitude),
            starts_dt=self.session.starts_dt,
            ends_dt=self.session.ends_dt,
        )


@dataclass(frozen=True)
class Suggestion:
    """A shorter order for the stops of a day: the stops in that order and the km it saves."""

    stop_ids: tuple[int, ...]
    towns: tuple[str, ...]
    saved_km: int

    @property
    def token(self) -> str:
        return ",".join(str(stop_id) for stop_id in self.stop_ids)


@dataclass(frozen=True)
class TourDay:
    """The stops of a tour on one date, the drives between them and a shorter order."""

    date: date
    stops: tuple[StopView, ...]  # in the order they take place, without cancelled ones
    drives: dict[int, DriveCheck]  # the drive that arrives at a stop, by the stop's id
    suggestion: Suggestion | None

    @property
    def over(self) -> bool:
        return all(view.over for view in self.stops)

    @property
    def bookings(self) -> int:
        return sum(view.bookings for view in self.stops)


@dataclass(frozen=True)
class TourPlan:
    """A tour read for its page: its days, and the stops that were cancelled."""

    tour: Tour
    days: tuple[TourDay, ...]
    cancelled: tuple[StopView, ...]

    def drives(self, verdict: DriveVerdict) -> list[tuple[TourDay, DriveCheck]]:
        return [
            (day, check)
            for day in self.days
            for check in day.drives.values()
            if check.verdict is verdict
        ]

    def stop(self, stop_id: int) -> StopView:
        return next(view for day in self.days for view in day.stops if view.stop.id == stop_id)


def plan_tour(tour: Tour, settings: DriveSettings) -> TourPlan:
    """The tour's stops grouped by date, with drive checks and order suggestions."""
    sessions = {stop.id: stop_session(stop) for stop in tour.stops}
    counts = booked_counts(s.id for stop in tour.stops for s in stop.day.sessions)
    views = [
        StopView(
            stop=stop,
            session=sessions[stop.id],
            bookings=sum(counts.get(s.id, 0) for s in stop.day.sessions),
        )
        for stop in sorted(tour.stops, key=_chronological)
    ]
    by_date: dict[date, list[StopView]] = defaultdict(list)
    for view in views:
        if not view.cancelled:
            by_date[view.day.date].append(view)
    days = tuple(_tour_day(on, by_date[on], settings) for on in sorted(by_date))
    return TourPlan(tour=tour, days=days, cancelled=tuple(view for view in views if view.cancelled))


def _tour_day(on: date, stops: list[StopView], settings: DriveSettings) -> TourDay:
    timed = [view for view in stops if view.session is not None]
    zone = stops[0].location.timezone
    times = [stop_times for view in timed if (stop_times := view.times()) is not None]
    checks = check_drives(times, settings, zone)
    return TourDay(
        date=on,
        stops=tuple(stops),
        drives={check.to_key: check for check in checks},
        suggestion=_suggestion(timed, settings),
    )


def _suggestion(timed: list[StopView], settings: DriveSettings) -> Suggestion | None:
    if not 2 <= len(timed) <= MAX_EXACT:
        return None
    points = [(view.location.latitude, view.location.longitude) for view in timed]
    order = best_order(points)
    current = tuple(range(len(points)))
    saved = (total_km(points, current) - total_km(points, order)) * settings.road_factor
    if order == current or saved < MIN_SAVING_KM:
        return None
    return Suggestion(
        stop_ids=tuple(timed[i].stop.id for i in order),
        towns=tuple(timed[i].location.town for i in order),
        saved_km=round(saved),
    )


# --- creating tours and stops -------------------------------------------------------------


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


@dataclass(frozen=True)
class StopRequest:
    """Where and when a new stop takes place and what it offers (local date and times)."""

    date: date
    starts: time
    ends: time
    slot_minutes: int
    topic_ids: tuple[int, ...]
    languages: tuple[str, ...]
    interpreter: bool = False
    location_id: int | None = None
    new_location: LocationFields | None = None


def _clock(value: time | datetime, zone: str | None = None) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(zone or "UTC"))
    return value.strftime("%H:%M")


def _location_for(request: StopRequest) -> Location | None:
    """The chosen existing location, or None when a new one is to be made."""
    if request.location_id is None:
        if request.new_location is None:
            raise TourError(N_("Please choose a location or enter a new one."))
        return None
    location = db.session.get(Location, request.location_id)
    if location is None or not location.active:
        raise TourError(N_("This location is not offered any more. Please choose another one."))
    return location


def _served_topics(agency: Agency, topic_ids: Iterable[int]) -> list[Topic]:
    wanted = set(topic_ids)
    if not wanted:
        raise TourError(N_("Please choose at least one topic that you serve."))
    found = list(
        db.session.scalars(
            sa.select(Topic)
            .where(Topic.id.in_(wanted))
            .options(selectinload(Topic.agencies))
            .order_by(Topic.position, Topic.id)
        )
    )
    if len(found) != len(wanted):
        raise TourError(N_("One of the chosen topics does not exist."))
    for topic in found:
        if not topic.active or all(a.id != agency.id for a in topic.agencies):
            raise TourError(
                N_("%(agency)s does not serve the topic %(topic)s."),
                agency=agency.name,
                topic=topic.slug,
            )
    return found


def _check_window(request: StopRequest, zone: str) -> tuple[datetime, datetime]:
    """The stop's window in UTC, or TourError/SlotError saying why it cannot be cut into slots."""
    if request.ends <= request.starts:
        raise TourError(
            N_("The stop must end after it starts (%(start)s to %(end)s)."),
            start=_clock(request.starts),
            end=_clock(request.ends),
        )
    specs = generate_slots(
        request.date, request.starts, request.ends, request.slot_minutes, DESKS, (), zone
    )
    starts_dt = local_to_utc(request.date, request.starts, zone)
    ends_dt = local_to_utc(request.date, request.ends, zone)
    if not specs:
        raise TourError(
            N_("From %(start)s to %(end)s is too short for one %(minutes)d-minute slot."),
            start=_clock(request.starts),
            end=_clock(request.ends),
            minutes=request.slot_minutes,
        )
    if specs[-1].ends_dt != ends_dt:
        earlier = specs[-1].ends_dt
        raise TourError(
            N_(
                "From %(start)s to %(end)s does not divide into %(minutes)d-minute slots. "
                "Please end at %(earlier)s or %(later)s, or choose another slot length."
            ),
            start=_clock(request.starts),
            end=_clock(request.ends),
            minutes=request.slot_minutes,
            earlier=_clock(earlier, zone),
            later=_clock(earlier + timedelta(minutes=request.slot_minutes), zone),
        )
    return starts_dt, ends_dt


def _check_languages(languages: Sequence[str]) -> None:
    if not languages:
        raise TourError(N_("Please choose at least one language."))
    if any(code not in LANGUAGES for code in languages):
        raise TourError(N_("Please choose one of the offered languages."))


def _check_no_overlap(
    advisor: StaffUser, starts_dt: datetime, ends_dt: datetime, ignore_day_ids: set[int]
) -> None:
    """TourError when the advisor is somewhere else during this time."""
    clash = db.session.execute(
        sa.select(Session, ConsultationDay)
        .join(ConsultationDay, Session.day_id == ConsultationDay.id)
        .where(
            Session.advisor_id == advisor.id,
            Session.status != SessionStatus.WITHDRAWN,
            ConsultationDay.status != DayStatus.CANCELLED,
            ConsultationDay.id.not_in(ignore_day_ids or {0}),
            Session.starts_dt < ends_dt,
            Session.ends_dt > starts_dt,
        )
        .order_by(Session.starts_dt)
        .limit(1)
    ).first()
    if clash is not None:
        session, day = clash
        zone = day.location.timezone
        raise TourError(
            N_(
                "This overlaps another stop of %(advisor)s on this day: %(place)s, "
                "%(start)s to %(end)s."
            ),
            advisor=advisor.name,
            place=f"{day.location.name}, {day.location.town}",
            start=_clock(session.starts_dt, zone),
            end=_clock(session.ends_dt, zone),
        )


def add_stop(
    tour: Tour,
    request: StopRequest,
    *,
    publish: bool = False,
    ignore_day_ids: Iterable[int] = (),
) -> TourStop:
    """Add a stop (a draft unless `publish`); every check comes before anything is written."""
    if tour.status is TourStatus.CANCELLED:
        raise TourError(N_("This tour is cancelled."))
    location = _location_for(request)
    if location is not None:
        zone = location.timezone
    else:
        assert request.new_location is not None
        zone = request.new_location.timezone
    if request.date < today_in(zone):
        raise TourError(
            N_("The date %(date)s is in the past. Please choose today or a later date."),
            date=request.date.isoformat(),
        )
    starts_dt, ends_dt = _check_window(request, zone)
    _check_languages(request.languages)
    topics = _served_topics(tour.agency, request.topic_ids)
    _check_no_overlap(tour.advisor, starts_dt, ends_dt, set(ignore_day_ids))
    if location is None:
        assert request.new_location is not None
        location = save_location(None, request.new_location)
    day = ConsultationDay(
        location=location,
        date=request.date,
        kind=DayKind.MOBILE,
        status=DayStatus.DRAFT,
        title=tour.title[:120],
    )
    db.session.add(day)
    add_session(
        day,
        tour.agency,
        Hours(
            starts=request.starts,
            ends=request.ends,
            slot_minutes=request.slot_minutes,
            desks=DESKS,
            languages=tuple(request.languages),
            interpreter=request.interpreter,
        ),
        topics,
        advisor=tour.advisor,
        publish=True,
    )
    with db.session.no_autoflush:
        # The stop must join the session with its day, not be flushed before it has a tour.
        stop = TourStop(day=day)
        tour.stops.append(stop)
    if publish:
        day.publish()
    db.session.flush()
    _renumber(tour)
    return stop


def _renumber(tour: Tour) -> None:
    for position, stop in enumerate(sorted(tour.stops, key=_chronological)):
        stop.position = position


# --- reordering a day ---------------------------------------------------------------------


def reorder_day(tour: Tour, on: date, stop_ids: Sequence[int]) -> list[str]:
    """Give the day's time windows, in their order, the locations of the stops in `stop_ids`.

    The windows (times, topics, languages) stay; the locations swap. Only while nobody
    has booked any stop of the day: a booking is for a place as much as for a time.
    Returns the towns in their new order.
    """
    timed = [
        stop
        for stop in sorted(tour.stops, key=_chronological)
        if stop.day.date == on
        and stop.day.status is not DayStatus.CANCELLED
        and stop_session(stop) is not None
    ]
    if sorted(stop_ids) != sorted(stop.id for stop in timed) or len(timed) < 2:
        raise TourError(
            N_("The stops of this day have changed meanwhile. Please look at the order again.")
        )
    if on < _today(timed[0]):
        raise TourError(N_("This day is over; its stops cannot be changed any more."))
    counts = booked_counts(s.id for stop in timed for s in stop.day.sessions)
    booked = sum(counts.values())
    if booked:
        raise TourError(
            N_(
                "The order cannot be changed because %(num)d appointments are booked on this "
                "day. People booked a place, not only a time: please move single stops "
                "instead, so that each booking is handled."
            ),
            num=booked,
        )
    if len({stop.day.location.timezone for stop in timed}) > 1:
        raise TourError(N_("The stops of this day lie in different time zones."))
    locations = {stop.id: stop.day.location for stop in timed}
    for window, stop_id in zip(timed, stop_ids, strict=True):
        window.day.location = locations[stop_id]
    db.session.flush()
    _renumber(tour)
    return [locations[stop_id].town for stop_id in stop_ids]


# --- publishing ---------------------------------------------------------------------------


def _drive_text(plan: TourPlan, day: TourDay, check: DriveCheck) -> str:
    before, after = plan.stop(check.from_key), plan.stop(check.to_key)
    zone = before.location.timezone
    assert before.session is not None and after.session is not None
    return (
        f"{before.location.town} {_clock(before.session.ends_dt, zone)} → "
        f"{after.location.town} {_clock(after.session.starts_dt, zone)} "
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
    return published


def tight_drives(tour: Tour, settings: DriveSettings) -> list[str]:
    """The drives that leave less spare time than `settings.tight_minutes`, as text."""
    plan = plan_tour(tour, settings)
    return [_drive_text(plan, day, check) for day, check in plan.drives(DriveVerdict.TIGHT)]


# --- moving and cancelling stops ----------------------------------------------------------


def check_open(stop: TourStop) -> None:
    """TourError when a stop is cancelled or over."""
    if stop.day.status is DayStatus.CANCELLED:
        raise TourError(N_("This stop is cancelled."))
    if stop.day.date < _today(stop):
        raise TourError(N_("This stop is over; it cannot be changed any more."))


def move_stop(stop: TourStop, request: StopRequest) -> TourStop:
    """The stop at its new date or place: a new stop, published if the tour is.

    The old stop stays until its bookings are moved or cancelled (see `move_visit`).
    """
    check_open(stop)
    return add_stop(
        stop.tour,
        request,
        publish=stop.tour.status is TourStatus.PUBLISHED,
        ignore_day_ids={stop.day_id},
    )


def _booked_visit(stop: TourStop, visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.day_id != stop.day_id or visit.status is not VisitStatus.BOOKED:
        raise TourError(N_("This booking is not on the old stop any more."))
    return visit


def move_visit(old: TourStop, new: TourStop, visit_id: int, *, now: datetime) -> Visit:
    """Move a visit from the old stop to the best free time at the new one (commits).

    The visit keeps its reference; its old appointments are freed only if the new
    ones are booked.
    """
    check_open(old)
    check_open(new)
    visit = _booked_visit(old, visit_id)
    if not new.day.is_bookable:
        raise TourError(
            N_("The new stop is not open for booking yet. Please publish the tour first.")
        )
    result = plans_for_day(new.day, visit.topics, language=visit.language, limit=1, now=now)
    if not result.plans:
        raise TourError(
            N_(
                "No free time at the new stop fits the visit %(reference)s. Please cancel it "
                "with a reason, or give the new stop more time."
            ),
            reference=visit.reference,
        )
    plan = result.plans[0]
    return book_visit(
        BookingRequest(
            day_id=new.day_id,
            appointments=plan.appointments,
            contact=Contact(
                name=visit.name or visit.reference,
                phone=visit.phone,
                email=visit.email,
                language=visit.language,
                interpreter_wanted=visit.interpreter_wanted,
            ),
            topic_ids=[topic.id for topic in visit.topics],
            visit_id=visit.id,
        )
    )


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise TourError(N_("Please give a reason; the person will be told."))
    if len(reason) > MAX_REASON:
        raise TourError(N_("The reason is too long (at most %(max)d characters)."), max=MAX_REASON)
    return reason


def cancel_visit(stop: TourStop, visit_id: int, reason: str) -> Visit:
    """Cancel one visit at a stop with a reason the person will see (the caller commits)."""
    reason = _clean_reason(reason)
    check_open(stop)
    visit = _booked_visit(stop, visit_id)
    visit.cancel(reason)
    return visit


def cancel_stop(stop: TourStop, reason: str) -> list[Visit]:
    """Cancel a stop and every visit on it; return those visits: the people to tell."""
    check_open(stop)
    return cancel_day(stop.day, reason)


def cancel_if_empty(stop: TourStop, reason: str) -> bool:
    """Cancel a stop that was moved once nobody is booked on it any more; True if done."""
    if stop.day.status is DayStatus.CANCELLED or booked_visits(stop.day):
        return False
    cancel_day(stop.day, reason)
    return True


# --- stops from a calendar file ------------------------------------------------------------

# An event's GEO this close to a location means the event takes place there.
MATCH_KM = 2.0


def _mentions(text: str, name: str) -> bool:
    """True when `name` appears in `text` as whole words, ignoring case."""
    name = name.strip().casefold()
    return bool(name) and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def match_location(
    location_text: str, geo: tuple[float, float] | None, locations: Sequence[Location]
) -> Location | None:
    """The location an imported event most likely takes place at, or None to ask.

    First by GEO: the nearest location within MATCH_KM. Else by the location's name
    in the LOCATION text, else by its town (also without a suffix such as "(Saale)")
    when only one location lies in that town.
    """
    if geo is not None:
        near = [
            (distance, location.id, location)
            for location in locations
            if (distance := distance_km(geo, (location.latitude, location.longitude))) <= MATCH_KM
        ]
        if near:
            return min(near, key=lambda item: item[:2])[2]
    text = (location_text or "").casefold()
    if not text:
        return None
    named = [location for location in locations if _mentions(text, location.name)]
    if named:
        return max(named, key=lambda location: (len(location.name), -location.id))
    in_town = [
        location
        for location in locations
        if _mentions(text, location.town)
        or _mentions(text, re.sub(r"\s*\(.*\)\s*$", "", location.town))
    ]
    return in_town[0] if len(in_town) == 1 else None


@dataclass(frozen=True)
class CalendarStop:
    """A ticked event of an imported calendar: when (UTC) and where it becomes a stop."""

    summary: str
    starts_dt: datetime | None  # None: the preview form carried no readable instant
    ends_dt: datetime | None
    location_id: int | None


@dataclass(frozen=True)
class StopOffer:
    """What every imported stop offers: slot length, topics, languages, interpreter."""

    slot_minutes: int
    topic_ids: tuple[int, ...]
    languages: tuple[str, ...]
    interpreter: bool = False


class CalendarStopError(TourError):
    """One ticked event cannot become a stop, so none is created; `cause` says why."""

    def __init__(self, index: int, stop: CalendarStop, cause: DomainError) -> None:
        super().__init__(cause.message, **cause.params)
        self.index = index
        self.stop = stop
        self.cause = cause


def _calendar_request(stop: CalendarStop, offer: StopOffer, now: datetime) -> StopRequest:
    if stop.location_id is None:
        raise TourError(N_("Please choose a location for this event."))
    location = db.session.get(Location, stop.location_id)
    if location is None or not location.active:
        raise TourError(N_("This location is not offered any more. Please choose another one."))
    if (
        stop.starts_dt is None
        or stop.ends_dt is None
        or stop.starts_dt.tzinfo is None
        or stop.ends_dt.tzinfo is None
    ):
        raise TourError(
            N_("The time of this event could not be read. Please upload the file again.")
        )
    if stop.starts_dt <= now:
        raise TourError(N_("This event has already begun or is over."))
    if stop.starts_dt > now + timedelta(days=HORIZON_DAYS):
        # The preview only offers events within the horizon; a later one was made up.
        raise TourError(N_("This event is more than %(days)d days ahead."), days=HORIZON_DAYS)
    zone = location.zone
    starts, ends = stop.starts_dt.astimezone(zone), stop.ends_dt.astimezone(zone)
    if ends.date() != starts.date():
        raise TourError(N_("This event does not end on the day it starts."))
    return StopRequest(
        date=starts.date(),
        starts=starts.time().replace(tzinfo=None),
        ends=ends.time().replace(tzinfo=None),
        slot_minutes=offer.slot_minutes,
        topic_ids=offer.topic_ids,
        languages=offer.languages,
        interpreter=offer.interpreter,
        location_id=location.id,
    )


def import_stops(
    tour: Tour, stops: Sequence[CalendarStop], offer: StopOffer, *, now: datetime
) -> list[TourStop]:
    """Create a draft stop for every ticked event, or none (the caller commits or rolls back).

    Everything is checked again as for a stop added by hand, overlaps with each
    other included; CalendarStopError names the first event that does not fit.
    """
    if not stops:
        raise TourError(N_("Please tick at least one event to import."))
    created = []
    for index, stop in enumerate(stops):
        try:
            created.append(add_stop(tour, _calendar_request(stop, offer, now)))
        except DomainError as error:
            raise CalendarStopError(index, stop, error) from None
    return created


# --- demand from the waiting list ---------------------------------------------------------


@dataclass(frozen=True)
class TownDemand:
    """People waiting for a town (or anywhere), by topic, and the town's next stop."""

    town: str
    people: int
    topics: tuple[tuple[Topic, int], ...]
    next_stop: date | None


def demand(agency_id: int | None, today: date) -> list[TownDemand]:
    """Waiting-list wishes by town and topic, towns without an upcoming stop first.

    Only topics the agency serves count (with None: every topic); an upcoming stop
    is a stop of the agency's tours (with None: any tour) from `today` on.
    """
    served: set[int] | None = None
    if agency_id is not None:
        served = set(
            db.session.scalars(
                sa.select(Topic.id).where(Topic.agencies.any(Agency.id == agency_id))
            )
        )
    entries = db.session.scalars(
        sa.select(WaitlistEntry)
        .where(
            WaitlistEntry.status.in_([WaitlistStatus.WAITING, WaitlistStatus.OFFERED]),
            WaitlistEntry.erased_dt.is_(None),
        )
        .options(selectinload(WaitlistEntry.topics), selectinload(WaitlistEntry.location))
    ).all()
    people: dict[str, int] = defaultdict(int)
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    topics: dict[int, Topic] = {}
    for entry in entries:
        wanted = [t for t in entry.topics if served is None or t.id in served]
        if not wanted:
            continue
        town = entry.town or (entry.location.town if entry.location is not None else "")
        people[town] += 1
        for topic in wanted:
            topics[topic.id] = topic
            counts[town][topic.id] += 1
    next_stops = _next_stop_by_town(agency_id, today)
    result = [
        TownDemand(
            town=town,
            people=people[town],
            topics=tuple(
                (topics[topic_id], count)
                for topic_id, count in sorted(
                    counts[town].items(),
                    key=lambda item: (-item[1], topics[item[0]].position, item[0]),
                )
            ),
            next_stop=next_stops.get(town) if town else None,
        )
        for town in people
    ]
    return sorted(
        result, key=lambda row: (row.next_stop is not None, not row.town, -row.people, row.town)
    )


def _next_stop_by_town(agency_id: int | None, today: date) -> dict[str, date]:
    query = (
        sa.select(Location.town, sa.func.min(ConsultationDay.date))
        .select_from(TourStop)
        .join(Tour, TourStop.tour_id == Tour.id)
        .join(ConsultationDay, TourStop.day_id == ConsultationDay.id)
        .join(Location, ConsultationDay.location_id == Location.id)
        .where(ConsultationDay.date >= today, ConsultationDay.status != DayStatus.CANCELLED)
        .group_by(Location.town)
    )
    if agency_id is not None:
        query = query.where(Tour.agency_id == agency_id)
    return {town: first for town, first in db.session.execute(query)}


# --- helpers for the views ----------------------------------------------------------------


def served_topics(agency_id: int | None) -> list[Topic]:
    """Active topics an agency serves (with None: every active topic), in display order."""
    query = sa.select(Topic).where(Topic.active).order_by(Topic.position, Topic.id)
    if agency_id is not None:
        query = query.where(Topic.agencies.any(Agency.id == agency_id))
    return list(db.session.scalars(query))
