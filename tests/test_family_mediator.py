"""A family with a language mediator: the mediator goes with everybody, busy once."""

from __future__ import annotations

from datetime import date, time

import pytest
from flask import Flask

from consult.extensions import db
from consult.family_booking import book_family
from consult.family_visits import Person, family_plans_for_day
from consult.mediators import service
from consult.models import ConsultationDay, Role, StaffUser, Visit
from consult.visits import BookingError, BookingRequest, Contact
from tests.factories import (
    Team,
    create_agency,
    create_day,
    create_session,
    create_shift,
    create_topic,
)
from tests.support import Login, count, html_of


@pytest.fixture
def world(app: Flask, staff: Team) -> dict[str, object]:
    """Jobcenter, ABH and MBE 09:00-11:00 (German only, two desks), an Arabic mediator."""
    with app.app_context():
        day = create_day(date=date(2030, 3, 12))
        topics = []
        for name in ("Jobcenter", "ABH", "MBE"):
            agency = create_agency(name=name, short_name=name)
            topic = create_topic([agency], default_minutes=20)
            create_session(day, agency, [topic], ends=time(11), slot_minutes=20, desks=2)
            topics.append(topic)
        mediator = staff.add("mediator", Role.MEDIATOR, languages=["ar"], towns=["Magdeburg"])
        create_shift(mediator, day, time(9), time(11))
        staff.add("desk", Role.FRONTDESK, locations=[day.location])
        db.session.commit()
        money, residence, counselling = topics
        plan = family_plans_for_day(
            day, [[money, residence], [money, counselling]], language="ar"
        ).plans()[0]
        return {
            "day": day.id,
            "location": day.location_id,
            "mediator": mediator.id,
            "people": [
                Person("", (money.id, residence.id), None),
                Person("", (money.id, counselling.id), None),
            ],
            "plan": plan.plan.appointments,
        }


def book(world: dict[str, object], names: tuple[str, str], *, mediator: bool) -> Visit:
    people = world["people"]
    assert isinstance(people, list)
    request = BookingRequest(
        world["day"], world["plan"], Contact(names[0], language="ar"), mediator=mediator
    )
    return book_family(
        request, [Person(name, p.topic_ids, None) for name, p in zip(names, people, strict=True)]
    )


def test_every_member_has_the_mediator_who_is_busy_once_for_the_group(
    app: Flask, world: dict[str, object], login: Login
) -> None:
    with app.app_context():
        lead = book(world, ("Amir Haddad", "Leyla Haddad"), mediator=True)
        db.session.commit()
        (leyla,) = lead.members
        assert lead.mediator_id == leyla.mediator_id == world["mediator"]
        (window,) = service.busy_windows(world["day"], [world["mediator"]])[world["mediator"]]
        assert window[0] == min(a.starts_dt for v in (lead, leyla) for a in v.appointments)
        # The group is one visit to the mediator: the hours may be saved again as they are.
        mediator = db.session.get(StaffUser, world["mediator"])
        day = db.session.get(ConsultationDay, world["day"])
        service.sign_up(mediator, day, time(9), time(11))
        db.session.commit()
        mediator_name = mediator.name

        # A second family at the same time: no mediator is free for them.
        visits = count(Visit)
        with pytest.raises(BookingError, match="no language mediator"):
            book(world, ("Omar Saleh", "Nour Saleh"), mediator=True)
        db.session.rollback()
        assert count(Visit) == visits
        # Not asked for, only needed for the language: booked without one.
        other = book(world, ("Omar Saleh", "Nour Saleh"), mediator=False)
        db.session.commit()
        assert [v.mediator_id for v in other.group] == [None, None]

    my_day = html_of(login("mediator").get("/staff/mediator/?date=2030-03-12"))
    assert "Amir" in my_day and "Leyla" in my_day
    assert "Haddad" not in my_day and "Omar" not in my_day and "Nour" not in my_day
    front_desk = html_of(login("desk").get(f"/staff/desk/{world['location']}/2030-03-12"))
    assert front_desk.count(f"with mediator {mediator_name}") == 2
