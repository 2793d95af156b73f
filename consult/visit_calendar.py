"""A visit as an iCalendar file: every appointment, in the person's language and in German."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import Response, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from consult.ical import CalendarEvent, build_calendar
from consult.models import Appointment, AppointmentStatus, Visit


def event_uid(kind: str, number: int) -> str:
    """An event's UID: what and which, at this installation's public host.

    Two installations (or a test and a live one) in one calendar app never collide,
    and an event keeps its UID as long as the host stays the same.
    """
    host = urlsplit(current_app.config["CONSULT_BASE_URL"]).hostname or "localhost"
    return f"{kind}-{number}@{host}"


def _summary(agency: str, reference: str) -> str:
    return _("Appointment with %(agency)s (booking reference %(reference)s)", agency=agency,
             reference=reference)  # fmt: skip


def visit_ics(
    visit: Visit,
    appointments: Sequence[Appointment] | None = None,
    *,
    method: str = "PUBLISH",
    organizer: str = "",
) -> bytes:
    """The calendar file of a visit; cancelled appointments are sent as cancelled.

    `appointments` (all of the visit's by default) and `method` make an invitation to
    send by e-mail: REQUEST for the times booked, CANCEL for those cancelled, with the
    appointments' own UIDs so that a calendar updates the events it already has.
    """
    location = visit.day.location
    events = []
    for appointment in visit.appointments if appointments is None else appointments:
        agency = appointment.agency.name
        with force_locale(visit.language):
            summary = _summary(agency, visit.reference)
            room = _("Room %(room)s", room=appointment.room) if appointment.room else ""
        with force_locale("de"):
            german = _summary(agency, visit.reference)
        description = "\n".join(
            part
            for part in (
                room,
                german if german != summary else "",
                url_for("public.visit", reference=visit.reference, _external=True),
            )
            if part
        )
        cancelled = appointment.status is AppointmentStatus.CANCELLED
        events.append(
            CalendarEvent(
                uid=event_uid("appointment", appointment.id),
                starts_dt=appointment.starts_dt,
                ends_dt=appointment.ends_dt,
                summary=summary,
                description=description,
                location=location.address,
                geo=(location.latitude, location.longitude),
                url=url_for("public.visit", reference=visit.reference, _external=True),
                sequence=appointment.sequence,
                status="CANCELLED" if cancelled else "CONFIRMED",
                last_modified=appointment.updated_dt,
                organizer=organizer,
            )
        )
    with force_locale(visit.language):
        name = _("Visit %(reference)s", reference=visit.reference)
    return build_calendar(
        events, name=name, tz=location.timezone, method=method, stamp=visit.created_dt
    )


def ics_response(visit: Visit) -> Response:
    """The visit's calendar file as a download."""
    return Response(
        visit_ics(visit),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="consult-{visit.reference}.ics"'},
    )
