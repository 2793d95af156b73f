"""Demand from the waiting list: where people wait for a tour stop, and for which topics."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.models import (
    Agency,
    ConsultationDay,
    DayStatus,
    Location,
    Topic,
    Tour,
    TourStop,
    WaitlistEntry,
    WaitlistStatus,
)


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
