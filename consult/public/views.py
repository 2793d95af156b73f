"""Public pages for migrants: no account, in their language, on a smartphone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from consult import itineraries, practical, throttle
from consult.alternatives import alternatives
from consult.availability import day_stamp
from consult.boundary import number_or_none
from consult.config import LANGUAGES
from consult.contacts import ContactError
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_DAYS
from consult.itineraries import PlanningError
from consult.messages.history import sent_about
from consult.models import (
    AppointmentStatus,
    Consent,
    ConsultationDay,
    Visit,
    VisitStatus,
    normalise_reference,
    utcnow,
)
from consult.public import presenters
from consult.public.forms import BookingForm, ReferenceForm, WaitlistForm
from consult.throttle import counted_lookup
from consult.visit_calendar import ics_response
from consult.visits import BookingError, BookingRequest, Contact, UnfitPlanError, book_visit
from consult.waitlist import join_waitlist
from consult.web import domain_message, local_target, tagged

bp = Blueprint("public", __name__)

CONSENT_QUESTION = "May the advisors of this visit talk to each other about your case?"


@dataclass(frozen=True)
class Journey:
    """What the person asked for so far, carried from page to page in the query string."""

    topic_ids: tuple[int, ...]
    town: str
    speak: str
    arrive: time | None
    leave: time | None
    move: str
    mediator: bool = False  # the person asked for a language mediator

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> Journey:
        topic_ids = []
        for raw in args.getlist("topic")[:20]:
            topic_id = number_or_none(raw)
            if topic_id is None:
                raise PlanningError(N_("One of the chosen topics is not offered."))
            topic_ids.append(topic_id)
        speak = args.get("speak", "")
        return cls(
            topic_ids=tuple(topic_ids),
            town=args.get("town", "")[:80],
            speak=speak if speak in LANGUAGES else str(get_locale()),
            arrive=_clock(args.get("arrive", "")),
            leave=_clock(args.get("leave", "")),
            move=normalise_reference(args.get("move", ""))[:14],
            mediator=args.get("mediator") == "1",
        )

    def query(self, **changes: object) -> dict[str, object]:
        """The query-string form, for links to the next step."""
        values: dict[str, object] = {
            "topic": list(self.topic_ids),
            "town": self.town,
            "speak": self.speak,
            "arrive": self.arrive.strftime("%H:%M") if self.arrive else "",
            "leave": self.leave.strftime("%H:%M") if self.leave else "",
            "move": self.move,
            "mediator": "1" if self.mediator else "",
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value not in ("", [], None)}


def _clock(text: str) -> time | None:
    text = text.strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise PlanningError(N_("Please enter a time like 09:30.")) from None


def _journey() -> Journey:
    try:
        return Journey.from_args(request.args)
    except PlanningError as error:
        message = domain_message(error)
        abort(Response(render_template("public/problem.html", message=message), 400))


@bp.get("/")
def home() -> ResponseReturnValue:
    """What do you need, and where: topics, towns and the next consultation days."""
    return render_template(
        "public/home.html",
        topics=itineraries.load_active_topics(),
        towns=itineraries.towns(),
        days=itineraries.upcoming_days()[:6],
        journey=None,
    )


@bp.get("/find")
def find_days() -> ResponseReturnValue:
    """The next days that can serve everything the person needs."""
    journey = _journey()
    try:
        topics = itineraries.load_topics(journey.topic_ids)
    except PlanningError as error:
        return render_template(
            "public/home.html",
            topics=itineraries.load_active_topics(),
            towns=itineraries.towns(),
            days=itineraries.upcoming_days()[:6],
            journey=journey,
            topic_error=domain_message(error),
        ), 400
    _, carried = move_views.moving(journey)
    results = itineraries.days_serving(
        topics, language=journey.speak, town=journey.town or None, carried=carried
    )
    # Only when nothing fits: the nearest other towns' days, and which topics never fit.
    others = None
    if not results:
        others = alternatives(
            topics, town=journey.town or None, language=journey.speak, carried=carried
        )
    return render_template(
        "public/find.html",
        journey=journey,
        topics=topics,
        results=results,
        alternatives=others,
        today=presenters.today(),
        waitlist_form=_waitlist_form(journey),
    )


@bp.get("/day/<int:day_id>")
def day_plans(day_id: int) -> ResponseReturnValue:
    """The best few plans for one day, as timelines."""
    # The stamp is enough to name the page; the day itself is loaded only to plan.
    stamp = day_stamp(day_id)
    if stamp is None:
        abort(404)
    journey = _journey()
    now = utcnow()

    def page() -> Response:
        day = _bookable_day(day_id)
        try:
            topics = itineraries.load_topics(journey.topic_ids)
            result = itineraries.plans_for_day(
                day,
                topics,
                language=journey.speak,
                arrive=journey.arrive,
                leave=journey.leave,
                now=now,
                carried=move_views.moving(journey)[1],
                mediator=journey.mediator,
            )
        except PlanningError as error:
            flash(domain_message(error), "error")
            return redirect(url_for("public.find_days", **journey.query(arrive="", leave="")))
        return make_response(
            render_template(
                "public/plans.html",
                day=day,
                journey=journey,
                topics=topics,
                result=result,
                options=[presenters.plan_view(result, plan) for plan in result.plans],
                language_choices=presenters.language_choices(),
            )
        )

    if session.get("_flashes") or current_user.is_authenticated:
        # Waiting messages, or a staff menu with its own form token, make the page
        # one of a kind: it is neither tagged nor kept.
        return page()
    # The whole query, not only the journey: the page links back to it (language switch);
    # and the place, topic and agency texts, which change without a new revision.
    key = ("page", str(get_locale()), request.full_path, practical.stamp(day_id, journey.topic_ids))
    return tagged(itineraries.plans_etag(stamp, key, now), page)


@bp.route("/day/<int:day_id>/book", methods=["GET", "POST"])
@throttle.booking
def book(day_id: int) -> ResponseReturnValue:
    """Name, reach, language, consent: one confirmation books the whole visit."""
    day = _bookable_day(day_id)
    journey = _journey()
    try:
        topics = itineraries.load_topics(journey.topic_ids)
    except PlanningError as error:
        flash(domain_message(error), "error")
        return redirect(url_for("public.home"))
    moving, carried = move_views.moving(journey)
    form = BookingForm(
        plan=request.args.get("plan", ""),
        language=moving.language if moving else journey.speak,
        name=moving.name if moving else None,
        phone=moving.phone if moving else None,
        email=moving.email if moving else None,
        # A move keeps what the person said: the interpreter wish and the consent.
        interpreter=moving.interpreter_wanted if moving else False,
        consent="yes" if moving and moving.consent_to_share else "no",
    )
    status = 200
    problems: list[str] = []
    dropped = move_views.left_behind(carried, form.plan.data or "")
    if form.validate_on_submit() and move_views.dropping_confirmed(form, dropped):
        try:
            booked = book_visit(_booking_request(day, journey, topics, form, moving))
        except ContactError as error:
            status = 422
            _show_at_field(form, error, problems)
        except (BookingError, PlanningError) as error:
            # A plan that is not one we offer is the asker's mistake; a seat taken meanwhile
            # is a conflict.
            status = 422 if isinstance(error, UnfitPlanError | PlanningError) else 409
            problems.append(domain_message(error))
            form.plan.data = move_views.next_best_plan(day, journey, topics, carried)
            dropped = move_views.left_behind(carried, form.plan.data or "")
            if form.plan.data:
                flash(_("The next best plan is shown below. Please check it and confirm."), "info")
        else:
            session["last_reference"] = booked.reference
            done = "moved" if moving else "1"
            return redirect(url_for("public.visit", reference=booked.reference, booked=done))
    elif request.method == "POST":
        status = 422
    plan = _plan_from_token(day, journey, form.plan.data or "")
    if plan is None and status == 200:
        flash(_("This plan is not valid any more. Please choose a plan again."), "error")
        return redirect(url_for("public.day_plans", day_id=day.id, **journey.query()))
    return render_template(
        "public/book.html",
        day=day,
        journey=journey,
        topics=topics,
        form=form,
        problems=problems,
        plan=plan,
        moving=moving,
        dropped=dropped,
    ), status


def _show_at_field(form: FlaskForm, error: ContactError, problems: list[str]) -> None:
    """Put a contact-check message under the field it is about (or above the form)."""
    message = domain_message(error)
    if error.field in form:
        form[error.field].errors = [*form[error.field].errors, message]
    else:
        problems.append(message)


def _booking_request(
    day: ConsultationDay, journey: Journey, topics: list, form: BookingForm, moving: Visit | None
) -> BookingRequest:
    language = form.language.data or journey.speak
    consent_wording = None
    if form.consent.data == "yes":
        with force_locale(language):
            consent_wording = _(CONSENT_QUESTION)
    return BookingRequest(
        day_id=day.id,
        appointments=itineraries.parse_plan_token(form.plan.data or ""),
        contact=Contact(
            name=form.name.data or "",
            phone=form.phone.data,
            email=form.email.data,
            language=language,
            interpreter_wanted=form.interpreter.data,
        ),
        topic_ids=[t.id for t in topics],
        consent_wording=consent_wording,
        visit_id=moving.id if moving else None,
        carry_referrals=moving is not None,
        drop_referrals=bool(form.drop_referrals.data),
        withdraw_consent=form.consent.data == "no" and bool(moving and moving.consent_to_share),
        mediator=journey.mediator,
    )


def _plan_from_token(day: ConsultationDay, journey: Journey, token: str):
    """The plan a token names, for display, if it is still a plan for this day."""
    try:
        return presenters.token_view(day, token, itineraries.parse_plan_token(token))
    except PlanningError:
        return None


@bp.get("/visit/<reference>")
def visit(reference: str) -> ResponseReturnValue:
    """The confirmation and manage page of a visit."""
    found = visit_or_404(reference)
    if found.reference != reference:
        return redirect(url_for("public.visit", reference=found.reference))
    rows = presenters.current_rows(found)
    timeline_de = None
    if str(get_locale()) != "de" and found.status is VisitStatus.BOOKED:
        with force_locale("de"):
            # Our own template, rendered for the German copy that staff can read.
            timeline_de = Markup(
                render_template(
                    "public/_timeline.html",
                    rows=presenters.current_rows(found),
                    zone=found.day.location.timezone,
                )
            )
    return render_template(
        "public/visit.html",
        visit=found,
        rows=rows,
        earlier=presenters.earlier_rows(found),
        timeline_de=timeline_de,
        qr_svg=presenters.qr_svg(found.reference),
        just_booked=request.args.get("booked") in ("1", "moved")
        and found.status is VisitStatus.BOOKED,
        just_moved=request.args.get("booked") == "moved",
        sent=sent_about(found),
        can_change=can_change(found),
        # Booking again starts from the day search with the visit's topics and language.
        book_again=url_for(
            "public.find_days", topic=[t.id for t in found.topics], speak=found.language
        ),
    )


def can_change(visit: Visit) -> bool:
    """Whether the person may still move or cancel: booked, not an offer, nobody seen yet."""
    return (
        visit.status is VisitStatus.BOOKED
        and visit.offer_expires_dt is None
        and all(a.status is AppointmentStatus.BOOKED for a in visit.group_appointments)
    )


@bp.get("/visit/<reference>.ics")
def visit_calendar(reference: str) -> ResponseReturnValue:
    """The visit as a calendar file with all its appointments."""
    return ics_response(visit_or_404(reference))


@bp.post("/visit/<reference>/consent")
def change_consent(reference: str) -> ResponseReturnValue:
    """Give or withdraw the consent to share between the agencies of this visit."""
    found = visit_or_404(reference)
    if request.form.get("consent") == "yes" and not found.consent_to_share:
        found.consents.append(Consent(wording=_(CONSENT_QUESTION), language=str(get_locale())))
        flash(_("Thank you. The advisors of this visit may now talk to each other."), "success")
    elif request.form.get("consent") == "no" and found.consent_to_share:
        for consent in found.consents:
            if consent.withdrawn_dt is None:
                consent.withdraw()
        flash(_("Your consent is withdrawn. The advisors will not share your case."), "success")
    return redirect(url_for("public.visit", reference=found.reference))


@bp.route("/manage", methods=["GET", "POST"])
def manage() -> ResponseReturnValue:
    """Find a visit by its booking reference."""
    form = ReferenceForm()
    if form.validate_on_submit():
        reference = normalise_reference(form.reference.data or "")
        if _find_visit(reference):
            return redirect(url_for("public.visit", reference=reference))
        form.reference.errors.append(_("We could not find a visit with this booking reference."))
    status = 422 if request.method == "POST" else 200
    return render_template("public/manage.html", form=form), status


@bp.route("/waitlist", methods=["GET", "POST"])
@throttle.booking
def waitlist() -> ResponseReturnValue:
    """Join the waiting list when no day fits."""
    journey = _journey()
    form = _waitlist_form(journey)
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            topics = itineraries.load_topics(form.topics.data or [])
            join_waitlist(
                topics,
                Contact(
                    name=form.name.data or "",
                    phone=form.phone.data,
                    email=form.email.data,
                    language=form.language.data or journey.speak,
                ),
                town=form.town.data or "",
            )
        except ContactError as error:
            db.session.rollback()
            _show_at_field(form, error, problems)
        except DomainError as error:
            db.session.rollback()
            problems.append(domain_message(error))
        else:
            flash(
                _("You are on the waiting list. We will contact you when a place is free."),
                "success",
            )
            return redirect(url_for("public.home"))
    status = 422 if request.method == "POST" else 200
    return render_template("public/waitlist.html", form=form, problems=problems), status


def _waitlist_form(journey: Journey) -> WaitlistForm:
    form = WaitlistForm(topics=list(journey.topic_ids), town=journey.town, language=journey.speak)
    form.topics.choices = [
        SelectChoice(t.id, t.name_in(str(get_locale()))) for t in itineraries.load_active_topics()
    ]
    form.town.choices = [SelectChoice("", _("Anywhere"))] + [
        SelectChoice(town) for town in itineraries.all_towns()
    ]
    return form


@bp.get("/lang/<code>")
def set_language(code: str) -> ResponseReturnValue:
    """Remember the person's language and go back to where they were."""
    response = redirect(local_target(request.args.get("next")) or url_for("public.home"))
    if code in LANGUAGES:
        session["lang"] = code
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


def _bookable_day(day_id: int) -> ConsultationDay:
    day = db.session.get(ConsultationDay, day_id)
    if day is None or not day.is_bookable:
        abort(404)
    return day


def _find_visit(reference: str) -> Visit | None:
    found = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
    return counted_lookup(found)


def visit_or_404(reference: str) -> Visit:
    found = _find_visit(normalise_reference(reference))
    if found is None:
        abort(404)
    return found


# The routes for cancelling, moving, the person's messages and offers live in modules of
# their own; importing them adds them to `bp`.
from consult.public import cancel_views, family_views, message_views, move_views, offer_views  # noqa: E402, F401
