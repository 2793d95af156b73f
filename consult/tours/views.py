"""Mobile advice tours: plan stops, check the drives, publish, import stops from a calendar."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult import models
from consult.coordination.service import LocationFields, booked_visits, cancelled_with_day
from consult.errors import DomainError
from consult.extensions import db
from consult.hours.forms import DAY_STATUS_LABELS
from consult.i18n import format_day, format_local_time
from consult.models import Agency, Location, Role, Tour, TourStop, today_in
from consult.permissions import role_required
from consult.tours import service
from consult.tours.forms import (
    DEFAULT_SLOT_MINUTES,
    DRIVE_LABELS,
    STOP_STATUS_LABELS,
    TOUR_STATUS_LABELS,
    CancelStopForm,
    CancelVisitForm,
    ImportForm,
    MoveStopForm,
    ReorderForm,
    StopFields,
    StopForm,
    TourForm,
    UploadForm,
)
from consult.tours.importing import MAX_BYTES, CalendarImportError, SkippedEvent, parse_calendar
from consult.tours.routing import DriveSettings, DriveVerdict
from consult.waitlist import offer_freed_seats
from consult.web import commit_or_flash, date_or_400, domain_message, flash_form_errors, get_or_404

bp = Blueprint("tours", __name__, url_prefix="/staff/tours")

ROLES = (Role.ADVISOR, Role.COORDINATOR)


def _locked_reason(stop: TourStop) -> str | None:
    """Why a stop can no longer be moved or cancelled (it is over or cancelled), or None."""
    try:
        service.check_open(stop)
    except DomainError as error:
        return domain_message(error)
    return None


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "tour_status_labels": TOUR_STATUS_LABELS,
        "stop_status_labels": STOP_STATUS_LABELS,
        "day_status_labels": DAY_STATUS_LABELS,
        "drive_labels": DRIVE_LABELS,
    }


# --- loading and access -------------------------------------------------------------------


def _settings() -> DriveSettings:
    return DriveSettings(
        road_factor=current_app.config["CONSULT_ROAD_FACTOR"],
        speed_kmh=current_app.config["CONSULT_DRIVE_SPEED_KMH"],
    )


def _today() -> date:
    return today_in(current_app.config["CONSULT_TIMEZONE"])


def _tour_or_404(tour_id: int) -> Tour:
    tour: Tour = get_or_404(Tour, tour_id)
    if not service.may_manage(current_user, tour):
        abort(403)
    return tour


def _stop_or_404(tour: Tour, stop_id: int) -> TourStop:
    stop = db.session.get(TourStop, stop_id)
    if stop is None or stop.tour_id != tour.id:
        abort(404)
    return stop


def _status(posted: bool) -> int:
    return 422 if posted else 200


def _place(stop: TourStop) -> str:
    return f"{stop.day.location.name}, {stop.day.location.town}"


# --- the list of tours --------------------------------------------------------------------


def _tour_form() -> TourForm:
    form = TourForm()
    if current_user.has_role(Role.COORDINATOR):
        form.agency.choices = [
            SelectChoice(str(agency.id), agency.name)
            for agency in db.session.scalars(sa.select(Agency).order_by(Agency.name))
        ]
    else:
        del form.agency
    return form


def _render_index(form: TourForm, status: int = 200) -> ResponseReturnValue:
    tours = service.tours_for(current_user)
    return render_template(
        "tours/index.html",
        tours=tours,
        next_stops={
            tour.id: [(stop, service.stop_session(stop)) for stop in service.upcoming_stops(tour)]
            for tour in tours
        },
        form=form,
        demand=service.demand(service.agency_scope(current_user), _today()),
    ), status


@bp.get("/")
@role_required(*ROLES)
def index() -> ResponseReturnValue:
    """The tours in reach, their next stops, a new tour, and where people are waiting."""
    return _render_index(_tour_form())


@bp.post("/")
@role_required(*ROLES)
def create() -> ResponseReturnValue:
    """Create a draft tour; its advisor is the person who creates it."""
    form = _tour_form()
    if form.validate_on_submit():
        if "agency" in form:
            agency = db.session.get(Agency, form.agency.data)
        else:
            agency = current_user.agency
        if agency is None:
            abort(400)
        tour = commit_or_flash(
            lambda: service.create_tour(form.title.data or "", agency, current_user)
        )
        if tour is not None:
            flash(
                _("The tour %(title)s is created. Now add its stops.", title=tour.title), "success"
            )
            return redirect(url_for("tours.tour", tour_id=tour.id))
    return _render_index(form, 422)


# --- one tour -----------------------------------------------------------------------------


def _stop_form(form_class: type[StopFields], tour: Tour, **kwargs: Any) -> Any:
    """A stop form offering the active locations and the topics the tour's agency serves."""
    form = form_class(**kwargs)
    locale = str(get_locale())
    form.location.choices = [SelectChoice("", _("A new location (enter it below)"))] + [
        SelectChoice(str(location.id), f"{location.town} · {location.name}")
        for location in db.session.scalars(
            sa.select(Location).where(Location.active).order_by(Location.town, Location.name)
        )
    ]
    form.topics.choices = [
        SelectChoice(str(topic.id), topic.name_in(locale))
        for topic in service.served_topics(tour.agency_id)
    ]
    return form


def _stop_request(form: StopFields) -> service.StopRequest:
    new_location = None
    if form.location.data is None:
        new_location = LocationFields(
            name=(form.new_name.data or "").strip(),
            street=(form.new_street.data or "").strip(),
            postcode=(form.new_postcode.data or "").strip(),
            town=(form.new_town.data or "").strip(),
            latitude=form.new_latitude.data,
            longitude=form.new_longitude.data,
            timezone=current_app.config["CONSULT_TIMEZONE"],
            changeover_minutes=current_app.config["CONSULT_CHANGEOVER_MINUTES"],
            accessibility_notes={},
        )
    return service.StopRequest(
        date=form.date.data,
        starts=form.starts.data,
        ends=form.ends.data,
        slot_minutes=form.slot_minutes.data,
        topic_ids=tuple(form.topics.data or ()),
        languages=tuple(form.languages.data or ()),
        interpreter=bool(form.interpreter.data),
        location_id=form.location.data,
        new_location=new_location,
    )


def _new_stop_form(tour: Tour) -> StopForm:
    """An empty stop form offering every topic the agency serves, ticked."""
    form = _stop_form(StopForm, tour)
    if request.method == "GET":
        form.topics.data = [int(choice.value) for choice in form.topics.choices]
    return form


def _render_tour(tour: Tour) -> ResponseReturnValue:
    plan = service.plan_tour(tour, _settings())
    return render_template(
        "tours/tour.html",
        tour=tour,
        plan=plan,
        drafts=[
            view
            for day in plan.days
            for view in day.stops
            if not view.over and view.day.status.value == "draft"
        ],
        impossible=plan.drives(DriveVerdict.IMPOSSIBLE),
        stop_form=_new_stop_form(tour),
        reorder_form=ReorderForm(),
        demand=service.demand(tour.agency_id, _today()),
        today=_today(),
    )


@bp.get("/<int:tour_id>")
@role_required(*ROLES)
def tour(tour_id: int) -> ResponseReturnValue:
    """The stops by date, the drives between them, a shorter order, and where people wait."""
    return _render_tour(_tour_or_404(tour_id))


@bp.route("/<int:tour_id>/stops/new", methods=["GET", "POST"])
@role_required(*ROLES)
def add_stop(tour_id: int) -> ResponseReturnValue:
    """Add a stop: a date, a place, a time window and what is offered there."""
    tour = _tour_or_404(tour_id)
    form = _new_stop_form(tour)
    if form.validate_on_submit():
        stop = commit_or_flash(lambda: service.add_stop(tour, _stop_request(form)))
        if stop is not None:
            flash(
                _(
                    "The stop in %(town)s on %(date)s is added as a draft. "
                    "People can book it once you publish the tour.",
                    town=stop.day.location.town,
                    date=format_day(stop.day.date),
                ),
                "success",
            )
            return redirect(url_for("tours.tour", tour_id=tour.id, _anchor=f"stop-{stop.id}"))
    return render_template(
        "tours/stop_form.html", tour=tour, form=form, stop=None, locked=None
    ), _status(request.method == "POST")


@bp.post("/<int:tour_id>/publish")
@role_required(*ROLES)
def publish(tour_id: int) -> ResponseReturnValue:
    """Publish the tour and its draft stops, unless a drive is impossible."""
    tour = _tour_or_404(tour_id)
    settings = _settings()
    published = commit_or_flash(lambda: service.publish_tour(tour, settings))
    if published is not None:
        flash(
            ngettext(
                "The tour is published. %(num)d stop is now open for booking.",
                "The tour is published. %(num)d stops are now open for booking.",
                len(published),
            ),
            "success",
        )
        tight = service.tight_drives(tour, settings)
        if tight:
            flash(
                _(
                    "Some drives leave little time to spare: %(drives)s. "
                    "Please allow for traffic or change the times.",
                    drives="; ".join(tight),
                ),
                "warning",
            )
        for day in published:
            # People waiting for these towns may get an offer.
            offer_freed_seats(day, now=models.utcnow())
        db.session.commit()
    return redirect(url_for("tours.tour", tour_id=tour.id))


@bp.post("/<int:tour_id>/days/<day>/reorder")
@role_required(*ROLES)
def reorder(tour_id: int, day: str) -> ResponseReturnValue:
    """Give the day's time windows the stops' places in the suggested order."""
    tour = _tour_or_404(tour_id)
    on = date_or_400(day)
    form = ReorderForm()
    if not form.validate_on_submit():
        flash(_("Please choose an order."), "error")
        return redirect(url_for("tours.tour", tour_id=tour.id))
    try:
        stop_ids = [int(part) for part in (form.order.data or "").split(",")]
    except ValueError:
        abort(400)
    towns = commit_or_flash(lambda: service.reorder_day(tour, on, stop_ids))
    if towns is not None:
        flash(
            _(
                "The stops of %(date)s are in the new order: %(towns)s.",
                date=format_day(on),
                towns=" → ".join(towns),
            ),
            "success",
        )
    return redirect(url_for("tours.tour", tour_id=tour.id, _anchor=f"day-{on.isoformat()}"))


# --- moving and cancelling stops ----------------------------------------------------------


def _stop_data(stop: TourStop) -> dict[str, Any]:
    """The values of a stop, for filling in the move form."""
    session = service.stop_session(stop)
    zone = stop.day.location.zone
    data: dict[str, Any] = {"date": stop.day.date, "location": stop.day.location_id}
    if session is not None:
        data.update(
            starts=session.starts_dt.astimezone(zone).time(),
            ends=session.ends_dt.astimezone(zone).time(),
            slot_minutes=session.slot_minutes,
            topics=[topic.id for topic in session.topics],
            languages=list(session.languages),
            interpreter=session.interpreter_available,
        )
    return data


@bp.route("/<int:tour_id>/stops/<int:stop_id>/move", methods=["GET", "POST"])
@role_required(*ROLES)
def move_stop(tour_id: int, stop_id: int) -> ResponseReturnValue:
    """Move a stop to another date or place: a new stop, then each booking follows or ends."""
    tour = _tour_or_404(tour_id)
    stop = _stop_or_404(tour, stop_id)
    form = _stop_form(MoveStopForm, tour, data=_stop_data(stop))
    if form.validate_on_submit():
        new = commit_or_flash(lambda: service.move_stop(stop, _stop_request(form)))
        if new is not None:
            when = {"town": new.day.location.town, "date": format_day(new.day.date)}
            if booked_visits(stop.day):
                flash(
                    _(
                        "The new stop in %(town)s on %(date)s is added. People are booked on "
                        "the old stop: please move each visit to the new stop or cancel it.",
                        **when,
                    ),
                    "success",
                )
                return redirect(
                    url_for("tours.moving", tour_id=tour.id, stop_id=stop.id, new_stop_id=new.id)
                )
            _cancel_moved(stop, new)
            flash(_("The stop is moved to %(town)s on %(date)s.", **when), "success")
            return redirect(url_for("tours.tour", tour_id=tour.id, _anchor=f"stop-{new.id}"))
    locked = _locked_reason(stop)
    return render_template(
        "tours/stop_form.html",
        tour=tour,
        form=form,
        stop=stop,
        stop_session=service.stop_session(stop),
        booked=booked_visits(stop.day),
        locked=locked,
    ), _status(request.method == "POST")


def _cancel_moved(old: TourStop, new: TourStop) -> bool:
    """Cancel the old stop of a move once nobody is booked on it; True if it was."""
    reason = _(
        "This stop moved to %(place)s on %(date)s.",
        place=_place(new),
        date=format_day(new.day.date),
    )
    done = commit_or_flash(lambda: service.cancel_if_empty(old, reason))
    return bool(done)


def _moving_pair(tour_id: int, stop_id: int, new_stop_id: int) -> tuple[Tour, TourStop, TourStop]:
    tour = _tour_or_404(tour_id)
    return tour, _stop_or_404(tour, stop_id), _stop_or_404(tour, new_stop_id)


@bp.get("/<int:tour_id>/stops/<int:stop_id>/move/<int:new_stop_id>")
@role_required(*ROLES)
def moving(tour_id: int, stop_id: int, new_stop_id: int) -> ResponseReturnValue:
    """The visits still booked on a moved stop: move each to the new stop or cancel it."""
    tour, old, new = _moving_pair(tour_id, stop_id, new_stop_id)
    return render_template(
        "tours/moving.html",
        tour=tour,
        old=old,
        new=new,
        old_session=service.stop_session(old),
        new_session=service.stop_session(new),
        visits=booked_visits(old.day) if old.day.status.value != "cancelled" else [],
        told=cancelled_with_day(old.day),
        cancel_visit_form=CancelVisitForm(),
        cancel_stop_form=CancelStopForm(),
    )


def _after_resolving(tour: Tour, old: TourStop, new: TourStop) -> ResponseReturnValue:
    if _cancel_moved(old, new):
        flash(_("Nobody is booked on the old stop any more, so it is cancelled."), "success")
        return redirect(url_for("tours.tour", tour_id=tour.id, _anchor=f"stop-{new.id}"))
    return redirect(url_for("tours.moving", tour_id=tour.id, stop_id=old.id, new_stop_id=new.id))


@bp.post("/<int:tour_id>/stops/<int:stop_id>/move/<int:new_stop_id>/visits/<int:visit_id>")
@role_required(*ROLES)
def move_visit(tour_id: int, stop_id: int, new_stop_id: int, visit_id: int) -> ResponseReturnValue:
    """Move one visit to the best free time at the new stop; it keeps its reference."""
    tour, old, new = _moving_pair(tour_id, stop_id, new_stop_id)
    try:
        visit = service.move_visit(old, new, visit_id, now=models.utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return redirect(
            url_for("tours.moving", tour_id=tour.id, stop_id=old.id, new_stop_id=new.id)
        )
    zone = new.day.location.timezone
    flash(
        _(
            "The visit %(reference)s has moved to %(place)s on %(date)s at %(time)s. "
            "Please tell the person.",
            reference=visit.reference,
            place=_place(new),
            date=format_day(new.day.date),
            time=format_local_time(visit.starts_dt, zone) if visit.starts_dt else "",
        ),
        "success",
    )
    return _after_resolving(tour, old, new)


@bp.post("/<int:tour_id>/stops/<int:stop_id>/move/<int:new_stop_id>/visits/<int:visit_id>/cancel")
@role_required(*ROLES)
def cancel_moved_visit(
    tour_id: int, stop_id: int, new_stop_id: int, visit_id: int
) -> ResponseReturnValue:
    """Cancel one visit of a moved stop, with a reason the person will see."""
    tour, old, new = _moving_pair(tour_id, stop_id, new_stop_id)
    form = CancelVisitForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(
            url_for("tours.moving", tour_id=tour.id, stop_id=old.id, new_stop_id=new.id)
        )
    visit = commit_or_flash(lambda: service.cancel_visit(old, visit_id, form.reason.data or ""))
    if visit is not None:
        flash(
            _(
                "The booking %(reference)s is cancelled. Please tell the person.",
                reference=visit.reference,
            ),
            "success",
        )
    return _after_resolving(tour, old, new)


@bp.route("/<int:tour_id>/stops/<int:stop_id>/cancel", methods=["GET", "POST"])
@role_required(*ROLES)
def cancel_stop(tour_id: int, stop_id: int) -> ResponseReturnValue:
    """Cancel a stop and every visit on it; then list the people to tell."""
    tour = _tour_or_404(tour_id)
    stop = _stop_or_404(tour, stop_id)
    form = CancelStopForm()
    cancelled = stop.day.status.value == "cancelled"
    if not cancelled and form.validate_on_submit():
        visits = commit_or_flash(lambda: service.cancel_stop(stop, form.reason.data or ""))
        if visits is not None:
            flash(
                ngettext(
                    "The stop is cancelled. %(num)d visit was cancelled; please tell the person.",
                    "The stop is cancelled. %(num)d visits were cancelled; please tell the people.",
                    len(visits),
                ),
                "success",
            )
            return redirect(url_for("tours.cancel_stop", tour_id=tour.id, stop_id=stop.id))
    locked = _locked_reason(stop)
    return render_template(
        "tours/cancel_stop.html",
        locked=locked,
        tour=tour,
        stop=stop,
        session=service.stop_session(stop),
        form=form,
        booked=[] if cancelled else booked_visits(stop.day),
        told=cancelled_with_day(stop.day) if cancelled else [],
    ), _status(request.method == "POST" and not cancelled)


# --- importing stops from a calendar file -------------------------------------------------


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
    choices = [SelectChoice("", _("Choose a location"))] + [
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
    tour = _tour_or_404(tour_id)
    upload = UploadForm()
    if not upload.validate_on_submit():
        return _render_import(tour, upload, status=_status(request.method == "POST"))
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
        matched = service.match_location(event.location_text, event.geo, locations)
        events.append(
            {
                "include": matched is not None,
                "summary": event.summary,
                "location_text": event.location_text,
                "starts_dt": event.starts_dt.isoformat(),
                "ends_dt": event.ends_dt.isoformat(),
                "location": matched.id if matched is not None else None,
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
    tour = _tour_or_404(tour_id)
    form = _import_form(tour)
    if not form.validate_on_submit():
        return _render_import(tour, UploadForm(formdata=None), form, status=422)
    ticked = [
        service.CalendarStop(
            summary=entry.form.summary.data or "",
            starts_dt=_instant(entry.form.starts_dt.data),
            ends_dt=_instant(entry.form.ends_dt.data),
            location_id=entry.form.location.data,
        )
        for entry in form.events
        if entry.form.include.data
    ]
    indices = [index for index, entry in enumerate(form.events) if entry.form.include.data]
    offer = service.StopOffer(
        slot_minutes=form.slot_minutes.data,
        topic_ids=tuple(form.topics.data or ()),
        languages=tuple(form.languages.data or ()),
        interpreter=bool(form.interpreter.data),
    )
    try:
        created = service.import_stops(tour, ticked, offer, now=models.utcnow())
        db.session.commit()
    except service.CalendarStopError as error:
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
