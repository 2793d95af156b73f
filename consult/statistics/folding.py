"""Fold the live visits and appointments of a day into anonymous daily counts.

The statistics read only the counts (`consult.models.statistics`), so a year's
dashboard sums a few hundred thousand small rows instead of joining visits,
appointments and topics, and the counts outlive the rows they were made from:
the retention purge folds the days it erases first and seals them.

`refresh()` folds again the days that `consult.statistics.changes` marked: every ORM
change to a visit, an appointment or an agency's hours marks its days in the same
transaction. The first refresh folds every day.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from consult.database import begin_write
from consult.extensions import db
from consult.models import (
    ACTIVE_APPOINTMENT_STATES,
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    Session,
    SessionStatus,
    Slot,
    StatAppointment,
    StatAppointmentTopic,
    StatCapacity,
    StatFold,
    StatStaleDay,
    StatVisit,
    StatVisitTopic,
    Visit,
    VisitOrigin,
    VisitStatus,
    WaitlistEntry,
    appointment_topic,
    visit_topic,
)
from consult.models.base import utcnow as wall_clock  # when it happened, whatever a test says

# An appointment cancelled because its visit or it was moved is not a cancellation.
MOVED = "moved"
_CHUNK = 60  # days per round: IN lists stay short, rows held in memory few
_ACTIVE = {status.value for status in ACTIVE_APPOINTMENT_STATES}
COUNTS = (StatVisit, StatVisitTopic, StatAppointment, StatAppointmentTopic, StatCapacity)
_FOLD_LOCK = 0x5747_4154  # the PostgreSQL advisory lock that serialises folds


def refresh() -> int:
    """Fold the days changed since the last fold (every day the first time); how many."""
    if db.session.get(StatFold, 1) is not None and not db.session.scalar(
        sa.select(sa.exists().where(StatStaleDay.day_id.is_not(None)))
    ):
        return 0  # the common case: nothing written, no lock taken
    _lock()
    fold = db.session.get(StatFold, 1, populate_existing=True)  # read again under the lock
    # Lock the marks in day order, as writers take them: a change committed from now on
    # waits, and leaves a new mark once this fold is committed.
    marked = list(
        db.session.scalars(
            sa.select(StatStaleDay.day_id).order_by(StatStaleDay.day_id).with_for_update()
        )
    )
    if fold is None:
        day_ids = set(db.session.scalars(sa.select(Visit.day_id).union(sa.select(Session.day_id))))
        fold = StatFold(id=1, folded_dt=wall_clock())
        db.session.add(fold)
    else:
        day_ids = set(marked) - _sealed(marked, fold.purged_before)
        fold.folded_dt = wall_clock()
    fold_days(day_ids)
    for start in range(0, len(marked), _CHUNK):
        chunk = marked[start : start + _CHUNK]
        db.session.execute(sa.delete(StatStaleDay).where(StatStaleDay.day_id.in_(chunk)))
    db.session.flush()
    return len(day_ids)


def _sealed(day_ids: list[int], purged_before: date | None) -> set[int]:
    """The days the purge erased: their counts are final, whatever changes later."""
    if purged_before is None or not day_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(ConsultationDay.id).where(
                ConsultationDay.id.in_(day_ids), ConsultationDay.date < purged_before
            )
        )
    )


def fold_days(day_ids: Iterable[int]) -> None:
    """Replace the counts of these days by counts of their live rows (in the caller's lock)."""
    ids = sorted(set(day_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for model in COUNTS:
            db.session.execute(sa.delete(model).where(model.day_id.in_(chunk)))
        _fold_chunk(chunk)


def _lock() -> None:
    begin_write()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_FOLD_LOCK)))


def _whole_days(later: datetime, earlier: datetime) -> int:
    return max(0, math.floor((later - earlier) / timedelta(days=1)))


def _minutes(starts: datetime, ends: datetime) -> int:
    return round((ends - starts) / timedelta(minutes=1))


def _topics_of(table: sa.Table, key: str, owners: sa.Select[Any]) -> dict[int, list[int]]:
    topics: dict[int, list[int]] = defaultdict(list)
    column = table.c[key]
    for owner, topic in db.session.execute(
        sa.select(column, table.c.topic_id)
        .where(column.in_(owners))
        .order_by(column, table.c.topic_id)
    ):
        topics[owner].append(topic)
    return topics


def _fold_chunk(day_ids: Sequence[int]) -> None:
    days = {
        row.id: row
        for row in db.session.execute(
            sa.select(
                ConsultationDay.id,
                ConsultationDay.date,
                ConsultationDay.location_id,
                ConsultationDay.kind,
            ).where(ConsultationDay.id.in_(day_ids))
        )
    }
    # The appointments on these days, and those of the visits on these days (a visit
    # moved here keeps its cancelled appointments on the day it left).
    touching = sa.or_(Session.day_id.in_(day_ids), Visit.day_id.in_(day_ids))
    appointment_ids = (
        sa.select(Appointment.id)
        .join(Session, Session.id == Appointment.session_id)
        .join(Visit, Visit.id == Appointment.visit_id)
        .where(touching)
    )
    appointments = db.session.execute(
        sa.select(
            Appointment.id,
            Appointment.visit_id,
            Session.day_id,
            Session.slot_minutes,
            Session.status.label("session_status"),
            Appointment.agency_id,
            Appointment.status,
            Appointment.starts_dt,
            Appointment.ends_dt,
            Appointment.cancelled_dt,
            Appointment.cancel_reason,
            Appointment.referred_by_agency_id,
        )
        .join(Session, Session.id == Appointment.session_id)
        .join(Visit, Visit.id == Appointment.visit_id)
        .where(touching)
        .order_by(Appointment.starts_dt, Appointment.id)
    ).all()
    visits = {
        row.id: row
        for row in db.session.execute(
            sa.select(
                Visit.id,
                Visit.day_id,
                Visit.language,
                Visit.interpreter_wanted,
                Visit.mediator_id,
                Visit.origin,
                Visit.status,
                Visit.cancel_reason,
                Visit.offer_expires_dt,
                Visit.created_dt,
                WaitlistEntry.created_dt.label("listed_dt"),
            )
            .outerjoin(WaitlistEntry, WaitlistEntry.id == Visit.waitlist_entry_id)
            .where(
                sa.or_(
                    Visit.day_id.in_(day_ids),
                    Visit.id.in_(
                        sa.select(Appointment.visit_id).where(Appointment.id.in_(appointment_ids))
                    ),
                )
            )
        )
    }
    by_visit: dict[int, list[Any]] = defaultdict(list)
    for appointment in appointments:
        by_visit[appointment.visit_id].append(appointment)
    wanted = set(day_ids)
    appointment_topics = _topics_of(appointment_topic, "appointment_id", appointment_ids)
    visit_topics = _topics_of(
        visit_topic, "visit_id", sa.select(Visit.id).where(Visit.day_id.in_(day_ids))
    )

    visit_counts: Counter[tuple[Any, ...]] = Counter()
    visit_topic_counts: Counter[tuple[Any, ...]] = Counter()
    for visit in visits.values():
        if visit.day_id in wanted:
            key = _visit_key(visit, days[visit.day_id], by_visit[visit.id], visit_topics)
            visit_counts[key] += 1
            day_id, on, location_id, *_rest = key
            for topic in visit_topics.get(visit.id) or [None]:
                visit_topic_counts[(day_id, on, location_id, topic, key[7], key[9])] += 1
    appointment_counts: Counter[tuple[Any, ...]] = Counter()
    appointment_topic_counts: Counter[tuple[Any, ...]] = Counter()
    minutes: Counter[tuple[Any, ...]] = Counter()
    held: Counter[tuple[int, int]] = Counter()  # desk slots held per (day, agency)
    booked: Counter[tuple[int, int]] = Counter()
    for appointment in appointments:
        if appointment.day_id not in wanted:
            continue
        visit = visits[appointment.visit_id]
        length = _minutes(appointment.starts_dt, appointment.ends_dt)
        key = _appointment_key(appointment, visit, days[appointment.day_id], appointment_topics)
        appointment_counts[key] += 1
        minutes[key] += length
        day_id, on, location_id, agency_id, _topics, origin, status, lead, *_rest = key
        for topic in appointment_topics.get(appointment.id) or [None]:
            topic_key = (day_id, on, location_id, agency_id, topic, origin, status, lead)
            appointment_topic_counts[topic_key] += 1
        if appointment.status in _ACTIVE and appointment.session_status == SessionStatus.PUBLISHED:
            place = (appointment.day_id, appointment.agency_id)
            held[place] += math.ceil(length / appointment.slot_minutes)
            booked[place] += length

    _insert(StatVisit, _VISIT_COLUMNS, ((*key, n) for key, n in visit_counts.items()))
    _insert(
        StatVisitTopic, _VISIT_TOPIC_COLUMNS, ((*key, n) for key, n in visit_topic_counts.items())
    )
    _insert(
        StatAppointment,
        _APPOINTMENT_COLUMNS,
        ((*key, n, minutes[key]) for key, n in appointment_counts.items()),
    )
    _insert(
        StatAppointmentTopic,
        _APPOINTMENT_TOPIC_COLUMNS,
        ((*key, n) for key, n in appointment_topic_counts.items()),
    )
    _insert(StatCapacity, _CAPACITY_COLUMNS, _capacity_rows(days, held, booked))


_VISIT_COLUMNS = (
    "day_id",
    "on",
    "location_id",
    "kind",
    "language",
    "interpreter",
    "origin",
    "outcome",
    "agencies",
    "agencies_key",
    "topics_key",
    "appointments",
    "site_minutes",
    "wait_days",
    "mediator",
    "n",
)
_VISIT_TOPIC_COLUMNS = ("day_id", "on", "location_id", "topic_id", "outcome", "agencies_key", "n")
_APPOINTMENT_COLUMNS = (
    "day_id",
    "on",
    "location_id",
    "agency_id",
    "topics_key",
    "origin",
    "status",
    "lead_days",
    "cancel_lead_days",
    "referred_by_agency_id",
    "n",
    "minutes",
)
_APPOINTMENT_TOPIC_COLUMNS = (
    "day_id",
    "on",
    "location_id",
    "agency_id",
    "topic_id",
    "origin",
    "status",
    "lead_days",
    "n",
)
_CAPACITY_COLUMNS = (
    "day_id",
    "on",
    "location_id",
    "kind",
    "agency_id",
    "offered_minutes",
    "booked_minutes",
    "slots",
    "unused_slots",
)


def _insert(model: type[Any], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    values = [dict(zip(columns, row, strict=True)) for row in rows]
    if values:
        db.session.execute(sa.insert(model.__table__), values)


def _outcome(visit: Any) -> str:
    if visit.origin == VisitOrigin.WAITLIST:
        if visit.offer_expires_dt is not None and visit.status == VisitStatus.BOOKED:
            return "offer_open"
        if visit.cancel_reason == "offer expired":
            return "offer_expired"
        if visit.cancel_reason == "offer declined":
            return "offer_declined"
    return str(visit.status)


def _ids_key(ids: Iterable[int]) -> str:
    """Ids as ",1,4,": a filter finds one with LIKE '%,4,%'."""
    return "," + ",".join(str(i) for i in sorted(set(ids))) + ","


def _visit_key(
    visit: Any, day: Any, appointments: Sequence[Any], topics: dict[int, list[int]]
) -> tuple[Any, ...]:
    own = [a for a in appointments if a.day_id == visit.day_id]
    active = [a for a in own if a.status in _ACTIVE]
    agencies = {a.agency_id for a in own if a.cancel_reason != MOVED or a.status in _ACTIVE}
    site = _minutes(active[0].starts_dt, max(a.ends_dt for a in active)) if active else 0
    wait = (
        (day.date - visit.listed_dt.date()).days
        if visit.origin == VisitOrigin.WAITLIST and visit.listed_dt is not None
        else None
    )
    return (
        day.id,
        day.date,
        day.location_id,
        str(day.kind),
        visit.language,
        visit.interpreter_wanted,
        str(visit.origin),
        _outcome(visit),
        len({a.agency_id for a in active}),
        _ids_key(agencies),
        _ids_key(topics.get(visit.id, [])),
        len(active),
        site,
        wait,
        visit.mediator_id is not None,
    )


def _appointment_key(
    appointment: Any, visit: Any, day: Any, topics: dict[int, list[int]]
) -> tuple[Any, ...]:
    status = str(appointment.status)
    cancel_lead = None
    if appointment.status == AppointmentStatus.CANCELLED:
        if appointment.cancel_reason == MOVED:
            status = MOVED
        elif appointment.cancelled_dt is not None:
            cancel_lead = _whole_days(appointment.starts_dt, appointment.cancelled_dt)
    lead = (
        0
        if visit.origin == VisitOrigin.WALK_IN
        else _whole_days(appointment.starts_dt, visit.created_dt)
    )
    return (
        day.id,
        day.date,
        day.location_id,
        appointment.agency_id,
        _ids_key(topics.get(appointment.id, [])),
        str(visit.origin),
        status,
        min(lead, 365),
        cancel_lead,
        appointment.referred_by_agency_id,
    )


def _capacity_rows(
    days: dict[int, Any], held: Counter[tuple[int, int]], booked: Counter[tuple[int, int]]
) -> Iterable[tuple[Any, ...]]:
    offered = db.session.execute(
        sa.select(
            Session.day_id,
            Session.agency_id,
            sa.func.sum(Slot.capacity).label("slots"),
            sa.func.sum(Slot.capacity * Session.slot_minutes).label("minutes"),
        )
        .join(Slot, Slot.session_id == Session.id)
        .where(Session.day_id.in_(list(days)), Session.status == SessionStatus.PUBLISHED)
        .group_by(Session.day_id, Session.agency_id)
    )
    for row in offered:
        day = days[row.day_id]
        place = (row.day_id, row.agency_id)
        yield (
            day.id,
            day.date,
            day.location_id,
            str(day.kind),
            row.agency_id,
            int(row.minutes or 0),
            booked[place],
            int(row.slots or 0),
            max(0, int(row.slots or 0) - held[place]),
        )


def seal_before(cutoff: date) -> None:
    """Fold what changed, then never fold the days before `cutoff` again (the purge erases them)."""
    refresh()  # the fold exists from here on
    _lock()
    fold = db.session.get(StatFold, 1, populate_existing=True)
    assert fold is not None
    if fold.purged_before is None or fold.purged_before < cutoff:
        fold.purged_before = cutoff
    db.session.flush()
