"""One visit for a family: booked all or nothing, a shared appointment holds one desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.cancelling import cancel_appointment
from consult.days import Hours
from consult.extensions import db
from consult.family_booking import book_family
from consult.family_visits import Person, family_plans_for_day
from consult.hours.changes import apply_change, preview_change
from consult.hours.editing import HoursChange
from consult.messages.outbox import tell_cancelled
from consult.messages.texts import render
from consult.models import (
    Appointment,
    AppointmentStatus,
    Consent,
    ConsultationDay,
    DayStatus,
    Message,
    MessageKind,
    Seat,
    Session,
    Topic,
    Visit,
    VisitStatus,
)
from consult.visits import BookingError, BookingRequest, Contact, book_visit
from tests.factories import create_agency, create_day, create_session, create_topic
from tests.support import count

WORDING = "The agencies of this visit may share information about my case."


@dataclass(frozen=True)
class Family:
    day: ConsultationDay
    jobcenter: Session
    abh: Session
    mbe: Session
    money: Topic  # Jobcenter, for both
    residence: Topic  # immigration office, Amir's
    counselling: Topic  # migration counselling, Leyla's


@pytest.fixture
def family(ctx: Flask) -> Family:
    jc, abh, mbe = (create_agency(name=n, short_name=n) for n in ("Jobcenter", "ABH", "MBE"))
    money = create_topic([jc], default_minutes=20)
    residence = create_topic([abh], default_minutes=20)
    counselling = create_topic([mbe], default_minutes=20)
    day = create_day()
    sessions = [
        create_session(day, agency, [topic], ends=time(11, 0), slot_minutes=20)
        for agency, topic in ((jc, money), (abh, residence), (mbe, counselling))
    ]
    db.session.commit()
    return Family(day, *sessions, money, residence, counselling)


def amir_and_leyla(f: Family, consent: tuple[bool, bool] = (True, False)) -> list[Person]:
    return [
        Person("Amir", (f.money.id, f.residence.id), WORDING if consent[0] else None),
        Person("Leyla", (f.money.id, f.counselling.id), WORDING if consent[1] else None),
    ]


def best_plan(f: Family, people: list[Person]):
    topics = {t.id: t for t in (f.money, f.residence, f.counselling)}
    found = family_plans_for_day(f.day, [[topics[t] for t in p.topic_ids] for p in people])
    return found.plans()[0]


def book(f: Family, people: list[Person], plan=None) -> Visit:
    plan = plan or best_plan(f, people)
    request = BookingRequest(
        f.day.id, plan.plan.appointments, Contact("Amir", phone="+4915123456789", language="en")
    )
    return book_family(request, people)


def test_a_couple_shares_one_jobcenter_desk_and_each_has_their_own_appointment(family) -> None:
    plan = best_plan(family, amir_and_leyla(family))
    assert len(plan.plan.appointments) == 3  # one chain: the group stays together
    shared = {
        o.agency_id: who for o, who in zip(plan.plan.appointments, plan.attendees, strict=True)
    }
    assert shared[family.jobcenter.agency_id] == (0, 1)

    lead = book(family, amir_and_leyla(family), plan)
    db.session.commit()

    (leyla,) = lead.members
    assert leyla.group_lead_id == lead.id and leyla.group == [lead, leyla]
    assert (leyla.name, leyla.phone) == ("Leyla", None)
    assert {t.id for t in lead.topics} == {family.money.id, family.residence.id}
    assert {t.id for t in leyla.topics} == {family.money.id, family.counselling.id}
    assert {a.agency_id for a in lead.appointments} == {
        family.jobcenter.agency_id,
        family.abh.agency_id,
    }
    jobcenter = next(a for a in lead.appointments if a.agency_id == family.jobcenter.agency_id)
    (companion,) = jobcenter.companions
    assert companion.visit is leyla and companion.seats == []
    assert (companion.starts_dt, companion.desk, companion.room) == (
        jobcenter.starts_dt,
        jobcenter.desk,
        jobcenter.room,
    )
    # Capacity counts desks, not people: one seat for the shared appointment.
    assert count(Seat) == 3
    # Each person's consent is their own.
    assert [c.visit for c in db.session.scalars(db.select(Consent))] == [lead]


def test_a_family_booking_is_all_or_nothing(family) -> None:
    plan = best_plan(family, amir_and_leyla(family))
    leyla_own = next(o for o in plan.plan.appointments if o.agency_id == family.mbe.agency_id)
    # Someone else takes the one desk of Leyla's own appointment meanwhile.
    book_visit(BookingRequest(family.day.id, [leyla_own], Contact("Reza")))
    db.session.commit()
    before = (count(Visit), count(Appointment), count(Seat), count(Consent))

    with pytest.raises(BookingError, match="just taken"):
        book(family, amir_and_leyla(family, consent=(True, True)), plan)

    db.session.commit()
    assert (count(Visit), count(Appointment), count(Seat), count(Consent)) == before


def test_cancelling_the_lead_visit_cancels_the_family(family) -> None:
    lead = book(family, amir_and_leyla(family))
    db.session.commit()

    lead.cancel("ill")
    db.session.commit()

    (leyla,) = lead.members
    assert leyla.status is VisitStatus.CANCELLED
    assert all(a.status is AppointmentStatus.CANCELLED for v in lead.group for a in v.appointments)
    assert count(Seat) == 0


def test_cancelling_the_shared_appointment_cancels_the_companion(family) -> None:
    lead = book(family, amir_and_leyla(family))
    db.session.commit()
    jobcenter = next(a for a in lead.appointments if a.agency_id == family.jobcenter.agency_id)

    lead.cancel_appointment(jobcenter, "not needed")
    db.session.commit()

    (companion,) = jobcenter.companions
    assert companion.status is AppointmentStatus.CANCELLED
    assert lead.members[0].status is VisitStatus.BOOKED  # Leyla still sees the MBE


def test_check_in_is_per_person(family) -> None:
    lead = book(family, amir_and_leyla(family))
    db.session.commit()
    jobcenter = next(a for a in lead.appointments if a.agency_id == family.jobcenter.agency_id)
    (companion,) = jobcenter.companions

    companion.check_in()
    db.session.commit()

    assert companion.status is AppointmentStatus.CHECKED_IN
    assert jobcenter.status is AppointmentStatus.BOOKED


def test_an_appointment_for_one_member_only_is_theirs_with_the_desk(family) -> None:
    lead = book(family, amir_and_leyla(family))
    db.session.commit()
    (leyla,) = lead.members

    (mbe,) = [a for a in leyla.appointments if a.agency_id == family.mbe.agency_id]
    assert mbe.shared_with_id is None and len(mbe.seats) == 1


def test_more_than_four_people_or_a_person_without_topics_are_refused(family) -> None:
    people = amir_and_leyla(family)
    with pytest.raises(BookingError, match="2 to 4 people"):
        book(family, people * 3, best_plan(family, people))
    with pytest.raises(BookingError, match="at least one topic"):
        book(family, [people[0], Person("Leyla", ())], best_plan(family, people))
    assert count(Visit) == 0


def test_a_family_visit_cannot_be_moved(family) -> None:
    lead = book(family, amir_and_leyla(family))
    db.session.commit()
    plan = best_plan(family, amir_and_leyla(family))

    with pytest.raises(BookingError, match="cannot be moved"):
        book_visit(
            BookingRequest(
                family.day.id,
                plan.plan.appointments,
                Contact("Amir"),
                topic_ids=[family.money.id, family.residence.id, family.counselling.id],
                visit_id=lead.id,
            )
        )


def test_the_lead_is_told_everybody_s_times(family, ctx: Flask) -> None:
    lead = book(family, amir_and_leyla(family))
    db.session.commit()
    message = db.session.scalars(
        sa.select(Message).where(Message.visit_id == lead.id, Message.kind == MessageKind.BOOKED)
    ).first()

    with ctx.test_request_context():
        text = render(message, lead, sender="consult@example.org").text

    assert "Everybody in this visit:" in text
    amir = next(line for line in text.splitlines() if line.startswith("Amir: "))
    leyla = next(line for line in text.splitlines() if line.startswith("Leyla: "))
    assert "Jobcenter" in amir and "ABH" in amir and "Jobcenter" in leyla and "MBE" in leyla


def test_new_hours_keep_a_shared_appointment_on_its_one_desk(family) -> None:
    lead = book(family, amir_and_leyla(family))
    db.session.commit()
    jobcenter = next(a for a in lead.appointments if a.agency_id == family.jobcenter.agency_id)
    longer = HoursChange(Hours(time(9, 0), time(12, 0)), topic_ids=(family.money.id,))

    # One desk holds the couple's appointment: the companion needs no desk of its own.
    assert preview_change(family.jobcenter, longer).affected == ()
    apply_change(family.jobcenter.id, longer)
    db.session.commit()

    (companion,) = jobcenter.companions
    assert jobcenter.status is companion.status is AppointmentStatus.BOOKED
    assert len(jobcenter.seats) == 1 and companion.seats == []


def test_a_member_s_change_is_told_to_the_lead_s_contact_under_the_group_s_reference(
    family, ctx: Flask
) -> None:
    lead = book(family, amir_and_leyla(family))
    db.session.commit()
    (leyla,) = lead.members
    (mbe,) = [a for a in leyla.appointments if a.agency_id == family.mbe.agency_id]

    cancel_appointment(leyla.id, mbe.id, "advisor ill")
    db.session.commit()

    (message,) = db.session.scalars(sa.select(Message).where(Message.visit_id == leyla.id))
    assert message.kind is MessageKind.APPOINTMENT_CANCELLED
    assert message.recipient == "+4915123456789"
    with ctx.test_request_context():
        text = render(message, leyla, sender="consult@example.org").text
    assert "This message is about Leyla." in text and lead.reference in text
    assert leyla.reference not in text


def test_a_cancelled_day_is_told_once_for_the_whole_family(family) -> None:
    lead = book(family, amir_and_leyla(family))
    db.session.commit()
    before = count(Message)

    family.day.status = DayStatus.CANCELLED
    for visit in reversed(lead.group):  # the member first: the lead's message names everybody
        visit.cancel("day cancelled")
        tell_cancelled(visit, [])
    db.session.commit()

    told = db.session.scalars(sa.select(Message).where(Message.id > before)).all()
    assert {m.visit_id for m in told} == {lead.id}
