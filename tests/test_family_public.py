"""A family books one visit on the public pages: who comes, the plans, one contact, the group."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from consult.extensions import db
from consult.models import (
    Appointment,
    AppointmentStatus,
    Role,
    Seat,
    Topic,
    Visit,
    VisitStatus,
    today_in,
)
from tests.factories import (
    Team,
    create_agency,
    create_day,
    create_location,
    create_session,
    create_topic,
)
from tests.support import Login, count

PLAN = re.compile(r'name="plan" value="([^"]+)"')


@pytest.fixture
def family_day(app: Flask, staff: Team) -> dict[str, int]:
    """A day in Halle: a Jobcenter, the immigration office and migration counselling."""
    with app.app_context():
        location = create_location(town="Halle (Saale)", name="Stadthaus")
        jc, abh, mbe = (create_agency(name=n) for n in ("Jobcenter", "Ausländerbehörde", "MBE"))
        money = create_topic([jc], names={"en": "Money", "de": "Geld"})
        residence = create_topic([abh], names={"en": "Residence permit", "de": "Aufenthalt"})
        course = create_topic([mbe], names={"en": "Language course", "de": "Sprachkurs"})
        day = create_day(location, date=today_in("Europe/Berlin") + timedelta(days=7))
        for agency, topic in ((jc, money), (abh, residence), (mbe, course)):
            create_session(day, agency, [topic], ends=time(11), slot_minutes=20)
        staff.add("desk", Role.FRONTDESK, locations=[location])
        staff.add("jc", Role.ADVISOR, agency=jc)
        db.session.commit()
        return {"day": day.id, "money": money.id, "residence": residence.id, "course": course.id,
                "location": location.id, "date": day.date}  # fmt: skip


def name_who_comes(client: FlaskClient, family_day, **extra: object):
    data = {
        "people-0-name": "Amir",
        "people-0-topics": [family_day["money"], family_day["residence"]],
        "people-1-name": "Leyla",
        "people-1-topics": [family_day["money"], family_day["course"]],
        "town": "",
        "speak": "en",
    }
    data.update(extra)
    return client.post("/family", data=data)


def test_a_couple_books_one_visit_with_a_shared_jobcenter_appointment(
    app: Flask, client: FlaskClient, family_day
) -> None:
    client.get("/lang/en")
    assert "/family" in client.get("/").get_data(as_text=True)
    assert name_who_comes(client, family_day).headers["Location"].endswith("/family/days")
    days = client.get("/family/days").get_data(as_text=True)
    assert f"/family/day/{family_day['day']}" in days

    plans = client.get(f"/family/day/{family_day['day']}").get_data(as_text=True)
    assert "Jobcenter" in plans and "Amir and Leyla together" in plans
    token = PLAN.search(plans).group(1)
    form = client.get(f"/family/day/{family_day['day']}/book?plan={token}")
    assert "the case of Leyla" in form.get_data(as_text=True)
    booked = client.post(
        f"/family/day/{family_day['day']}/book?plan={token}",
        data={
            "plan": token,
            "name": "Amir",
            "language": "en",
            "consent_0": "no",
            "consent_1": "yes",
        },
    )

    assert booked.status_code == 302, booked.get_data(as_text=True)
    page = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert "Everybody in this visit" in page and "Leyla" in page
    assert "Move my visit" not in page
    with app.app_context():
        lead = db.session.scalar(sa.select(Visit).where(Visit.group_lead_id.is_(None)))
        (leyla,) = lead.members
        assert lead.reference in booked.headers["Location"]
        assert (lead.consent_to_share, leyla.consent_to_share) == (False, True)
        assert count(Seat) == 3  # one desk for the shared Jobcenter appointment
        reference = lead.reference

    client.post(f"/visit/{reference}/cancel")
    with app.app_context():
        assert {v.status for v in db.session.scalars(sa.select(Visit))} == {VisitStatus.CANCELLED}
        assert count(Seat) == 0
        assert set(db.session.scalars(sa.select(Appointment.status))) == {
            AppointmentStatus.CANCELLED
        }


def test_who_comes_errors_are_shown_at_their_fields(client: FlaskClient, family_day) -> None:
    client.get("/lang/en")
    response = name_who_comes(
        client, family_day, **{"people-1-topics": [], "people-2-topics": [family_day["course"]]}
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert 'href="#people-1-topics-0"' in page and 'href="#people-2-name"' in page


def test_one_person_is_not_a_family(client: FlaskClient, family_day) -> None:
    client.get("/lang/en")
    response = name_who_comes(client, family_day, **{"people-1-name": "", "people-1-topics": []})
    assert response.status_code == 422
    assert "at least two people" in response.get_data(as_text=True)


def test_the_later_steps_start_again_without_the_first(client: FlaskClient, family_day) -> None:
    assert client.get("/family/days").headers["Location"].endswith("/family")


def book_amir_and_leyla(client: FlaskClient, family_day) -> str:
    client.get("/lang/en")
    name_who_comes(client, family_day)
    plans = client.get(f"/family/day/{family_day['day']}").get_data(as_text=True)
    token = PLAN.search(plans).group(1)
    booked = client.post(
        f"/family/day/{family_day['day']}/book?plan={token}",
        data={"plan": token, "name": "Amir", "language": "en"},
    )
    return booked.headers["Location"].split("/visit/")[1].split("?")[0]


def test_the_front_desk_and_the_calendar_show_the_group_under_one_reference(
    app: Flask, client: FlaskClient, login: Login, family_day
) -> None:
    reference = book_amir_and_leyla(client, family_day)
    desk = login("desk")
    on = family_day["date"].isoformat()

    found = desk.get(f"/staff/desk/{family_day['location']}/{on}?q={reference}")
    text = found.get_data(as_text=True)
    # Searched by the lead's reference, both people are listed, each with the group.
    assert text.count("Group of 2") == 2 and text.count(reference) >= 3
    assert "Together with Leyla" in text and "Together with Amir" in text

    with app.app_context():
        leyla = db.session.scalar(sa.select(Visit).where(Visit.name == "Leyla"))
        leyla_id, lead_id = leyla.id, leyla.group_lead_id
    desk.post(f"/staff/desk/visit/{leyla_id}/check-in")
    with app.app_context():
        statuses = {
            v.name: {a.status for a in v.appointments} for v in db.session.scalars(sa.select(Visit))
        }
        assert statuses["Leyla"] == {AppointmentStatus.CHECKED_IN}
        assert statuses["Amir"] == {AppointmentStatus.BOOKED}
        assert db.session.get(Visit, lead_id).name == "Amir"

    calendar = login("jc").get(f"/staff/calendar/day/{family_day['location']}/{on}")
    text = calendar.get_data(as_text=True)
    # Three desks, three cells: the shared Jobcenter appointment is one, naming both.
    assert text.count('class="appointment ') == 3
    assert "Group of 2" in text and "Together with Leyla" in text


def test_changing_who_comes_shows_what_was_named(client: FlaskClient, family_day) -> None:
    client.get("/lang/en")
    name_who_comes(client, family_day)
    page = client.get("/family").get_data(as_text=True)
    assert 'value="Amir"' in page and 'value="Leyla"' in page


def test_a_topic_withdrawn_meanwhile_sends_the_family_back_to_the_start(
    app: Flask, client: FlaskClient, family_day
) -> None:
    client.get("/lang/en")
    name_who_comes(client, family_day)
    with app.app_context():
        db.session.get(Topic, family_day["course"]).active = False
        db.session.commit()

    response = client.get(f"/family/day/{family_day['day']}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/family")
    assert "not offered" in client.get("/family").get_data(as_text=True)


def test_once_one_of_the_family_is_checked_in_the_visit_cannot_be_cancelled_online(
    app: Flask, client: FlaskClient, family_day
) -> None:
    reference = book_amir_and_leyla(client, family_day)
    with app.app_context():
        leyla = db.session.scalar(sa.select(Visit).where(Visit.name == "Leyla"))
        leyla.appointments[0].check_in()
        db.session.commit()

    assert client.get(f"/visit/{reference}/cancel").status_code == 302
    assert "Cancel my whole visit" not in client.get(f"/visit/{reference}").get_data(as_text=True)
