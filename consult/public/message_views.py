"""The person's say over the messages about their visit (registers on `public.bp`)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from consult.messages.history import stop_messages
from consult.public.views import bp, visit_or_404


@bp.post("/visit/<reference>/messages")
def change_messages(reference: str) -> ResponseReturnValue:
    """Stop the messages about this visit, or have them sent again."""
    found = visit_or_404(reference)
    wanted = request.form.get("messages")
    if wanted == "stop" and not found.messages_stopped:
        stop_messages(found, True)
        flash(_("We will send you no more messages about this visit."), "success")
    elif wanted == "send" and found.messages_stopped:
        stop_messages(found, False)
        flash(_("We will send you messages about this visit again."), "success")
    return redirect(url_for("public.visit", reference=found.reference, _anchor="messages"))
