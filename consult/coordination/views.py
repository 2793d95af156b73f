"""Coordination: locations, agencies, topics, staff accounts and consultation days."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult.config import LANGUAGES
from consult.coordination import service
from consult.coordination.forms import (
    AgencyForm,
    CancelDayForm,
    DayEditForm,
    DayForm,
    LocationForm,
    StaffForm,
    TopicForm,
)
from consult.coordination.multilingual import initial, texts_of
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.hours.forms import DAY_STATUS_LABELS, HOURS_STATE_LABELS, SESSION_STATUS_LABELS
from consult.hours.service import hours_on
from consult.itineraries import all_towns
from consult.labels import ROLE_LABELS
from consult.models import (
    Agency,
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    Role,
    StaffUser,
    Topic,
    TransitionError,
    today_in,
)
from consult.permissions import role_required
from consult.waitlist import offer_freed_seats
from consult.web import domain_message, done_or_flash, get_or_404

bp = Blueprint("coordination", __name__, url_prefix="/staff/coordination")

UPCOMING_WEEKS = 4


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "day_status_labels": DAY_STATUS_LABELS,
        "session_status_labels": SESSION_STATUS_LABELS,
        "hours_state_labels": HOURS_STATE_LABELS,
        "languages": LANGUAGES,
    }


def _today() -> date:
    return today_in(current_app.config["CONSULT_TIMEZONE"])


def _status(form_posted: bool) -> int:
    return 422 if form_posted else 200


def _agency_choices() -> list[SelectChoice]:
    return [SelectChoice(str(a.id), a.name) for a in service.agencies()]


@bp.get("/")
@role_required(Role.COORDINATOR)
def index() -> ResponseReturnValue:
    """The coordination start page: the next weeks' days and how far their hours are."""
    today = _today()
    days = service.days_from(today, until=date.fromordinal(today.toordinal() + 7 * UPCOMING_WEEKS))
    return render_template(
        "coordination/index.html", days=[(day, hours_on(day)) for day in days], today=today
    )


# --- locations ----------------------------------------------------------------------------


@bp.get("/locations")
@role_required(Role.COORDINATOR)
def locations() -> ResponseReturnValue:
    """Every location, active and inactive."""
    return render_template("coordination/locations.html", locations=service.locations())


def _location_fields(form: LocationForm) -> service.LocationFields:
    return service.LocationFields(
        name=(form.name.data or "").strip(),
        street=(form.street.data or "").strip(),
        postcode=(form.postcode.data or "").strip(),
        town=(form.town.data or "").strip(),
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        timezone=(form.timezone.data or "").strip(),
        changeover_minutes=form.changeover_minutes.data,
        practical={kind: texts_of(form, kind) for kind in service.LOCATION_PRACTICAL},
        active=bool(form.active.data),
    )


def _edit_location(location: Location | None) -> ResponseReturnValue:
    if location is None:
        form = LocationForm(
            data={
                "timezone": current_app.config["CONSULT_TIMEZONE"],
                "changeover_minutes": current_app.config["CONSULT_CHANGEOVER_MINUTES"],
                "active": True,
            }
        )
    else:
        texts: dict[str, str] = {}
        for kind, column in service.LOCATION_PRACTICAL.items():
            texts |= initial(kind, getattr(location, column))
        form = LocationForm(obj=location, data=texts)
    if form.validate_on_submit():
        saved = done_or_flash(lambda: service.save_location(location, _location_fields(form)))
        if saved is not None:
            flash(_("The location %(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("coordination.locations"))
    return render_template(
        "coordination/location_form.html", form=form, location=location
    ), _status(request.method == "POST")


@bp.route("/locations/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_location() -> ResponseReturnValue:
    """Add a location."""
    return _edit_location(None)


@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_location(location_id: int) -> ResponseReturnValue:
    """Change or deactivate a location."""
    return _edit_location(get_or_404(Location, location_id))


# --- agencies -----------------------------------------------------------------------------


@bp.get("/agencies")
@role_required(Role.COORDINATOR)
def agencies() -> ResponseReturnValue:
    """Every agency."""
    return render_template("coordination/agencies.html", agencies=service.agencies())


def _edit_agency(agency: Agency | None) -> ResponseReturnValue:
    form = AgencyForm(obj=agency, data=initial("description", agency and agency.description))
    if form.validate_on_submit():
        fields = service.AgencyFields(
            slug=(form.slug.data or "").strip(),
            name=(form.name.data or "").strip(),
            short_name=(form.short_name.data or "").strip(),
            color=form.color.data or "",
            description=texts_of(form, "description"),
        )
        saved = done_or_flash(lambda: service.save_agency(agency, fields))
        if saved is not None:
            flash(_("The agency %(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("coordination.agencies"))
    return render_template("coordination/agency_form.html", form=form, agency=agency), _status(
        request.method == "POST"
    )


@bp.route("/agencies/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_agency() -> ResponseReturnValue:
    """Add an agency."""
    return _edit_agency(None)


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_agency(agency_id: int) -> ResponseReturnValue:
    """Change an agency."""
    return _edit_agency(get_or_404(Agency, agency_id))


# --- topics -------------------------------------------------------------------------------


@bp.get("/topics")
@role_required(Role.COORDINATOR)
def topics() -> ResponseReturnValue:
    """Every topic in display order."""
    return render_template("coordination/topics.html", topics=service.topics())


def _edit_topic(topic: Topic | None) -> ResponseReturnValue:
    data: dict[str, Any] = {"active": True, "default_minutes": 20, "phase": 1}
    if topic is not None:
        data = {
            "icon": topic.icon,
            "phase": topic.phase,
            "default_minutes": topic.default_minutes,
            "agencies": [a.id for a in topic.agencies],
            "active": topic.active,
        }
        data |= initial("name", topic.names) | initial("explanation", topic.explanations)
        data |= initial("bring", topic.bring)
    form = TopicForm(data=data)
    form.agencies.choices = _agency_choices()
    if form.validate_on_submit():
        fields = service.TopicFields(
            names=form.names(),
            explanations=form.explanations(),
            icon=(form.icon.data or "").strip(),
            phase=form.phase.data,
            default_minutes=form.default_minutes.data,
            agency_ids=form.agencies.data or [],
            active=bool(form.active.data),
            bring=texts_of(form, "bring"),
        )
        saved = done_or_flash(lambda: service.save_topic(topic, fields))
        if saved is not None:
            flash(
                _("The topic %(name)s is saved.", name=saved.name_in(str(get_locale()))), "success"
            )
            return redirect(url_for("coordination.topics"))
    return render_template("coordination/topic_form.html", form=form, topic=topic), _status(
        request.method == "POST"
    )


@bp.route("/topics/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_topic() -> ResponseReturnValue:
    """Add a topic."""
    return _edit_topic(None)


@bp.route("/topics/<int:topic_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_topic(topic_id: int) -> ResponseReturnValue:
    """Change or deactivate a topic."""
    return _edit_topic(get_or_404(Topic, topic_id))


# --- staff accounts -----------------------------------------------------------------------


@bp.get("/staff")
@role_required(Role.COORDINATOR)
def staff() -> ResponseReturnValue:
    """Every staff account."""
    return render_template("coordination/staff.html", accounts=service.staff_accounts())


def _staff_account_or_404(staff_id: int) -> StaffUser:
    account = get_or_404(StaffUser, staff_id)
    if not service.may_manage_account(current_user, account):
        abort(403)
    return account


def _edit_staff(account: StaffUser | None) -> ResponseReturnValue:
    data: dict[str, Any] = {"active": True, "language": "de", "agency": 0}
    if account is not None:
        data = {
            "email": account.email,
            "name": account.name,
            "role": account.role.value,
            "agency": account.agency_id or 0,
            "locations": [location.id for location in account.locations],
            "language": account.language,
            "active": account.active,
            "spoken": account.languages,
            "towns": account.towns,
        }
    form = StaffForm(data=data)
    form.towns.choices = [SelectChoice(town) for town in all_towns()]
    roles = [r for r in Role if r is not Role.ADMIN or current_user.role is Role.ADMIN]
    form.role.choices = [SelectChoice(r.value, str(ROLE_LABELS[r])) for r in roles]
    form.agency.choices = [SelectChoice("0", _("— none —")), *_agency_choices()]
    form.locations.choices = [
        SelectChoice(str(location.id), f"{location.name}, {location.town}")
        for location in service.locations()
    ]
    if form.validate_on_submit():
        fields = service.StaffFields(
            email=form.email.data or "",
            name=(form.name.data or "").strip(),
            role=Role(form.role.data),
            agency_id=form.agency.data or None,
            location_ids=form.locations.data or [],
            language=form.language.data or "de",
            active=bool(form.active.data),
            password=form.password.data or "",
            languages=form.spoken.data or [],
            towns=form.towns.data or [],
        )
        saved = done_or_flash(lambda: service.save_staff(account, fields, by=current_user))
        if saved is not None:
            flash(_("The account of %(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("coordination.staff"))
    return render_template("coordination/staff_form.html", form=form, account=account), _status(
        request.method == "POST"
    )


@bp.route("/staff/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_staff() -> ResponseReturnValue:
    """Add a staff account."""
    return _edit_staff(None)


@bp.route("/staff/<int:staff_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_staff(staff_id: int) -> ResponseReturnValue:
    """Change or deactivate a staff account, or set a new password."""
    return _edit_staff(_staff_account_or_404(staff_id))


@bp.post("/staff/<int:staff_id>/feed-token")
@role_required(Role.COORDINATOR)
def regenerate_feed_token(staff_id: int) -> ResponseReturnValue:
    """Give the account's calendar feed a new secret address; the old one stops working."""
    account = _staff_account_or_404(staff_id)
    account.regenerate_feed_token()
    flash(
        _("The calendar feed of %(name)s has a new address. The old one no longer works.",
          name=account.name),
        "success",
    )  # fmt: skip
    return redirect(url_for("coordination.edit_staff", staff_id=account.id))


# --- consultation days --------------------------------------------------------------------


@bp.get("/days")
@role_required(Role.COORDINATOR)
def days() -> ResponseReturnValue:
    """Upcoming days (or, with ?past=1, past ones) and how far their hours are."""
    today = _today()
    past = request.args.get("past") == "1"
    found = service.days_before(today) if past else service.days_from(today)
    return render_template(
        "coordination/days.html", days=[(day, hours_on(day)) for day in found], past=past
    )


@bp.route("/days/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_day() -> ResponseReturnValue:
    """Create a joint day once or as a repeating series."""
    form = DayForm()
    form.location.choices = [
        SelectChoice(str(location.id), f"{location.name}, {location.town}")
        for location in service.locations(active_only=True)
    ]
    form.invited.choices = _agency_choices()
    if form.validate_on_submit():
        location = db.session.get(Location, form.location.data)
        invited = db.session.scalars(
            sa.select(Agency).where(Agency.id.in_(form.invited.data or []))
        ).all()
        try:
            if location is None:
                raise service.CoordinationError(N_("This location is not active."))
            created = service.create_days(
                service.DayRequest(
                    location=location,
                    first_date=form.first_date.data,
                    repeat=service.Repeat(form.repeat.data),
                    interval=form.interval.data,
                    nth=form.nth.data or None,
                    until=form.until.data,
                    exceptions=tuple(service.parse_exceptions(form.exceptions.data or "")),
                    kind=DayKind(form.kind.data),
                    title=(form.title.data or "").strip(),
                    invited=tuple(invited),
                    publish=bool(form.publish.data),
                ),
                today=_today(),
            )
            db.session.flush()  # the new days' ids, for the link below
        except DomainError as error:
            db.session.rollback()
            flash(domain_message(error), "error")
        else:
            flash(
                ngettext(
                    "%(num)d consultation day was created.",
                    "%(num)d consultation days were created.",
                    len(created),
                ),
                "success",
            )
            if len(created) == 1:
                return redirect(url_for("coordination.day", day_id=created[0].id))
            return redirect(url_for("coordination.days"))
    return render_template("coordination/day_new.html", form=form), _status(
        request.method == "POST"
    )


@bp.route("/days/<int:day_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def day(day_id: int) -> ResponseReturnValue:
    """One day: which invited agencies have published hours, its details, and who was told."""
    found: ConsultationDay = get_or_404(ConsultationDay, day_id)
    form = DayEditForm(
        data={
            "title": found.title,
            "kind": found.kind.value,
            "invited": [a.id for a in found.invited_agencies],
        }
    )
    form.invited.choices = _agency_choices()
    if form.validate_on_submit():
        invited = db.session.scalars(
            sa.select(Agency).where(Agency.id.in_(form.invited.data or []))
        ).all()
        updated = done_or_flash(
            lambda: service.update_day(
                found,
                title=(form.title.data or "").strip(),
                kind=DayKind(form.kind.data),
                invited=invited,
            )
        )
        if updated is not None:
            flash(_("The day is saved."), "success")
            return redirect(url_for("coordination.day", day_id=day_id))
    cancelled = found.status is DayStatus.CANCELLED
    return render_template(
        "coordination/day.html",
        day=found,
        form=form,
        hours=hours_on(found),
        booked=[] if cancelled else service.booked_visits(found),
        told=service.cancelled_with_day(found) if cancelled else [],
    ), _status(request.method == "POST")


@bp.post("/days/<int:day_id>/publish")
@role_required(Role.COORDINATOR)
def publish_day(day_id: int) -> ResponseReturnValue:
    """Open a draft day for booking."""
    found: ConsultationDay = get_or_404(ConsultationDay, day_id)
    try:
        found.publish()
    except TransitionError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
    else:
        offer_freed_seats(found)  # people waiting for this town get its first seats
        flash(_("The day is published."), "success")
    return redirect(url_for("coordination.day", day_id=day_id))


@bp.route("/days/<int:day_id>/cancel", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def cancel_day(day_id: int) -> ResponseReturnValue:
    """Cancel a day: every visit on it is cancelled and the people to tell are listed."""
    found: ConsultationDay = get_or_404(ConsultationDay, day_id)
    if found.status is DayStatus.CANCELLED:
        return redirect(url_for("coordination.day", day_id=day_id))
    form = CancelDayForm()
    if form.validate_on_submit():
        cancelled = done_or_flash(lambda: service.cancel_day(found, form.reason.data or ""))
        if cancelled is not None:
            flash(
                ngettext(
                    "The day is cancelled. %(num)d visit was cancelled; please tell the person.",
                    "The day is cancelled. %(num)d visits were cancelled; please tell the people.",
                    len(cancelled),
                ),
                "success",
            )
            return redirect(url_for("coordination.day", day_id=day_id))
    return render_template(
        "coordination/day_cancel.html", day=found, form=form, booked=service.booked_visits(found)
    ), _status(request.method == "POST")
