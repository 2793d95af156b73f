"""Case notes under consent: visit and client pages, consent at the desk, referrals, audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from consult import audit
from consult.boundary import number_or_none
from consult.conferences import reading as conference_reading
from consult.errors import DomainError
from consult.extensions import db
from consult.i18n import format_day, format_local_time
from consult.itineraries import parse_plan_token, plan_token
from consult.models import Agency, Client, ConsultationDay, Role, StaffUser, Topic, Visit
from consult.notes import rules, service
from consult.notes.forms import ActionForm, LinkClientForm, NoteForm, ReferralForm
from consult.permissions import current_staff, role_required
from consult.public.presenters import visit_rows
from consult.web import domain_message, local_target

bp = Blueprint("notes", __name__, url_prefix="/staff/notes")

AUDIT_ACTIONS = {
    "note.read": _l("read case notes"),
    "note.write": _l("wrote a case note"),
    "consent.give": _l("recorded consent"),
    "consent.withdraw": _l("withdrew consent"),
    "client.create": _l("created a client record"),
    "client.link": _l("linked a visit to a client record"),
    "referral": _l("referred to another agency"),
    "purge": _l("erased personal data after the retention period"),
    "feed.token": _l("gave their calendar feed a new address"),
    "feed.names": _l("changed whether their calendar feed shows names"),
    "visit.book": _l("booked a visit"),
    "visit.walk_in": _l("added a walk-in"),
    "visit.cancelled": _l("cancelled a visit"),
    "visit.moved": _l("moved a visit"),
    "appointment.create": _l("added an appointment"),
    "appointment.checked_in": _l("checked in"),
    "appointment.in_consultation": _l("called in"),
    "appointment.done": _l("finished a consultation"),
    "appointment.no_show": _l("marked as not come"),
    "appointment.cancelled": _l("cancelled an appointment"),
    "appointment.moved": _l("moved an appointment"),
    "appointment.booked": _l("took back a check-in"),
    "day.create": _l("created a day"),
    "day.published": _l("published a day"),
    "day.cancelled": _l("cancelled a day"),
    "day.change": _l("changed a day"),
    "hours.create": _l("entered hours"),
    "hours.published": _l("published hours"),
    "hours.withdrawn": _l("withdrew hours"),
    "hours.change": _l("changed hours"),
    "tour.create": _l("planned a tour"),
    "tour.published": _l("published a tour"),
    "tour.cancelled": _l("cancelled a tour"),
    "tour.change": _l("changed a tour"),
    "waitlist.create": _l("joined the waiting list"),
    "waitlist.offered": _l("offered a free place"),
    "waitlist.booked": _l("took an offered place"),
    "waitlist.expired": _l("let an offer expire"),
    "waitlist.withdrawn": _l("left the waiting list"),
    "account.create": _l("created an account"),
    "account.role": _l("changed a role"),
    "account.password": _l("set a password"),
    "account.feed_token": _l("gave a calendar feed a new address"),
    "account.change": _l("changed an account"),
    "conference.create": _l("arranged a case conference"),
    "conference.cancelled": _l("cancelled a case conference"),
    "conference.held": _l("recorded the outcome of a case conference"),
    "conference.change": _l("changed a case conference"),
}


# What the entries are about, as the filter and the table name it.
AUDIT_OBJECTS = {
    "visit": _l("Visit"),
    "day": _l("Day"),
    "hours": _l("Consultation hours"),
    "tour": _l("Tour"),
    "waitlist": _l("Waiting list"),
    "account": _l("Staff account"),
    "staff_user": _l("Staff account"),
    "client": _l("Client record"),
    "case_note": _l("Case note"),
    "retention": _l("Retention period"),
    "conference": _l("Case conference"),
}


def local_date(instant: datetime, zone: str) -> date:
    """The calendar date of an instant in a time zone."""
    return instant.astimezone(ZoneInfo(zone)).date()


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {
        "local_date": local_date,
        "audit_actions": AUDIT_ACTIONS,
        "audit_objects": AUDIT_OBJECTS,
    }


def _visit_or_404(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        abort(404)
    return visit


def _advisors_visit(visit_id: int) -> Visit:
    visit = _visit_or_404(visit_id)
    if not service.can_open_visit(current_staff(), visit):
        abort(403)
    return visit


def _advisors_client(client_id: int) -> Client:
    client = db.session.get(Client, client_id)
    if client is None:
        abort(404)
    if not service.can_open_client(current_staff(), client):
        abort(403)
    return client


def _to_visit(visit: Visit, anchor: str = "") -> ResponseReturnValue:
    return redirect(url_for("notes.visit", visit_id=visit.id, _anchor=anchor or None))


# --- forms with choices from the database ----------------------------------------------


def _referral_form(me: StaffUser) -> ReferralForm:
    form = ReferralForm()
    locale = str(get_locale())
    form.agency.choices = [SelectChoice(str(a.id), a.name) for a in service.referral_agencies(me)]
    topics = db.session.scalars(sa.select(Topic).where(Topic.active).order_by(Topic.position))
    form.topic.choices = [SelectChoice("", _("Any topic"))] + [
        SelectChoice(
            str(t.id), f"{t.name_in(locale)} ({', '.join(a.short_name for a in t.agencies)})"
        )
        for t in topics
    ]
    return form


def _link_form(me: StaffUser) -> LinkClientForm:
    form = LinkClientForm()
    form.client.choices = [
        SelectChoice(str(c.id), _("%(name)s (client no. %(id)d)", name=c.name or "–", id=c.id))
        for c in service.clients_seen_by(me.agency_id)
    ]
    return form


def consent_question(language: str) -> str:
    """The consent question as the person reads it, in their language."""
    with force_locale(language):
        return _(rules.CONSENT_QUESTION)


# --- the visit page --------------------------------------------------------------------


def _render_visit(
    visit: Visit,
    status: int = 200,
    note_form: NoteForm | None = None,
    referral_form: ReferralForm | None = None,
) -> ResponseReturnValue:
    me = current_staff()
    notes = service.readable_visit_notes(me, visit)
    service.record_read(me, "visit", visit.id, notes)
    page = render_template(
        "notes/visit.html",
        visit=visit,
        zone=visit.day.location.timezone,
        # Staff see the language in the person section; the flag is worded for the person.
        rows=[replace(row, language_ok=True) for row in visit_rows(visit)],
        notes=notes,
        conferences=conference_reading.conferences_of_visit(visit),
        consent=service.active_consent(visit),
        question=consent_question(visit.language),
        note_form=note_form or NoteForm(formdata=None),
        referral_form=referral_form or _referral_form(me),
        link_form=_link_form(me),
        action_form=ActionForm(),
    )
    return page, status


@bp.get("/visit/<int:visit_id>")
@role_required(Role.ADVISOR)
def visit(visit_id: int) -> ResponseReturnValue:
    """A visit's timeline, consent and the case notes this advisor may read."""
    return _render_visit(_advisors_visit(visit_id))


@bp.post("/visit/<int:visit_id>/notes")
@role_required(Role.ADVISOR)
def add_visit_note(visit_id: int) -> ResponseReturnValue:
    """Write a note on the visit for the advisor's agency."""
    found = _advisors_visit(visit_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_visit(found, 400, note_form=form)
    try:
        service.add_visit_note(current_staff(), found, form.body.data or "")
    except service.NoteError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return _to_visit(found)
    flash(_("The note is saved."), "success")
    return _to_visit(found, "notes")


# --- consent at the desk -------------------------------------------------------------


def _consent_visit(visit_id: int) -> Visit:
    found = _visit_or_404(visit_id)
    if not service.can_record_consent(current_staff(), found):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    return found


def _after_consent(visit: Visit) -> ResponseReturnValue:
    if current_user.role is Role.ADVISOR:
        return _to_visit(visit, "consent")
    return redirect(local_target(request.form.get("next")) or url_for("staff.home"))


@bp.post("/visit/<int:visit_id>/consent")
@role_required(Role.ADVISOR, Role.FRONTDESK)
def give_consent(visit_id: int) -> ResponseReturnValue:
    """Record that the person, asked in their language, agrees to sharing."""
    found = _consent_visit(visit_id)
    try:
        service.give_consent(
            current_staff(), found, consent_question(found.language), found.language
        )
    except service.NoteError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
    else:
        flash(_("The consent to share is recorded."), "success")
    return _after_consent(found)


@bp.post("/visit/<int:visit_id>/consent/withdraw")
@role_required(Role.ADVISOR, Role.FRONTDESK)
def withdraw_consent(visit_id: int) -> ResponseReturnValue:
    """Record that the person withdraws the consent; shared notes are hidden at once."""
    found = _consent_visit(visit_id)
    try:
        service.withdraw_consent(current_staff(), found)
    except service.NoteError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
    else:
        flash(_("The consent is withdrawn. Notes are no longer shared."), "success")
    return _after_consent(found)


# --- client records ------------------------------------------------------------------


@bp.post("/visit/<int:visit_id>/client")
@role_required(Role.ADVISOR)
def create_client(visit_id: int) -> ResponseReturnValue:
    """Start a client record from this visit."""
    found = _advisors_visit(visit_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        client = service.create_client(current_staff(), found)
    except service.NoteError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return _to_visit(found)
    flash(_("The client record is created."), "success")
    return redirect(url_for("notes.client", client_id=client.id))


@bp.post("/visit/<int:visit_id>/link")
@role_required(Role.ADVISOR)
def link_client(visit_id: int) -> ResponseReturnValue:
    """Link this visit to a client record of a visit the advisor's agency saw."""
    found = _advisors_visit(visit_id)
    form = _link_form(current_staff())
    if not form.validate_on_submit() or form.client.data is None:
        flash(_("Please choose a client record."), "error")
        return _to_visit(found)
    client = _advisors_client(form.client.data)
    try:
        service.link_client(current_staff(), found, client)
    except service.NoteError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return _to_visit(found)
    flash(_("The visit is linked to the client record."), "success")
    return redirect(url_for("notes.client", client_id=client.id))


def _render_client(
    client: Client, status: int = 200, note_form: NoteForm | None = None
) -> ResponseReturnValue:
    me = current_staff()
    notes = service.readable_client_notes(me, client)
    service.record_read(me, "client", client.id, notes)
    page = render_template(
        "notes/client.html",
        client=client,
        visits=service.client_visits_seen_by(me, client),
        notes=notes,
        zone=current_app.config["CONSULT_TIMEZONE"],
        note_form=note_form or NoteForm(formdata=None),
    )
    return page, status


@bp.get("/client/<int:client_id>")
@role_required(Role.ADVISOR)
def client(client_id: int) -> ResponseReturnValue:
    """A client record: the visits the advisor's agency saw and the notes they may read."""
    return _render_client(_advisors_client(client_id))


@bp.post("/client/<int:client_id>/notes")
@role_required(Role.ADVISOR)
def add_client_note(client_id: int) -> ResponseReturnValue:
    """Write a note on the client record for the advisor's agency."""
    found = _advisors_client(client_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_client(found, 400, note_form=form)
    try:
        service.add_client_note(current_staff(), found, form.body.data or "")
    except service.NoteError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return redirect(url_for("notes.client", client_id=found.id))
    flash(_("The note is saved."), "success")
    return redirect(url_for("notes.client", client_id=found.id, _anchor="notes"))


# --- referral ------------------------------------------------------------------------


def _booked_message(agency: Agency, target: Visit) -> str:
    appointment = next(a for a in target.active_appointments if a.agency_id == agency.id)
    zone = target.day.location.timezone
    return _(
        "Referred to %(agency)s: %(day)s at %(time)s (booking reference %(reference)s).",
        agency=agency.name,
        day=format_day(target.day.date, "medium"),
        time=format_local_time(appointment.starts_dt, zone),
        reference=target.reference,
    )


@bp.post("/visit/<int:visit_id>/refer")
@role_required(Role.ADVISOR)
def refer(visit_id: int) -> ResponseReturnValue:
    """Refer the person to another agency: today if a time is free, else on a later day."""
    found = _advisors_visit(visit_id)
    me = current_staff()
    form = _referral_form(me)
    if not form.validate_on_submit():
        return _render_visit(found, 400, referral_form=form)
    agency = db.session.get(Agency, form.agency.data)
    topic = db.session.get(Topic, form.topic.data) if form.topic.data else None
    if agency is None:
        abort(400)
    body = form.handover.data or ""
    try:
        service.check_referral(found, agency, topic)
        if form.plan.data:
            day_id = number_or_none(form.day.data)
            day = db.session.get(ConsultationDay, day_id) if day_id is not None else None
            if day is None:
                abort(404)
            openings = parse_plan_token(form.plan.data)
            target = service.refer_to_day(me, found, agency, topic, body, day, openings)
        else:
            plan = service.same_day_opening(found, agency, topic)
            if plan is None:
                options = service.later_options(found, agency, topic)
                return render_template(
                    "notes/refer.html",
                    visit=found,
                    agency=agency,
                    topic=topic,
                    body=body,
                    options=[(option, plan_token(option.plan)) for option in options],
                )
            target = service.refer_same_day(me, found, agency, topic, body, plan)
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return _to_visit(found)
    flash(_booked_message(agency, target), "success")
    return _to_visit(found, "notes")


# --- the audit log (administrators) ---------------------------------------------------


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_log() -> ResponseReturnValue:
    """Who read or changed what, newest first; filtered by object, actor and dates."""
    zone = current_app.config["CONSULT_TIMEZONE"]
    args = request.args
    wanted, problems = _audit_filter(args, ZoneInfo(zone))
    for problem in problems:
        flash(problem, "error")
    page = audit.newest_first(number_or_none(args.get("page", "1")) or 1, wanted)
    staff = db.session.scalars(sa.select(StaffUser).order_by(StaffUser.name))
    return render_template(
        "notes/audit.html",
        page=page,
        zone=zone,
        wanted=wanted,
        args={key: value for key, value in args.items() if key != "page"},
        object_types=audit.object_types(),
        staff=list(staff),
    ), 400 if problems else 200


def _audit_filter(args: MultiDict[str, str], zone: ZoneInfo) -> tuple[audit.Filter, list[str]]:
    """The filter the query string asks for, and what in it could not be understood."""
    problems = []
    object_id = None
    if args.get("id"):
        object_id = number_or_none(args["id"])
        if object_id is None:
            problems.append(_("Please enter a whole number."))
    actor: int | str | None = args.get("actor") or None
    if actor not in (None, audit.PERSON, audit.SYSTEM):
        actor = number_or_none(actor or "")
        if actor is None:
            problems.append(_("Please choose one of the offered options."))
    since = until = None
    try:
        if args.get("from"):
            since = _local_midnight(date.fromisoformat(args["from"]), zone)
        if args.get("to"):
            until = _local_midnight(date.fromisoformat(args["to"]) + timedelta(days=1), zone)
    except (ValueError, OverflowError):
        problems.append(_("Please enter a date like 2026-12-01."))
    wanted = audit.Filter(
        object_type=args.get("object", "")[:40],
        object_id=object_id,
        actor=actor,
        since=since,
        until=until,
    )
    return wanted, problems


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
