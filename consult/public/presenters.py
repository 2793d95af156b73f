"""Turn plans and visits into what the public pages show: timelines, QR codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from consult.config import LANGUAGES
from consult.extensions import db
from consult.i18n import LANGUAGE_NAMES
from consult.itineraries import DayPlans, PlannedOpening, plan_token
from consult.models import (
    Agency,
    AppointmentStatus,
    ConsultationDay,
    Session,
    SessionStatus,
    Slot,
    Visit,
    VisitStatus,
    utcnow,
)
from consult.planner import Plan


@dataclass(frozen=True)
class TimelineRow:
    """One appointment on a timeline."""

    starts_dt: datetime
    ends_dt: datetime
    agency: Agency
    room: str
    topics: tuple[str, ...] = ()
    language_ok: bool = True
    status: AppointmentStatus | None = None
    appointment_id: int | None = None
    # Whom the appointment is for, on a family's visit ("Amir and Leyla together").
    people: str = ""

    @property
    def is_cancelled(self) -> bool:
        return self.status is AppointmentStatus.CANCELLED


@dataclass(frozen=True)
class PlanView:
    """A plan as the person sees it: a timeline and a token to book it."""

    token: str
    rows: tuple[TimelineRow, ...]
    zone: str
    language_issues: int

    @property
    def starts_dt(self) -> datetime:
        return self.rows[0].starts_dt

    @property
    def ends_dt(self) -> datetime:
        return max(row.ends_dt for row in self.rows)

    @property
    def minutes_on_site(self) -> int:
        return int((self.ends_dt - self.starts_dt).total_seconds() // 60)


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def plan_view(result: DayPlans, plan: Plan) -> PlanView:
    """A planner result with agency names, rooms and the topics handled at each desk."""
    locale = _locale()
    rows = []
    for opening in plan.appointments:
        assignment = result.assignment_for(opening.agency_id)
        rows.append(
            TimelineRow(
                starts_dt=opening.starts_dt,
                ends_dt=opening.ends_dt,
                agency=assignment.agency,
                room=opening.room,
                topics=tuple(t.name_in(locale) for t in assignment.topics),
                language_ok=opening.language_ok,
            )
        )
    return PlanView(
        plan_token(plan), tuple(rows), result.day.location.timezone, plan.language_issues
    )


def token_view(
    day: ConsultationDay, token: str, wanted: Sequence[PlannedOpening]
) -> PlanView | None:
    """The plan a token names, or None when its slots are not (or no longer) of this day."""
    slot_ids = [slot_id for opening in wanted for slot_id in opening.slot_ids]
    slots = {
        slot.id: slot
        for slot in db.session.scalars(
            sa.select(Slot)
            .join(Session)
            .where(
                Slot.id.in_(slot_ids),
                Session.day_id == day.id,
                Session.status == SessionStatus.PUBLISHED,
            )
        )
    }
    rows = []
    for opening in wanted:
        chosen = [slots.get(slot_id) for slot_id in opening.slot_ids]
        if any(slot is None or slot.session_id != opening.session_id for slot in chosen):
            return None
        session = chosen[0].session
        rows.append(
            TimelineRow(
                starts_dt=min(s.starts_dt for s in chosen),
                ends_dt=max(s.ends_dt for s in chosen),
                agency=session.agency,
                room=session.rooms[0] if session.rooms else "",
            )
        )
    rows.sort(key=lambda row: row.starts_dt)
    return PlanView(token, tuple(rows), day.location.timezone, 0)


def visit_rows(visit: Visit) -> list[TimelineRow]:
    """Every appointment of a visit, cancelled ones included, in time order."""
    locale = _locale()
    return [
        TimelineRow(
            starts_dt=a.starts_dt,
            ends_dt=a.ends_dt,
            agency=a.agency,
            room=a.room,
            topics=tuple(t.name_in(locale) for t in a.topics),
            language_ok=a.session.serves_language(visit.language),
            status=a.status,
            appointment_id=a.id,
        )
        for a in sorted(visit.appointments, key=lambda a: (a.starts_dt, a.id))
    ]


@dataclass(frozen=True)
class EarlierRow:
    """An appointment the visit no longer has: moved to another time, or cancelled."""

    starts_dt: datetime
    ends_dt: datetime
    agency: Agency
    moved: bool


def current_rows(visit: Visit) -> list[TimelineRow]:
    """The visit's appointments as they stand: held ones, or how a cancelled visit ended."""
    return [row for row, is_current in _sorted_rows(visit) if is_current]


def earlier_rows(visit: Visit) -> list[EarlierRow]:
    """The times the visit had before: moved away from or cancelled, soonest first."""
    found = []
    for row, is_current in _sorted_rows(visit):
        if not is_current:
            reason = next(a.cancel_reason for a in visit.appointments if a.id == row.appointment_id)
            found.append(EarlierRow(row.starts_dt, row.ends_dt, row.agency, reason == "moved"))
    return found


def _sorted_rows(visit: Visit) -> list[tuple[TimelineRow, bool]]:
    reasons = {a.id: a.cancel_reason for a in visit.appointments}
    ended = visit.status is VisitStatus.CANCELLED
    return [
        (row, not row.is_cancelled or (ended and reasons[row.appointment_id] != "moved"))
        for row in visit_rows(visit)
    ]


def qr_svg(reference: str) -> Markup:
    """An inline SVG QR code of the booking reference, for the front desk's scanner."""
    code = segno.make(reference, error="m", micro=False)
    return Markup(code.svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=True))


def today(zone: str = "Europe/Berlin") -> date:
    """Today's date where the days take place."""
    return utcnow().astimezone(ZoneInfo(zone)).date()


def language_choices() -> list[tuple[str, str]]:
    """Languages a person may say they speak, each in its own script."""
    return [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
