"""Staff sign-in and the staff start page."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from consult.extensions import limiter
from consult.messages import history
from consult.models import MessageStatus, Role, utcnow
from consult.passwords import hash_password, needs_rehash, verify_password
from consult.permissions import (
    end_sessions,
    find_staff,
    location_scope,
    role_required,
    start_session,
)
from consult.staff.forms import LoginForm
from consult.waitlist import (
    accept_offer,
    expire_offers,
    held_visit_of,
    open_offers,
    waiting_entries,
)
from consult.web import done_or_flash, local_target

bp = Blueprint("staff", __name__, url_prefix="/staff")

# A hash to verify against when the account does not exist, so both cases take as long.
_DUMMY_HASH = hash_password("not-a-real-password")


def _login_limit() -> str:
    return current_app.config.get("CONSULT_RATELIMIT_LOGIN", "10 per minute;50 per hour")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    """Sign in with e-mail address and password."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_staff(form.email.data or "")
        password = form.password.data or ""
        valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
        if user is not None and valid:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            user.last_login_dt = utcnow()
            start_session(user)
            return redirect(local_target(request.args.get("next")) or url_for("staff.home"))
        flash(_("E-mail address or password is not correct."), "error")
    return render_template("staff/login.html", form=form), 200 if request.method == "GET" else 400


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out everywhere and go back to the sign-in page."""
    if current_user.is_authenticated:
        # A copy of this session's cookie, or one on another device, ends too.
        end_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("staff.login"))


@bp.get("/")
@role_required(Role.ADVISOR, Role.FRONTDESK, Role.COORDINATOR, Role.MEDIATOR)
def home() -> ResponseReturnValue:
    """The staff start page; a language mediator's is the list of visits they accompany."""
    if current_user.role is Role.MEDIATOR:
        return redirect(url_for("mediators.my_day"))
    return render_template("staff/home.html")


@bp.get("/waitlist")
@role_required(Role.FRONTDESK, Role.COORDINATOR)
def waitlist() -> ResponseReturnValue:
    """Offers held for people on the waiting list, and who is still waiting."""
    expire_offers()
    return render_template("staff/waitlist.html", offers=open_offers(), waiting=waiting_entries())


@bp.post("/waitlist/<int:entry_id>/accept")
@role_required(Role.FRONTDESK, Role.COORDINATOR)
def accept_offer_for(entry_id: int) -> ResponseReturnValue:
    """Book the seats held for this person, who accepted on the phone or at the desk."""
    visit = held_visit_of(entry_id)
    if visit is None:
        abort(404)
    done = done_or_flash(lambda: accept_offer(visit))
    if done is not None:
        flash(_("Booked for the person: %(reference)s", reference=visit.reference), "success")
    return redirect(url_for("staff.waitlist"))


@bp.get("/outbox")
@role_required(Role.FRONTDESK, Role.COORDINATOR)
def outbox() -> ResponseReturnValue:
    """Messages to people: waiting, sent, failed or not sent, and why."""
    status = request.args.get("status")
    chosen = MessageStatus(status) if status in set(MessageStatus) else None
    rows = history.outbox(location_scope(current_user), chosen)
    return render_template("staff/outbox.html", rows=rows, status=chosen, statuses=MessageStatus)


@bp.post("/outbox/<int:message_id>/send-again")
@role_required(Role.FRONTDESK, Role.COORDINATOR)
def send_again(message_id: int) -> ResponseReturnValue:
    """Put a failed or unsent message back in line for the next round of delivery."""
    if history.send_again(message_id, location_scope(current_user)) is None:
        abort(404)
    flash(_("The message will be sent again with the next round of delivery."), "success")
    return redirect(url_for("staff.outbox", status=request.args.get("status")))
