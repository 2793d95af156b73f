"""Advisors publish their agency's consultation hours on joint days."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult.errors import DomainError
from consult.extensions import db
from consult.hours import service
from consult.hours.forms import (
    DAY_STATUS_LABELS,
    HOURS_STATE_LABELS,
    SESSION_STATUS_LABELS,
    CancelBookingForm,
    HoursForm,
    ReplanForm,
    hours_data,
)
from consult.hours.service import ChangePreview, HoursChange
from consult.itineraries import plan_token
from consult.models import (
    Agency,
    Appointment,
    ConsultationDay,
    Role,
    Session,
    Topic,
    Visit,
    today_in,
    utcnow,
)
from consult.permissions import role_required
from consult.planner import Plan
from consult.waitlist import offer_freed_seats
from consult.web import domain_message, done_or_flash, flash_form_errors

bp = Blueprint("hours", __name__, url_prefix="/staff/hours")

ROLES = (Role.ADVISOR, Role.COORDINATOR)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "day_status_labels": DAY_STATUS_LABELS,
        "session_status_labels": SESSION_STATUS_LABELS,
        "hours_state_labels": HOURS_STATE_LABELS,
    }


def _today() -> Any:
    return today_in(current_app.config["CONSULT_TIMEZONE"])


def _session_or_404(session_id: int) -> Session:
    found = db.session.get(Session, session_id)
    if found is None:
        abort(404)
    if not service.may_act_for(current_user, found.agency_id):
        abort(403)
    return found


def _hours_form(agency: Agency, current: Session | None = None, **kwargs: Any) -> HoursForm:
    """The hours form; the topics offered are the agency's (and any the session still has)."""
    form = HoursForm(**kwargs)
    kept = {t.id for t in current.topics} if current is not None else set()
    topics = db.session.scalars(
        sa.select(Topic)
        .where(Topic.agencies.any(Agency.id == agency.id))
        .order_by(Topic.position, Topic.id)
    ).all()
    locale = str(get_locale())
    form.topics.choices = [
        SelectChoice(str(t.id), t.name_in(locale)) for t in topics if t.active or t.id in kept
    ]
    return form


def _offer_new_capacity(day_id: int, change: HoursChange) -> None:
    """New or wider hours may fit someone on the waiting list."""
    day = db.session.get(ConsultationDay, day_id)
    if day is not None and change.bookable and day.is_bookable:
        offer_freed_seats(day)


@bp.get("/")
@role_required(*ROLES)
def index() -> ResponseReturnValue:
    """Upcoming days the agency is invited to or serves, with the state of its hours."""
    agencies: list[Agency] = []
    if current_user.role is Role.ADVISOR:
        agency_id = current_user.agency_id
    else:
        agency_id = request.args.get("agency", type=int) or None
        agencies = list(db.session.scalars(sa.select(Agency).order_by(Agency.name)))
    return render_template(
        "hours/index.html",
        rows=service.upcoming_hours(_today(), agency_id),
        agencies=agencies,
        agency_id=agency_id,
    )


@bp.route("/day/<int:day_id>/agency/<int:agency_id>/new", methods=["GET", "POST"])
@role_required(*ROLES)
def new(day_id: int, agency_id: int) -> ResponseReturnValue:
    """Publish the agency's hours on a day."""
    day = db.session.get(ConsultationDay, day_id)
    agency = db.session.get(Agency, agency_id)
    if day is None or agency is None:
        abort(404)
    if not service.may_add_hours(current_user, day, agency):
        abort(403)
    form = _hours_form(agency)
    status = 200
    if form.validate_on_submit():
        change = form.change()
        advisor = current_user if current_user.role is Role.ADVISOR else None
        try:
            service.create_hours(day, agency, change, advisor=advisor)
        except DomainError as error:
            db.session.rollback()
            flash(domain_message(error), "error")
            status = 422
        else:
            _offer_new_capacity(day_id, change)
            if change.publish:
                flash(_("Your hours are published."), "success")
            else:
                flash(_("Your hours are saved as a draft."), "success")
            return redirect(url_for("hours.index"))
    elif request.method == "POST":
        status = 422
    return render_template(
        "hours/form.html",
        form=form,
        day=day,
        agency=agency,
        hours_session=None,
        booked=0,
        locked=None,
    ), status


@bp.route("/session/<int:session_id>", methods=["GET", "POST"])
@role_required(*ROLES)
def edit(session_id: int) -> ResponseReturnValue:
    """Change the hours; bookings that would not fit are shown for moving or cancelling first."""
    hours_session = _session_or_404(session_id)
    form = _hours_form(hours_session.agency, hours_session, data=hours_data(hours_session))
    status = 200
    if form.validate_on_submit():
        change = form.change()
        try:
            service.check_changeable(hours_session.day)
            preview = service.preview_change(hours_session, change)
            if preview.affected:
                return redirect(
                    url_for("hours.review", session_id=session_id, **form.query_args()), 303
                )
            service.apply_change(session_id, change)
        except DomainError as error:
            db.session.rollback()
            flash(domain_message(error), "error")
            status = 422
        else:
            _offer_new_capacity(hours_session.day_id, change)
            flash(_("The hours are saved. Every booking keeps its time."), "success")
            return redirect(url_for("hours.index"))
    elif request.method == "POST":
        status = 422
    try:
        service.check_changeable(hours_session.day)
        locked = None
    except DomainError as error:
        locked = domain_message(error)
    return render_template(
        "hours/form.html",
        form=form,
        day=hours_session.day,
        agency=hours_session.agency,
        hours_session=hours_session,
        booked=_booked(hours_session),
        locked=locked,
    ), status


def _booked(hours_session: Session) -> int:
    return service.booked_counts([hours_session.id]).get(hours_session.id, 0)


@dataclass(frozen=True)
class AffectedRow:
    """An affected visit, its appointments with this session, and where it could go instead."""

    visit: Visit
    appointments: list[Appointment]
    movable: bool
    options: list[tuple[str, Plan]]


def _pending_change(hours_session: Session) -> tuple[HoursChange, dict[str, Any]]:
    """The change carried in the query string (a withdrawal or new hours); 400 if unreadable."""
    if request.args.get("withdraw") == "1":
        return HoursChange(hours=None), {"withdraw": "1"}
    form = _hours_form(
        hours_session.agency, hours_session, formdata=request.args, meta={"csrf": False}
    )
    if not form.validate():
        abort(400)
    return form.change(), form.query_args()


def _back(session_id: int, args: dict[str, Any]) -> str:
    if args.get("withdraw") == "1":
        return url_for("hours.withdraw", session_id=session_id)
    return url_for("hours.review", session_id=session_id, **args)


def _affected_rows(preview: ChangePreview) -> list[AffectedRow]:
    now = utcnow()
    rows = []
    for visit in preview.affected_visits:
        options = service.replan_options(preview, visit, now=now)
        rows.append(
            AffectedRow(
                visit=visit,
                appointments=preview.affected_of(visit),
                movable=service.can_move(visit),
                options=[(plan_token(plan), plan) for plan in options],
            )
        )
    return rows


def _render_review(
    hours_session: Session, change: HoursChange, args: dict[str, Any], status: int = 200
) -> ResponseReturnValue:
    try:
        service.check_changeable(hours_session.day)
        preview = service.preview_change(hours_session, change)
    except DomainError as error:
        flash(domain_message(error), "error")
        return redirect(url_for("hours.edit", session_id=hours_session.id))
    agencies = {a.id: a for a in db.session.scalars(sa.select(Agency))}
    return render_template(
        "hours/review.html",
        hours_session=hours_session,
        day=hours_session.day,
        agency=hours_session.agency,
        preview=preview,
        rows=_affected_rows(preview),
        args=args,
        hidden=[
            (key, item)
            for key, value in args.items()
            for item in (value if isinstance(value, list) else [value])
        ],
        agencies=agencies,
        replan_form=ReplanForm(),
        cancel_form=CancelBookingForm(),
    ), status


@bp.get("/session/<int:session_id>/review")
@role_required(*ROLES)
def review(session_id: int) -> ResponseReturnValue:
    """The bookings a pending change affects: move or cancel each, then apply the change."""
    hours_session = _session_or_404(session_id)
    change, args = _pending_change(hours_session)
    return _render_review(hours_session, change, args)


@bp.route("/session/<int:session_id>/withdraw", methods=["GET", "POST"])
@role_required(*ROLES)
def withdraw(session_id: int) -> ResponseReturnValue:
    """Withdraw the hours once no booking is left in them."""
    hours_session = _session_or_404(session_id)
    change = HoursChange(hours=None)
    if request.method == "POST":
        try:
            service.apply_change(session_id, change)
        except DomainError as error:
            db.session.rollback()
            flash(domain_message(error), "error")
            hours_session = _session_or_404(session_id)
            return _render_review(hours_session, change, {"withdraw": "1"}, 409)
        flash(_("The hours are withdrawn."), "success")
        return redirect(url_for("hours.index"))
    return _render_review(hours_session, change, {"withdraw": "1"})


def _affected_visit(hours_session: Session, visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None or not any(a.session_id == hours_session.id for a in visit.appointments):
        abort(404)
    return visit


@bp.post("/session/<int:session_id>/visits/<int:visit_id>/replan")
@role_required(*ROLES)
def replan(session_id: int, visit_id: int) -> ResponseReturnValue:
    """Move an affected visit to a free time; its old times are freed only if this succeeds."""
    hours_session = _session_or_404(session_id)
    visit = _affected_visit(hours_session, visit_id)
    change, args = _pending_change(hours_session)
    form = ReplanForm()
    if not form.validate_on_submit():
        flash(_("Please choose a new time."), "error")
        return redirect(_back(session_id, args))
    reference = visit.reference
    plan = form.plan.data or ""
    moved = done_or_flash(
        lambda: service.replan_visit(hours_session, change, visit.id, plan, now=utcnow())
    )
    if moved is not None:
        flash(
            _(
                "The visit %(reference)s has been moved. Please tell the person.",
                reference=reference,
            ),
            "success",
        )
    return redirect(_back(session_id, args))


@bp.post("/session/<int:session_id>/visits/<int:visit_id>/cancel")
@role_required(*ROLES)
def cancel_booking(session_id: int, visit_id: int) -> ResponseReturnValue:
    """Cancel an affected booking with a reason the person will see."""
    hours_session = _session_or_404(session_id)
    visit = _affected_visit(hours_session, visit_id)
    change, args = _pending_change(hours_session)
    form = CancelBookingForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(_back(session_id, args))
    reference = visit.reference
    reason = form.reason.data or ""
    if done_or_flash(lambda: service.cancel_affected(hours_session, change, visit.id, reason)):
        flash(
            _(
                "The booking %(reference)s is cancelled. Please tell the person.",
                reference=reference,
            ),
            "success",
        )
    return redirect(_back(session_id, args))
