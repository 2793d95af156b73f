"""Writing messages: in the transaction of the change they tell of, never twice.

A service that changes what a person has booked calls `tell` (or `tell_cancelled`) in
the same transaction, so a message exists exactly when its change is stored. Each row
has a dedupe key built from what it tells (the visit and the times it holds), and the
database refuses a second row with the same key: telling the same change twice, a
retried request or two paths reaching the same event, writes one message. Rows are
only written here; `consult.messages.delivery` renders and sends them when due.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from consult.extensions import db
from consult.messages.sms import is_mobile, normalise_phone
from consult.models import (
    Appointment,
    Channel,
    DayStatus,
    Message,
    MessageKind,
    MessageStatus,
    Visit,
    VisitStatus,
    utcnow,
)

# Messages after which the visit has (new) times to be reminded of.
SCHEDULING = frozenset(
    {MessageKind.BOOKED, MessageKind.MOVED, MessageKind.REPLANNED, MessageKind.REFERRAL}
)


def recipients(email: str | None, phone: str | None) -> list[tuple[Channel, str]]:
    """Where a person can be reached: their e-mail address, and their phone if it takes SMS."""
    found = []
    if email:
        found.append((Channel.EMAIL, email))
    if phone:
        number = _sms_number(phone)
        if number is not None:
            found.append((Channel.SMS, number))
    return found


@functools.lru_cache(maxsize=4096)
def _sms_number(phone: str) -> str | None:
    """The number in E.164 form if it can take SMS (parsing a number costs a fraction of a
    millisecond, and the same few numbers come back often)."""
    try:
        number = normalise_phone(phone)
    except ValueError:
        return None
    return number if is_mobile(number) else None


def tell(
    visit: Visit,
    kind: MessageKind,
    *,
    params: dict[str, Any] | None = None,
    due: datetime | None = None,
) -> None:
    """Write the messages that tell the person of this change to their visit, due now
    or at `due`.

    After a booking or a change of times, the visit's reminders are written too, due
    before its new start; reminders for an earlier time are dropped when due.
    """
    # A family member has no contact of their own: the lead's hears for them, unless the
    # lead's own message names everybody (the day or the lead's visit is cancelled).
    contact = visit.group_lead or visit
    if contact is not visit and (
        kind is MessageKind.DAY_CANCELLED or contact.status is VisitStatus.CANCELLED
    ):
        return
    if contact.messages_stopped:
        return
    reached = recipients(contact.email, contact.phone)
    if not reached:
        return
    now = utcnow()
    params = dict(params or {})
    key = _event_key(visit, kind, params)
    if kind in SCHEDULING:
        params["times"] = times_key(visit)  # a later change makes this message stale
    rows = [
        _row(visit, kind, channel, recipient, f"{kind}:{channel}:{key}", due or now, params)
        for channel, recipient in reached
    ]
    starts = visit.starts_dt
    if kind in SCHEDULING and starts is not None and contact is visit:
        rows += _reminders(visit, reached, starts, now)
    _insert(rows)


def tell_cancelled(visit: Visit, appointments: Sequence[Appointment], reason: str = "") -> None:
    """Tell the person that these appointments were cancelled: the visit, if none is left."""
    params = {"reason": reason} if reason else {}
    if visit.status is VisitStatus.CANCELLED:
        day_cancelled = visit.day.status is DayStatus.CANCELLED
        kind = MessageKind.DAY_CANCELLED if day_cancelled else MessageKind.CANCELLED
        tell(visit, kind, params=params)
        return
    for appointment in appointments:
        tell(
            visit,
            MessageKind.APPOINTMENT_CANCELLED,
            params={**params, "appointment": appointment.id},
        )


def _event_key(visit: Visit, kind: MessageKind, params: dict[str, Any]) -> str:
    if kind in (MessageKind.CANCELLED, MessageKind.DAY_CANCELLED):
        return f"v{visit.id}"
    if kind is MessageKind.APPOINTMENT_CANCELLED:
        return f"v{visit.id}:a{params['appointment']}"
    if kind in (MessageKind.OFFER, MessageKind.OFFER_EXPIRING):
        return f"v{visit.id}"
    # A booking or change: what the visit holds now, so that each new state is told once.
    return f"v{visit.id}:{times_key(visit)}"


def times_key(visit: Visit) -> str:
    """A short digest of the appointments a visit holds and their times."""
    held = sorted(f"{a.id}@{a.starts_dt:%Y%m%dT%H%M}" for a in visit.active_appointments)
    return hashlib.sha256(",".join(held).encode()).hexdigest()[:16]


def _reminders(
    visit: Visit, reached: list[tuple[Channel, str]], starts: datetime, now: datetime
) -> list[dict[str, Any]]:
    zone = visit.day.location.timezone
    rows = []
    for reminder in current_app.config["CONSULT_REMINDERS"]:
        due = reminder.due(starts, zone)
        if not now < due < starts:
            continue  # booked too late for this reminder
        params = {"starts": starts.isoformat(), "reminder": reminder.label}
        for channel, recipient in reached:
            key = f"reminder:{channel}:v{visit.id}:{starts:%Y%m%dT%H%M}:{reminder.label}"
            rows.append(_row(visit, MessageKind.REMINDER, channel, recipient, key, due, params))
    return rows


def _row(
    visit: Visit,
    kind: MessageKind,
    channel: Channel,
    recipient: str,
    key: str,
    due: datetime,
    params: dict[str, Any],
) -> dict[str, Any]:
    return {
        "kind": kind,
        "channel": channel,
        "recipient": recipient,
        "language": visit.language,
        "visit_id": visit.id,
        "day_id": visit.day_id,
        "params": params,
        "dedupe_key": key,
        "due_dt": due,
        "status": MessageStatus.PENDING,
        "attempts": 0,
        "last_error": "",
        "created_dt": utcnow(),
    }


def _insert(rows: list[dict[str, Any]]) -> None:
    """Insert the rows; a row whose dedupe key exists is skipped, not an error.

    The rows go as parameters of one statement built once per database, so that it is
    compiled once, not for every booking.
    """
    if rows:
        db.session.execute(_insert_statement(db.session.get_bind().dialect.name), rows)


@functools.cache
def _insert_statement(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The table, not the mapped class: a Core insert skips the ORM's bulk machinery.
    return insert(Message.__table__).on_conflict_do_nothing(index_elements=["dedupe_key"])
