"""Plan one visit for a family: up to four people who come together, each with their topics.

The group stays together, so it walks one chain: each agency is seen once, at one
desk, by everyone who has a topic there (a Jobcenter household appointment is
shared), for as long as the distinct topics at that agency need. The chained
planner plans that chain exactly; this module builds its needs and tells for each
appointment of a plan whom it is for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from consult.planner import DEFAULT_BUDGET, DEFAULT_GAP, Need, Opening, Plan, SlotState, plan_day

MAX_PEOPLE = 4


@dataclass(frozen=True)
class FamilyPlan:
    """A plan for the group and, for each of its appointments, the people it is for."""

    plan: Plan
    # Indices into the group's people, one tuple per appointment of the plan, in order.
    attendees: tuple[tuple[int, ...], ...]

    def appointments_of(self, person: int) -> tuple[Opening, ...]:
        """The appointments one person attends, in time order."""
        return tuple(
            opening
            for opening, who in zip(self.plan.appointments, self.attendees, strict=True)
            if person in who
        )


def attendees_by_agency(
    agency_topics: Mapping[int, Iterable[int]], people: Sequence[Iterable[int]]
) -> dict[int, tuple[int, ...]]:
    """For each agency, the people (by index) with at least one of its topics."""
    wanted = [set(topic_ids) for topic_ids in people]
    return {
        agency_id: tuple(i for i, mine in enumerate(wanted) if mine & set(topic_ids))
        for agency_id, topic_ids in agency_topics.items()
    }


def family_needs(
    agency_topics: Mapping[int, Iterable[int]], minutes: Mapping[int, int]
) -> list[Need]:
    """One need per agency, as long as the distinct topics assigned to it take together."""
    return [
        Need(agency_id, sum(minutes[t] for t in set(topic_ids)))
        for agency_id, topic_ids in sorted(agency_topics.items())
    ]


def shares_of(plan: Plan, attendees: Mapping[int, tuple[int, ...]]) -> FamilyPlan:
    """The plan with, for each appointment, the people it is for."""
    return FamilyPlan(plan, tuple(attendees[o.agency_id] for o in plan.appointments))


def plan_family(
    slots: Iterable[SlotState],
    agency_topics: Mapping[int, Iterable[int]],
    minutes: Mapping[int, int],
    people: Sequence[Iterable[int]],
    *,
    language: str | None = None,
    gap: timedelta = DEFAULT_GAP,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 5,
    budget: timedelta = DEFAULT_BUDGET,
) -> list[FamilyPlan]:
    """The best `limit` family plans, best first.

    `agency_topics` is how the union of everybody's topics is shared among the
    agencies (fewest agencies, `consult.itineraries.assign_topics`), `minutes` each
    topic's length and `people` each person's topics.
    """
    if not 1 <= len(people) <= MAX_PEOPLE:
        raise ValueError(f"a family visit is for 1 to {MAX_PEOPLE} people, got {len(people)}")
    attendees = attendees_by_agency(agency_topics, people)
    if any(not who for who in attendees.values()):
        raise ValueError("every agency of a family visit must be needed by someone")
    plans = plan_day(
        slots,
        family_needs(agency_topics, minutes),
        language=language,
        gap=gap,
        earliest=earliest,
        latest=latest,
        limit=limit,
        budget=budget,
    )
    return [shares_of(plan, attendees) for plan in plans]
