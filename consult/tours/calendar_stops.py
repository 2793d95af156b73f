"""Stops from an imported calendar file: where each event takes place, and creating its stop."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from consult.coordination.service import LocationFields
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.models import Location, Tour, TourStop
from consult.tours.importing import HORIZON_DAYS
from consult.tours.routing import distance_km
from consult.tours.stops import StopRequest, TourError, add_stop

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


_POSTCODE_TOWN = re.compile(r"^(?:D-\s*)?(\d{5})\s+(\S.*)$")
_HOUSE_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class PlaceDraft:
    """A new place as an event's LOCATION text suggests it; the advisor checks and completes it."""

    name: str = ""
    street: str = ""
    postcode: str = ""
    town: str = ""
    latitude: float | None = None
    longitude: float | None = None


def _bare_town(town: str) -> str:
    return re.sub(r"\s*\(.*\)\s*$", "", town).casefold()


def place_from_text(
    location_text: str, geo: tuple[float, float] | None, locations: Sequence[Location]
) -> PlaceDraft:
    """Name, street, postcode and town read from a LOCATION text such as "Rathaus, Markt 1,
    06682 Teuchern"; coordinates from the event's GEO, else from a known place in that town.
    """
    parts = [part.strip() for part in re.split(r"[,;\n]", location_text or "") if part.strip()]
    postcode = town = street = ""
    rest = []
    for part in parts:
        found = _POSTCODE_TOWN.match(part)
        if found and not postcode:
            postcode, town = found.group(1), found.group(2).strip()
        elif _HOUSE_NUMBER.search(part) and not street:
            street = part
        else:
            rest.append(part)
    name = rest[0] if rest else ""
    if not town and len(rest) > 1:
        town = rest[-1]
    latitude = longitude = None
    if geo is not None:
        latitude, longitude = geo
    elif town:
        same = sorted(
            (location for location in locations if _bare_town(location.town) == _bare_town(town)),
            key=lambda location: location.id,
        )
        if same:
            latitude, longitude = same[0].latitude, same[0].longitude
    return PlaceDraft(name[:120], street[:120], postcode, town[:80], latitude, longitude)


@dataclass(frozen=True)
class CalendarStop:
    """A ticked event of an imported calendar: when (UTC) and where it becomes a stop."""

    summary: str
    starts_dt: datetime | None  # None: the preview form carried no readable instant
    ends_dt: datetime | None
    location_id: int | None
    new_location: LocationFields | None = None  # a place to create, when no location is chosen


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


def _zone_of(stop: CalendarStop) -> ZoneInfo:
    """The zone of the stop's place: the chosen location, else the new one."""
    if stop.location_id is None:
        new = stop.new_location
        if new is None:
            raise TourError(N_("Please choose a location for this event."))
        if not all(part.strip() for part in (new.name, new.street, new.postcode, new.town)):
            raise TourError(N_("Please give the name, street, postcode and town of the new place."))
        return ZoneInfo(new.timezone)
    location = db.session.get(Location, stop.location_id)
    if location is None or not location.active:
        raise TourError(N_("This location is not offered any more. Please choose another one."))
    return location.zone


def _calendar_request(stop: CalendarStop, offer: StopOffer, now: datetime) -> StopRequest:
    zone = _zone_of(stop)
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
        location_id=stop.location_id,
        new_location=stop.new_location if stop.location_id is None else None,
    )


def import_stops(
    tour: Tour, stops: Sequence[CalendarStop], offer: StopOffer, *, now: datetime
) -> list[TourStop]:
    """Create a draft stop for every ticked event, or none (the caller commits or rolls back).

    Everything is checked again as for a stop added by hand, overlaps with each
    other included; CalendarStopError names the first event that does not fit. A new
    place is created with the first stop there; later events at the same place use it.
    """
    if not stops:
        raise TourError(N_("Please tick at least one event to import."))
    created = []
    made: dict[tuple[object, ...], int] = {}
    for index, stop in enumerate(stops):
        place = _place_key(stop.new_location) if stop.location_id is None else None
        if place in made:
            stop = replace(stop, location_id=made[place], new_location=None)
        try:
            created.append(add_stop(tour, _calendar_request(stop, offer, now)))
        except DomainError as error:
            raise CalendarStopError(index, stop, error) from None
        if place is not None and place not in made:
            made[place] = created[-1].day.location_id
    return created


def _place_key(fields: LocationFields | None) -> tuple[object, ...] | None:
    if fields is None:
        return None
    texts = (fields.name, fields.street, fields.postcode, fields.town)
    return (
        *(" ".join(text.split()).casefold() for text in texts),
        fields.latitude,
        fields.longitude,
    )
