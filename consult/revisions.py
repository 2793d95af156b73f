"""The revision of a consultation day: it changes with every write to the day's free times.

The visit planner caches a day's availability per (day id, revision). A write
that changes a day's hours, slots, seats or bookings therefore increments the
day's revision once, in its own transaction: services call `touch_day` right
after `begin_write()`, and a `before_flush` listener catches every other write
made through the ORM.

Touching early also fixes the lock order on PostgreSQL: the UPDATE takes the
day's row lock before the writer locks its visit, appointments or slots, so two
writers of one day queue for the day instead of waiting for each other in a circle.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm.util import identity_key

from consult.database import listen_on_sessions
from consult.extensions import db
from consult.models import (
    ACTIVE_APPOINTMENT_STATES,
    Agency,
    Appointment,
    ConsultationDay,
    Location,
    Seat,
    Session,  # an agency's hours; SQLAlchemy's session is `orm.Session` here
    Slot,
    Topic,
    utcnow,
)

_TOUCHED = "consult.touched_days"
_CATALOGUE = "consult.catalogue_touched"

# Without the model's column defaults: bumping the revision must not move `updated_dt`,
# which calendar feeds read as "the day itself changed".
_day_table = sa.table(
    "consultation_day",
    sa.column("id", sa.Integer),
    sa.column("revision", sa.BigInteger),
    sa.column("date", sa.Date),
    sa.column("location_id", sa.Integer),
)
_bump = (
    sa.update(_day_table)
    .where(_day_table.c.id == sa.bindparam("day_id"))
    .values(revision=_day_table.c.revision + 1)
)

# Each model's ways up to its day, tried in order: (relationship, foreign key, parent model).
_PARENTS: dict[type[Any], tuple[tuple[str, str, type[Any]], ...]] = {
    Seat: (("slot", "slot_id", Slot), ("appointment", "appointment_id", Appointment)),
    Slot: (("session", "session_id", Session),),
    Appointment: (("session", "session_id", Session),),
    Session: (("day", "day_id", ConsultationDay),),
}
# Changes that leave the free times as they are (collections are covered by their members).
_IGNORED: dict[type[Any], frozenset[str]] = {
    ConsultationDay: frozenset(
        {"revision", "updated_dt", "sessions", "visits", "invited_agencies", "tour_stop"}
    ),
    Session: frozenset({"updated_dt", "slots"}),
    Slot: frozenset({"seats"}),
    Seat: frozenset(),
}
# An appointment holds its time through its seats; only these changes move it.
_APPOINTMENT_PLACE = frozenset({"session", "session_id", "starts_dt", "ends_dt", "desk"})


def touch_day(day_id: int) -> None:
    """Increment the day's revision in the current transaction (once per transaction)."""
    _touch(db.session(), day_id)


def touch_days(day_ids: Iterable[int | None]) -> None:
    """Touch several days, lowest id first, so that writers lock them in the same order."""
    session = db.session()
    for day_id in sorted({day_id for day_id in day_ids if day_id is not None}):
        _touch(session, day_id)


def watch_day_revisions() -> None:
    """Bump the revision of every day that an ORM flush changes (idempotent)."""
    listen_on_sessions(
        ("before_flush", _touch_changed_days),
        ("after_transaction_end", _forget_touched_days),
    )


def _touch(session: orm.Session, day_id: int) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    if day_id in touched:
        return
    session.execute(_bump, {"day_id": day_id})
    touched.add(day_id)
    day = session.identity_map.get(identity_key(ConsultationDay, day_id))
    if day is not None:
        session.expire(day, ["revision"])


def _forget_touched_days(session: orm.Session, transaction: orm.SessionTransaction) -> None:
    # A commit or rollback ends what the touch was for; so does a savepoint's end,
    # whose rollback undoes the UPDATE (touching again after a release costs one bump).
    if transaction.parent is None or transaction.nested:
        session.info.pop(_TOUCHED, None)
        session.info.pop(_CATALOGUE, None)


def _touch_changed_days(session: orm.Session, flush_context: Any, instances: Any) -> None:
    _touch_days_of_changed_catalogue(session)
    day_ids: set[int] = set()
    for obj in (*session.new, *session.deleted):
        if type(obj) in _PARENTS or isinstance(obj, ConsultationDay):
            day_ids |= days_of(session, obj)
    for obj in session.dirty:
        if _changes_free_times(obj):
            day_ids |= days_of(session, obj)
    for day_id in sorted(day_ids):
        _touch(session, day_id)


def _touch_days_of_changed_catalogue(session: orm.Session) -> None:
    """A changed topic, agency or location changes the plans of days to come.

    Topic lengths, names and changeover gaps are part of every plan shown, so
    their days get a new revision too: a location's own days, or every day from
    yesterday on for a topic or an agency. Such edits are rare; answers kept by
    revision are then simply made again.
    """
    if session.info.get(_CATALOGUE):
        return
    changed = [
        obj
        for obj in (*session.new, *session.dirty, *session.deleted)
        if isinstance(obj, Topic | Agency | Location)
        and (obj in session.new or obj in session.deleted or session.is_modified(obj))
    ]
    if not changed:
        return
    locations = {obj.id for obj in changed if isinstance(obj, Location) and obj.id is not None}
    if any(not isinstance(obj, Location) for obj in changed):
        condition = _day_table.c.date >= utcnow().date() - timedelta(days=1)
    elif locations:
        condition = _day_table.c.location_id.in_(sorted(locations))
    else:
        return  # a new location has no days yet
    # In id order, like every writer of days, so two of them never wait in a circle.
    day_ids = session.scalars(
        sa.select(_day_table.c.id).where(condition).order_by(_day_table.c.id)
    ).all()
    for day_id in day_ids:
        _touch(session, day_id)
    session.info[_CATALOGUE] = True


def _changes_free_times(obj: object) -> bool:
    if isinstance(obj, Appointment):
        state = sa.inspect(obj)
        if any(state.attrs[key].history.has_changes() for key in _APPOINTMENT_PLACE):
            return True
        # Cancelling frees the seats; checking in, calling in or a no-show keeps them.
        status = state.attrs.status.history
        return bool(status.deleted and status.added) and (
            (status.deleted[0] in ACTIVE_APPOINTMENT_STATES)
            != (status.added[0] in ACTIVE_APPOINTMENT_STATES)
        )
    ignored = _IGNORED.get(type(obj))
    if ignored is None:
        return False
    return any(
        attr.history.has_changes() for attr in sa.inspect(obj).attrs if attr.key not in ignored
    )


def days_of(session: orm.Session, obj: object) -> set[int]:
    """The days an object belongs to, before and after its pending change."""
    state = sa.inspect(obj)
    if isinstance(obj, ConsultationDay):
        # A new day starts at revision 0: nobody can have cached it yet.
        return {state.identity[0]} if state.identity else set()
    days: set[int] = set()
    for relation, foreign_key, parent in _PARENTS[type(obj)]:
        for above in state.attrs[relation].history.sum():
            if above is not None:
                days |= days_of(session, above)
        for parent_id in state.attrs[foreign_key].history.sum():
            if parent_id is not None:
                days |= _days_by_id(session, parent, parent_id)
        if days:
            return days
    if not state.identity:
        return days
    # Its attributes are expired: ask the database (before this flush, the row is there).
    if isinstance(obj, Seat):
        return _days_by_id(session, Slot, state.identity[0])
    return _query_days(session, type(obj), state.identity[0])


def _days_by_id(session: orm.Session, model: type[Any], pk: int) -> set[int]:
    found = session.identity_map.get(identity_key(model, pk))
    if found is not None:
        return days_of(session, found)
    return _query_days(session, model, pk)


def _query_days(session: orm.Session, model: type[Any], pk: int) -> set[int]:
    if model is ConsultationDay:
        return {pk}
    query = sa.select(Session.day_id)
    if model is not Session:
        query = query.join(model, model.session_id == Session.id)
    day_id = session.execute(query.where(model.id == pk)).scalar()
    return {day_id} if day_id is not None else set()


def writing(session: orm.Session | None = None) -> bool:
    """Whether the current transaction has changed or will change something.

    Caches keyed by a revision must not store what such a transaction reads: it
    may roll back, and its revision would then be reused for other data.
    """
    session = session or db.session()
    return bool(session.info.get(_TOUCHED) or session.new or session.dirty or session.deleted)
