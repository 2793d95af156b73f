"""Coordination: locations, agencies, topics, staff accounts, joint days and their cancellation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from consult.config import LANGUAGES
from consult.extensions import db
from consult.itineraries import PlannedOpening
from consult.models import (
    Agency,
    AppointmentStatus,
    AuditLog,
    ConsultationDay,
    DaySeries,
    DayStatus,
    Location,
    Role,
    Seat,
    SessionStatus,
    StaffUser,
    Topic,
    Visit,
    VisitStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from consult.visits import BookingRequest, Contact, book_visit
from tests import factories
from tests.support import Login, count, html_of

DAY = date(2030, 3, 12)  # a Tuesday


@dataclass(frozen=True)
class CoordinationWorld:
    agencies: dict[str, int]  # "jc" (slug "jobcenter"), "abh", "mbe"
    jobs: int  # a topic of the Jobcenter
    location: int  # the Rathaus in Magdeburg
    day: int  # DAY there: Jobcenter and the immigration office are invited, MBE is not


@pytest.fixture
def world(app: Flask, staff: factories.Team) -> CoordinationWorld:
    """A location with a joint day that Jobcenter and the immigration office are invited to."""
    with app.app_context():
        jc, abh, mbe = factories.create_agencies("jc", "abh", "mbe", slugs=True)
        jobs = factories.create_topic([jc], default_minutes=20)
        location = factories.create_location(name="Rathaus", town="Magdeburg")
        day = factories.create_day(location, date=DAY, invited_agencies=[jc, abh])
        staff.add("coordinator", Role.COORDINATOR, name="Clara Coordinator")
        staff.add("admin", Role.ADMIN, name="Ada Admin")
        staff.add("advisor", Role.ADVISOR, agency=jc, email="advisor@example.org")
        staff.add("desk", Role.FRONTDESK, locations=[location])
        db.session.commit()
        return CoordinationWorld(
            agencies={"jc": jc.id, "abh": abh.id, "mbe": mbe.id},
            jobs=jobs.id,
            location=location.id,
            day=day.id,
        )


@pytest.fixture
def coordinator(world: CoordinationWorld, login: Login) -> FlaskClient:
    return login("coordinator")


def assert_refused(app, client, url, form, cases, model) -> None:
    """Each case gets a 422 naming the problem, and no row of `model` is added or changed."""
    before = count(app, model)
    for changes, message in cases:
        response = client.post(url, data={**form, **changes})
        assert response.status_code == 422, changes
        assert message in html_of(response), changes
    assert count(app, model) == before


# --- locations ----------------------------------------------------------------------------

LOCATION_FORM = {
    "name": "Bürgerhaus Zeitz",
    "street": "Altmarkt 1",
    "postcode": "06712",
    "town": "Zeitz",
    "latitude": "51,0487",  # a decimal comma is read as a point
    "longitude": "12.1383",
    "timezone": "Europe/Berlin",
    "changeover_minutes": "10",
    "accessibility_de": "Rampe am Seiteneingang",
    "accessibility_en": "",
    "active": "y",
}


def test_a_new_location_is_saved_with_a_unique_slug_from_its_name(app, world, coordinator) -> None:
    response = coordinator.post("/staff/coordination/locations/new", data=LOCATION_FORM)
    assert response.status_code == 302
    assert "The location Bürgerhaus Zeitz is saved." in html_of(coordinator.get(response.location))
    again = coordinator.post("/staff/coordination/locations/new", data=LOCATION_FORM)
    assert again.status_code == 302

    with app.app_context():
        first, second = db.session.scalars(
            sa.select(Location).where(Location.town == "Zeitz").order_by(Location.id)
        )
        assert (first.slug, second.slug) == ("burgerhaus-zeitz", "burgerhaus-zeitz-2")
        assert (first.latitude, first.longitude) == (51.0487, 12.1383)
        assert first.changeover_minutes == 10 and first.timezone == "Europe/Berlin"
        assert first.accessibility_notes == {"de": "Rampe am Seiteneingang"}
        assert first.active
    page = html_of(coordinator.get("/staff/coordination/locations"))
    assert "Altmarkt 1, 06712 Zeitz" in page and "Rathaus" in page


def test_invalid_locations_are_explained_and_nothing_is_written(app, world, coordinator) -> None:
    cases = [
        ({"latitude": "91"}, "Please enter a number from -90 to 90."),
        ({"latitude": "-90.5"}, "Please enter a number from -90 to 90."),
        ({"longitude": "180.01"}, "Please enter a number from -180 to 180."),
        ({"latitude": "north"}, "Please enter a number like 52.12."),
        ({"longitude": "nan"}, "Please enter a number like 52.12."),
        ({"latitude": ""}, "Please give the latitude."),
        ({"name": "  "}, "Please give the name of the place."),
        ({"timezone": "Mars/Olympus"}, "This time zone is not known."),
        ({"changeover_minutes": "61"}, "Please enter a number from 0 to 60."),
        ({"postcode": "12345678901"}, "Please use at most 10 characters."),
    ]
    url = "/staff/coordination/locations/new"
    assert_refused(app, coordinator, url, LOCATION_FORM, cases, Location)


def test_editing_a_location_keeps_its_time_zone_once_hours_are_planned(
    app, world, coordinator
) -> None:
    url = f"/staff/coordination/locations/{world.location}"
    form = {**LOCATION_FORM, "name": "Rathaus Nord", "timezone": "Europe/Vienna"}
    assert coordinator.post(url, data=form).status_code == 302
    with app.app_context():
        location = db.session.get(Location, world.location)
        assert (location.name, location.timezone) == ("Rathaus Nord", "Europe/Vienna")
        factories.create_session(
            db.session.get(ConsultationDay, world.day), db.session.get(Agency, world.agencies["jc"])
        )
        db.session.commit()

    response = coordinator.post(url, data={**form, "name": "Moved", "timezone": "Europe/Berlin"})
    assert response.status_code == 422
    assert "The time zone cannot be changed" in html_of(response)
    with app.app_context():
        location = db.session.get(Location, world.location)
        assert (location.name, location.timezone) == ("Rathaus Nord", "Europe/Vienna")


# --- agencies -----------------------------------------------------------------------------

AGENCY_FORM = {
    "slug": "iq-halle",
    "name": "IQ Netzwerk Halle",
    "short_name": "IQ",
    "color": "#AA3300",
}


def test_a_new_agency_is_saved_and_listed(app, world, coordinator) -> None:
    response = coordinator.post("/staff/coordination/agencies/new", data=AGENCY_FORM)
    assert response.status_code == 302
    assert "The agency IQ Netzwerk Halle is saved." in html_of(coordinator.get(response.location))
    with app.app_context():
        agency = db.session.scalar(sa.select(Agency).where(Agency.slug == "iq-halle"))
        assert (agency.name, agency.short_name, agency.color) == (
            "IQ Netzwerk Halle",
            "IQ",
            "#aa3300",
        )


def test_invalid_agencies_are_explained_and_nothing_is_written(app, world, coordinator) -> None:
    cases = [
        ({"slug": "jobcenter"}, "The short code jobcenter is already used."),
        ({"slug": "Job Center"}, "The short code may contain only small letters"),
        ({"slug": ""}, "Please give a short code."),
        ({"name": ""}, "Please give the name."),
        ({"short_name": ""}, "Please give a short name."),
        ({"color": "blue"}, "Please choose a colour like #3b5b92."),
    ]
    url = "/staff/coordination/agencies/new"
    assert_refused(app, coordinator, url, AGENCY_FORM, cases, Agency)


def test_an_agency_cannot_take_the_slug_of_another(app, world, coordinator) -> None:
    url = f"/staff/coordination/agencies/{world.agencies['abh']}"
    response = coordinator.post(url, data={**AGENCY_FORM, "slug": "jobcenter"})
    assert response.status_code == 422
    assert "The short code jobcenter is already used." in html_of(response)
    # Keeping its own slug is no clash.
    renamed = {**AGENCY_FORM, "slug": "abh", "name": "Ausländerbehörde Burgenlandkreis"}
    assert coordinator.post(url, data=renamed).status_code == 302
    with app.app_context():
        agency = db.session.get(Agency, world.agencies["abh"])
        assert (agency.slug, agency.name) == ("abh", "Ausländerbehörde Burgenlandkreis")


# --- topics -------------------------------------------------------------------------------

NAMES = {
    "de": "Anerkennung von Abschlüssen",
    "en": "Recognition of degrees",
    "ar": "الاعتراف بالشهادات",
    "fa": "ارزشیابی مدارک",
    "uk": "Визнання дипломів",
    "ru": "Признание дипломов",
    "tr": "Diplomaların tanınması",
}


def topic_form(world: CoordinationWorld, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {f"name_{code}": name for code, name in NAMES.items()}
    form.update({f"explanation_{code}": f"{name}." for code, name in NAMES.items()})
    form.update(
        icon="🎓",
        phase="2",
        default_minutes="45",
        agencies=[str(world.agencies["jc"]), str(world.agencies["abh"])],
        active="y",
    )
    form.update(changes)
    return form


def test_a_new_topic_keeps_its_names_in_every_language(app, world, coordinator) -> None:
    response = coordinator.post("/staff/coordination/topics/new", data=topic_form(world))
    assert response.status_code == 302
    assert "The topic Recognition of degrees is saved." in html_of(
        coordinator.get(response.location)
    )
    with app.app_context():
        topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "recognition-of-degrees"))
        assert topic.names == NAMES and set(topic.explanations) == set(LANGUAGES)
        assert (topic.icon, topic.phase, topic.default_minutes) == ("🎓", 2, 45)
        assert sorted(a.id for a in topic.agencies) == sorted(
            [world.agencies["jc"], world.agencies["abh"]]
        )
        assert topic.active and topic.position == 1  # after the existing topic at 0
    page = html_of(coordinator.get("/staff/coordination/topics"))
    assert "Recognition of degrees" in page and "45 min" in page


def test_invalid_topics_are_explained_and_nothing_is_written(app, world, coordinator) -> None:
    cases = [
        ({"name_de": ""}, "Please give the name in this language."),
        ({"name_en": " "}, "Please give the name in this language."),
        ({"explanation_en": ""}, "Please give the explanation in this language."),
        ({"default_minutes": "3"}, "Please enter a number from 5 to 240."),
        ({"default_minutes": "241"}, "Please enter a number from 5 to 240."),
        ({"phase": "6"}, "Please choose one of the offered options."),
        ({"agencies": ["99999"]}, "Please choose one of the offered options."),
        ({"name_ar": "x" * 81}, "Please use at most 80 characters."),
    ]
    url = "/staff/coordination/topics/new"
    assert_refused(app, coordinator, url, topic_form(world), cases, Topic)


def test_editing_a_topic_changes_its_agencies_and_can_deactivate_it(
    app, world, coordinator
) -> None:
    url = f"/staff/coordination/topics/{world.jobs}"
    form = topic_form(world, agencies=[str(world.agencies["mbe"])], active="", name_tr="")
    assert coordinator.post(url, data=form).status_code == 302
    with app.app_context():
        topic = db.session.get(Topic, world.jobs)
        assert [a.id for a in topic.agencies] == [world.agencies["mbe"]]
        assert not topic.active and "tr" not in topic.names


# --- staff accounts -----------------------------------------------------------------------

NEW_PASSWORD = "a long enough password"


def staff_form(world: CoordinationWorld, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "Nadia Advisor",
        "email": "Nadia.Advisor@Example.org",
        "role": "advisor",
        "agency": str(world.agencies["abh"]),
        "language": "en",
        "active": "y",
        "password": NEW_PASSWORD,
        "password_repeat": NEW_PASSWORD,
    }
    form.update(changes)
    return form


def test_a_new_advisor_account_signs_in_until_it_is_deactivated(
    app, world, coordinator, login
) -> None:
    admin = login("admin")
    response = admin.post("/staff/coordination/staff/new", data=staff_form(world))
    assert response.status_code == 302
    assert "The account of Nadia Advisor is saved." in html_of(admin.get(response.location))
    with app.app_context():
        account = db.session.scalar(sa.select(StaffUser).where(StaffUser.name == "Nadia Advisor"))
        assert account.email == "nadia.advisor@example.org"
        assert (account.role, account.agency_id, account.language) == (
            Role.ADVISOR,
            world.agencies["abh"],
            "en",
        )
        assert NEW_PASSWORD not in account.password_hash
    credentials = {"email": "nadia.advisor@example.org", "password": NEW_PASSWORD}
    fresh = app.test_client()
    assert fresh.post("/staff/login", data=credentials).status_code == 302
    assert fresh.get("/staff/hours/").status_code == 200

    # Deactivated, the account can no longer sign in.
    with app.app_context():
        account_id = db.session.scalar(
            sa.select(StaffUser.id).where(StaffUser.name == "Nadia Advisor")
        )
    form = staff_form(world, active="", password="", password_repeat="")
    assert coordinator.post(f"/staff/coordination/staff/{account_id}", data=form).status_code == 302
    assert app.test_client().post("/staff/login", data=credentials).status_code == 400
    assert fresh.get("/staff/hours/").status_code != 200


def test_invalid_staff_accounts_are_explained_and_nothing_is_written(app, world, login) -> None:
    admin = login("admin")
    location = str(world.location)
    cases = [
        ({"email": "ADVISOR@example.org"}, "There is already an account for advisor@example.org."),
        ({"email": "not-an-address"}, "Please enter a valid e-mail address."),
        ({"agency": "0"}, "An advisor must belong to an agency."),
        ({"role": "frontdesk", "agency": "0"}, "Front desk staff need at least one location."),
        ({"role": "nobody"}, "Please choose one of the offered options."),
        (
            {"locations": ["99999"], "role": "frontdesk"},
            "Please choose one of the offered options.",
        ),
        ({"password_repeat": "something else"}, "The two passwords are not the same."),
        ({"password": "short", "password_repeat": "short"}, "at least 10 characters"),
        ({"password": "", "password_repeat": ""}, "Please set a password for the new account."),
        ({"name": ""}, "Please give the name."),
    ]
    url = "/staff/coordination/staff/new"
    assert_refused(app, admin, url, staff_form(world), cases, StaffUser)
    # A valid front desk account with a location goes through.
    form = staff_form(world, role="frontdesk", agency="0", locations=[location])
    assert admin.post(url, data=form).status_code == 302
    with app.app_context():
        account = db.session.scalar(
            sa.select(StaffUser).where(StaffUser.email == "nadia.advisor@example.org")
        )
        assert [loc.id for loc in account.locations] == [world.location]


def test_only_administrators_set_passwords_and_a_new_one_ends_every_session(
    app, world, coordinator, login, staff
) -> None:
    url = "/staff/coordination/staff/new"
    cases = [
        ({"role": "admin"}, "Please choose one of the offered options."),
        ({}, "Only administrators can set passwords."),
    ]
    assert_refused(app, coordinator, url, staff_form(world), cases, StaffUser)
    # Without a password a coordinator's new account exists, but no one can sign in with it.
    no_password = staff_form(world, password="", password_repeat="")
    page = coordinator.get(url)
    assert "Only administrators set passwords." in html_of(page)
    assert 'name="password"' not in page.text
    assert coordinator.post(url, data=no_password).status_code == 302
    with app.app_context():
        nadia = db.session.scalar(sa.select(StaffUser).where(StaffUser.name == "Nadia Advisor"))
        nadia_id = nadia.id
    credentials = {"email": "nadia.advisor@example.org", "password": NEW_PASSWORD}
    assert app.test_client().post("/staff/login", data=credentials).status_code == 400

    # An administrator sets it: the account signs in, and the change is in the audit log.
    admin = login("admin")
    assert (
        admin.post(f"{url.removesuffix('new')}{nadia_id}", data=staff_form(world)).status_code
        == 302
    )
    nadia_client = app.test_client()
    assert nadia_client.post("/staff/login", data=credentials).status_code == 302
    assert nadia_client.get("/staff/hours/").status_code == 200
    # A second new password ends that session at once.
    again = staff_form(world, password="another password 2", password_repeat="another password 2")
    assert admin.post(f"{url.removesuffix('new')}{nadia_id}", data=again).status_code == 302
    assert nadia_client.get("/staff/hours/").status_code == 302
    with app.app_context():
        entries = db.session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.object_type == "account", AuditLog.object_id == nadia_id)
            .order_by(AuditLog.id)
        ).all()
        assert [e.action for e in entries] == [
            "account.create",
            "account.password",
            "account.password",
        ]
        assert entries[0].actor_id == staff.ids["coordinator"]
        assert {e.actor_id for e in entries[1:]} == {staff.ids["admin"]}
        assert entries[1].detail["password_hash"] == "changed"
        assert all(NEW_PASSWORD not in str(e.detail) for e in entries)


def test_coordinators_cannot_change_an_administrator_or_their_own_role(
    app, world, coordinator, staff
) -> None:
    admin_url = f"/staff/coordination/staff/{staff.ids['admin']}"
    assert coordinator.get(admin_url).status_code == 403
    assert coordinator.post(f"{admin_url}/feed-token").status_code == 403

    own = f"/staff/coordination/staff/{staff.ids['coordinator']}"
    base = staff_form(world, email=staff.emails["coordinator"], password="", password_repeat="")
    response = coordinator.post(
        own, data={**base, "role": "frontdesk", "locations": [str(world.location)]}
    )
    assert response.status_code == 422 and "You cannot change your own role." in html_of(response)
    response = coordinator.post(own, data={**base, "role": "coordinator", "active": ""})
    assert response.status_code == 422
    assert "You cannot deactivate your own account." in html_of(response)
    with app.app_context():
        me = db.session.get(StaffUser, staff.ids["coordinator"])
        assert me.role is Role.COORDINATOR and me.active


def test_regenerating_the_feed_token_replaces_it(app, world, coordinator, staff) -> None:
    advisor_id = staff.ids["advisor"]
    with app.app_context():
        old = db.session.get(StaffUser, advisor_id).feed_token
        admin_token = db.session.get(StaffUser, staff.ids["admin"]).feed_token
    response = coordinator.post(f"/staff/coordination/staff/{advisor_id}/feed-token")
    assert response.status_code == 302
    assert response.location.endswith(f"/staff/coordination/staff/{advisor_id}")
    assert "The old one no longer works." in html_of(coordinator.get(response.location))
    with app.app_context():
        new = db.session.get(StaffUser, advisor_id).feed_token
        assert db.session.get(StaffUser, staff.ids["admin"]).feed_token == admin_token
    assert new != old and len(new) >= 32


# --- consultation days --------------------------------------------------------------------


def day_form(world: CoordinationWorld, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "location": str(world.location),
        "first_date": "2030-04-02",
        "repeat": "once",
        "interval": "1",
        "nth": "0",
        "until": "",
        "exceptions": "",
        "kind": "joint",
        "title": "",
        "invited": [str(world.agencies["jc"]), str(world.agencies["mbe"])],
    }
    form.update(changes)
    return form


def created_days(app: Flask) -> list[tuple[date, DayStatus, list[str]]]:
    """The days made by the test (not the world's own day), with their invited agencies."""
    with app.app_context():
        days = db.session.scalars(
            sa.select(ConsultationDay)
            .where(ConsultationDay.date != DAY)
            .order_by(ConsultationDay.date)
        )
        return [(d.date, d.status, sorted(a.slug for a in d.invited_agencies)) for d in days]


def test_a_single_day_is_created_with_its_invitations(app, world, coordinator) -> None:
    form = day_form(world, title="Welcome day", publish="y")
    response = coordinator.post("/staff/coordination/days/new", data=form)
    assert response.status_code == 302
    assert created_days(app) == [(date(2030, 4, 2), DayStatus.PUBLISHED, ["jobcenter", "mbe"])]
    page = html_of(coordinator.get(response.location))
    assert "1 consultation day was created." in page and "Welcome day" in page
    assert count(app, DaySeries) == 0  # a single day belongs to no series


@pytest.mark.parametrize(
    ("changes", "rule", "expected"),
    [
        (  # every second Tuesday, leaving out 2030-04-16
            {"first_date": "2030-03-19", "repeat": "weekly", "interval": "2"},
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            ["2030-03-19", "2030-04-02", "2030-04-30", "2030-05-14"],
        ),
        (  # first Monday of the month, taken from the first date
            {"first_date": "2030-03-04", "repeat": "monthly", "until": "2030-08-31"},
            "FREQ=MONTHLY;INTERVAL=1;BYDAY=1MO",
            ["2030-03-04", "2030-04-01", "2030-06-03", "2030-07-01", "2030-08-05"],
        ),
        (  # the last Monday, although 2030-03-25 is also the fourth
            {"first_date": "2030-03-25", "repeat": "monthly", "nth": "-1", "until": "2030-06-30"},
            "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1MO",
            ["2030-03-25", "2030-04-29", "2030-05-27", "2030-06-24"],
        ),
    ],
)
def test_a_series_creates_exactly_the_expected_dates(
    app, world, coordinator, changes, rule, expected
) -> None:
    defaults = {"until": "2030-05-14", "exceptions": "2030-04-16, 2030-05-06"}
    form = day_form(world, **{**defaults, **changes})
    response = coordinator.post("/staff/coordination/days/new", data=form)
    assert response.status_code == 302
    assert response.location.endswith("/staff/coordination/days")
    assert f"{len(expected)} consultation days were created." in html_of(
        coordinator.get(response.location)
    )
    days = created_days(app)
    assert [d.isoformat() for d, _, _ in days] == expected
    assert all(
        status is DayStatus.DRAFT and invited == ["jobcenter", "mbe"] for _, status, invited in days
    )
    with app.app_context():
        (series,) = db.session.scalars(sa.select(DaySeries))
        assert series.rule == rule
        assert series.exceptions == ["2030-04-16", "2030-05-06"]
        assert sorted(d.date.isoformat() for d in series.days) == expected


def test_invalid_day_requests_are_explained_and_nothing_is_written(app, world, coordinator) -> None:
    weekly = {"repeat": "weekly", "until": "2030-05-28"}
    cases = [
        ({"first_date": "2030-02-30"}, "Please enter a date like 2030-03-12."),
        ({"first_date": "2020-01-07"}, "The first date must not be in the past."),
        ({**weekly, "until": ""}, "Please give the date of the last day of the series."),
        ({**weekly, "until": "2030-03-01"}, "The last date must not be before the first date."),
        ({**weekly, "until": "2031-04-03"}, "A series can run for at most one year."),
        ({**weekly, "interval": "13"}, "Please enter a number from 1 to 12."),
        ({**weekly, "exceptions": "2030-04-09, 9.4.2030"}, "9.4.2030 is not a date."),
        (
            {**weekly, "first_date": "2030-03-05", "interval": "1"},
            "There is already a consultation day at this location on 2030-03-12.",
        ),
        ({"location": "99999"}, "Please choose one of the offered options."),
        ({"kind": "party"}, "Please choose one of the offered options."),
    ]
    before = count(app, ConsultationDay)
    for changes, message in cases:
        response = coordinator.post("/staff/coordination/days/new", data=day_form(world, **changes))
        assert response.status_code == 422, changes
        assert message in html_of(response), changes
    assert count(app, ConsultationDay) == before and count(app, DaySeries) == 0


def test_a_day_shows_its_invited_agencies_and_who_has_published(app, world, coordinator) -> None:
    with app.app_context():
        day = db.session.get(ConsultationDay, world.day)
        jc, mbe, abh = (db.session.get(Agency, world.agencies[k]) for k in ("jc", "mbe", "abh"))
        factories.create_session(day, jc)  # invited, published
        factories.create_session(day, mbe, starts=time(11, 0), ends=time(12, 0))
        draft = factories.create_session(day, abh)
        draft.status = SessionStatus.DRAFT  # not yet bookable, so not yet published
        db.session.commit()
    page = html_of(coordinator.get(f"/staff/coordination/days/{world.day}"))
    found = {
        slug: state
        for state, slug in re.findall(r'<tr class="hours-(\w+)" data-agency="([\w-]+)">', page)
    }
    assert found == {"jobcenter": "published", "abh": "draft", "mbe": "published"}
    invited = re.findall(r'data-agency="([\w-]+)">\s*<td>[^<]+</td>\s*<td>(yes|no)</td>', page)
    assert dict(invited) == {"jobcenter": "yes", "abh": "yes", "mbe": "no"}

    listing = html_of(coordinator.get("/staff/coordination/days"))
    assert "1 of 2 published" in listing and "Not yet: ABH" in listing

    # Inviting MBE too and dropping ABH updates the count.
    form = {
        "title": "Joint day",
        "kind": "joint",
        "invited": [str(world.agencies["jc"]), str(world.agencies["mbe"])],
    }
    assert coordinator.post(f"/staff/coordination/days/{world.day}", data=form).status_code == 302
    listing = html_of(coordinator.get("/staff/coordination/days"))
    assert "2 of 2 published" in listing and "Not yet:" not in listing


def test_a_draft_day_is_published(app, world, coordinator) -> None:
    with app.app_context():
        day = factories.create_day(
            db.session.get(Location, world.location),
            date=date(2030, 4, 9),
            status=DayStatus.DRAFT,
        )
        db.session.commit()
        day_id = day.id
    assert coordinator.post(f"/staff/coordination/days/{day_id}/publish").status_code == 302
    with app.app_context():
        assert db.session.get(ConsultationDay, day_id).status is DayStatus.PUBLISHED


@pytest.fixture
def booked(app: Flask, world: CoordinationWorld) -> dict[str, str]:
    """Three visits on the world's day: two booked (one checked in), one cancelled by the person."""
    with app.app_context():
        day = db.session.get(ConsultationDay, world.day)
        jc = db.session.get(Agency, world.agencies["jc"])
        session = factories.create_session(day, jc, [db.session.get(Topic, world.jobs)], desks=2)
        db.session.commit()
        slots = [slot.id for slot in session.slots]

        def book(slot_id: int, **contact: Any) -> Visit:
            return book_visit(
                BookingRequest(day.id, [PlannedOpening(session.id, (slot_id,))], Contact(**contact))
            )

        reach = book(
            slots[0],
            name="Amina",
            phone="+49 170 1234567",
            email="amina@example.org",
            language="ar",
        )
        here = book(slots[1], name="Oleksandr", language="uk")
        gone = book(slots[2], name="Gone Already")
        gone.cancel("cancelled by the person")
        here.appointments[0].check_in()
        db.session.add(
            WaitlistEntry(
                name="Waiting", status=WaitlistStatus.OFFERED, offered_day=day, town="Magdeburg"
            )
        )
        db.session.commit()
        return {
            "reach": reach.id,
            "here": here.id,
            "gone": gone.id,
            "reach_reference": reach.reference,
        }


def test_cancelling_a_day_lists_the_people_booked_with_their_contacts(
    app, world, booked, coordinator
) -> None:
    page = html_of(coordinator.get(f"/staff/coordination/days/{world.day}/cancel"))
    listed = re.findall(r'<tr data-visit="([^"]+)">', page)
    assert listed == [str(booked["reach"]), str(booked["here"])]
    assert "+49 170 1234567" in page and "amina@example.org" in page and "العربية" in page
    assert "2 visits are booked on this day." in page


def test_cancelling_a_day_cancels_every_visit_with_the_reason_and_tells_the_person(
    app, world, booked, coordinator
) -> None:
    url = f"/staff/coordination/days/{world.day}/cancel"
    refused = coordinator.post(url, data={"reason": ""})
    assert refused.status_code == 422
    assert "Please give a reason; the people booked will be told." in html_of(refused)
    with app.app_context():
        assert db.session.get(ConsultationDay, world.day).status is DayStatus.PUBLISHED

    response = coordinator.post(url, data={"reason": "Water damage in the building"})
    assert response.status_code == 302
    page = html_of(coordinator.get(response.location))
    assert "The day is cancelled. 2 visits were cancelled" in page
    assert "Reason: Water damage in the building" in page
    told = page.split('id="told"')[1].split("</table>")[0]
    assert re.findall(r'<tr data-visit="([^"]+)">', told) == [
        str(booked["reach"]),
        str(booked["here"]),
    ]
    assert "+49 170 1234567" in told and "amina@example.org" in told

    with app.app_context():
        day = db.session.get(ConsultationDay, world.day)
        assert day.status is DayStatus.CANCELLED and not day.is_bookable
        assert day.cancel_reason == "Water damage in the building"
        visits = {v.id: v for v in db.session.scalars(sa.select(Visit))}
        for key in ("reach", "here"):
            visit = visits[booked[key]]
            assert visit.status is VisitStatus.CANCELLED
            assert visit.cancel_reason == "consultation day cancelled: Water damage in the building"
            assert [a.status for a in visit.appointments] == [AppointmentStatus.CANCELLED]
        assert visits[booked["gone"]].cancel_reason == "cancelled by the person"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Seat)) == 0
        assert db.session.scalar(sa.select(WaitlistEntry)).status is WaitlistStatus.WAITING

    public = html_of(app.test_client().get(f"/visit/{booked['reach_reference']}?lang=en"))
    assert "This visit is cancelled." in public
    assert "The consultation day was cancelled. We are sorry." in public
    # Cancelling twice is not possible: the page sends the coordinator back to the day.
    assert coordinator.get(url).status_code == 302


def refused_everywhere(
    client: FlaskClient, world: CoordinationWorld, staff: factories.Team
) -> None:
    for url in (
        "/staff/coordination/",
        "/staff/coordination/locations/new",
        "/staff/coordination/agencies",
        "/staff/coordination/topics/new",
        "/staff/coordination/staff",
        f"/staff/coordination/days/{world.day}",
    ):
        assert client.get(url).status_code == 403, url
    cancel = client.post(f"/staff/coordination/days/{world.day}/cancel", data={"reason": "x"})
    assert cancel.status_code == 403
    token = client.post(f"/staff/coordination/staff/{staff.ids['advisor']}/feed-token")
    assert token.status_code == 403


def test_only_coordinators_open_the_coordination_pages(app, world, login, staff) -> None:
    for who in ("advisor", "desk"):
        refused_everywhere(login(who), world, staff)
    with app.app_context():
        assert db.session.get(ConsultationDay, world.day).status is DayStatus.PUBLISHED
        token = db.session.get(StaffUser, staff.ids["advisor"]).feed_token
    assert token == staff.tokens["advisor"]
    assert app.test_client().get("/staff/coordination/").status_code == 302  # to the login
