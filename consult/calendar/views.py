"""The combined calendar: day and week views per location and agency."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from consult.calendar import service
from consult.conferences import reading as conference_reading
from consult.extensions import db
from consult.models import Agency, Role, today_in
from consult.permissions import (
    can_see_person,
    can_see_reference,
    location_scope,
    role_required,
)
from consult.web import date_or_400, staff_location_or_abort, staff_locations

bp = Blueprint("calendar", __name__, url_prefix="/staff/calendar")

STAFF = (Role.ADVISOR, Role.FRONTDESK, Role.COORDINATOR)


@bp.get("/")
@role_required(*STAFF)
def index() -> ResponseReturnValue:
    """Pick a location and a date."""
    locations = staff_locations()
    chosen = request.args.get("location", type=int)
    if chosen:
        on = date_or_400(request.args.get("date"), _today())
        return redirect(url_for("calendar.day", location_id=chosen, on=on.isoformat()))
    return render_template("calendar/index.html", locations=locations, today=_today())


@bp.get("/day/<int:location_id>/<on>")
@role_required(*STAFF)
def day(location_id: int, on: str) -> ResponseReturnValue:
    """One location's day: a column per agency desk, a row per time, every appointment."""
    location = staff_location_or_abort(location_id)
    when = date_or_400(on, _today())
    agency_id = request.args.get("agency", type=int)
    all_sessions = service.sessions_on(location.id, when)
    sessions = [s for s in all_sessions if not agency_id or s.agency_id == agency_id]
    grid, appointments = service.day_grid(sessions)
    visible = {a.visit_id for a in appointments if can_see_person(current_user, a.visit)}
    references = {a.visit_id for a in appointments if can_see_reference(current_user, a.visit)}
    agencies = list({s.agency_id: s.agency for s in all_sessions}.values())
    return render_template(
        "calendar/day.html",
        location=location,
        when=when,
        grid=grid,
        agencies=agencies,
        agency_id=agency_id,
        names_visible=visible,
        references_visible=references,
        conferences=conference_reading.at_location_on(location, when),
        previous=when - timedelta(days=1),
        following=when + timedelta(days=1),
    )


@bp.get("/week/location/<int:location_id>")
@role_required(*STAFF)
def week_location(location_id: int) -> ResponseReturnValue:
    """A location's week: every agency's hours and how full they are."""
    location = staff_location_or_abort(location_id)
    start = _week_start(request.args.get("start"))
    loads = service.week_loads(start, location_id=location.id)
    return render_template(
        "calendar/week.html", title=location.name, location=location, agency=None, loads=loads,
        conferences_by_day=conference_reading.week_by_day(
            current_user, start, location.timezone, location_id=location.id, agency_id=None
        ),
        **_week(start),
    )  # fmt: skip


@bp.get("/week/agency/<int:agency_id>")
@role_required(*STAFF)
def week_agency(agency_id: int) -> ResponseReturnValue:
    """An agency's week across the locations the staff member works at."""
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    if current_user.role is Role.ADVISOR and current_user.agency_id != agency.id:
        abort(403)
    start = _week_start(request.args.get("start"))
    loads = service.week_loads(start, agency_id=agency.id)
    scope = location_scope(current_user)
    if scope is not None:
        loads = {
            d: [load for load in day if load.session.day.location_id in scope]
            for d, day in loads.items()
        }
    return render_template(
        "calendar/week.html", title=agency.name, location=None, agency=agency, loads=loads,
        conferences_by_day=conference_reading.week_by_day(
            current_user, start, current_app.config["CONSULT_TIMEZONE"],
            location_id=None, agency_id=agency.id,
        ),
        **_week(start),
    )  # fmt: skip


def _week(start: date) -> dict[str, object]:
    return {
        "start": start,
        "days": [start + timedelta(days=n) for n in range(7)],
        "previous": start - timedelta(days=7),
        "following": start + timedelta(days=7),
    }


def _today() -> date:
    return today_in(current_app.config["CONSULT_TIMEZONE"])


def _week_start(text: str | None) -> date:
    when = date_or_400(text, _today())
    return when - timedelta(days=when.weekday())
