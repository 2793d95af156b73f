"""Case conferences: propose one from a visit, choose a time, and the conference's own page."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from consult.conferences import reading, service
from consult.conferences.forms import (
    ON_DAY,
    ONLINE,
    ConfirmForm,
    OutcomeForm,
    ProposalForm,
    ReasonForm,
)
from consult.errors import DomainError
from consult.extensions import db
from consult.i18n import format_local_time
from consult.models import (
    Agency,
    CaseConference,
    ConferenceStatus,
    Role,
    StaffUser,
    Visit,
)
from consult.notes.views import local_date
from consult.permissions import current_staff, role_required
from consult.slots import local_to_utc
from consult.web import domain_message

bp = Blueprint("conferences", __name__, url_prefix="/staff/conferences")

CONFERENCE_STATUS_LABELS = {
    ConferenceStatus.SCHEDULED: _l("scheduled"),
    ConferenceStatus.CANCELLED: _l("cancelled"),
    ConferenceStatus.HELD: _l("held"),
}


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    # For the pages that show conferences among other things: the visit, my day, the calendar.
    return {
        "conference_status_labels": CONFERENCE_STATUS_LABELS,
        "may_propose_conference": lambda visit: service.can_propose(current_staff(), visit),
        "may_view_conference": lambda conference: service.can_view(current_staff(), conference),
        "local_date": local_date,  # the note list's, as on the notes pages
    }


def _visit(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        abort(404)
    if not service.can_propose(current_staff(), visit):
        abort(403)
    return visit


def _conference(conference_id: int) -> CaseConference:
    conference = db.session.get(CaseConference, conference_id)
    if conference is None:
        abort(404)
    if not service.can_view(current_staff(), conference):
        abort(403)
    return conference


def _with_agencies(form: ProposalForm) -> ProposalForm:
    agencies = db.session.scalars(sa.select(Agency).order_by(Agency.name))
    form.agencies.choices = [SelectChoice(a.id, a.name) for a in agencies]
    if not form.is_submitted():
        form.agencies.data = [current_staff().agency_id]
    return form


def question(visit: Visit, agencies: list[Agency], language: str) -> str:
    """The consent question for this conference, in one language."""
    names = ", ".join(a.name for a in agencies)
    with force_locale(language):
        return _(service.CONFERENCE_QUESTION, agencies=names)


def _online_start(form: ProposalForm, zone: str) -> datetime | None:
    if form.on_date.data is None or form.at_time.data is None:
        return None
    return local_to_utc(form.on_date.data, form.at_time.data, zone)


def _check_online(form: ProposalForm, zone: str) -> bool:
    ok = True
    if not form.meeting_link.data:
        form.meeting_link.errors.append(_("Please give the meeting link as an https:// address."))
        ok = False
    else:
        try:
            service.check_meeting_link(form.meeting_link.data)
        except DomainError as error:
            form.meeting_link.errors.append(domain_message(error))
            ok = False
    if form.on_date.data is None:
        form.on_date.errors.append(_("Please give the date."))
        ok = False
    if form.at_time.data is None:
        form.at_time.errors.append(_("Please give the time."))
        ok = False
    elif form.on_date.data is not None:
        try:
            _online_start(form, zone)
        except DomainError as error:  # a time the clocks skip that day
            form.at_time.errors.append(domain_message(error))
            ok = False
    return ok


def _step_two(visit: Visit, form: ConfirmForm, status: int = 200) -> ResponseReturnValue:
    me = current_staff()
    agencies = service.chosen_agencies(me, form.agencies.data or [])
    zone = visit.day.location.timezone
    options = []
    if form.place.data == ON_DAY:
        meetings = service.on_site_options(visit.day, [a.id for a in agencies], form.minutes.data)
        options = [
            (
                m.starts_dt.isoformat(),
                f"{format_local_time(m.starts_dt, zone)}–{format_local_time(m.ends_dt, zone)}",
                m.attendance_of(me.agency_id).room,
            )
            for m in meetings
        ]
    try:
        online = _online_start(form, zone) if form.place.data == ONLINE else None
    except DomainError:  # a time the clocks skip: the form says so at the field
        online = None
    page = render_template(
        "conferences/confirm.html",
        visit=visit,
        form=form,
        agencies=agencies,
        options=options,
        online=online,
        zone=zone,
        question=question(visit, agencies, visit.language),
        question_de=question(visit, agencies, "de"),
    )
    return page, status


@bp.route("/visit/<int:visit_id>/new", methods=["GET", "POST"])
@role_required(Role.ADVISOR)
def propose(visit_id: int) -> ResponseReturnValue:
    """Step one: the agencies, the place, the length."""
    visit = _visit(visit_id)
    form = _with_agencies(ProposalForm())
    if form.validate_on_submit() and (
        form.place.data == ON_DAY or _check_online(form, visit.day.location.timezone)
    ):
        try:
            confirm = _with_agencies(ConfirmForm())
            return _step_two(visit, confirm)  # type: ignore[arg-type]
        except service.ConferenceError as error:
            form.agencies.errors = [domain_message(error)]
    status = 400 if form.is_submitted() else 200
    return render_template("conferences/new.html", visit=visit, form=form), status


@bp.post("/visit/<int:visit_id>/confirm")
@role_required(Role.ADVISOR)
def confirm(visit_id: int) -> ResponseReturnValue:
    """Step two: the person agreed and a time is chosen; the conference is arranged."""
    visit = _visit(visit_id)
    me = current_staff()
    form = _with_agencies(ConfirmForm())
    valid = form.validate_on_submit()
    if form.place.data == ONLINE:
        valid = _check_online(form, visit.day.location.timezone) and valid
    elif not form.start.data:
        form.start.errors = [_("Please choose a time.")]
        valid = False
    try:
        if not valid:
            return _step_two(visit, form, 400)  # type: ignore[arg-type]
        agencies = service.chosen_agencies(me, form.agencies.data or [])
        zone = visit.day.location.timezone
        if form.place.data == ONLINE:
            starts = _online_start(form, zone)
        else:
            starts = datetime.fromisoformat(form.start.data).astimezone(UTC)
        assert starts is not None
        consent = service.record_consent(
            me, visit, question(visit, agencies, visit.language), visit.language
        )
        conference = service.propose(
            me,
            visit,
            service.Proposal(
                agency_ids=tuple(a.id for a in agencies),
                minutes=form.minutes.data,
                starts_dt=starts,
                online=form.place.data == ONLINE,
                meeting_link=form.meeting_link.data or "",
            ),
            consent,
        )
    except (service.ConferenceError, ValueError) as error:
        db.session.rollback()
        message = (
            domain_message(error) if isinstance(error, DomainError) else _("Please choose a time.")
        )
        flash(message, "error")
        return redirect(url_for("conferences.propose", visit_id=visit.id))
    flash(_("The case conference is arranged and the participants are invited."), "success")
    return redirect(url_for("conferences.show", conference_id=conference.id))


@bp.get("/<int:conference_id>")
@role_required(Role.ADVISOR)
def show(conference_id: int) -> ResponseReturnValue:
    """Time, place, agencies, the agenda this advisor may read, the outcome."""
    conference = _conference(conference_id)
    me = current_staff()
    return _render(conference, me)


def _render(
    conference: CaseConference, me: StaffUser, outcome_form: OutcomeForm | None = None
) -> ResponseReturnValue:
    status = 400 if outcome_form is not None else 200
    page = render_template(
        "conferences/show.html",
        conference=conference,
        zone=conference.visit.day.location.timezone,
        agenda=reading.agenda(me, conference) if service.takes_part(me, conference) else [],
        outcome_visible=reading.outcome_visible(me, conference),
        takes_part=service.takes_part(me, conference),
        outcome_form=outcome_form or OutcomeForm(formdata=None),
        reason_form=ReasonForm(formdata=None),
    )
    return page, status


@bp.post("/<int:conference_id>/outcome")
@role_required(Role.ADVISOR)
def outcome(conference_id: int) -> ResponseReturnValue:
    conference = _conference(conference_id)
    me = current_staff()
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _render(conference, me, form)
    try:
        service.record_outcome(me, conference, form.outcome.data or "")
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
    else:
        flash(_("The outcome is recorded."), "success")
    return redirect(url_for("conferences.show", conference_id=conference.id))


@bp.post("/<int:conference_id>/cancel")
@role_required(Role.ADVISOR)
def cancel(conference_id: int) -> ResponseReturnValue:
    conference = _conference(conference_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.cancel(conference, form.reason.data or "")
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
    else:
        flash(_("The case conference is cancelled and the participants are told."), "success")
    return redirect(url_for("conferences.show", conference_id=conference_id))


@bp.post("/<int:conference_id>/withdraw-consent")
@role_required(Role.ADVISOR)
def withdraw_consent(conference_id: int) -> ResponseReturnValue:
    conference = _conference(conference_id)
    if not ReasonForm().validate_on_submit():
        abort(400)
    try:
        service.withdraw_consent(current_staff(), conference, _("The person withdrew the consent."))
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
    else:
        flash(
            _("The consent is withdrawn; the case conferences relying on it are cancelled."),
            "success",
        )
    return redirect(url_for("conferences.show", conference_id=conference_id))
