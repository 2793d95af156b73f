"""Plan one visit on a consultation day: one appointment at each needed agency, back to back.

Each agency session is cut into slots with a few parallel desks. An appointment
takes enough consecutive slots of one session on one desk that is free in all of
them. A visit needs one appointment per agency, in some chronological order,
with a changeover gap between them. Plans are ranked by language issues, then
time on site, then start; the search is exact (it never misses a better plan).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from time import thread_time

from consult.planner.openings import openings_by_need, openings_for
from consult.planner.search import MICROSECOND, OutOfTime, Search, Track, micros, track_of
from consult.planner.values import Need, Opening, Plan, PlanKey, Plans, SlotState

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_GAP",
    "MAX_AGENCIES",
    "Need",
    "Opening",
    "Plan",
    "PlanKey",
    "Plans",
    "SlotState",
    "openings_for",
    "plan_day",
    "plan_visit",
]

DEFAULT_GAP = timedelta(minutes=5)
# The search is exact and, measured on real days, far inside this; the budget is a
# safety net against a pathological day, not a limit that shapes answers. Eight
# agencies take up to about 35 ms at the 95th percentile on a 2-core machine and a
# garbage collection or a busy neighbour can double one call, hence 100 ms; the
# six agencies the public can ask for stay under 15 ms.
DEFAULT_BUDGET = timedelta(milliseconds=100)
# The completion table has 2^agencies rows; eight keeps it under 2 MB and 100 ms.
MAX_AGENCIES = 8

log = logging.getLogger(__name__)


def checked_tracks(
    openings: Mapping[int, Sequence[Opening]],
    gap: timedelta,
    earliest: datetime | None,
    latest: datetime | None,
) -> list[Track]:
    """Each agency's openings within `earliest`..`latest` as a search track, by agency id.

    ValueError for a negative gap or more agencies than the search handles.
    """
    if gap < timedelta(0):
        raise ValueError(f"the gap between appointments cannot be negative, got {gap}")
    if len(openings) > MAX_AGENCIES:
        raise ValueError(f"a visit can need at most {MAX_AGENCIES} agencies, got {len(openings)}")
    low = None if earliest is None else micros(earliest)
    high = None if latest is None else micros(latest)
    return [track_of(agency_id, openings[agency_id], low, high) for agency_id in sorted(openings)]


def plan_visit(
    openings: Mapping[int, Sequence[Opening]],
    *,
    gap: timedelta = DEFAULT_GAP,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 5,
    budget: timedelta = DEFAULT_BUDGET,
) -> Plans:
    """Return the best `limit` plans with one opening per agency, best first.

    `budget` bounds the CPU time of this call; a search that reaches it is logged
    and returns the plans proven best so far, marked incomplete.
    """
    tracks = checked_tracks(openings, gap, earliest, latest)
    if limit <= 0 or not tracks or any(not track.openings for track in tracks):
        return Plans()
    deadline = thread_time() + budget.total_seconds()
    found: list[Plan] = []
    try:
        search = Search(tracks, gap // MICROSECOND, deadline)
        for plan in search.plans():
            found.append(plan)
            if len(found) == limit:
                break
    except OutOfTime:
        log.warning(
            "planner budget of %.0f ms spent: %d of %d plans for %d agencies",
            budget / timedelta(milliseconds=1),
            len(found),
            limit,
            len(tracks),
        )
        return Plans(found, complete=False)
    return Plans(found)


def plan_day(
    slots: Iterable[SlotState],
    needs: Sequence[Need],
    *,
    language: str | None = None,
    gap: timedelta = DEFAULT_GAP,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 5,
    budget: timedelta = DEFAULT_BUDGET,
) -> Plans:
    """Return the best `limit` visits covering all needs on a day, best first."""
    agency_ids = [need.agency_id for need in needs]
    if len(set(agency_ids)) != len(agency_ids):
        raise ValueError(f"each agency can be needed only once, got {agency_ids}")
    openings = openings_by_need(slots, needs, language)
    return plan_visit(
        openings, gap=gap, earliest=earliest, latest=latest, limit=limit, budget=budget
    )
