"""Which days the statistics must fold again: marked in the transaction that changes them.

Every ORM flush that adds, changes or removes a visit, an appointment or an agency's
hours marks their days in `stat_stale_day`, in the same transaction, so a mark exists
exactly when a committed change has not been folded yet. A mark's version goes up with
each change; the fold locks the marks it reads (in day order, as writers take them) and
deletes them with its counts, so a change committed meanwhile leaves a new mark behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from consult.database import listen_on_sessions
from consult.models import Appointment, Session, StatStaleDay, Visit
from consult.revisions import days_of


def watch_stale_days() -> None:
    """Mark the days of every visit, appointment and session an ORM flush changes."""
    listen_on_sessions(("before_flush", _mark_changed_days))


def mark_days(session: orm.Session, day_ids: Iterable[int]) -> None:
    """Mark these days as changed since the last fold (lowest id first)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = StatStaleDay.__table__
    for day_id in sorted(set(day_ids)):
        statement = insert(table).values(day_id=day_id, version=1)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.day_id], set_={"version": table.c.version + 1}
            )
        )


def _mark_changed_days(session: orm.Session, flush_context: Any, instances: Any) -> None:
    day_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        # An appointment is on its session's day; a visit that moves to another day
        # changes too, and marks the day it leaves.
        if isinstance(obj, Appointment | Session):
            day_ids |= days_of(session, obj)
        elif isinstance(obj, Visit):
            day_ids |= _visit_days(obj)
    if day_ids:
        mark_days(session, day_ids)


def _visit_days(visit: Visit) -> set[int]:
    """The visit's day, and the day it is leaving if it moves in this flush."""
    state = sa.inspect(visit)
    days = {day_id for day_id in state.attrs.day_id.history.sum() if day_id is not None}
    days |= {day.id for day in state.attrs.day.history.sum() if day is not None and day.id}
    return days
