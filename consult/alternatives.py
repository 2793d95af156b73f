"""When no day in the chosen town fits: other towns' days, nearest first, and what never fits.

The search for other towns starts from the days that offer every topic (one query),
walks the towns nearest first and plans only the days whose free times could take
the person (read from the cached availability), stopping after a few days in a few
towns: a fruitless search does not plan every day of every town.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from consult.availability import availability
from consult.carrying import Carried
from consult.extensions import db
from consult.itineraries import (
    SEARCH_WEEKS,
    DayPlans,
    assign_topics,
    plans_for_day,
    upcoming_days,
)
from consult.models import (
    ConsultationDay,
    DayStatus,
    Location,
    Session,
    SessionStatus,
    Topic,
    session_topic,
    utcnow,
)
from consult.tours.routing import distance_km

TOWNS = 3
DAYS_PER_TOWN = 3


@dataclass(frozen=True)
class TownDays:
    """The next fitting days of one other town, and how far it is from the chosen one."""

    town: str
    km: float
    days: tuple[DayPlans, ...]


@dataclass(frozen=True)
class Alternatives:
    """What a search that found no day can offer instead, and why nothing fits."""

    towns: tuple[TownDays, ...]
    # Topics that no day of the next weeks offers, anywhere.
    never_offered: tuple[Topic, ...]
    # False when every topic is offered somewhere, but no day offers them all.
    together: bool


def alternatives(
    topics: Sequence[Topic],
    *,
    town: str | None,
    language: str | None = None,
    now: datetime | None = None,
    carried: Sequence[Carried] = (),
) -> Alternatives:
    """Other towns' fitting days near `town`, and the topics that never fit (no day found)."""
    now = now or utcnow()
    candidates = upcoming_days(topic_ids=[t.id for t in topics])
    towns = (
        nearby_days(candidates, topics, town=town, language=language, now=now, carried=carried)
        if town and candidates
        else []
    )
    missing = never_offered(topics, now=now) if not candidates else []
    return Alternatives(tuple(towns), tuple(missing), together=bool(candidates) or bool(missing))


def nearby_days(
    candidates: Sequence[ConsultationDay],
    topics: Sequence[Topic],
    *,
    town: str,
    language: str | None,
    now: datetime,
    carried: Sequence[Carried] = (),
    towns: int = TOWNS,
    per_town: int = DAYS_PER_TOWN,
) -> list[TownDays]:
    """Of the days that offer every topic, other towns' days with a free plan, nearest first."""
    origin = town_point(town)
    if origin is None:
        return []
    by_town: dict[str, list[ConsultationDay]] = defaultdict(list)
    for day in candidates:
        if day.location.town != town:
            by_town[day.location.town].append(day)
    distances = {
        name: min(distance_km(origin, _point(day.location)) for day in days)
        for name, days in by_town.items()
    }
    found = []
    for name in sorted(by_town, key=lambda name: (distances[name], name)):
        fitting = []
        for day in by_town[name]:
            if not _may_fit(day, topics, language, now):
                continue
            result = plans_for_day(
                day, topics, language=language, limit=1, now=now, carried=carried
            )
            if result.plans:
                fitting.append(result)
                if len(fitting) >= per_town:
                    break
        if fitting:
            found.append(TownDays(name, distances[name], tuple(fitting)))
            if len(found) >= towns:
                break
    return found


def town_point(town: str) -> tuple[float, float] | None:
    """The middle of a town's active locations, or None for a town we do not know."""
    points = db.session.execute(
        sa.select(Location.latitude, Location.longitude).where(
            Location.town == town, Location.active
        )
    ).all()
    if not points:
        return None
    return (
        sum(lat for lat, _ in points) / len(points),
        sum(lon for _, lon in points) / len(points),
    )


def _point(location: Location) -> tuple[float, float]:
    return (location.latitude, location.longitude)


def _may_fit(
    day: ConsultationDay, topics: Sequence[Topic], language: str | None, now: datetime
) -> bool:
    """False when some needed agency has no free desk left that day: no plan can exist."""
    known = availability(day)
    assignments, unserved = assign_topics(known.sessions, topics, language)
    if unserved or not assignments:
        return False
    free_agencies = {s.agency_id for s in known.slots if s.free_desks and s.starts_dt >= now}
    return all(a.agency.id in free_agencies for a in assignments)


def never_offered(topics: Sequence[Topic], *, now: datetime | None = None) -> list[Topic]:
    """The topics that no published day of the next weeks offers, in any town."""
    start = (now or utcnow()).date()
    offered = set(
        db.session.scalars(
            sa.select(session_topic.c.topic_id)
            .join(Session, Session.id == session_topic.c.session_id)
            .join(ConsultationDay, ConsultationDay.id == Session.day_id)
            .where(
                session_topic.c.topic_id.in_([t.id for t in topics]),
                Session.status == SessionStatus.PUBLISHED,
                ConsultationDay.status == DayStatus.PUBLISHED,
                ConsultationDay.date >= start,
                ConsultationDay.date <= start + timedelta(weeks=SEARCH_WEEKS),
            )
            .distinct()
        )
    )
    return [t for t in topics if t.id not in offered]
