"""What a language mediator sees: the visits they accompany, never notes or contact data."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from consult.extensions import db
from consult.itineraries import PlannedOpening
from consult.models import CaseNote, ConsultationDay, MediatorShift, Role, StaffUser, Visit
from consult.visits import BookingRequest, Contact, book_visit
from tests.factories import (
    Team,
    create_agency,
    create_day,
    create_session,
    create_shift,
    create_topic,
)
from tests.support import Login

PHONE = "+4915123456789"
EMAIL = "amina.rahimi@example.org"
NOTE = "Residence permit expires soon, spouse in Kabul"
SECRETS = (PHONE, "0151", EMAIL, "Rahimi", NOTE)


@pytest.fixture
def world(app: Flask, staff: Team) -> dict[str, object]:
    with app.app_context():
        day = create_day(date=date(2030, 3, 12))
        agencies = [create_agency(name="Jobcenter"), create_agency(name="Ausländerbehörde")]
        topics = []
        for agency in agencies:
            topic = create_topic([agency], names={"en": f"Help at {agency.name}"})
            create_session(day, agency, [topic], starts=time(9), ends=time(11), desks=2)
            topics.append(topic)
        mediator = staff.add("mediator", Role.MEDIATOR, languages=["fa"], towns=["Magdeburg"])
        create_shift(mediator, day, time(9), time(11))
        advisor = staff.add("advisor", Role.ADVISOR, agency=agencies[0])
        sessions = sorted(day.sessions, key=lambda s: s.agency_id)
        openings = [
            PlannedOpening(sessions[0].id, (sessions[0].slots[0].id,)),
            PlannedOpening(sessions[1].id, (sessions[1].slots[2].id,)),
        ]
        visit = book_visit(
            BookingRequest(
                day.id,
                openings,
                Contact(name="Amina Rahimi", phone=PHONE, email=EMAIL, language="fa"),
                [t.id for t in topics],
                mediator=True,
            )
        )
        db.session.add(CaseNote(visit=visit, agency_id=agencies[0].id, author=advisor, body=NOTE))
        db.session.commit()
        assert visit.mediator_id == mediator.id
        return {
            "day": day.date.isoformat(),
            "visit": visit.id,
            "reference": visit.reference,
            "token": mediator.feed_token,
        }


def assert_nothing_secret(body: str, where: str, reference: str) -> None:
    for secret in (*SECRETS, reference):
        assert secret not in body, f"{secret!r} shown at {where}"


def test_my_day_shows_times_rooms_language_and_the_first_name_only(
    client: FlaskClient, login: Login, world
) -> None:
    mediator = login("mediator")
    page = mediator.get(f"/staff/mediator/?date={world['day']}").get_data(as_text=True)
    assert "Amina" in page
    assert "Jobcenter" in page and "Ausländerbehörde" in page
    assert "Help at Jobcenter" in page
    assert "Persian" in page or "فارسی" in page
    assert_nothing_secret(page, "my day", world["reference"])
    # The start page sends the mediator to it.
    assert mediator.get("/staff/").headers["Location"].endswith("/staff/mediator/")


def test_the_mediators_feed_has_the_visit_without_contact_data(client: FlaskClient, world) -> None:
    response = client.get(f"/feeds/mediator/{world['token']}.ics")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Amina" in body and "BEGIN:VEVENT" in body
    assert_nothing_secret(body, "the feed", world["reference"])
    # Their token opens no agency feed, and a wrong token no mediator feed.
    assert client.get(f"/feeds/staff/{world['token']}.ics").status_code == 404
    assert client.get("/feeds/mediator/not-a-token.ics").status_code == 404


def test_no_page_feed_or_api_shows_a_mediator_notes_or_contact_data(
    app: Flask, login: Login, world
) -> None:
    """Walk every GET route as the mediator, with the world's real ids in every place."""
    mediator = login("mediator")
    opened = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if "<reference>" in rule.rule or "reference" in rule.arguments:
            continue  # the booking reference is the person's own key, not the mediator's
        url = re.sub(
            r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>",
            lambda m: (
                str(world["visit"])
                if (m.group(1) or "").startswith("int")
                else world["token"]
                if m.group(2) == "token"
                else world["day"]
                if m.group(2) in {"on", "day", "date"}
                else "nothing"
            ),
            rule.rule,
        )
        response = mediator.get(url)
        assert response.status_code < 500, url
        if rule.rule.startswith("/staff") and not rule.endpoint.startswith(
            ("mediators.", "staff.home", "staff.login")
        ):
            assert response.status_code == 403, url
        assert_nothing_secret(response.get_data(as_text=True), url, world["reference"])
        opened += 1
    assert opened > 20


def test_signing_up_changing_and_withdrawing(login: Login, world, app: Flask) -> None:
    mediator = login("mediator")
    page = mediator.get("/staff/mediator/sign-up").get_data(as_text=True)
    assert "You are signed up from 09:00 to 11:00" in page
    with app.app_context():
        day_id = db.session.get(Visit, world["visit"]).day_id
        other = create_day(
            location=db.session.get(ConsultationDay, day_id).location,
            date=date(2030, 3, 19),
        )
        db.session.commit()
        other_id = other.id
    page = mediator.get("/staff/mediator/sign-up").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    csrf = token.group(1) if token else ""
    response = mediator.post(
        "/staff/mediator/sign-up",
        data={
            "day_id": other_id,
            f"d{other_id}-csrf_token": csrf,
            f"d{other_id}-starts": "10:00",
            f"d{other_id}-ends": "12:00",
            f"d{other_id}-save": "1",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(MediatorShift).filter_by(day_id=other_id).count() == 1
    # Withdrawing from a day with an accompanied visit is refused, with a reason.
    response = mediator.post(
        "/staff/mediator/sign-up",
        data={"day_id": day_id, f"w{day_id}-csrf_token": csrf, f"w{day_id}-withdraw": "1"},
        follow_redirects=True,
    )
    assert "cannot withdraw" in response.get_data(as_text=True)
    response = mediator.post(
        "/staff/mediator/sign-up",
        data={"day_id": other_id, f"w{other_id}-csrf_token": csrf, f"w{other_id}-withdraw": "1"},
        follow_redirects=True,
    )
    assert "no longer signed up" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(MediatorShift).filter_by(day_id=other_id).count() == 0


def test_a_coordinator_makes_a_mediator_with_languages_and_towns(
    app: Flask, staff: Team, login: Login, world
) -> None:
    with app.app_context():
        staff.add("coordinator", Role.COORDINATOR)
        db.session.commit()
    coordinator = login("coordinator")
    form = {
        "name": "Soraya",
        "email": "soraya@example.org",
        "role": "mediator",
        "agency": "0",
        "language": "fa",
        "active": "y",
    }
    page = coordinator.post("/staff/coordination/staff/new", data=form)
    assert page.status_code == 422
    assert "A language mediator needs at least one language." in page.get_data(as_text=True)
    form |= {"spoken": ["fa", "ar"], "towns": ["Magdeburg"]}
    assert coordinator.post("/staff/coordination/staff/new", data=form).status_code == 302
    with app.app_context():
        account = db.session.query(StaffUser).filter_by(email="soraya@example.org").one()
        assert (account.role, account.languages, account.towns) == (
            Role.MEDIATOR,
            ["fa", "ar"],
            ["Magdeburg"],
        )


def test_the_front_desk_sees_who_accompanies_whom(
    app: Flask, staff: Team, login: Login, world
) -> None:
    with app.app_context():
        visit = db.session.get(Visit, world["visit"])
        location, name = visit.day.location, visit.mediator.name
        staff.add("desk", Role.FRONTDESK, locations=[location])
        db.session.commit()
        url = f"/staff/desk/{location.id}/{world['day']}"
    page = login("desk").get(url).get_data(as_text=True)
    assert f"with mediator {name}" in page


@pytest.mark.parametrize(
    ("starts", "ends", "wrong", "says"),
    [("08:30", "11:00", "starts", "from 09:00 on"), ("09:00", "11:30", "ends", "up to 11:00")],
)
def test_sign_up_hours_outside_the_days_opening_hours_are_refused_at_the_field(
    login: Login, world, app: Flask, starts: str, ends: str, wrong: str, says: str
) -> None:
    mediator = login("mediator")
    with app.app_context():
        day_id = db.session.get(Visit, world["visit"]).day_id
    page = mediator.get("/staff/mediator/sign-up").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = mediator.post(
        "/staff/mediator/sign-up",
        data={
            "day_id": day_id,
            f"d{day_id}-csrf_token": token.group(1) if token else "",
            f"d{day_id}-starts": starts,
            f"d{day_id}-ends": ends,
            f"d{day_id}-save": "1",
        },
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    error = re.search(rf'id="d{day_id}-{wrong}-error">(.*?)</p>', body, re.S)
    assert error and says in error.group(1)
    assert f'href="#d{day_id}-{wrong}"' in body  # the summary links to the field
    with app.app_context():
        (shift,) = db.session.query(MediatorShift).filter_by(day_id=day_id).all()
        assert shift.starts_dt.hour == 8 and shift.ends_dt.hour == 10  # 09:00-11:00 in Berlin
