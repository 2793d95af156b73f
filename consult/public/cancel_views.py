"""The person cancels their visit or one appointment, after a page that asks (on `public.bp`)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from consult import cancelling
from consult.errors import DomainError
from consult.extensions import db
from consult.models import Appointment, AppointmentStatus, Visit
from consult.public import presenters
from consult.public.views import bp, can_change, visit_or_404
from consult.waitlist import offer_freed_seats
from consult.web import domain_message


@bp.get("/visit/<reference>/cancel")
def confirm_cancel_visit(reference: str) -> ResponseReturnValue:
    """What cancelling the whole visit would cancel, and a button to do it."""
    found = visit_or_404(reference)
    if not can_change(found):
        return redirect(url_for("public.visit", reference=found.reference))
    rows = [row for row in presenters.visit_rows(found) if not row.is_cancelled]
    return render_template("public/cancel.html", visit=found, rows=rows, appointment=None)


@bp.get("/visit/<reference>/appointments/<int:appointment_id>/cancel")
def confirm_cancel_appointment(reference: str, appointment_id: int) -> ResponseReturnValue:
    """What cancelling one appointment would cancel, and a button to do it."""
    found = visit_or_404(reference)
    appointment = _appointment_of(found, appointment_id)
    if not can_change(found) or appointment.status is not AppointmentStatus.BOOKED:
        return redirect(url_for("public.visit", reference=found.reference))
    rows = [row for row in presenters.visit_rows(found) if row.appointment_id == appointment.id]
    return render_template("public/cancel.html", visit=found, rows=rows, appointment=appointment)


def _appointment_of(visit: Visit, appointment_id: int) -> Appointment:
    appointment = next((a for a in visit.appointments if a.id == appointment_id), None)
    if appointment is None:
        abort(404)
    return appointment


@bp.post("/visit/<reference>/cancel")
def cancel_visit(reference: str) -> ResponseReturnValue:
    """Cancel the whole visit; the seats are free at once."""
    found = visit_or_404(reference)
    return _cancelled(
        found,
        lambda: cancelling.cancel_visit(found.id, reason="cancelled by the person"),
        _("Your visit is cancelled. Thank you for letting us know."),
    )


@bp.post("/visit/<reference>/appointments/<int:appointment_id>/cancel")
def cancel_appointment(reference: str, appointment_id: int) -> ResponseReturnValue:
    """Cancel one appointment of the visit."""
    found = visit_or_404(reference)
    appointment = _appointment_of(found, appointment_id)
    return _cancelled(
        found,
        lambda: cancelling.cancel_appointment(found.id, appointment.id, "cancelled by the person"),
        _("The appointment is cancelled."),
    )


def _cancelled(visit: Visit, cancel: Callable[[], Visit], done: str) -> ResponseReturnValue:
    """Cancel, offer the freed seats to people waiting and say so; or say why not."""
    try:
        visit = cancel()
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
    else:
        offer_freed_seats(visit.day)
        flash(done, "success")
    return redirect(url_for("public.visit", reference=visit.reference))
