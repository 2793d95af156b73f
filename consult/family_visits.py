"""One visit for a family: the people of a booking, and how its appointments are shared out.

A family's booking is booked like one person's visit for everybody's topics (so
the plan is checked and the desks are taken exactly as for anyone), and then,
in the same transaction, split: every person gets a visit of their own — their
name, topics, consent, notes and audit stay theirs — and the members' visits
point to the lead's, whose reference and contact the group shares. An
appointment for several people is held (with its desk) by the first of them; the
others get a companion appointment that shares it and holds no seats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from consult.booking_errors import UnfitPlanError
from consult.contacts import MAX_NAME, Contact, ContactError
from consult.errors import N_
from consult.extensions import db
from consult.itineraries import DayPlans, plans_for_day
from consult.models import Appointment, Consent, ConsultationDay, Slot, Topic, Visit
from consult.planner.family import MAX_PEOPLE, FamilyPlan, attendees_by_agency, shares_of


@dataclass(frozen=True)
class Person:
    """One person of a family's booking: a name or nickname, their topics, their own consent."""

    name: str
    topic_ids: tuple[int, ...]
    consent_wording: str | None = None


def checked_party(people: Sequence[Person]) -> tuple[Person, ...]:
    """The people with names trimmed, or a BookingError naming what is wrong."""
    if not 2 <= len(people) <= MAX_PEOPLE:
        raise UnfitPlanError(N_("A visit together is for 2 to %(max)d people."), max=MAX_PEOPLE)
    checked = []
    for person in people:
        name = " ".join(person.name.split())
        if not name:
            raise ContactError(
                "name", N_("Please give a name. A first name or a nickname is enough.")
            )
        if len(name) > MAX_NAME:
            raise ContactError(
                "name", N_("The name is too long (at most %(max)d characters)."), max=MAX_NAME
            )
        if not person.topic_ids:
            raise UnfitPlanError(N_("Please choose at least one topic for each person."))
        checked.append(Person(name, tuple(dict.fromkeys(person.topic_ids)), person.consent_wording))
    return tuple(checked)


def family_topic_ids(people: Sequence[Person]) -> list[int]:
    """Everybody's topics once each, in the order the people named them."""
    return list(dict.fromkeys(t for person in people for t in person.topic_ids))


def split_among(visit: Visit, people: Sequence[Person], contact: Contact) -> list[Visit]:
    """Give each person their visit and share the new visit's appointments out among them.

    `visit` is the lead's, just booked for everybody's topics; the first person is
    the lead (named by `contact`). Returns the members' visits.
    """
    union = {topic.id: topic for topic in visit.topics}
    wanted = [set(person.topic_ids) for person in people]
    visit.topics = [union[t] for t in people[0].topic_ids]
    members = []
    for person in people[1:]:
        member = Visit(
            name=person.name,
            language=contact.language,
            interpreter_wanted=contact.interpreter_wanted,
            walk_in=visit.walk_in,
            origin=visit.origin,
            topics=[union[t] for t in person.topic_ids],
        )
        member.day = visit.day
        member.group_lead = visit
        if person.consent_wording:
            member.consents.append(
                Consent(wording=person.consent_wording, language=contact.language)
            )
        db.session.add(member)
        members.append(member)
    everyone = [visit, *members]
    for appointment in list(visit.appointments):
        if appointment.id is not None:
            continue  # only the appointments booked now are shared out
        here = {topic.id for topic in appointment.topics}
        who = [i for i, mine in enumerate(wanted) if mine & here]
        holder = everyone[who[0]]
        if holder is not visit:
            visit.appointments.remove(appointment)
            holder.appointments.append(appointment)
        all_topics = list(appointment.topics)
        appointment.topics = [t for t in all_topics if t.id in wanted[who[0]]]
        for i in who[1:]:
            everyone[i].appointments.append(
                Appointment(
                    session_id=appointment.session_id,
                    agency_id=appointment.agency_id,
                    starts_dt=appointment.starts_dt,
                    ends_dt=appointment.ends_dt,
                    desk=appointment.desk,
                    room=appointment.room,
                    topics=[t for t in all_topics if t.id in wanted[i]],
                    referred_by_agency_id=appointment.referred_by_agency_id,
                    shared_with=appointment,
                )
            )
    return members


def seen_apart(
    day: ConsultationDay, people: Sequence[Person], slots: Iterable[Slot], language: str
) -> list[tuple[int, ...]]:
    """Each person's topic ids, for a family who may be seen apart in a plan of these slots.

    Nothing (they stay together) when an agency of the plan does not speak their
    language: a mediator then goes with the group, as the planner plans it.
    """
    speaking = {s.agency_id for s in day.published_sessions if s.serves_language(language)}
    if any(slot.session.agency_id not in speaking for slot in slots):
        return []
    return [person.topic_ids for person in people]


@dataclass(frozen=True)
class FamilyDayPlans:
    """A day's plans for a family: the plans of everybody's topics and whom each agency sees."""

    day_plans: DayPlans
    attendees: dict[int, tuple[int, ...]]

    def plans(self) -> list[FamilyPlan]:
        """Each plan with, for each of its appointments, the people it is for."""
        return [shares_of(plan, self.attendees) for plan in self.day_plans.plans]


def family_plans_for_day(
    day: ConsultationDay, people: Sequence[Sequence[Topic]], *, apart: bool = False, **options: Any
) -> FamilyDayPlans:
    """The best plans for the family on `day` for everybody's topics.

    One chain for the group, or with `apart` each person's own chain, side by side.
    """
    union = list({t.id: t for person in people for t in person}.values())
    each = [[t.id for t in person] for person in people]
    day_plans = plans_for_day(day, union, apart=each if apart else (), **options)
    agency_topics = {a.agency.id: [t.id for t in a.topics] for a in day_plans.assignments}
    attendees = attendees_by_agency(agency_topics, each)
    return FamilyDayPlans(day_plans, attendees)
