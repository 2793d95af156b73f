"""Case conferences in an advisor's calendar feed: "Case conference", the room or the link.

Never a person's name, topic or note: the feed travels further than a staff page.
A cancelled conference stays in the feed as STATUS:CANCELLED, as a cancelled
appointment does, so calendar apps remove it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from consult.extensions import db
from consult.ical import CalendarEvent
from consult.models import (
    CaseConference,
    ConferenceStatus,
    StaffUser,
    conference_agency,
)
from consult.visit_calendar import event_uid

_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def _of_agency(user: StaffUser, start: date) -> sa.Select[Any]:
    since = datetime.combine(start, time(0), tzinfo=UTC)
    return (
        sa.select(CaseConference)
        .join(conference_agency, conference_agency.c.conference_id == CaseConference.id)
        .where(conference_agency.c.agency_id == user.agency_id, CaseConference.ends_dt > since)
    )


def version_aggregate(user: StaffUser, start: date) -> sa.Subquery:
    """Count, sum of ids and latest change of the conferences in the advisor's feed (one row)."""
    return (
        _of_agency(user, start)
        .with_only_columns(
            sa.func.count(CaseConference.id),
            sa.func.coalesce(sa.func.sum(CaseConference.id), 0),
            sa.func.max(CaseConference.updated_dt),
        )
        .subquery()
    )


def conference_events(user: StaffUser, start: date) -> list[CalendarEvent]:
    """The advisor's agency's case conferences from `start` on, in the reader's language."""
    found = db.session.scalars(_of_agency(user, start).order_by(CaseConference.starts_dt)).all()
    return [conference_event(conference) for conference in found]


def conference_event(conference: CaseConference) -> CalendarEvent:
    """The conference as one event, in the active language; cancelled ones as cancelled."""
    page = url_for("conferences.show", conference_id=conference.id, _external=True)
    where = conference.meeting_link or (
        _("Room %(room)s", room=conference.room) if conference.room else ""
    )
    place = conference.day.location if conference.day is not None else None
    location = ", ".join(p for p in (where, place.address if place else "") if p)
    description = "\n".join(
        line
        for line in (
            _("Agencies: %(agencies)s", agencies=", ".join(a.name for a in conference.agencies)),
            _("Meeting link: %(link)s", link=conference.meeting_link)
            if conference.meeting_link
            else "",
            page,
        )
        if line
    )
    return CalendarEvent(
        uid=event_uid("conference", conference.id),
        starts_dt=conference.starts_dt,
        ends_dt=conference.ends_dt,
        summary=_("Case conference"),
        description=description,
        location=location,
        url=page,
        sequence=max(0, int((conference.updated_dt - _SEQUENCE_EPOCH).total_seconds())),
        status="CANCELLED" if conference.status is ConferenceStatus.CANCELLED else "CONFIRMED",
        last_modified=conference.updated_dt,
    )
