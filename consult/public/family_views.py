"""A family books one visit: up to four people, each with their topics, one chain (on `public.bp`).

Who comes and what they need is kept in the signed session cookie between the
steps, so that names never travel in addresses (which servers log).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from babel.lists import format_list
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from wtforms import SelectChoice

from consult import itineraries, throttle
from consult.contacts import ContactError
from consult.extensions import db
from consult.family_booking import book_family
from consult.family_visits import Person, family_plans_for_day
from consult.itineraries import PlanningError
from consult.models import AppointmentStatus, ConsultationDay, Topic, Visit
from consult.public import presenters
from consult.public.family_forms import FamilyBookingForm, FamilyForm
from consult.public.views import CONSENT_QUESTION, bp
from consult.visits import BookingError, BookingRequest, Contact, UnfitPlanError
from consult.web import domain_message

SESSION_KEY = "family"


@dataclass(frozen=True)
class Party:
    """The people who come together, as the first step named them, and where and in what."""

    names: tuple[str, ...]
    topic_ids: tuple[tuple[int, ...], ...]
    town: str
    speak: str
    # They may be seen at different desks at the same time.
    apart: bool = False

    @classmethod
    def stored(cls) -> Party | None:
        raw = session.get(SESSION_KEY)
        try:
            return cls(
                tuple(str(name) for name in raw["names"]),
                tuple(tuple(int(t) for t in ids) for ids in raw["topics"]),
                str(raw["town"]),
                str(raw["speak"]),
                bool(raw["apart"]) if "apart" in raw else False,
            )
        except (TypeError, KeyError, ValueError):
            return None

    def store(self) -> None:
        session[SESSION_KEY] = {
            "names": list(self.names),
            "topics": [list(ids) for ids in self.topic_ids],
            "town": self.town,
            "speak": self.speak,
            "apart": self.apart,
        }

    def topics(self) -> tuple[list[Topic], list[list[Topic]]]:
        """Everybody's topics once each, and each person's; PlanningError as for one person."""
        union = itineraries.load_topics([t for ids in self.topic_ids for t in ids])
        by_id = {t.id: t for t in union}
        return union, [[by_id[t] for t in ids] for ids in self.topic_ids]

    def apart_topics(self) -> tuple[tuple[int, ...], ...]:
        """Each person's topic ids when they may be seen apart, else none."""
        return self.topic_ids if self.apart else ()


def together(names: Sequence[str]) -> str:
    """Whom an appointment is for: "Amir", or "Amir and Leyla together"."""
    if len(names) == 1:
        return names[0]
    return _("%(names)s together", names=format_list(list(names), locale=str(get_locale())))


def side_by_side(rows: Sequence[presenters.TimelineRow]) -> list[str]:
    """A sentence for each two appointments at the same time: people seen apart, at once."""
    lines = []
    for i, first in enumerate(rows):
        for second in rows[i + 1 :]:
            if first.starts_dt < second.ends_dt and second.starts_dt < first.ends_dt:
                lines.append(
                    _(
                        "At the same time: %(first)s at %(agency)s, %(second)s at %(other)s.",
                        first=first.people,
                        agency=first.agency.name,
                        second=second.people,
                        other=second.agency.name,
                    )
                )
    return lines


def _party_or_start() -> tuple[Party, list[Topic], list[list[Topic]]]:
    """Who comes and their topics, or back to the first step (none named, or not offered)."""
    party = Party.stored()
    if party is None:
        abort(redirect(url_for("public.family_start")))
    try:
        union, each = party.topics()
    except PlanningError as error:
        flash(domain_message(error), "error")
        abort(redirect(url_for("public.family_start")))
    return party, union, each


def _day(day_id: int) -> ConsultationDay:
    day = db.session.get(ConsultationDay, day_id)
    if day is None or not day.is_bookable:
        abort(404)
    return day


@bp.route("/family", methods=["GET", "POST"])
def family_start() -> ResponseReturnValue:
    """Who comes (two to four people) and what each of them needs, and where."""
    form = FamilyForm()
    topics = itineraries.load_active_topics()
    for entry in form.people:
        entry.form.topics.choices = [
            SelectChoice(t.id, t.name_in(str(get_locale()))) for t in topics
        ]
    form.town.choices = [SelectChoice("", _("Anywhere"))] + [
        SelectChoice(town) for town in itineraries.towns()
    ]
    form.speak.choices = presenters.language_choices()
    if request.method == "GET":
        _fill(form, Party.stored())
    problems: list[str] = []
    if form.validate_on_submit():
        party = _party_of(form, problems)
        if party is not None:
            party.store()
            return redirect(url_for("public.family_days"))
    links = [
        (field.id + ("-0" if field.type == "CheckboxListField" else ""), message)
        for entry in form.people
        for field in entry.form
        for message in field.errors
    ]
    status = 422 if request.method == "POST" else 200
    return render_template("public/family.html", form=form, problems=problems, links=links), status


def _fill(form: FamilyForm, party: Party | None) -> None:
    """Show what was named before ("change who comes"), or an empty form in the page's language."""
    form.speak.data = party.speak if party else str(get_locale())
    if party is None:
        return
    form.town.data = party.town
    form.apart.data = party.apart
    for entry, name, topic_ids in zip(form.people, party.names, party.topic_ids, strict=False):
        entry.form.name.data = name
        entry.form.topics.data = list(topic_ids)


def _party_of(form: FamilyForm, problems: list[str]) -> Party | None:
    """The people the form names, or None with the reasons put where they belong."""
    names, topic_ids = [], []
    for entry in form.people:
        name = " ".join((entry.form.name.data or "").split())
        chosen = tuple(entry.form.topics.data or ())
        if name and not chosen:
            entry.form.topics.errors = [_("Please choose at least one topic for each person.")]
        elif chosen and not name:
            entry.form.name.errors = [
                _("Please give a name. A first name or a nickname is enough.")
            ]
        elif name:
            names.append(name)
            topic_ids.append(chosen)
    if any(field.errors for entry in form.people for field in entry.form):
        return None
    if len(names) < 2:
        problems.append(_("Please name at least two people, each with what they need help with."))
        return None
    party = Party(
        tuple(names),
        tuple(topic_ids),
        form.town.data or "",
        form.speak.data or "de",
        bool(form.apart.data),
    )
    try:
        party.topics()
    except PlanningError as error:
        problems.append(domain_message(error))
        return None
    return party


@bp.get("/family/days")
def family_days() -> ResponseReturnValue:
    """The next days that can see everybody in one visit."""
    party, union, _each = _party_or_start()
    results = itineraries.days_serving(
        union, language=party.speak, town=party.town or None, apart=party.apart_topics()
    )
    return render_template("public/family_days.html", party=party, results=results)


@bp.get("/family/day/<int:day_id>")
def family_day(day_id: int) -> ResponseReturnValue:
    """The best plans for the family on one day; each appointment says for whom."""
    party, _union, each = _party_or_start()
    day = _day(day_id)
    found = family_plans_for_day(day, each, language=party.speak, apart=party.apart)
    options = []
    for plan in found.plans():
        view = presenters.plan_view(found.day_plans, plan.plan)
        rows = tuple(
            replace(row, people=together([party.names[i] for i in who]))
            for row, who in zip(view.rows, plan.attendees, strict=True)
        )
        options.append(replace(view, rows=rows))
    return render_template(
        "public/family_plans.html",
        day=day,
        party=party,
        result=found.day_plans,
        options=options,
        # A mediator, wanted or needed for the language, keeps the group together.
        apart=party.apart and all(a.language_ok for a in found.day_plans.assignments),
        side_by_side=side_by_side,
    )


@bp.route("/family/day/<int:day_id>/book", methods=["GET", "POST"])
@throttle.booking
def family_book(day_id: int) -> ResponseReturnValue:
    """One contact for the group, each person's own consent: one confirmation books everybody."""
    party, _union, each = _party_or_start()
    day = _day(day_id)
    form = FamilyBookingForm(
        plan=request.args.get("plan", ""), language=party.speak, name=party.names[0]
    )
    consents = form.consents(len(party.names))
    for name, question in zip(party.names, consents, strict=False):
        question.label.text = _(
            "May the advisors of this visit talk to each other about the case of %(name)s?",
            name=name,
        )
    problems: list[str] = []
    status = 200
    if form.validate_on_submit():
        try:
            lead = book_family(_request(day, form, party), _people(party, form))
        except ContactError as error:
            status = 422
            if error.field in form:
                form[error.field].errors = [*form[error.field].errors, domain_message(error)]
            else:
                problems.append(domain_message(error))
        except (BookingError, PlanningError) as error:
            status = 422 if isinstance(error, UnfitPlanError | PlanningError) else 409
            problems.append(domain_message(error))
        else:
            session.pop(SESSION_KEY, None)
            session["last_reference"] = lead.reference
            return redirect(url_for("public.visit", reference=lead.reference, booked="1"))
    elif request.method == "POST":
        status = 422
    plan = _plan_rows(day, party, each, form.plan.data or "")
    if plan is None and status == 200:
        flash(_("This plan is not valid any more. Please choose a plan again."), "error")
        return redirect(url_for("public.family_day", day_id=day.id))
    return render_template(
        "public/family_book.html",
        day=day,
        party=party,
        form=form,
        consents=consents,
        problems=problems,
        plan=plan,
        at_once=side_by_side(plan.rows) if plan else [],
    ), status


def _request(day: ConsultationDay, form: FamilyBookingForm, party: Party) -> BookingRequest:
    return BookingRequest(
        day_id=day.id,
        appointments=itineraries.parse_plan_token(form.plan.data or ""),
        contact=Contact(
            name=form.name.data or "",
            phone=form.phone.data,
            email=form.email.data,
            language=form.language.data or "de",
            interpreter_wanted=form.interpreter.data,
        ),
        apart=party.apart,
    )


def _people(party: Party, form: FamilyBookingForm) -> list[Person]:
    """Everybody with their topics and their own answer; the lead's name as typed here."""
    with force_locale(form.language.data or "de"):
        wording = _(CONSENT_QUESTION)
    names = [form.name.data or "", *party.names[1:]]
    return [
        Person(name, ids, wording if question.data == "yes" else None)
        for name, ids, question in zip(
            names, party.topic_ids, form.consents(len(names)), strict=True
        )
    ]


def _plan_rows(
    day: ConsultationDay, party: Party, each: list[list[Topic]], token: str
) -> presenters.PlanView | None:
    """The chosen plan for display, each appointment with whom it is for."""
    try:
        view = presenters.token_view(day, token, itineraries.parse_plan_token(token))
    except PlanningError:
        return None
    if view is None:
        return None
    attendees = family_plans_for_day(day, each, language=party.speak, limit=1).attendees
    rows = tuple(
        replace(row, people=together([party.names[i] for i in attendees.get(row.agency.id, ())]))
        if attendees.get(row.agency.id)
        else row
        for row in view.rows
    )
    return replace(view, rows=rows)


@dataclass(frozen=True)
class FamilyMember:
    """One person of a family's visit as the visit page lists them."""

    visit: Visit
    rows: list[presenters.TimelineRow]


@bp.app_template_global()
def family_of(visit: Visit) -> list[FamilyMember]:
    """Everybody of the visit's family with their appointments (nothing for one person)."""
    group = visit.group
    if len(group) == 1:
        return []
    members = []
    for person in group:
        by_id = {a.id: a for a in person.appointments}
        rows = []
        for row in presenters.visit_rows(person):
            if row.is_cancelled:
                continue
            held = by_id[row.appointment_id]
            held = held.shared_with or held
            names = [held.visit.name or held.visit.reference] + [
                c.visit.name or c.visit.reference
                for c in held.companions
                if c.status is not AppointmentStatus.CANCELLED
            ]
            rows.append(replace(row, people=together(names)) if len(names) > 1 else row)
        members.append(FamilyMember(person, rows))
    return members


@bp.app_template_global()
def family_at_once(family: Sequence[FamilyMember]) -> list[str]:
    """Who of the family is seen where at the same time (nothing when they stay together)."""
    rows: dict[tuple[int, object], presenters.TimelineRow] = {}
    for member in family:
        for row in member.rows:
            named = (
                row
                if row.people
                else replace(row, people=member.visit.name or member.visit.reference)
            )
            rows.setdefault((row.agency.id, row.starts_dt), named)
    return side_by_side(list(rows.values()))


@bp.app_template_global()
def group_topics(visit: Visit) -> list[Topic]:
    """Everybody's topics of the visit's family once each (the visit's own when alone)."""
    return list({t.id: t for person in visit.group for t in person.topics}.values())
