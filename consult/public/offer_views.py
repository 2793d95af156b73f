"""The person's answer to a seat offered from the waiting list (registers on `public.bp`)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from consult.public.views import bp, visit_or_404
from consult.waitlist import accept_offer, decline_offer
from consult.web import done_or_flash


@bp.post("/visit/<reference>/offer")
def answer_offer(reference: str) -> ResponseReturnValue:
    """Book the held visit ("yes"), or give its seats to the next person ("no")."""
    found = visit_or_404(reference)
    if request.form.get("answer") == "yes":
        if done_or_flash(lambda: accept_offer(found)) is not None:
            # The confirmation panel, as after any booking.
            return redirect(url_for("public.visit", reference=found.reference, booked=1))
    elif done_or_flash(lambda: decline_offer(found)) is not None:
        flash(_("Thank you. The time goes to the next person waiting."), "success")
    return redirect(url_for("public.visit", reference=found.reference))
