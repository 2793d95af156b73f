"""Public pages for migrants: no account, in their language, on a smartphone."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import selectinload

from consult.config import LANGUAGES
from consult.extensions import db
from consult.models import ConsultationDay, DayStatus, Session, SessionStatus, Topic, utcnow

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    """Topics and the next consultation days."""
    topics = db.session.scalars(sa.select(Topic).where(Topic.active).order_by(Topic.position))
    days = db.session.scalars(
        sa.select(ConsultationDay)
        .where(
            ConsultationDay.status == DayStatus.PUBLISHED,
            ConsultationDay.date >= utcnow().date(),
            ConsultationDay.sessions.any(Session.status == SessionStatus.PUBLISHED),
        )
        .options(selectinload(ConsultationDay.sessions).selectinload(Session.agency))
        .order_by(ConsultationDay.date, ConsultationDay.id)
        .limit(12)
    )
    return render_template("public/home.html", topics=list(topics), days=list(days))


@bp.get("/lang/<code>")
def set_language(code: str) -> ResponseReturnValue:
    """Remember the person's language and go back to where they were."""
    if code in LANGUAGES:
        session["lang"] = code
    target = request.args.get("next", "")
    # Only a local path: never let the switcher redirect to another site.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = url_for("public.home")
    return redirect(target)
