"""A consultation day's free times as plain values, read in two queries and cached per process.

The planner needs, for every slot of the day's published sessions, the desks still
free, the languages and the room. Reading that through ORM entities costs more than
planning, so it is read as column rows and kept in a small per-process cache keyed by
the day's revision, which every write to the day's free times bumps in its own
transaction (see `consult.revisions`). An unchanged day then costs no query at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa

from consult.extensions import db
from consult.lru import LRU, app_cache
from consult.models import (
    ConsultationDay,
    DayStatus,
    Seat,
    Session,
    SessionStatus,
    Slot,
    room_of,
    session_topic,
)
from consult.planner import SlotState
from consult.revisions import writing

CACHED_DAYS = 256


@dataclass(frozen=True)
class SessionFacts:
    """What the planner needs to know of one published session."""

    session_id: int
    agency_id: int
    topic_ids: frozenset[int]
    languages: frozenset[str]
    interpreter: bool

    def serves_language(self, language: str) -> bool:
        return language in self.languages or self.interpreter


@dataclass(frozen=True)
class DayAvailability:
    """The published sessions of a day and their slots, with the desks still free."""

    sessions: tuple[SessionFacts, ...]
    slots: tuple[SlotState, ...]
    slots_by_session: dict[int, tuple[SlotState, ...]] = field(compare=False)

    @property
    def first_start(self) -> datetime | None:
        return self.slots[0].starts_dt if self.slots else None

    def slots_of(self, session_ids: Sequence[int]) -> list[SlotState]:
        """The slots of these sessions, in time order."""
        found = [s for sid in session_ids for s in self.slots_by_session.get(sid, ())]
        return sorted(found, key=lambda s: (s.starts_dt, s.slot_id))


class Revised(Protocol):
    """What identifies a day's version: a ConsultationDay, or a day_stamp row."""

    @property
    def id(self) -> int: ...

    @property
    def created_dt(self) -> datetime: ...

    @property
    def revision(self) -> int: ...


def day_stamp(day_id: int) -> sa.Row | None:
    """The id, creation and revision of a bookable day, in one small query.

    Cheaper than loading the day: an answer that is already known needs no more.
    """
    return db.session.execute(
        sa.select(
            ConsultationDay.id,
            ConsultationDay.created_dt,
            ConsultationDay.revision,
        ).where(ConsultationDay.id == day_id, ConsultationDay.status == DayStatus.PUBLISHED)
    ).first()


def availability(day: Revised) -> DayAvailability:
    """The day's availability, from the cache while the day's revision is unchanged."""
    if writing():
        # Inside a write the day may already differ from its committed revision.
        return load(day.id)
    # The id alone may come back for a new day after a deletion; its creation may not.
    key = (day.id, day.created_dt, day.revision)
    cache: LRU[DayAvailability] = app_cache("availability", CACHED_DAYS)
    found = cache.get(key)
    if found is None:
        found = load(day.id)
        cache.put(key, found)
    return found


def load(day_id: int) -> DayAvailability:
    """Read the day's published sessions and slots in two queries."""
    published = sa.and_(Session.day_id == day_id, Session.status == SessionStatus.PUBLISHED)
    sessions: dict[int, tuple[int, list[str], bool, list[str]]] = {}
    topics: dict[int, set[int]] = defaultdict(set)
    for session_id, agency_id, languages, interpreter, rooms, topic_id in db.session.execute(
        sa.select(
            Session.id,
            Session.agency_id,
            Session.languages,
            Session.interpreter_available,
            Session.rooms,
            session_topic.c.topic_id,
        )
        .outerjoin(session_topic, session_topic.c.session_id == Session.id)
        .where(published)
    ):
        sessions[session_id] = (agency_id, languages or [], interpreter, rooms or [])
        if topic_id is not None:
            topics[session_id].add(topic_id)
    facts = {
        session_id: SessionFacts(
            session_id=session_id,
            agency_id=agency_id,
            topic_ids=frozenset(topics[session_id]),
            languages=frozenset(languages),
            interpreter=interpreter,
        )
        for session_id, (agency_id, languages, interpreter, _) in sessions.items()
    }
    rows = db.session.execute(
        sa.select(Slot.id, Slot.session_id, Slot.starts_dt, Slot.ends_dt, Slot.capacity, Seat.desk)
        .join(Session, Slot.session_id == Session.id)
        .outerjoin(Seat, Seat.slot_id == Slot.id)
        .where(published)
        .order_by(Slot.starts_dt, Slot.id)
    ).all()
    taken: dict[int, set[int]] = defaultdict(set)
    order: dict[int, tuple[int, datetime, datetime, int]] = {}
    for slot_id, session_id, starts_dt, ends_dt, capacity, desk in rows:
        order.setdefault(slot_id, (session_id, starts_dt, ends_dt, capacity))
        if desk is not None:
            taken[slot_id].add(desk)
    slots = []
    for slot_id, (session_id, starts_dt, ends_dt, capacity) in order.items():
        free = frozenset(range(1, capacity + 1)) - taken[slot_id]
        session = facts[session_id]
        rooms = sessions[session_id][3]
        slots.append(
            SlotState(
                slot_id=slot_id,
                session_id=session_id,
                agency_id=session.agency_id,
                starts_dt=starts_dt,
                ends_dt=ends_dt,
                free_desks=free,
                languages=session.languages,
                interpreter=session.interpreter,
                room=room_of(rooms, min(free)) if free else "",
            )
        )
    by_session: dict[int, list[SlotState]] = defaultdict(list)
    for slot in slots:
        by_session[slot.session_id].append(slot)
    return DayAvailability(
        sessions=tuple(facts[sid] for sid in sorted(facts)),
        slots=tuple(slots),
        slots_by_session={sid: tuple(found) for sid, found in by_session.items()},
    )
