"""Domain objects as the JSON the API sends; instants in the location's time zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from consult.itineraries import DayPlans, plan_token
from consult.models import Agency, Appointment, ConsultationDay, Location, Topic, Visit
from consult.planner import Plan

Json = dict[str, Any]


def local_iso(instant: datetime, zone: str) -> str:
    """An aware instant as ISO 8601 wall-clock time with offset, e.g. 2026-12-01T09:00:00+01:00."""
    return instant.astimezone(ZoneInfo(zone)).isoformat()


def topic(item: Topic, locale: str) -> Json:
    """A topic with its name and explanation in `locale`."""
    return {
        "id": item.id,
        "slug": item.slug,
        "icon": item.icon,
        "phase": item.phase,
        "default_minutes": item.default_minutes,
        "name": item.name_in(locale),
        "explanation": item.explanation_in(locale),
    }


def agency(item: Agency) -> Json:
    """An agency as named on timelines."""
    return {"id": item.id, "name": item.name, "short_name": item.short_name}


def location(item: Location) -> Json:
    """Where a day takes place, with its time zone."""
    return {
        "id": item.id,
        "name": item.name,
        "street": item.street,
        "postcode": item.postcode,
        "town": item.town,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "timezone": item.timezone,
    }


def day(item: ConsultationDay) -> Json:
    """A day with its location and the agencies that publish hours on it."""
    return {
        "id": item.id,
        "date": item.date.isoformat(),
        "kind": item.kind.value,
        "title": item.title,
        "location": location(item.location),
        "agencies": [agency(a) for a in sorted(item.agencies, key=lambda a: a.name)],
    }


def plan(result: DayPlans, item: Plan) -> Json:
    """One plan of `result`, with the token that books it."""
    zone = result.day.location.timezone
    return {
        "token": plan_token(item),
        "starts_at": local_iso(item.starts_dt, zone),
        "ends_at": local_iso(item.ends_dt, zone),
        "minutes_on_site": item.minutes_on_site,
        "language_issues": item.language_issues,
        "appointments": [
            {
                "agency_id": opening.agency_id,
                "agency_name": result.assignment_for(opening.agency_id).agency.name,
                "session_id": opening.session_id,
                "slot_ids": list(opening.slot_ids),
                "starts_at": local_iso(opening.starts_dt, zone),
                "ends_at": local_iso(opening.ends_dt, zone),
                "room": opening.room,
                "language_ok": opening.language_ok,
            }
            for opening in item.appointments
        ],
    }


def day_plans(result: DayPlans) -> Json:
    """How the topics are shared among agencies, and the best plans."""
    return {
        "day_id": result.day.id,
        "assignments": [
            {
                "agency": agency(a.agency),
                "topics": [t.id for t in a.topics],
                "minutes": a.minutes,
                "language_ok": a.language_ok,
            }
            for a in result.assignments
        ],
        "unserved_topics": [t.id for t in result.unserved],
        "plans": [plan(result, p) for p in result.plans],
        "complete": result.complete,
        "mediator_language": result.mediator_language,
        "mediator_missing": result.mediator_missing,
    }


def appointment(item: Appointment, zone: str) -> Json:
    """One booked appointment of a visit, with its status."""
    return {
        "id": item.id,
        "agency_id": item.agency_id,
        "agency_name": item.agency.name,
        "starts_at": local_iso(item.starts_dt, zone),
        "ends_at": local_iso(item.ends_dt, zone),
        "room": item.room,
        "status": item.status.value,
    }


def visit(item: Visit) -> Json:
    """A visit with every appointment, cancelled ones included, in time order."""
    zone = item.day.location.timezone
    return {
        "reference": item.reference,
        "status": item.status.value,
        "day": day(item.day),
        "language": item.language,
        "interpreter": item.interpreter_wanted,
        "mediator": item.mediator_id is not None,
        "consent": item.consent_to_share,
        "topics": [t.id for t in item.topics],
        "appointments": [
            appointment(a, zone)
            for a in sorted(item.appointments, key=lambda a: (a.starts_dt, a.id))
        ],
    }
