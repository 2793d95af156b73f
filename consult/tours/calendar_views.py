"""Importing tour stops from an advisor's calendar file: upload, preview, confirm."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from wtforms import SelectChoice

from consult import models
from consult.errors import DomainError
from consult.extensions import db
from consult.models import Location, Tour
from consult.permissions import role_required
from consult.tours import calendar_stops, service
from consult.tours.forms import DEFAULT_SLOT_MINUTES, ImportForm, UploadForm, new_place
from consult.tours.importing import MAX_BYTES, CalendarImportError, SkippedEvent, parse_calendar
from consult.tours.views import ROLES, bp, form_status, tour_or_404
from consult.web import domain_message


@dataclass(frozen=True)
class EventRow:
    """One event of the preview: its form row, local date and times, and what went wrong."""

    entry: Any
    starts_dt: datetime | None
    ends_dt: datetime | None
    zone: str
    problem: str | None = None

    @property
    def day(self) -> date | None:
        """The local date of the event at its (chosen or default) place."""
        return self.starts_dt.astimezone(ZoneInfo(self.zone)).date() if self.starts_dt else None


@dataclass(frozen=True)
class SkippedRow:
    """An event left out, with its local date and (for timed events) its start."""

    event: SkippedEvent
    day: date | None
    starts_dt: datetime | None


def _skipped_rows(skipped: Iterable[SkippedEvent], zone: str) -> list[SkippedRow]:
    rows = []
    for event in skipped:
        when = event.when
        if isinstance(when, datetime) and when.tzinfo is not None:
            rows.append(SkippedRow(event, when.astimezone(ZoneInfo(zone)).date(), when))
        elif isinstance(when, datetime):
            rows.append(SkippedRow(event, when.date(), None))
        else:
            rows.append(SkippedRow(event, when, None))
    return rows


def _location_choices() -> tuple[list[Location], list[SelectChoice]]:
    locations = list(
        db.session.scalars(
            sa.select(Location).where(Location.active).order_by(Location.town, Location.name)
        )
    )
    choices = [SelectChoice("", _("A new location (enter it below)"))] + [
        SelectChoice(str(location.id), f"{location.town} · {location.name}")
        for location in locations
    ]
    return locations, choices


def _import_form(tour: Tour, **kwargs: Any) -> ImportForm:
    """The preview form with the agency's topics and the active locations to choose from."""
    form = ImportForm(**kwargs)
    locale = str(get_locale())
    form.topics.choices = [
        SelectChoice(str(topic.id), topic.name_in(locale))
        for topic in service.served_topics(tour.agency_id)
    ]
    _, choices = _location_choices()
    for entry in form.events:
        entry.form.location.choices = choices
    return form


def _instant(text: str | None) -> datetime | None:
    """An aware instant from a hidden field, or None when it was tampered with."""
    try:
        value = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return value.astimezone(UTC) if value.tzinfo is not None else None


def _event_rows(form: ImportForm, problems: dict[int, str] | None = None) -> list[EventRow]:
    default_zone = current_app.config["CONSULT_TIMEZONE"]
    rows = []
    for index, entry in enumerate(form.events):
        location = (
            db.session.get(Location, entry.form.location.data)
            if entry.form.location.data is not None
            else None
        )
        rows.append(
            EventRow(
                entry=entry,
                starts_dt=_instant(entry.form.starts_dt.data),
                ends_dt=_instant(entry.form.ends_dt.data),
                zone=location.timezone if location is not None else default_zone,
                problem=(problems or {}).get(index),
            )
        )
    return rows


def _render_import(
    tour: Tour,
    upload: UploadForm,
    form: ImportForm | None = None,
    skipped: tuple[SkippedEvent, ...] = (),
    problems: dict[int, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "tours/import.html",
        tour=tour,
        upload=upload,
        form=form,
        rows=_event_rows(form, problems) if form is not None else [],
        skipped=_skipped_rows(skipped, current_app.config["CONSULT_TIMEZONE"]),
    ), status


@bp.route("/<int:tour_id>/import", methods=["GET", "POST"])
@role_required(*ROLES)
def import_calendar(tour_id: int) -> ResponseReturnValue:
    """Upload a calendar file and see which of its events can become stops."""
    tour = tour_or_404(tour_id)
    upload = UploadForm()
    if not upload.validate_on_submit():
        return _render_import(tour, upload, status=form_status(request.method == "POST"))
    data = upload.calendar.data.read(MAX_BYTES + 1)
    try:
        parsed = parse_calendar(
            data, zone=current_app.config["CONSULT_TIMEZONE"], now=models.utcnow()
        )
    except CalendarImportError as error:
        upload.calendar.errors = [domain_message(error)]
        return _render_import(tour, upload, status=422)
    locations, _choices = _location_choices()
    events = []
    for event in parsed.events:
        matched = calendar_stops.match_location(event.location_text, event.geo, locations)
        place = calendar_stops.place_from_text(event.location_text, event.geo, locations)
        events.append(
            {
                "include": matched is not None,
                "summary": event.summary,
                "location_text": event.location_text,
                "starts_dt": event.starts_dt.isoformat(),
                "ends_dt": event.ends_dt.isoformat(),
                "location": matched.id if matched is not None else None,
                "new_name": place.name,
                "new_street": place.street,
                "new_postcode": place.postcode,
                "new_town": place.town,
                "new_latitude": place.latitude,
                "new_longitude": place.longitude,
            }
        )
    form = _import_form(
        tour,
        formdata=None,
        data={
            "events": events,
            "slot_minutes": DEFAULT_SLOT_MINUTES,
            "topics": [topic.id for topic in service.served_topics(tour.agency_id)],
            "languages": ["de"],
        },
    )
    if not events:
        flash(_("No event in this file can become a stop. The list below says why."), "error")
    return _render_import(tour, UploadForm(formdata=None), form, parsed.skipped)


@bp.post("/<int:tour_id>/import/confirm")
@role_required(*ROLES)
def import_confirm(tour_id: int) -> ResponseReturnValue:
    """Create a stop for every ticked event, or none when one of them does not fit."""
    tour = tour_or_404(tour_id)
    form = _import_form(tour)
    if not form.validate_on_submit():
        return _render_import(tour, UploadForm(formdata=None), form, status=422)
    ticked = [
        calendar_stops.CalendarStop(
            summary=entry.form.summary.data or "",
            starts_dt=_instant(entry.form.starts_dt.data),
            ends_dt=_instant(entry.form.ends_dt.data),
            location_id=entry.form.location.data,
            new_location=new_place(entry.form) if entry.form.location.data is None else None,
        )
        for entry in form.events
        if entry.form.include.data
    ]
    indices = [index for index, entry in enumerate(form.events) if entry.form.include.data]
    offer = calendar_stops.StopOffer(
        slot_minutes=form.slot_minutes.data,
        topic_ids=tuple(form.topics.data or ()),
        languages=tuple(form.languages.data or ()),
        interpreter=bool(form.interpreter.data),
    )
    try:
        created = calendar_stops.import_stops(tour, ticked, offer, now=models.utcnow())
    except calendar_stops.CalendarStopError as error:
        db.session.rollback()
        problem = domain_message(error.cause)
        flash(
            _(
                "Nothing was imported. The event “%(summary)s” cannot become a stop: %(problem)s",
                summary=error.stop.summary or _("(no title)"),
                problem=problem,
            ),
            "error",
        )
        problems = {indices[error.index]: problem}
        return _render_import(tour, UploadForm(formdata=None), form, problems=problems, status=422)
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return _render_import(tour, UploadForm(formdata=None), form, status=422)
    flash(
        ngettext(
            "%(num)d stop was created from the calendar as a draft.",
            "%(num)d stops were created from the calendar as drafts.",
            len(created),
        ),
        "success",
    )
    return redirect(url_for("tours.tour", tour_id=tour.id))
