"""The person's answer to a seat offered from the waiting list (registers on `public.bp`)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from consult.database import begin_write
from consult.errors import DomainError
from consult.extensions import db
from consult.public.views import bp, visit_or_404
from consult.waitlist import accept_offer, decline_offer
from consult.web import domain_message


@bp.post("/visit/<reference>/offer")
def answer_offer(reference: str) -> ResponseReturnValue:
    """Book the held visit ("yes"), or give its seats to the next person ("no")."""
    found = visit_or_404(reference)
    begin_write()
    try:
        if request.form.get("answer") == "yes":
            accept_offer(found)
            flash(_("Your visit is booked. Please keep your booking reference."), "success")
        else:
            decline_offer(found)
            flash(_("Thank you. The time goes to the next person waiting."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
    return redirect(url_for("public.visit", reference=found.reference))
