"""From what a person needs to bookable plans: which agencies, which day, which times.

This module reads the database and hands plain values to the planner; it is
shared by the public pages, the JSON API and the front desk.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Protocol

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from consult.availability import DayAvailability, Revised, availability
from consult.carrying import Carried
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.mediators.service import free_windows_on
from consult.models import (
    Agency,
    ConsultationDay,
    DayStatus,
    Location,
    Session,
    SessionStatus,
    Topic,
    utcnow,
)
from consult.planner import Need, Plan, SlotState, plan_day
from consult.planner.accompanied import plan_day_accompanied
from consult.planner.family import attendees_by_agency, plan_day_apart
from consult.slots import local_to_utc

# The planner handles visits with up to eight agencies well inside its budget; people
# choose at most six topics because six back-to-back appointments already keep a
# person in the building for two to three hours, and more belongs on a second day.
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
    # False when the planner spent its budget: the plans shown are the best found so far.
    complete: bool = True
    # A moved visit's referral appointments that the plans take along, as fixed agencies.
    carried: tuple[Assignment, ...] = ()
    # The language of the mediator who accompanies every plan, when the plans need one.
    mediator_language: str | None = None
    # The person asked for a mediator and none is free: the plans are without one.
    mediator_missing: bool = False

    @property
    def serves_everything(self) -> bool:
        return not self.unserved and bool(self.assignments)

    def assignment_for(self, agency_id: int) -> Assignment:
        return next(a for a in (*self.assignments, *self.carried) if a.agency.id == agency_id)


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


def agencies_of(openings: Sequence[PlannedOpening]) -> list[int]:
    """The agencies whose sessions the openings are in."""
    session_ids = [o.session_id for o in openings]
    return list(db.session.scalars(sa.select(Session.agency_id).where(Session.id.in_(session_ids))))


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


class OffersTopics(Protocol):
    """What sharing topics needs of a session (a model Session or its SessionFacts)."""

    @property
    def agency_id(self) -> int: ...

    @property
    def topic_ids(self) -> frozenset[int]: ...

    def serves_language(self, language: str) -> bool: ...


def assign_topics(
    sessions: Sequence[OffersTopics], topics: Sequence[Topic], language: str | None
) -> tuple[tuple[Assignment, ...], tuple[Topic, ...]]:
    """Share the topics among the agencies present: fewest agencies, then fewest language gaps."""
    candidates: dict[int, list[int]] = {}
    speaks: dict[int, bool] = defaultdict(bool)
    offered: dict[int, set[int]] = defaultdict(set)
    for session in sessions:
        speaks[session.agency_id] |= language is None or session.serves_language(language)
        offered[session.agency_id] |= session.topic_ids
    unserved = []
    for topic in topics:
        offering = sorted(agency_id for agency_id, ids in offered.items() if topic.id in ids)
        if offering:
            candidates[topic.id] = offering
        else:
            unserved.append(topic)
    served = [t for t in topics if t.id in candidates]
    if not served:
        return (), tuple(unserved)

    def cost(choice: tuple[int, ...]) -> tuple[int, int, tuple[int, ...]]:
        distinct = set(choice)
        return (len(distinct), sum(not speaks[a] for a in distinct), choice)

    best = min(itertools.product(*(candidates[t.id] for t in served)), key=cost)
    grouped: dict[int, list[Topic]] = defaultdict(list)
    for topic, agency_id in zip(served, best, strict=True):
        grouped[agency_id].append(topic)
    # The topics' agencies are usually loaded with them (load_topics), so `get`
    # finds them in the identity map without a query.
    assignments = tuple(
        Assignment(
            agency=db.session.get_one(Agency, agency_id),
            topics=tuple(grouped[agency_id]),
            minutes=sum(t.default_minutes for t in grouped[agency_id]),
            language_ok=speaks[agency_id],
        )
        for agency_id in sorted(grouped)
    )
    return assignments, tuple(unserved)


def slot_states(day: ConsultationDay) -> list[SlotState]:
    """Every slot of the day's published sessions with the desks still free."""
    return list(availability(day).slots)


def plans_for_day(
    day: ConsultationDay,
    topics: Sequence[Topic],
    *,
    language: str | None = None,
    arrive: time | None = None,
    leave: time | None = None,
    limit: int = 5,
    now: datetime | None = None,
    carried: Sequence[Carried] = (),
    mediator: bool = False,
    apart: Sequence[Sequence[int]] = (),
) -> DayPlans:
    """The best `limit` plans for the topics on `day`, within the person's time limits.

    A moved visit's `carried` referral appointments join the plans where the day has
    their agency for their topics; the topics are shared among the other agencies.
    When the person asked for a language `mediator`, or an agency of the plans does not
    speak their language, the plans are those a free mediator who speaks it can
    accompany; if none can, the plans are without one (`mediator_missing` if asked).
    A family who may be seen at different desks at the same time names each person's
    topic ids in `apart`; a mediator, wanted or needed, keeps them together.
    """
    if arrive and leave and leave <= arrive:
        raise PlanningError(N_("The time you must leave has to be after the time you arrive."))
    known = availability(day)
    fixed = {c.agency_id for c in carried}
    assignments, unserved = assign_topics(
        [s for s in known.sessions if s.agency_id not in fixed], topics, language
    )
    if not day.is_bookable or unserved or not assignments:
        return DayPlans(day, assignments, unserved, ())
    zone = day.location.timezone
    earliest = max(filter(None, [now or utcnow(), arrive and local_to_utc(day.date, arrive, zone)]))
    latest = leave and local_to_utc(day.date, leave, zone)
    # Only sessions that offer all of an agency's assigned topics can hold its appointment.
    serving = [
        s.session_id
        for a in assignments
        for s in known.sessions
        if s.agency_id == a.agency.id and {t.id for t in a.topics} <= s.topic_ids
    ]
    taken_along = _carried_assignments(known, carried, language)
    serving += [
        s.session_id
        for a in taken_along
        for s in known.sessions
        if s.agency_id == a.agency.id and {t.id for t in a.topics} <= s.topic_ids
    ]
    needs = [Need(a.agency.id, a.minutes) for a in (*assignments, *taken_along)]
    limits = {
        "language": language,
        "gap": timedelta(minutes=day.location.changeover_minutes),
        "earliest": earliest,
        "latest": latest,
        "limit": limit,
        "budget": timedelta(milliseconds=current_app.config["CONSULT_PLANNER_BUDGET_MS"]),
    }
    found = partial(DayPlans, day, assignments, unserved, carried=taken_along)
    needed = mediator or not all(a.language_ok for a in (*assignments, *taken_along))
    if needed and language:
        windows = free_windows_on(day, language)
        plans = plan_day_accompanied(known.slots_of(serving), needs, windows, **limits)
        if plans:
            return found(tuple(plans), complete=plans.complete, mediator_language=language)
    if apart and not needed:
        attendees = attendees_by_agency(
            {a.agency.id: [t.id for t in a.topics] for a in assignments}, apart
        )
        everyone = tuple(range(len(apart)))
        attendees |= {a.agency.id: everyone for a in taken_along}
        plans = plan_day_apart(known.slots_of(serving), needs, attendees, **limits)
    else:
        plans = plan_day(known.slots_of(serving), needs, **limits)
    return found(tuple(plans), complete=plans.complete, mediator_missing=mediator)


def _carried_assignments(
    known: DayAvailability, carried: Sequence[Carried], language: str | None
) -> tuple[Assignment, ...]:
    """The carried appointments this day can take: their agency serves their topics here."""
    found = []
    for c in carried:
        sessions = [
            s for s in known.sessions if s.agency_id == c.agency_id and c.topic_ids <= s.topic_ids
        ]
        # Without topics an appointment is one slot of the session, as a referral books it.
        minutes = c.minutes or min(
            (
                int((slots[0].ends_dt - slots[0].starts_dt).total_seconds() // 60)
                for s in sessions
                if (slots := known.slots_by_session.get(s.session_id))
            ),
            default=0,
        )
        if not sessions or not minutes:
            continue
        speaks = language is None or any(s.serves_language(language) for s in sessions)
        found.append(Assignment(c.agency, c.topics, minutes, speaks))
    return tuple(found)


def plans_etag(day: Revised, request_key: Sequence[object], now: datetime) -> str:
    """An entity tag for the plans of `day` answering `request_key` at `now`.

    Plans change with the day's revision and with the request; time matters only
    once the day's first slot has begun, when passing minutes drop openings.
    """
    first = availability(day).first_start
    moment = "ahead" if first is None or now < first else now.strftime("%Y%m%d%H%M")
    text = repr((day.id, day.created_dt.isoformat(), day.revision, moment, *request_key))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


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
    carried: Sequence[Carried] = (),
    apart: Sequence[Sequence[int]] = (),
) -> list[DayPlans]:
    """The next days that can serve every topic with a free plan, each with its best plan."""
    found = []
    for day in upcoming_days(town=town, topic_ids=[t.id for t in topics]):
        result = plans_for_day(
            day, topics, language=language, limit=1, now=now, carried=carried, apart=apart
        )
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
