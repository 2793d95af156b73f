"""From what a person needs to bookable plans: which agencies, which day, which times.

This module reads the database and hands plain values to the planner; it is
shared by the public pages, the JSON API and the front desk.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.errors import N_, DomainError
from consult.extensions import db
from consult.models import (
    Agency,
    ConsultationDay,
    DayStatus,
    Location,
    Seat,
    Session,
    SessionStatus,
    Slot,
    Topic,
    utcnow,
)
from consult.planner import Need, Plan, SlotState, plan_day
from consult.slots import local_to_utc

MAX_TOPICS = 6
SEARCH_WEEKS = 8
# A plan travels through a form as "session:slot.slot|session:slot" (ids only).
_PLAN_TOKEN = re.compile(
    r"^\d{1,9}:\d{1,9}(\.\d{1,9}){0,23}(\|\d{1,9}:\d{1,9}(\.\d{1,9}){0,23}){0,7}$"
)


class PlanningError(DomainError):
    """The request cannot be planned as asked."""


@dataclass(frozen=True)
class Assignment:
    """One agency the person will see, for which topics and how long."""

    agency: Agency
    topics: tuple[Topic, ...]
    minutes: int
    language_ok: bool


@dataclass(frozen=True)
class DayPlans:
    """The best plans for one day, and how the topics were shared among agencies."""

    day: ConsultationDay
    assignments: tuple[Assignment, ...]
    unserved: tuple[Topic, ...]
    plans: tuple[Plan, ...]

    @property
    def serves_everything(self) -> bool:
        return not self.unserved and bool(self.assignments)

    def assignment_for(self, agency_id: int) -> Assignment:
        return next(a for a in self.assignments if a.agency.id == agency_id)


@dataclass(frozen=True)
class PlannedOpening:
    """An appointment choice read back from a plan token."""

    session_id: int
    slot_ids: tuple[int, ...]


def plan_token(plan: Plan) -> str:
    """A compact, tamper-checked-at-booking text form of a plan."""
    return "|".join(
        f"{o.session_id}:{'.'.join(str(s) for s in o.slot_ids)}" for o in plan.appointments
    )


def parse_plan_token(token: str) -> list[PlannedOpening]:
    """The appointments of a plan token; PlanningError when it is malformed."""
    if not _PLAN_TOKEN.match(token or ""):
        raise PlanningError(N_("This plan is not valid any more. Please choose a plan again."))
    openings = []
    for part in token.split("|"):
        session_id, slots = part.split(":")
        openings.append(PlannedOpening(int(session_id), tuple(int(s) for s in slots.split("."))))
    return openings


def check_plan(
    day: ConsultationDay, plan: Sequence[PlannedOpening], topics: Sequence[Topic]
) -> None:
    """PlanningError unless the plan's slots are of this day and serve exactly these topics."""
    slot_ids = [slot_id for opening in plan for slot_id in opening.slot_ids]
    found = dict(
        db.session.execute(
            sa.select(Slot.id, Slot.session_id)
            .join(Session, Slot.session_id == Session.id)
            .where(
                Slot.id.in_(slot_ids),
                Session.day_id == day.id,
                Session.status == SessionStatus.PUBLISHED,
            )
        ).all()
    )
    if any(found.get(s) != o.session_id for o in plan for s in o.slot_ids):
        raise PlanningError(N_("This plan is not valid any more. Please choose a plan again."))
    sessions = [db.session.get(Session, opening.session_id) for opening in plan]
    agencies = [session.agency_id for session in sessions if session is not None]
    if len(set(agencies)) != len(agencies):
        raise PlanningError(N_("A visit has at most one appointment with each service."))
    wanted = {topic.id for topic in topics}
    offered = [{t.id for t in session.topics} for session in sessions if session is not None]
    if any(not ids & wanted for ids in offered) or wanted - set().union(*offered):
        raise PlanningError(
            N_("This plan does not fit what you chose. Please choose a plan again.")
        )


def load_active_topics() -> list[Topic]:
    """Topics offered to the public, in their display order."""
    return list(db.session.scalars(sa.select(Topic).where(Topic.active).order_by(Topic.position)))


def load_topics(topic_ids: Iterable[int]) -> list[Topic]:
    """Active topics by id, in display order; PlanningError for none or too many."""
    wanted = sorted(set(topic_ids))
    if not wanted:
        raise PlanningError(N_("Please choose at least one thing you need help with."))
    if len(wanted) > MAX_TOPICS:
        raise PlanningError(
            N_("Please choose at most %(max)d topics for one visit."), max=MAX_TOPICS
        )
    topics = list(
        db.session.scalars(
            sa.select(Topic)
            .where(Topic.id.in_(wanted), Topic.active)
            .options(selectinload(Topic.agencies))
            .order_by(Topic.position)
        )
    )
    if len(topics) != len(wanted):
        raise PlanningError(N_("One of the chosen topics is not offered."))
    return topics


def assign_topics(
    sessions: Sequence[Session], topics: Sequence[Topic], language: str | None
) -> tuple[tuple[Assignment, ...], tuple[Topic, ...]]:
    """Share the topics among the agencies present: fewest agencies, then fewest language gaps."""
    candidates: dict[int, list[Agency]] = {}
    speaks: dict[int, bool] = defaultdict(bool)
    for session in sessions:
        speaks[session.agency_id] |= language is None or session.serves_language(language)
    unserved = []
    for topic in topics:
        offering = {s.agency_id: s.agency for s in sessions if topic in s.topics}
        if offering:
            candidates[topic.id] = sorted(offering.values(), key=lambda a: a.id)
        else:
            unserved.append(topic)
    served = [t for t in topics if t.id in candidates]
    if not served:
        return (), tuple(unserved)

    def cost(choice: tuple[Agency, ...]) -> tuple[int, int, tuple[int, ...]]:
        distinct = {a.id for a in choice}
        return (len(distinct), sum(not speaks[a] for a in distinct), tuple(a.id for a in choice))

    best = min(itertools.product(*(candidates[t.id] for t in served)), key=cost)
    grouped: dict[int, list[Topic]] = defaultdict(list)
    agencies: dict[int, Agency] = {}
    for topic, agency in zip(served, best, strict=True):
        grouped[agency.id].append(topic)
        agencies[agency.id] = agency
    assignments = tuple(
        Assignment(
            agency=agencies[agency_id],
            topics=tuple(grouped[agency_id]),
            minutes=sum(t.default_minutes for t in grouped[agency_id]),
            language_ok=speaks[agency_id],
        )
        for agency_id in sorted(grouped)
    )
    return assignments, tuple(unserved)


def slot_states(day: ConsultationDay) -> list[SlotState]:
    """Every slot of the day's published sessions with the desks still free."""
    rows = db.session.execute(
        sa.select(Slot, Session)
        .join(Session, Slot.session_id == Session.id)
        .where(Session.day_id == day.id, Session.status == SessionStatus.PUBLISHED)
        .order_by(Slot.starts_dt)
    ).all()
    taken: dict[int, set[int]] = defaultdict(set)
    slot_ids = [slot.id for slot, _ in rows]
    if slot_ids:
        for slot_id, desk in db.session.execute(
            sa.select(Seat.slot_id, Seat.desk).where(Seat.slot_id.in_(slot_ids))
        ):
            taken[slot_id].add(desk)
    states = []
    for slot, session in rows:
        free = frozenset(range(1, slot.capacity + 1)) - taken[slot.id]
        states.append(
            SlotState(
                slot_id=slot.id,
                session_id=session.id,
                agency_id=session.agency_id,
                starts_dt=slot.starts_dt,
                ends_dt=slot.ends_dt,
                free_desks=free,
                languages=frozenset(session.languages),
                interpreter=session.interpreter_available,
                room=session.room_for(min(free)) if free else "",
            )
        )
    return states


def plans_for_day(
    day: ConsultationDay,
    topics: Sequence[Topic],
    *,
    language: str | None = None,
    arrive: time | None = None,
    leave: time | None = None,
    limit: int = 5,
    now: datetime | None = None,
) -> DayPlans:
    """The best `limit` plans for the topics on `day`, within the person's time limits."""
    if arrive and leave and leave <= arrive:
        raise PlanningError(N_("The time you must leave has to be after the time you arrive."))
    sessions = day.published_sessions
    assignments, unserved = assign_topics(sessions, topics, language)
    if not day.is_bookable or unserved or not assignments:
        return DayPlans(day, assignments, unserved, ())
    zone = day.location.timezone
    earliest = max(filter(None, [now or utcnow(), arrive and local_to_utc(day.date, arrive, zone)]))
    latest = leave and local_to_utc(day.date, leave, zone)
    plans = plan_day(
        slot_states(day),
        [Need(a.agency.id, a.minutes) for a in assignments],
        language=language,
        gap=timedelta(minutes=day.location.changeover_minutes),
        earliest=earliest,
        latest=latest,
        limit=limit,
    )
    return DayPlans(day, assignments, unserved, tuple(plans))


def upcoming_days(
    *,
    town: str | None = None,
    location_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    topic_ids: Sequence[int] = (),
) -> list[ConsultationDay]:
    """Published days with published hours in a date range, soonest first."""
    start = start or utcnow().date()
    end = end or start + timedelta(weeks=SEARCH_WEEKS)
    query = (
        sa.select(ConsultationDay)
        .join(Location)
        .where(
            ConsultationDay.status == DayStatus.PUBLISHED,
            ConsultationDay.date >= start,
            ConsultationDay.date <= end,
            ConsultationDay.sessions.any(Session.status == SessionStatus.PUBLISHED),
        )
        .options(
            selectinload(ConsultationDay.location),
            selectinload(ConsultationDay.sessions).selectinload(Session.agency),
            selectinload(ConsultationDay.sessions).selectinload(Session.topics),
        )
        .order_by(ConsultationDay.date, Location.town, ConsultationDay.id)
    )
    if town:
        query = query.where(Location.town == town)
    if location_id:
        query = query.where(ConsultationDay.location_id == location_id)
    for topic_id in topic_ids:
        query = query.where(
            ConsultationDay.sessions.any(
                sa.and_(
                    Session.status == SessionStatus.PUBLISHED,
                    Session.topics.any(Topic.id == topic_id),
                )
            )
        )
    return list(db.session.scalars(query))


def days_serving(
    topics: Sequence[Topic],
    *,
    language: str | None = None,
    town: str | None = None,
    limit: int = 10,
    now: datetime | None = None,
) -> list[DayPlans]:
    """The next days that can serve every topic with a free plan, each with its best plan."""
    found = []
    for day in upcoming_days(town=town, topic_ids=[t.id for t in topics]):
        result = plans_for_day(day, topics, language=language, limit=1, now=now)
        if result.plans:
            found.append(result)
            if len(found) >= limit:
                break
    return found


def towns() -> list[str]:
    """Towns with an upcoming published day, for the where-question."""
    return sorted({day.location.town for day in upcoming_days()})


def all_towns() -> list[str]:
    """Towns of every active location, also those without a day yet (for the waiting list)."""
    return list(
        db.session.scalars(
            sa.select(Location.town).where(Location.active).distinct().order_by(Location.town)
        )
    )
