"""Moving a tour stop to another date or place, and cancelling stops and their visits."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from consult import models
from consult.coordination.service import booked_visits, cancelled_with_day
from consult.errors import DomainError
from consult.extensions import db
from consult.i18n import format_day, format_local_time
from consult.models import Tour, TourStop
from consult.permissions import role_required
from consult.tours import moves, stops
from consult.tours.forms import CancelStopForm, CancelVisitForm, MoveStopForm
from consult.tours.views import ROLES, bp, form_status, stop_form, stop_request, tour_or_404
from consult.web import domain_message, done_or_flash, flash_form_errors


def _locked_reason(stop: TourStop) -> str | None:
    """Why a stop can no longer be moved or cancelled (it is over or cancelled), or None."""
    try:
        moves.check_open(stop)
    except DomainError as error:
        return domain_message(error)
    return None


def _stop_or_404(tour: Tour, stop_id: int) -> TourStop:
    stop = db.session.get(TourStop, stop_id)
    if stop is None or stop.tour_id != tour.id:
        abort(404)
    return stop


def _place(stop: TourStop) -> str:
    return f"{stop.day.location.name}, {stop.day.location.town}"


def _stop_data(stop: TourStop) -> dict[str, Any]:
    """The values of a stop, for filling in the move form."""
    session = stops.stop_session(stop)
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
    tour = tour_or_404(tour_id)
    stop = _stop_or_404(tour, stop_id)
    form = stop_form(MoveStopForm, tour, data=_stop_data(stop))
    if form.validate_on_submit():
        new = done_or_flash(lambda: moves.move_stop(stop, stop_request(form)))
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
        stop_session=stops.stop_session(stop),
        booked=booked_visits(stop.day),
        locked=locked,
    ), form_status(request.method == "POST")


def _cancel_moved(old: TourStop, new: TourStop) -> bool:
    """Cancel the old stop of a move once nobody is booked on it; True if it was."""
    reason = _(
        "This stop moved to %(place)s on %(date)s.",
        place=_place(new),
        date=format_day(new.day.date),
    )
    done = done_or_flash(lambda: moves.cancel_if_empty(old, reason))
    return bool(done)


def _moving_pair(tour_id: int, stop_id: int, new_stop_id: int) -> tuple[Tour, TourStop, TourStop]:
    tour = tour_or_404(tour_id)
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
        old_session=stops.stop_session(old),
        new_session=stops.stop_session(new),
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
        visit = moves.move_visit(old, new, visit_id, now=models.utcnow())
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
    visit = done_or_flash(lambda: moves.cancel_visit(old, visit_id, form.reason.data or ""))
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
    tour = tour_or_404(tour_id)
    stop = _stop_or_404(tour, stop_id)
    form = CancelStopForm()
    cancelled = stop.day.status.value == "cancelled"
    if not cancelled and form.validate_on_submit():
        visits = done_or_flash(lambda: moves.cancel_stop(stop, form.reason.data or ""))
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
        session=stops.stop_session(stop),
        form=form,
        booked=[] if cancelled else booked_visits(stop.day),
        told=cancelled_with_day(stop.day) if cancelled else [],
    ), form_status(request.method == "POST" and not cancelled)
