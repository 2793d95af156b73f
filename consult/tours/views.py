"""Mobile advice tours: plan stops, check the drives, publish, import stops from a calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult import models
from consult.extensions import db
from consult.hours.forms import DAY_STATUS_LABELS
from consult.i18n import format_day
from consult.models import Agency, Location, Role, Tour, today_in
from consult.permissions import may_manage_tour, role_required
from consult.tours import planning, service, stops
from consult.tours.demand import demand
from consult.tours.forms import (
    DRIVE_LABELS,
    STOP_STATUS_LABELS,
    TOUR_STATUS_LABELS,
    ReorderForm,
    StopFields,
    StopForm,
    TourForm,
    new_place,
)
from consult.tours.routing import DriveSettings, DriveVerdict
from consult.waitlist import offer_freed_seats
from consult.web import date_or_400, done_or_flash, get_or_404

bp = Blueprint("tours", __name__, url_prefix="/staff/tours")

ROLES = (Role.ADVISOR, Role.COORDINATOR)


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


def tour_or_404(tour_id: int) -> Tour:
    """The tour (404 if there is none); 403 unless the current user may manage it."""
    tour: Tour = get_or_404(Tour, tour_id)
    if not may_manage_tour(current_user, tour):
        abort(403)
    return tour


def form_status(posted: bool) -> int:
    """The status of a page with a form: 422 when a posted form was refused, else 200."""
    return 422 if posted else 200


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
            tour.id: [(stop, stops.stop_session(stop)) for stop in service.upcoming_stops(tour)]
            for tour in tours
        },
        form=form,
        demand=demand(service.agency_scope(current_user), _today()),
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
        tour = done_or_flash(
            lambda: service.create_tour(form.title.data or "", agency, current_user)
        )
        if tour is not None:
            flash(
                _("The tour %(title)s is created. Now add its stops.", title=tour.title), "success"
            )
            return redirect(url_for("tours.tour", tour_id=tour.id))
    return _render_index(form, 422)


# --- one tour -----------------------------------------------------------------------------


def stop_form(form_class: type[StopFields], tour: Tour, **kwargs: Any) -> Any:
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


def stop_request(form: StopFields) -> stops.StopRequest:
    """The stop a filled-in stop form asks for; a new location when none was chosen."""
    new_location = None
    if form.location.data is None:
        new_location = new_place(form)
    return stops.StopRequest(
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
    form = stop_form(StopForm, tour)
    if request.method == "GET":
        form.topics.data = [int(choice.value) for choice in form.topics.choices]
    return form


def _render_tour(tour: Tour) -> ResponseReturnValue:
    plan = planning.plan_tour(tour, _settings())
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
        demand=demand(tour.agency_id, _today()),
        today=_today(),
    )


@bp.get("/<int:tour_id>")
@role_required(*ROLES)
def tour(tour_id: int) -> ResponseReturnValue:
    """The stops by date, the drives between them, a shorter order, and where people wait."""
    return _render_tour(tour_or_404(tour_id))


@bp.route("/<int:tour_id>/stops/new", methods=["GET", "POST"])
@role_required(*ROLES)
def add_stop(tour_id: int) -> ResponseReturnValue:
    """Add a stop: a date, a place, a time window and what is offered there."""
    tour = tour_or_404(tour_id)
    form = _new_stop_form(tour)
    if form.validate_on_submit():
        stop = done_or_flash(lambda: stops.add_stop(tour, stop_request(form)))
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
    ), form_status(request.method == "POST")


@bp.post("/<int:tour_id>/publish")
@role_required(*ROLES)
def publish(tour_id: int) -> ResponseReturnValue:
    """Publish the tour and its draft stops, unless a drive is impossible."""
    tour = tour_or_404(tour_id)
    settings = _settings()
    published = done_or_flash(lambda: service.publish_tour(tour, settings))
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
    return redirect(url_for("tours.tour", tour_id=tour.id))


@bp.post("/<int:tour_id>/days/<day>/reorder")
@role_required(*ROLES)
def reorder(tour_id: int, day: str) -> ResponseReturnValue:
    """Give the day's time windows the stops' places in the suggested order."""
    tour = tour_or_404(tour_id)
    on = date_or_400(day)
    form = ReorderForm()
    if not form.validate_on_submit():
        flash(_("Please choose an order."), "error")
        return redirect(url_for("tours.tour", tour_id=tour.id))
    try:
        stop_ids = [int(part) for part in (form.order.data or "").split(",")]
    except ValueError:
        abort(400)
    towns = done_or_flash(lambda: planning.reorder_day(tour, on, stop_ids, _settings()))
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


# The routes for moving and cancelling stops and for importing a calendar live in modules of
# their own; importing them adds them to `bp`.
from consult.tours import calendar_views, move_views  # noqa: E402, F401
