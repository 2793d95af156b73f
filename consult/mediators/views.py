"""A language mediator's own pages: the visits they accompany, their sign-ups, their feed.

A mediator is no agency staff: these pages show only times, rooms, the language, the
person's first name and the agencies and topics by name, never contact data or notes.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from consult.boundary import number_or_none
from consult.extensions import db
from consult.feeds.service import staff_by_token
from consult.ical import CalendarEvent, build_calendar
from consult.mediators import service
from consult.mediators.forms import ShiftForm, WithdrawForm
from consult.models import ConsultationDay, Role, today_in
from consult.permissions import role_required
from consult.web import date_or_400, domain_message

bp = Blueprint("mediators", __name__)

FEED_DAYS_BACK = 30


@bp.app_template_filter("language_name")
def language_name(code: str) -> str:
    """A language's name in the page's language ("Persian", "persisch", "فارسی")."""
    try:
        return Locale.parse(code).get_display_name(str(get_locale())) or code
    except (ValueError, UnknownLocaleError):
        return code


def _today() -> date:
    return today_in(current_app.config["CONSULT_TIMEZONE"])


@bp.get("/staff/mediator/")
@role_required(Role.MEDIATOR)
def my_day() -> ResponseReturnValue:
    """The visits the mediator accompanies on one day, and where to meet."""
    when = date_or_400(request.args.get("date", ""), _today())
    feed_url = url_for("mediators.feed", token=current_user.feed_token, _external=True)
    response = Response(
        render_template(
            "mediators/my_day.html",
            when=when,
            visits=service.accompanied(current_user, when, locale=str(get_locale())),
            coming=service.accompanied(
                current_user, when + timedelta(days=1), when + timedelta(days=60)
            ),
            previous=when - timedelta(days=1),
            following=when + timedelta(days=1),
            feed_url=feed_url,
        )
    )
    # The page shows the feed's secret address: keep it out of shared caches.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/staff/mediator/sign-up", methods=["GET", "POST"])
@role_required(Role.MEDIATOR)
def sign_up() -> ResponseReturnValue:
    """Published days in the mediator's towns: sign up with hours, change them, withdraw."""
    if request.method == "POST":
        return _change_sign_up()
    return _sign_up_page()


def _sign_up_page(posted: ShiftForm | None = None, day_id: int | None = None) -> str:
    # `posted`: the form of day `day_id` as sent, shown again with its errors at the fields.
    rows = []
    for found in service.opportunities(current_user, _today()):
        zone = found.day.location.timezone
        shift = found.shift
        form = (
            posted
            if posted is not None and found.day.id == day_id
            else ShiftForm(
                formdata=None,
                prefix=f"d{found.day.id}",
                starts=shift.starts_dt.astimezone(ZoneInfo(zone)).time() if shift else None,
                ends=shift.ends_dt.astimezone(ZoneInfo(zone)).time() if shift else None,
            )
        )
        rows.append((found, form, WithdrawForm(formdata=None, prefix=f"w{found.day.id}")))
    return render_template("mediators/sign_up.html", rows=rows, posted=posted)


def _change_sign_up() -> ResponseReturnValue:
    day_id = number_or_none(request.form.get("day_id", ""))
    day = db.session.get(ConsultationDay, day_id) if day_id else None
    if day is None:
        abort(404)
    withdrawing = f"w{day.id}-withdraw" in request.form
    form = WithdrawForm(prefix=f"w{day.id}") if withdrawing else ShiftForm(prefix=f"d{day.id}")
    if not form.validate_on_submit():
        flash(_("Please enter a time like 09:30."), "error")
        return redirect(url_for("mediators.sign_up"))
    try:
        if withdrawing:
            service.withdraw(current_user, day)
            flash(_("You are no longer signed up for this day."), "success")
        else:
            service.sign_up(current_user, day, form.starts.data, form.ends.data)
            flash(_("Thank you. Your hours are saved."), "success")
    except service.OutsideOpeningHours as error:
        db.session.rollback()
        getattr(form, error.field).errors = [domain_message(error)]
        return _sign_up_page(form, day.id), 400
    except service.MediatorError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
    return redirect(url_for("mediators.sign_up"))


@bp.get("/feeds/mediator/<token>.ics")
def feed(token: str) -> ResponseReturnValue:
    """The mediator's secret feed: the visits they accompany, without contact data."""
    user = staff_by_token(token)
    if user is None or user.role is not Role.MEDIATOR:
        abort(404)
    today = _today()
    events = [
        CalendarEvent(
            uid=f"mediator-{user.id}-visit-{v.visit_id}@consult",
            starts_dt=v.starts_dt,
            ends_dt=v.ends_dt,
            summary=_("Accompany %(name)s (%(language)s)", name=v.first_name, language=v.language),
            description="\n".join(
                f"{start.astimezone(ZoneInfo(v.zone)):%H:%M} {agency}"
                + (f", {_('Room %(room)s', room=room)}" if room else "")
                for start, _end, room, agency, _topics in v.steps
            ),
            location=v.location,
        )
        for v in service.accompanied(user, today - timedelta(days=FEED_DAYS_BACK), date.max)
    ]
    body = build_calendar(
        events,
        name=_("Language mediator: %(name)s", name=user.name),
        tz=current_app.config["CONSULT_TIMEZONE"],
        refresh_minutes=60,
    )
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
