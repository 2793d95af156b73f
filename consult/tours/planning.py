"""A tour read for its page: its stops by date, the drives between them, and a shorter order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from consult.errors import N_
from consult.extensions import db
from consult.hours.service import booked_counts
from consult.models import ConsultationDay, DayStatus, Location, Session, Tour, TourStop
from consult.tours.routing import (
    MAX_EXACT,
    DriveCheck,
    DriveSettings,
    DriveVerdict,
    StopTimes,
    best_fitting_order,
    check_drives,
    total_km,
)
from consult.tours.stops import TourError, chronological, renumber, stop_session, today_at

# A new order is suggested only when it saves at least this many road kilometres.
MIN_SAVING_KM = 1.0


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
        return self.stop.day.date < today_at(self.stop)

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
    """A better order for the stops of a day: the stops in that order and the km it saves.

    Every drive of a suggested order fits between the stops' times. `mends_drives` says
    that the day's present order has a drive that does not, and this order puts it right
    (it may then be longer: `saved_km` is negative).
    """

    stop_ids: tuple[int, ...]
    towns: tuple[str, ...]
    saved_km: int
    mends_drives: bool = False

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
    # The day has a drive that cannot be made and no order of its stops would fit the times.
    no_order_fits: bool = False

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
        for stop in sorted(tour.stops, key=chronological)
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
    impossible = any(check.verdict is DriveVerdict.IMPOSSIBLE for check in checks)
    suggestion, none_fits = _suggestion(timed, times, impossible, settings, zone)
    return TourDay(
        date=on,
        stops=tuple(stops),
        drives={check.to_key: check for check in checks},
        suggestion=suggestion,
        no_order_fits=none_fits,
    )


def _suggestion(
    timed: list[StopView],
    times: list[StopTimes],
    impossible: bool,
    settings: DriveSettings,
    zone: str,
) -> tuple[Suggestion | None, bool]:
    """The shortest order in which every drive fits, if it is worth suggesting.

    Worth it when it saves road kilometres or when the present order has a drive that
    cannot be made. The second value is True when a drive cannot be made and no order helps.
    """
    if not 2 <= len(timed) <= MAX_EXACT or len({view.location.timezone for view in timed}) > 1:
        return None, False
    order = best_fitting_order(times, settings, zone)
    if order is None:
        return None, impossible
    points = [stop.point for stop in times]
    current = tuple(range(len(points)))
    saved = (total_km(points, current) - total_km(points, order)) * settings.road_factor
    if order == current or (not impossible and saved < MIN_SAVING_KM):
        return None, False
    return Suggestion(
        stop_ids=tuple(timed[i].stop.id for i in order),
        towns=tuple(timed[i].location.town for i in order),
        saved_km=round(saved),
        mends_drives=impossible,
    ), False


def fits_in_order(
    timed: Sequence[TourStop], stop_ids: Sequence[int], settings: DriveSettings
) -> bool:
    """Whether every drive fits when the stops' windows, in order, get the places of `stop_ids`."""
    locations = {stop.id: stop.day.location for stop in timed}
    times = []
    for window, stop_id in zip(timed, stop_ids, strict=True):
        session = stop_session(window)
        assert session is not None
        location = locations[stop_id]
        times.append(
            StopTimes(
                key=window.id,
                point=(location.latitude, location.longitude),
                starts_dt=session.starts_dt,
                ends_dt=session.ends_dt,
            )
        )
    zone = timed[0].day.location.timezone
    return all(
        check.verdict is not DriveVerdict.IMPOSSIBLE
        for check in check_drives(times, settings, zone)
    )


# --- reordering a day ---------------------------------------------------------------------


def reorder_day(
    tour: Tour, on: date, stop_ids: Sequence[int], settings: DriveSettings
) -> list[str]:
    """Give the day's time windows, in their order, the locations of the stops in `stop_ids`.

    The windows (times, topics, languages) stay; the locations swap. Only while nobody
    has booked any stop of the day: a booking is for a place as much as for a time; and
    only when every drive then fits between the stops' times, so the tour can be published.
    Returns the towns in their new order.
    """
    timed = [
        stop
        for stop in sorted(tour.stops, key=chronological)
        if stop.day.date == on
        and stop.day.status is not DayStatus.CANCELLED
        and stop_session(stop) is not None
    ]
    if sorted(stop_ids) != sorted(stop.id for stop in timed) or len(timed) < 2:
        raise TourError(
            N_("The stops of this day have changed meanwhile. Please look at the order again.")
        )
    if on < today_at(timed[0]):
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
    if not fits_in_order(timed, stop_ids, settings):
        raise TourError(
            N_(
                "In this order there is not enough time to drive from one stop to the next. "
                "Please choose another order or change the times."
            )
        )
    locations = {stop.id: stop.day.location for stop in timed}
    for window, stop_id in zip(timed, stop_ids, strict=True):
        window.day.location = locations[stop_id]
    db.session.flush()
    renumber(tour)
    return [locations[stop_id].town for stop_id in stop_ids]
