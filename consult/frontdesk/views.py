"""The front desk: arrivals, check-in, walk-ins, the waiting-room display, the advisor's calls."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult import itineraries
from consult.conferences import reading as conference_reading
from consult.errors import DomainError
from consult.extensions import db
from consult.frontdesk import service
from consult.frontdesk.forms import CancelForm, MoveForm, WalkInForm
from consult.frontdesk.service import ADVISOR_ACTIONS, FRONT_DESK_ACTIONS, DeskAction
from consult.i18n import format_local_time
from consult.models import Appointment, ConsultationDay, Location, Role, Session, Visit
from consult.permissions import can_view_location, role_required
from consult.public import presenters
from consult.visits import Contact
from consult.web import (
    date_or_400,
    domain_message,
    flash_form_errors,
    staff_location_or_abort,
    staff_locations,
)

bp = Blueprint("frontdesk", __name__, url_prefix="/staff/desk")

DESK = (Role.FRONTDESK, Role.COORDINATOR)


# ---------------------------------------------------------------- loading and access


def _desk_visit(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        abort(404)
    if not can_view_location(current_user, visit.day.location_id):
        abort(403)
    return visit


def _desk_appointment(appointment_id: int) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        abort(404)
    _desk_visit(appointment.visit_id)
    return appointment


def _serves(agency_id: int) -> bool:
    """Advisors act for their own agency only; administrators for every agency."""
    return current_user.role is Role.ADMIN or current_user.agency_id == agency_id


def _desk_url(day: ConsultationDay) -> str:
    return url_for("frontdesk.day", location_id=day.location_id, on=day.date.isoformat())


def _today(location: Location | None = None) -> date:
    zone = location.timezone if location else current_app.config["CONSULT_TIMEZONE"]
    return service.today_at(zone)


# ---------------------------------------------------------------- the desk


@bp.get("/")
@role_required(*DESK)
def index() -> ResponseReturnValue:
    """Pick a location and a day."""
    locations = staff_locations()
    chosen = request.args.get("location", type=int)
    if chosen:
        location = staff_location_or_abort(chosen)
        text = request.args.get("date", "")
        on = date_or_400(text, _today(location))
        return redirect(url_for("frontdesk.day", location_id=location.id, on=on.isoformat()))
    today = _today()
    upcoming = service.upcoming_days([location.id for location in locations], today)
    return render_template(
        "frontdesk/index.html", locations=locations, today=today, upcoming=upcoming
    )


@bp.get("/<int:location_id>/<on>")
@role_required(*DESK)
def day(location_id: int, on: str) -> ResponseReturnValue:
    """A location's arrivals of one day in the order of their first appointment, and the queue."""
    location = staff_location_or_abort(location_id)
    when = date_or_400(on)
    search = request.args.get("q", "")[: service.MAX_SEARCH]
    days = service.days_at(location.id, when)
    arrivals = service.arrivals(days, search)
    waiting = service.queue(days, search)
    if search.strip() and not arrivals and not waiting:
        elsewhere = service.find_reference(search)
        if elsewhere is not None and can_view_location(current_user, elsewhere.day.location_id):
            flash(
                _(
                    "Booking %(reference)s is for %(date)s at %(location)s.",
                    reference=elsewhere.reference,
                    date=elsewhere.day.date.isoformat(),
                    location=elsewhere.day.location.name,
                ),
                "info",
            )
    return render_template(
        "frontdesk/day.html",
        location=location,
        when=when,
        days=days,
        search=search,
        arrivals=arrivals,
        waiting=waiting,
        cancel_form=CancelForm(),
        previous=when - timedelta(days=1),
        following=when + timedelta(days=1),
        is_today=when == _today(location),
    )


@bp.post("/visit/<int:visit_id>/check-in")
@role_required(*DESK)
def check_in(visit_id: int) -> ResponseReturnValue:
    """Check the person in for every booked appointment and give a ticket number."""
    visit = _desk_visit(visit_id)
    target = _desk_url(visit.day)
    try:
        visit = service.check_in_visit(visit.id)
    except DomainError as error:
        flash(domain_message(error), "error")
    else:
        flash(
            _(
                "%(name)s is checked in. Ticket number %(ticket)d.",
                name=visit.name,
                ticket=visit.ticket,
            ),
            "success",
        )
    return redirect(target)


@bp.post("/visit/<int:visit_id>/leave-queue")
@role_required(*DESK)
def leave_queue(visit_id: int) -> ResponseReturnValue:
    """Take a walk-in who went home out of the queue."""
    visit = _desk_visit(visit_id)
    target = _desk_url(visit.day)
    try:
        service.leave_queue(visit.id)
    except DomainError as error:
        flash(domain_message(error), "error")
    else:
        flash(_("The walk-in has left the queue."), "success")
    return redirect(target)


@bp.post("/appointment/<int:appointment_id>/<action>")
@role_required(*DESK)
def desk_action(appointment_id: int, action: str) -> ResponseReturnValue:
    """Check in, undo a check-in, mark a no-show or cancel (with a reason) one appointment."""
    appointment = _desk_appointment(appointment_id)
    if action not in {*FRONT_DESK_ACTIONS, DeskAction.CANCEL}:
        abort(404)
    target = _desk_url(appointment.visit.day)
    reason = ""
    if action == DeskAction.CANCEL:
        form = CancelForm()
        if not form.validate_on_submit():
            flash_form_errors(form)
            return redirect(target)
        reason = form.reason.data or ""
    try:
        service.act(appointment.id, DeskAction(action), reason)
    except DomainError as error:
        flash(domain_message(error), "error")
    else:
        flash(str(DONE_MESSAGES[DeskAction(action)]()), "success")
    return redirect(target)


DONE_MESSAGES = {
    DeskAction.CHECK_IN: lambda: _("The appointment is checked in."),
    DeskAction.UNDO_CHECK_IN: lambda: _("The check-in is undone."),
    DeskAction.NO_SHOW: lambda: _("The appointment is marked as not attended."),
    DeskAction.CANCEL: lambda: _("The appointment is cancelled."),
    DeskAction.CALL_IN: lambda: _("The person is called in."),
    DeskAction.FINISH: lambda: _("The consultation is finished."),
}


@bp.route("/appointment/<int:appointment_id>/move", methods=["GET", "POST"])
@role_required(*DESK)
def move(appointment_id: int) -> ResponseReturnValue:
    """Move one appointment to another free time of the same agency that day."""
    appointment = _desk_appointment(appointment_id)
    visit = appointment.visit
    zone = visit.day.location.timezone
    form = MoveForm()
    status = 200
    if form.validate_on_submit():
        try:
            target = service.parse_opening(form.opening.data or "")
            moved = service.move_appointment(appointment.id, target)
        except DomainError as error:
            flash(domain_message(error), "error")
            status = 409
        else:
            flash(
                _(
                    "The appointment is moved to %(time)s.",
                    time=format_local_time(moved.starts_dt, zone),
                ),
                "success",
            )
            return redirect(_desk_url(visit.day))
    elif request.method == "POST":
        status = 422
    db.session.rollback()  # after a failed move, read the day as it is now
    appointment = _desk_appointment(appointment_id)
    options = service.move_options(appointment, service.current_time())
    form.opening.choices = [
        SelectChoice(
            itineraries.plan_token(presenters.Plan(appointments=(o,))),
            _opening_label(o, zone),
        )
        for o in options
    ]
    return render_template(
        "frontdesk/move.html", appointment=appointment, visit=appointment.visit, form=form,
        options=options, zone=zone,
    ), status  # fmt: skip


def _opening_label(opening, zone: str) -> str:
    times = (
        f"{format_local_time(opening.starts_dt, zone)}–{format_local_time(opening.ends_dt, zone)}"
    )
    if opening.room:
        times += " · " + _("Room %(room)s", room=opening.room)
    if not opening.language_ok:
        times += " · " + _("language not spoken")
    return times


@bp.route("/<int:location_id>/<on>/walk-in", methods=["GET", "POST"])
@role_required(*DESK)
def walk_in(location_id: int, on: str) -> ResponseReturnValue:
    """A person without a booking: fit them into today's free times, or give a queue ticket."""
    location = staff_location_or_abort(location_id)
    when = date_or_400(on)
    days = service.days_at(location.id, when)
    form = WalkInForm()
    form.topics.choices = [
        SelectChoice(t.id, t.name_in(str(_locale()))) for t in itineraries.load_active_topics()
    ]
    fit = None
    status = 200
    if form.validate_on_submit():
        contact = Contact(
            name=form.name.data or "",
            language=form.language.data or "de",
            interpreter_wanted=bool(form.interpreter.data),
        )
        try:
            topics = itineraries.load_topics(form.topics.data or [])
            chosen = _chosen_day(days, form.day.data)
            if form.book.data and chosen is not None:
                visit = service.book_walk_in(chosen, form.plan.data or "", contact, topics)
                flash(
                    _(
                        "%(name)s is booked and checked in. Ticket number %(ticket)d.",
                        name=visit.name,
                        ticket=visit.ticket,
                    ),
                    "success",
                )
                return redirect(url_for("frontdesk.day", location_id=location.id, on=on))
            if form.queue.data and chosen is not None:
                visit = service.queue_walk_in(chosen, contact, topics)
                flash(
                    _(
                        "%(name)s waits for the next free desk. Queue ticket number %(ticket)d.",
                        name=visit.name,
                        ticket=visit.ticket,
                    ),
                    "success",
                )
                return redirect(url_for("frontdesk.day", location_id=location.id, on=on))
        except DomainError as error:
            flash(domain_message(error), "error")
            status = 409
        db.session.rollback()
        days = service.days_at(location.id, when)
        topics = itineraries.load_topics(form.topics.data or [])
        fit = service.fit_walk_in(days, topics, contact.language, service.current_time())
        form.day.data = str(fit.day.id) if fit.day else ""
        form.plan.data = itineraries.plan_token(fit.plan) if fit.plan else ""
    elif request.method == "POST":
        status = 422
    plan = presenters.plan_view(fit.result, fit.plan) if fit and fit.result and fit.plan else None
    return render_template(
        "frontdesk/walk_in.html", location=location, when=when, days=days, form=form, fit=fit,
        plan=plan,
    ), status  # fmt: skip


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _chosen_day(days: list[ConsultationDay], raw: str | None) -> ConsultationDay | None:
    """The day the walk-in form was planned for; only one of this page's days."""
    return next((d for d in days if str(d.id) == (raw or "")), None)


@bp.get("/display/<int:location_id>")
@role_required(*DESK)
def display(location_id: int) -> ResponseReturnValue:
    """The waiting-room screen: ticket numbers and rooms only, refreshing itself."""
    location = staff_location_or_abort(location_id)
    when = _today(location)
    board = service.display_board(service.days_at(location.id, when), service.current_time())
    return render_template("frontdesk/display.html", location=location, when=when, board=board)


# ---------------------------------------------------------------- the advisor's day


@bp.get("/my-day")
@role_required(Role.ADVISOR)
def my_day() -> ResponseReturnValue:
    """An advisor's appointments of the day, with call-in, finish and no-show."""
    text = request.args.get("date", "")
    when = date_or_400(text, _today())
    agency_id = current_user.agency_id
    sessions = service.agency_sessions(agency_id, when) if agency_id else []
    plan = [
        (session, service.session_appointments(session), service.queue_for(session))
        for session in sessions
    ]
    return render_template(
        "frontdesk/my_day.html",
        when=when,
        plan=plan,
        conferences=conference_reading.of_agency_on(
            agency_id, when, current_app.config["CONSULT_TIMEZONE"]
        ),
        previous=when - timedelta(days=1),
        following=when + timedelta(days=1),
    )


def _my_day_url(day: ConsultationDay) -> str:
    return url_for("frontdesk.my_day", date=day.date.isoformat())


@bp.post("/my-day/session/<int:session_id>/call-next")
@role_required(Role.ADVISOR)
def call_next(session_id: int) -> ResponseReturnValue:
    """Call the next checked-in person, or seat a queued walk-in in the current free slot."""
    session = db.session.get(Session, session_id)
    if session is None:
        abort(404)
    if not _serves(session.agency_id):
        abort(403)
    target = _my_day_url(session.day)
    try:
        called = service.call_next(session, service.current_time())
    except DomainError as error:
        flash(domain_message(error), "error")
        return redirect(target)
    if called is None:
        flash(_("Nobody is waiting for you right now."), "info")
    else:
        flash(_called_message(called), "success")
    return redirect(target)


def _called_message(appointment: Appointment) -> str:
    label = service.ticket_label(appointment.visit)
    if appointment.room:
        return _(
            "Ticket %(ticket)s is called to room %(room)s.", ticket=label, room=appointment.room
        )
    return _("Ticket %(ticket)s is called in.", ticket=label)


@bp.post("/my-day/appointment/<int:appointment_id>/<action>")
@role_required(Role.ADVISOR)
def advisor_action(appointment_id: int, action: str) -> ResponseReturnValue:
    """Call in, finish or mark a no-show for one appointment of the advisor's agency."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        abort(404)
    if not _serves(appointment.agency_id):
        abort(403)
    if action not in ADVISOR_ACTIONS:
        abort(404)
    target = _my_day_url(appointment.visit.day)
    try:
        appointment = service.act(appointment.id, DeskAction(action))
    except DomainError as error:
        flash(domain_message(error), "error")
    else:
        if action == DeskAction.CALL_IN:
            flash(_called_message(appointment), "success")
        else:
            flash(str(DONE_MESSAGES[DeskAction(action)]()), "success")
    return redirect(target)
