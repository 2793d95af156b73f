"""The audit log: who read or changed what, and when."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import orm

from consult.database import after_commit, listen_on_sessions
from consult.extensions import db
from consult.logs import event_line
from consult.models import (
    Appointment,
    AppointmentStatus,
    AuditLog,
    CaseConference,
    Consent,
    ConsultationDay,
    MediatorShift,
    Session,
    StaffUser,
    Tour,
    Visit,
    WaitlistEntry,
    utcnow,
)

# Who acted: a staff account (actor_id says which), the person by their booking
# reference on a public page or the API, or consult itself (command line, purge).
STAFF, PERSON, SYSTEM = "staff", "person", "system"

PER_PAGE = 50


def record(
    actor: StaffUser | None, action: str, object_type: str, object_id: int | None, **detail: Any
) -> AuditLog:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        actor_kind=STAFF if actor is not None else SYSTEM,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class Filter:
    """What an administrator looks for: one object, one actor, a span of days (all optional).

    `actor` is a staff account's id, or PERSON or SYSTEM; `since`/`until` are instants.
    """

    object_type: str = ""
    object_id: int | None = None
    actor: int | str | None = None
    since: datetime | None = None
    until: datetime | None = None


def newest_first(page: int, wanted: Filter = Filter(), per_page: int = PER_PAGE) -> Pagination:
    """One page of the audit log entries that match, newest entry first."""
    query = sa.select(AuditLog).order_by(AuditLog.at_dt.desc(), AuditLog.id.desc())
    if wanted.object_type:
        query = query.where(AuditLog.object_type == wanted.object_type)
    if wanted.object_id is not None:
        query = query.where(AuditLog.object_id == wanted.object_id)
    if isinstance(wanted.actor, int):
        query = query.where(AuditLog.actor_id == wanted.actor)
    elif wanted.actor in (PERSON, SYSTEM):
        query = query.where(AuditLog.actor_kind == wanted.actor)
    if wanted.since is not None:
        query = query.where(AuditLog.at_dt >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditLog.at_dt < wanted.until)
    return db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)


def object_types() -> list[str]:
    """The kinds of object the log has entries about, for the filter's choices."""
    return list(
        db.session.scalars(
            sa.select(AuditLog.object_type).distinct().order_by(AuditLog.object_type)
        )
    )


# --- every change, recorded as it is flushed ----------------------------------------------
#
# Bookings, cancellations, moves, check-ins, consents, days, hours, tours, waiting-list
# entries and accounts are changed from many places (forms, the API, the front desk, the
# command line). Rather than trust each of them to remember, one flush listener writes an
# entry for every watched change, in the same transaction: a rolled-back change leaves no
# entry, and a committed one always has its entry.


@dataclass(frozen=True)
class Watched:
    """How changes of one model read in the log: its name, and the columns that matter."""

    name: str
    columns: tuple[str, ...]
    # The object the entry is about when it is not the row itself (a consent: its visit).
    about: Callable[[Any], tuple[str, int | None]] | None = None


def _visit_of(row: Any) -> tuple[str, int | None]:
    return "visit", row.visit_id


WATCHED: dict[type, Watched] = {
    Visit: Watched("visit", ("status", "day_id", "mediator_id")),
    Appointment: Watched("appointment", ("status", "starts_dt", "session_id"), _visit_of),
    Consent: Watched("consent", ("language", "purpose", "withdrawn_dt"), _visit_of),
    CaseConference: Watched(
        "conference",
        ("status", "visit_id", "mode", "starts_dt", "room", "meeting_link", "outcome_dt"),
    ),
    ConsultationDay: Watched("day", ("status", "date", "location_id")),
    Session: Watched("hours", ("status", "starts_dt", "ends_dt", "desks")),
    Tour: Watched("tour", ("status", "title")),
    WaitlistEntry: Watched("waitlist", ("status", "offered_day_id")),
    MediatorShift: Watched("mediator_shift", ("day_id", "starts_dt", "ends_dt")),
    StaffUser: Watched(
        "account",
        ("role", "email", "name", "agency_id", "active", "password_hash", "feed_token"),
    ),
}
# Secrets are named as changed, never written down.
SECRET_COLUMNS = frozenset({"password_hash", "feed_token"})


def watch_changes() -> None:
    """Write an audit entry for every watched change an ORM flush makes (idempotent)."""
    listen_on_sessions(("after_flush", _record_flushed_changes))


def _acting() -> tuple[int | None, str]:
    """The signed-in staff member; else the person, by reference, on a public page; else us."""
    if not has_request_context():
        return None, SYSTEM
    user = g.get("_login_user")  # loaded by Flask-Login for every staff page
    if user is not None and user.is_authenticated:
        return user.id, STAFF
    return None, PERSON


def _record_flushed_changes(session: orm.Session, flush_context: Any) -> None:
    rows = []
    # A new visit's appointments are its booking, written down once as the visit.
    new_visits = {obj.id for obj in session.new if isinstance(obj, Visit)}
    for obj in session.new:
        watched = WATCHED.get(type(obj))
        if isinstance(obj, Appointment) and obj.visit_id in new_visits:
            continue
        if watched is not None:
            rows.append(_entry(watched, obj, _created_verb(obj), _created(watched, obj)))
    for obj in session.dirty:
        watched = WATCHED.get(type(obj))
        if watched is None:
            continue
        changed = _changed(watched, obj)
        if changed:
            rows.append(_entry(watched, obj, _verb(watched, obj, changed), changed))
    if not rows:
        return
    actor_id, kind = _acting()
    at = utcnow()
    for row in rows:
        row.update(actor_id=actor_id, actor_kind=kind, at_dt=at)
    # Core, on the flush's own connection: the entries join the transaction of the change.
    session.connection().execute(sa.insert(AuditLog.__table__), rows)
    after_commit(lambda: _log_events(rows), session)


def _log_events(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        event_line(row["action"], row["object_type"], row["object_id"], row["actor_kind"])


def _entry(watched: Watched, obj: Any, verb: str, detail: dict[str, Any]) -> dict[str, Any]:
    object_type, object_id = watched.about(obj) if watched.about else (watched.name, obj.id)
    if watched.about:
        detail = {watched.name: obj.id, **detail}
    return {
        "action": f"{watched.name}.{verb}",
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail,
    }


def _created_verb(obj: Any) -> str:
    if isinstance(obj, Visit):
        return "walk_in" if obj.walk_in else "book"
    if isinstance(obj, Consent):
        return "give"
    return "create"


def _created(watched: Watched, obj: Any) -> dict[str, Any]:
    return {
        column: _plain(getattr(obj, column))
        for column in watched.columns
        if column not in SECRET_COLUMNS and getattr(obj, column) is not None
    }


def _changed(watched: Watched, obj: Any) -> dict[str, Any]:
    """Column → {before, after} for the watched columns this flush changes."""
    state = sa.inspect(obj)
    changed: dict[str, Any] = {}
    for column in watched.columns:
        history = state.attrs[column].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before == after:
            continue
        if column in SECRET_COLUMNS:
            changed[column] = "changed"
        else:
            changed[column] = {"before": _plain(before), "after": _plain(after)}
    return changed


def _verb(watched: Watched, obj: Any, changed: dict[str, Any]) -> str:
    """The one word for what happened: the new status, or what else changed."""
    if watched.name == "visit" and "day_id" in changed:
        return "moved"
    if "status" in changed:
        status = changed["status"]["after"]
        if status == AppointmentStatus.CANCELLED and getattr(obj, "cancel_reason", "") == "moved":
            return "moved"
        return str(status)
    if watched.name == "consent":
        return "withdraw"
    if "password_hash" in changed:
        return "password"
    if "feed_token" in changed:
        return "feed_token"
    if "role" in changed:
        return "role"
    return "change"


def _plain(value: Any) -> Any:
    """A JSON value for the log."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
