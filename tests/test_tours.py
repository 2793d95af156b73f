"""Mobile advice tours: stops, drives between them, publishing, moving and cancelling stops."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from consult import models
from consult.database import atomic
from consult.extensions import db
from consult.itineraries import plans_for_day
from consult.models import (
    AppointmentStatus,
    ConsultationDay,
    DayStatus,
    Location,
    Role,
    Session,
    SessionStatus,
    Topic,
    Tour,
    TourStatus,
    TourStop,
    Visit,
    VisitStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from consult.tours import service
from consult.tours.routing import DriveSettings
from consult.visits import BookingRequest, Contact, book_visit
from tests import factories
from tests.support import Login, count, html_of, text_of, visit_snapshot

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
DAY = date(2030, 3, 12)  # a Tuesday in winter time: Berlin is UTC+1
ZEITZ = (51.0478, 12.1383)
WEISSENFELS = (51.2000, 11.9667)
NAUMBURG = (51.1521, 11.8098)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is 1 March 2030 for the tours (they read `consult.models.utcnow`)."""
    monkeypatch.setattr(models, "utcnow", lambda: NOW)


@dataclass(frozen=True)
class TourWorld:
    agencies: dict[str, int]  # "mbe", "jc"
    topics: dict[str, int]  # "counselling" (MBE), "german" (MBE and JC), "money" (JC)
    places: dict[str, int]  # "zeitz", "weissenfels", "naumburg"
    advisor: int  # Mira Mobil, the MBE's mobile advisor


@pytest.fixture
def world(app: Flask, staff: factories.Team) -> TourWorld:
    """Three towns of the Burgenlandkreis, the MBE with a mobile advisor, and other staff."""
    with app.app_context():
        mbe, jc = factories.create_agencies("mbe", "jc", slugs=True)
        counselling = factories.create_topic([mbe], names={"en": "Counselling", "de": "Beratung"})
        german = factories.create_topic(
            [mbe, jc], names={"en": "German course", "de": "Deutschkurs"}
        )
        money = factories.create_topic([jc], names={"en": "Money", "de": "Geld"})
        places = {
            "zeitz": factories.create_location(
                name="Rathaus Zeitz", town="Zeitz", latitude=ZEITZ[0], longitude=ZEITZ[1]
            ),
            "weissenfels": factories.create_location(
                name="Kulturhaus",
                town="Weißenfels",
                latitude=WEISSENFELS[0],
                longitude=WEISSENFELS[1],
            ),
            "naumburg": factories.create_location(
                name="Kreisverwaltung",
                town="Naumburg",
                latitude=NAUMBURG[0],
                longitude=NAUMBURG[1],
            ),
        }
        advisor = staff.add("advisor", Role.ADVISOR, agency=mbe, name="Mira Mobil")
        staff.add("colleague", Role.ADVISOR, agency=mbe)
        staff.add("other", Role.ADVISOR, agency=jc)
        staff.add("coordinator", Role.COORDINATOR)
        staff.add("desk", Role.FRONTDESK, locations=[places["zeitz"]])
        db.session.commit()
        return TourWorld(
            agencies={"mbe": mbe.id, "jc": jc.id},
            topics={"counselling": counselling.id, "german": german.id, "money": money.id},
            places={key: place.id for key, place in places.items()},
            advisor=advisor.id,
        )


@pytest.fixture
def advisor(world: TourWorld, login: Login) -> FlaskClient:
    return login("advisor")


def make_tour(app: Flask, world: TourWorld, title: str = "Burgenlandkreis") -> int:
    with app.app_context():
        tour = service.create_tour(
            title,
            db.session.get(models.Agency, world.agencies["mbe"]),
            db.session.get(models.StaffUser, world.advisor),
        )
        db.session.commit()
        return tour.id


def stop_form(world: TourWorld, place: str = "zeitz", **changes: Any) -> dict[str, Any]:
    """A valid stop: 12 March 2030, 09:00-11:00 in 30-minute slots, counselling in de and ar."""
    form: dict[str, Any] = {
        "date": DAY.isoformat(),
        "location": str(world.places[place]),
        "starts": "09:00",
        "ends": "11:00",
        "slot_minutes": "30",
        "topics": [str(world.topics["counselling"])],
        "languages": ["de", "ar"],
    }
    form.update(changes)
    return form


def add_stops(
    app: Flask, world: TourWorld, tour_id: int, *stops: tuple[str, str, str], on: date = DAY
) -> list[int]:
    """Stops of (place, from, until) on one date, through the service; returns their ids."""
    ids = []
    with app.app_context():
        tour = db.session.get(Tour, tour_id)
        for place, starts, ends in stops:
            stop = service.add_stop(
                tour,
                service.StopRequest(
                    date=on,
                    starts=time.fromisoformat(starts),
                    ends=time.fromisoformat(ends),
                    slot_minutes=30,
                    topic_ids=(world.topics["counselling"], world.topics["german"]),
                    languages=("de", "ar"),
                    location_id=world.places[place],
                ),
            )
            db.session.commit()
            ids.append(stop.id)
    return ids


def publish(app: Flask, tour_id: int) -> None:
    with app.app_context():
        service.publish_tour(db.session.get(Tour, tour_id), DriveSettings())
        db.session.commit()


def draft_tour(app: Flask, world: TourWorld, *stops: tuple[str, str, str]) -> tuple[int, list[int]]:
    """A new tour with these stops on DAY (see `add_stops`): its id and the stops' ids."""
    tour_id = make_tour(app, world)
    return tour_id, add_stops(app, world, tour_id, *stops)


def published_tour(
    app: Flask, world: TourWorld, *stops: tuple[str, str, str]
) -> tuple[int, list[int]]:
    """A new tour with these stops on DAY, published: its id and the stops' ids."""
    tour_id, stop_ids = draft_tour(app, world, *stops)
    publish(app, tour_id)
    return tour_id, stop_ids


def book(app: Flask, world: TourWorld, stop_id: int, **contact: Any) -> str:
    """Book the first free counselling time at a published stop; returns the reference."""
    contact.setdefault("name", "Amina")
    contact.setdefault("language", "ar")
    with app.app_context(), atomic():
        day = db.session.get(TourStop, stop_id).day
        topic = db.session.get(Topic, world.topics["counselling"])
        plan = plans_for_day(day, [topic], language=contact["language"], limit=1, now=NOW).plans[0]
        visit = book_visit(
            BookingRequest(day.id, plan.appointments, Contact(**contact), [topic.id])
        )
        return visit.reference


def visit_by(app: Flask, reference: str) -> dict[str, Any]:
    """A visit's day, status and reason, and its active appointments as (day, local start)."""
    return visit_snapshot(app, reference, active=active_starts)


def active_starts(visit: Visit) -> list[tuple[int, str]]:
    return [
        (a.session.day_id, a.starts_dt.astimezone(BERLIN).strftime("%H:%M"))
        for a in visit.active_appointments
    ]


def day_of(app: Flask, stop_id: int) -> dict[str, Any]:
    with app.app_context():
        day = db.session.get(TourStop, stop_id).day
        return {"id": day.id, "status": day.status, "town": day.location.town, "date": day.date}


def stop_ids_of(app: Flask, tour_id: int) -> list[int]:
    with app.app_context():
        return [stop.id for stop in db.session.get(Tour, tour_id).stops]


def other_stop(app: Flask, tour_id: int, stop_id: int) -> int:
    """The tour's one stop besides `stop_id`."""
    [other] = [stop for stop in stop_ids_of(app, tour_id) if stop != stop_id]
    return other


# --- access -------------------------------------------------------------------------------


def test_advisors_manage_their_agencys_tours_and_nobody_elses(app, world, login) -> None:
    tour_id = make_tour(app, world)
    page = f"/staff/tours/{tour_id}"

    assert login("advisor").get(page).status_code == 200
    assert login("colleague").get(page).status_code == 200
    assert login("coordinator").get(page).status_code == 200
    other = login("other")
    assert other.get(page).status_code == 403
    assert other.post(f"{page}/stops/new", data=stop_form(world)).status_code == 403
    assert other.post(f"{page}/publish").status_code == 403
    assert login("desk").get("/staff/tours/").status_code == 403
    assert count(app, ConsultationDay) == 0


def test_the_list_shows_only_the_tours_in_reach(app, world, login, staff) -> None:
    make_tour(app, world, "Burgenlandkreis")
    with app.app_context():
        service.create_tour(
            "Saalekreis",
            db.session.get(models.Agency, world.agencies["jc"]),
            db.session.get(models.StaffUser, staff.ids["other"]),
        )
        db.session.commit()

    mine = text_of(login("advisor").get("/staff/tours/"))
    everything = text_of(login("coordinator").get("/staff/tours/"))

    assert "Burgenlandkreis" in mine and "Saalekreis" not in mine
    assert "Burgenlandkreis" in everything and "Saalekreis" in everything


# --- creating a tour and its stops --------------------------------------------------------


def test_an_advisor_creates_a_tour_of_their_agency(app, world, advisor) -> None:
    response = advisor.post("/staff/tours/", data={"title": "  Mobile   Beratung  "})

    assert response.status_code == 302
    assert "The tour Mobile Beratung is created." in text_of(advisor.get(response.location))
    with app.app_context():
        tour = db.session.scalar(sa.select(Tour))
        assert (tour.title, tour.status) == ("Mobile Beratung", TourStatus.DRAFT)
        assert (tour.agency_id, tour.advisor_id) == (world.agencies["mbe"], world.advisor)


def test_a_coordinator_creates_a_tour_for_a_chosen_agency(app, world, login, staff) -> None:
    coordinator = login("coordinator")

    response = coordinator.post(
        "/staff/tours/", data={"title": "JC", "agency": world.agencies["jc"]}
    )

    assert response.status_code == 302
    with app.app_context():
        tour = db.session.scalar(sa.select(Tour))
        assert (tour.agency_id, tour.advisor_id) == (world.agencies["jc"], staff.ids["coordinator"])


def test_a_tour_needs_a_title(app, world, advisor) -> None:
    response = advisor.post("/staff/tours/", data={"title": "  "})

    assert response.status_code == 422
    assert "Please give the tour a title." in text_of(response)
    assert count(app, Tour) == 0


def test_a_stop_at_an_existing_location_is_a_draft_mobile_day(app, world, advisor) -> None:
    tour_id = make_tour(app, world)

    response = advisor.post(f"/staff/tours/{tour_id}/stops/new", data=stop_form(world))

    assert response.status_code == 302
    page = text_of(advisor.get(response.location))
    markup = html_of(advisor.get(response.location))
    assert "is added as a draft" in page
    assert "09:00–11:00" in page and "Rathaus Zeitz" in page
    assert "draft: not bookable yet" in page
    with app.app_context():
        [stop] = db.session.get(Tour, tour_id).stops
        day = stop.day
        assert (day.kind, day.status, day.date) == (models.DayKind.MOBILE, DayStatus.DRAFT, DAY)
        assert day.location_id == world.places["zeitz"]
        [session] = day.sessions
        assert session.agency_id == world.agencies["mbe"]
        assert session.advisor_id == world.advisor
        assert session.status is SessionStatus.PUBLISHED
        # Stored in UTC: 09:00 in Berlin in March is 08:00 UTC.
        assert session.starts_dt == datetime(2030, 3, 12, 8, 0, tzinfo=UTC)
        assert [t.id for t in session.topics] == [world.topics["counselling"]]
        assert session.languages == ["de", "ar"]
        assert len(session.slots) == 4
        # The day is not bookable until the tour is published.
        assert plans_for_day(day, session.topics, now=NOW).plans == ()
    assert f'href="/staff/hours/session/{session.id}"' in markup


def test_a_stop_at_a_new_location_creates_the_location(app, world, advisor) -> None:
    tour_id = make_tour(app, world)
    form = stop_form(
        world,
        location="",
        new_name="Dorfgemeinschaftshaus",
        new_street="Hauptstraße 3",
        new_postcode="06722",
        new_town="Droyßig",
        new_latitude="51,0442",
        new_longitude="12.0336",
        interpreter="y",
    )

    response = advisor.post(f"/staff/tours/{tour_id}/stops/new", data=form)

    assert response.status_code == 302
    with app.app_context():
        location = db.session.scalar(sa.select(Location).where(Location.town == "Droyßig"))
        assert (location.name, location.street, location.postcode) == (
            "Dorfgemeinschaftshaus",
            "Hauptstraße 3",
            "06722",
        )
        assert (location.latitude, location.longitude) == (51.0442, 12.0336)
        assert location.timezone == "Europe/Berlin" and location.active
        [stop] = db.session.get(Tour, tour_id).stops
        assert stop.day.location_id == location.id
        assert stop.day.sessions[0].interpreter_available


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "2030-02-28"}, "The date 2030-02-28 is in the past."),
        ({"date": "12.03.2030"}, "Please enter a date like 2030-03-12."),
        (
            {"starts": "11:00", "ends": "09:00"},
            "The stop must end after it starts (11:00 to 09:00).",
        ),
        (
            {"ends": "10:10"},
            "From 09:00 to 10:10 does not divide into 30-minute slots. "
            "Please end at 10:00 or 10:30",
        ),
        ({"ends": "09:20"}, "From 09:00 to 09:20 is too short for one 30-minute slot."),
        (
            {"location": "weissenfels", "starts": "12:30", "ends": "14:00"},
            "This overlaps another stop of Mira Mobil on this day: Kreisverwaltung, Naumburg, "
            "13:00 to 15:00.",
        ),
        ({"location": ""}, "Please choose a location or enter a new one."),
        ({"location": "", "new_name": "Bürgerhaus"}, "Please give the town."),
        (
            {"location": "", "new_name": "Bürgerhaus", "new_latitude": "north"},
            "Please enter a number like 52.12.",
        ),
        ({"topics": [str(0)]}, "Please choose one of the offered options."),
        ({"topics": []}, "Please choose at least one topic that you serve."),
        ({"languages": []}, "Please choose at least one language."),
    ],
)
def test_an_invalid_stop_is_explained_and_nothing_is_written(
    app, world, advisor, changes, message
) -> None:
    tour_id = make_tour(app, world)
    add_stops(app, world, tour_id, ("naumburg", "13:00", "15:00"))
    if changes.get("location") in ("weissenfels", "zeitz"):
        changes["location"] = str(world.places[changes["location"]])
    before = {model: count(app, model) for model in (ConsultationDay, Session, Location, TourStop)}

    response = advisor.post(f"/staff/tours/{tour_id}/stops/new", data=stop_form(world, **changes))

    assert response.status_code == 422
    assert message in text_of(response)
    assert {model: count(app, model) for model in before} == before


def test_a_topic_of_another_agency_is_not_offered(app, world, advisor) -> None:
    tour_id = make_tour(app, world)

    page = text_of(advisor.get(f"/staff/tours/{tour_id}/stops/new"))
    response = advisor.post(
        f"/staff/tours/{tour_id}/stops/new",
        data=stop_form(world, topics=[str(world.topics["money"])]),
    )

    assert "Counselling" in page and "German course" in page and "Money" not in page
    # A `required` on each box would make browsers demand every topic and language.
    markup = html_of(advisor.get(f"/staff/tours/{tour_id}/stops/new"))
    assert re.search(r'<input[^>]*type="checkbox"', markup)
    assert not re.search(r'<input[^>]*type="checkbox"[^>]*required', markup)
    assert response.status_code == 422
    assert count(app, TourStop) == 0


# --- drives and the order of stops --------------------------------------------------------


def drive_flags(page: str) -> list[str]:
    return re.findall(r'data-drive="(\w+)"', page)


def test_drives_between_stops_of_a_day_are_flagged_in_words(app, world, advisor) -> None:
    tour_id = make_tour(app, world)
    add_stops(
        app,
        world,
        tour_id,
        ("zeitz", "08:00", "09:00"),
        # Zeitz → Naumburg: 33.4 road km, 34 minutes; 60 minutes between the stops.
        ("naumburg", "10:00", "11:00"),
        # Naumburg → Weißenfels: 15.8 km, 16 minutes; 30 between: 14 to spare is tight.
        ("weissenfels", "11:30", "12:30"),
        # Weißenfels → Zeitz: 27 minutes needed, 15 between.
        ("zeitz", "12:45", "13:45"),
    )
    add_stops(app, world, tour_id, ("naumburg", "09:00", "10:00"), on=DAY + timedelta(days=1))

    page = text_of(advisor.get(f"/staff/tours/{tour_id}"))

    # Stops on different dates are not compared: three drives, all on the first date.
    assert drive_flags(html_of(advisor.get(f"/staff/tours/{tour_id}"))) == [
        "ok",
        "tight",
        "impossible",
    ]
    assert "Drive fits: 33.4 km, 34 minutes needed, 60 minutes between the stops." in page
    assert "Drive is tight: 15.8 km, 16 minutes needed, 30 minutes between the stops." in page
    assert "Only 14 minutes to spare." in page
    assert "Drive is impossible: 27.0 km, 27 minutes needed, 15 minutes between" in page
    assert "Some drives cannot be made in the time between the stops:" in page


# Naumburg, Zeitz and Weißenfels on one day, in an order that drives further than it must.
THREE_TOWNS = (
    ("naumburg", "09:00", "10:00"),
    ("zeitz", "11:00", "12:00"),
    ("weissenfels", "13:00", "14:00"),
)


def test_a_shorter_order_is_suggested_and_used(app, world, advisor) -> None:
    tour_id, (naumburg, zeitz, weissenfels) = draft_tour(app, world, *THREE_TOWNS)
    page = text_of(advisor.get(f"/staff/tours/{tour_id}"))
    # Naumburg → Zeitz → Weißenfels is 46.4 km in a straight line; Naumburg → Weißenfels →
    # Zeitz is 32.9 km: 13.5 km less, 17.6 road km.
    assert "Suggested order: Naumburg → Weißenfels → Zeitz (saves 18 km)" in page
    markup = html_of(advisor.get(f"/staff/tours/{tour_id}"))
    token = re.search(r'name="order" value="([\d,]+)"', markup).group(1)
    assert token == f"{naumburg},{weissenfels},{zeitz}"

    response = advisor.post(
        f"/staff/tours/{tour_id}/days/{DAY.isoformat()}/reorder", data={"order": token}
    )

    assert response.status_code == 302
    page = text_of(advisor.get(response.location))
    assert "are in the new order: Naumburg → Weißenfels → Zeitz." in page
    assert "Suggested order" not in page
    # The time windows stay; the places swap among them.
    assert [day_of(app, stop)["town"] for stop in (naumburg, zeitz, weissenfels)] == [
        "Naumburg",
        "Weißenfels",
        "Zeitz",
    ]
    with app.app_context():
        windows = [
            db.session.get(TourStop, stop).day.sessions[0].starts_dt.astimezone(BERLIN).hour
            for stop in (naumburg, zeitz, weissenfels)
        ]
        assert windows == [9, 11, 13]


def test_the_order_is_kept_while_anyone_is_booked_that_day(app, world, advisor) -> None:
    tour_id, (naumburg, zeitz, weissenfels) = published_tour(app, world, *THREE_TOWNS)
    book(app, world, zeitz)

    page = text_of(advisor.get(f"/staff/tours/{tour_id}"))
    response = advisor.post(
        f"/staff/tours/{tour_id}/days/{DAY.isoformat()}/reorder",
        data={"order": f"{naumburg},{weissenfels},{zeitz}"},
    )

    assert "Suggested order: Naumburg → Weißenfels → Zeitz" in page
    assert "the order cannot be changed here" in page
    assert "The order cannot be changed because 1 appointments are booked" in text_of(
        advisor.get(response.location)
    )
    assert [day_of(app, stop)["town"] for stop in (naumburg, zeitz, weissenfels)] == [
        "Naumburg",
        "Zeitz",
        "Weißenfels",
    ]


def test_an_order_that_is_not_the_days_stops_is_refused(app, world, advisor) -> None:
    tour_id = make_tour(app, world)
    first, second = add_stops(
        app, world, tour_id, ("zeitz", "09:00", "10:00"), ("naumburg", "11:00", "12:00")
    )

    response = advisor.post(
        f"/staff/tours/{tour_id}/days/{DAY.isoformat()}/reorder",
        data={"order": f"{second},{first},{first}"},
    )
    assert "The stops of this day have changed meanwhile." in text_of(
        advisor.get(response.location)
    )
    malformed = advisor.post(
        f"/staff/tours/{tour_id}/days/{DAY.isoformat()}/reorder", data={"order": "x"}
    )

    assert malformed.status_code == 400
    assert day_of(app, first)["town"] == "Zeitz"


def with_teuchern(app: Flask, world: TourWorld) -> TourWorld:
    """The world with a fourth town, Teuchern: 13 minutes from Weißenfels, 15 from Zeitz."""
    with app.app_context():
        teuchern = factories.create_location(
            name="Rathaus", town="Teuchern", latitude=51.1211, longitude=12.0219
        )
        db.session.commit()
        return replace(world, places={**world.places, "teuchern": teuchern.id})


def suggested_token(advisor: FlaskClient, tour_id: int) -> str | None:
    match = re.search(
        r'name="order" value="([\d,]+)"', html_of(advisor.get(f"/staff/tours/{tour_id}"))
    )
    return match.group(1) if match else None


# The shortest order (Zeitz → Teuchern → Weißenfels → Naumburg) needs 15 minutes for its first
# drive, but the first two stops are only 14 minutes apart.
SHORTEST_BUT_TOO_TIGHT = (
    ("zeitz", "09:00", "09:30"),
    ("teuchern", "09:44", "10:14"),
    ("weissenfels", "10:44", "11:14"),
    ("naumburg", "11:54", "12:24"),
)


def test_the_suggested_order_fits_the_times_and_can_be_published(app, world, advisor) -> None:
    world = with_teuchern(app, world)
    tour_id, (zeitz, teuchern, weissenfels, naumburg) = draft_tour(
        app, world, *SHORTEST_BUT_TOO_TIGHT
    )
    page = text_of(advisor.get(f"/staff/tours/{tour_id}"))
    assert "Some drives cannot be made in the time between the stops:" in page
    assert "In this order every drive fits between the stops' times." in page
    token = suggested_token(advisor, tour_id)
    # Teuchern and Weißenfels are the only places 14 minutes or less apart, so the day must
    # begin with them; of such orders, Weißenfels → Teuchern → Zeitz (15 minutes, 30 between
    # the stops) → Naumburg (34 minutes, 40 between) drives the least.
    assert token == f"{weissenfels},{teuchern},{zeitz},{naumburg}"
    assert "Suggested order: Weißenfels → Teuchern → Zeitz → Naumburg" in page

    advisor.post(f"/staff/tours/{tour_id}/days/{DAY.isoformat()}/reorder", data={"order": token})
    page = publish_page(advisor, tour_id)

    assert "The tour is published. 4 stops are now open for booking." in page
    assert [day_of(app, stop)["town"] for stop in (zeitz, teuchern, weissenfels, naumburg)] == [
        "Weißenfels",
        "Teuchern",
        "Zeitz",
        "Naumburg",
    ]


def test_an_order_in_which_a_drive_does_not_fit_is_refused(app, world, advisor) -> None:
    world = with_teuchern(app, world)
    tour_id, (teuchern, weissenfels, naumburg, zeitz) = draft_tour(
        app,
        world,
        ("teuchern", "09:00", "09:30"),
        ("weissenfels", "09:44", "10:14"),
        ("naumburg", "10:44", "11:14"),
        ("zeitz", "11:54", "12:24"),
    )
    # Every drive fits. The shortest order does not fit; the shortest that fits saves under 1 km.
    assert suggested_token(advisor, tour_id) is None

    response = advisor.post(
        f"/staff/tours/{tour_id}/days/{DAY.isoformat()}/reorder",
        data={"order": f"{zeitz},{teuchern},{weissenfels},{naumburg}"},
    )

    assert "In this order there is not enough time to drive from one stop to the next." in (
        text_of(advisor.get(response.location))
    )
    assert day_of(app, teuchern)["town"] == "Teuchern"


def test_when_no_order_fits_the_page_says_so_instead_of_suggesting_one(app, world, advisor) -> None:
    # Every order of the three towns has a drive of 27 minutes or more; both gaps are 20.
    tour_id, _stops = draft_tour(
        app,
        world,
        ("naumburg", "09:00", "10:00"),
        ("zeitz", "10:20", "11:20"),
        ("weissenfels", "11:40", "12:40"),
    )

    page = text_of(advisor.get(f"/staff/tours/{tour_id}"))

    assert "No order of this day's stops leaves enough time for every drive." in page
    assert "Suggested order" not in page
    assert suggested_token(advisor, tour_id) is None


# --- publishing ---------------------------------------------------------------------------


def publish_page(advisor: FlaskClient, tour_id: int) -> str:
    """What the advisor reads after asking to publish the tour."""
    response = advisor.post(f"/staff/tours/{tour_id}/publish")
    return text_of(advisor.get(response.location))


def test_publishing_is_refused_while_a_drive_is_impossible(app, world, advisor) -> None:
    tour_id, (zeitz, naumburg) = draft_tour(
        app, world, ("zeitz", "09:00", "10:00"), ("naumburg", "10:20", "11:20")
    )

    page = publish_page(advisor, tour_id)

    assert "The tour cannot be published: there is not enough time to drive" in page
    assert "Zeitz 10:00 → Naumburg 10:20 (Mar 12, 2030)" in page
    with app.app_context():
        assert db.session.get(Tour, tour_id).status is TourStatus.DRAFT
    assert day_of(app, zeitz)["status"] is DayStatus.DRAFT
    assert day_of(app, naumburg)["status"] is DayStatus.DRAFT


def test_a_published_stop_is_bookable_and_tight_drives_are_warned_about(
    app, world, advisor
) -> None:
    tour_id, (zeitz, naumburg) = draft_tour(
        app, world, ("zeitz", "09:00", "10:00"), ("naumburg", "10:40", "11:40")
    )

    page = publish_page(advisor, tour_id)

    assert "The tour is published. 2 stops are now open for booking." in page
    assert "Some drives leave little time to spare: Zeitz 10:00 → Naumburg 10:40" in page
    assert day_of(app, zeitz)["status"] is DayStatus.PUBLISHED
    with app.app_context():
        assert db.session.get(Tour, tour_id).status is TourStatus.PUBLISHED
        day = db.session.get(TourStop, zeitz).day
        topic = db.session.get(Topic, world.topics["counselling"])
        assert plans_for_day(day, [topic], language="ar", now=NOW).plans
    public = app.test_client()
    day_page = public.get(
        f"/day/{day_of(app, zeitz)['id']}?topic={world.topics['counselling']}&speak=ar&lang=en"
    )
    assert day_page.status_code == 200
    assert "Rathaus Zeitz" in text_of(day_page)
    reference = book(app, world, zeitz)
    assert visit_by(app, reference)["day"] == day_of(app, zeitz)["id"]


def test_a_stop_added_to_a_published_tour_is_a_draft_until_published_again(
    app, world, advisor
) -> None:
    tour_id, [first] = published_tour(app, world, ("zeitz", "09:00", "10:00"))

    advisor.post(
        f"/staff/tours/{tour_id}/stops/new",
        data=stop_form(world, "naumburg", date="2030-03-19"),
    )
    second = other_stop(app, tour_id, first)
    page = text_of(advisor.get(f"/staff/tours/{tour_id}"))
    assert day_of(app, second)["status"] is DayStatus.DRAFT
    assert "1 stop is a draft: nobody can book it yet." in page

    advisor.post(f"/staff/tours/{tour_id}/publish")

    assert day_of(app, second)["status"] is DayStatus.PUBLISHED


def test_a_tour_without_upcoming_stops_is_not_published(app, world, advisor) -> None:
    tour_id = make_tour(app, world)

    page = publish_page(advisor, tour_id)

    assert "Please add a stop from today on before publishing the tour." in page


# --- moving and cancelling stops with bookings --------------------------------------------


def move_form(world: TourWorld, **changes: Any) -> dict[str, Any]:
    form = stop_form(world, date=(DAY + timedelta(days=7)).isoformat())
    form["topics"] = [str(world.topics["counselling"]), str(world.topics["german"])]
    form.update(changes)
    return form


def test_moving_a_stop_moves_its_visit_with_the_same_reference(app, world, advisor) -> None:
    tour_id, [old] = published_tour(app, world, ("zeitz", "09:00", "11:00"))
    reference = book(app, world, old, name="Amina", phone="+49 170 1234567")

    move = advisor.get(f"/staff/tours/{tour_id}/stops/{old}/move")
    assert 'value="2030-03-12"' in html_of(move) and "Amina" in text_of(move)
    response = advisor.post(f"/staff/tours/{tour_id}/stops/{old}/move", data=move_form(world))

    assert response.status_code == 302
    new = other_stop(app, tour_id, old)
    assert response.location.endswith(f"/staff/tours/{tour_id}/stops/{old}/move/{new}")
    moving = text_of(advisor.get(response.location))
    assert "1 visit is still booked on the old stop." in moving
    assert reference in moving and "+49 170 1234567" in moving
    # The new stop of a published tour is open for booking at once.
    assert day_of(app, new)["status"] is DayStatus.PUBLISHED
    assert day_of(app, old)["status"] is DayStatus.PUBLISHED

    response = advisor.post(
        f"/staff/tours/{tour_id}/stops/{old}/move/{new}/visits/{visit_by_id(app, reference)}"
    )

    page = text_of(advisor.get(response.location))
    assert f"The visit {reference} has moved to Rathaus Zeitz, Zeitz on" in page
    assert "Nobody is booked on the old stop any more, so it is cancelled." in page
    moved = visit_by(app, reference)
    assert moved["status"] is VisitStatus.BOOKED
    assert moved["day"] == day_of(app, new)["id"]
    assert moved["active"] == [(day_of(app, new)["id"], "09:00")]
    assert day_of(app, old)["status"] is DayStatus.CANCELLED
    assert "Cancelled stops" in page


def visit_by_id(app: Flask, reference: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Visit.id).where(Visit.reference == reference))


def test_a_visit_that_does_not_fit_the_new_stop_stays_until_it_is_cancelled(
    app, world, advisor
) -> None:
    tour_id, [old] = published_tour(app, world, ("zeitz", "09:00", "11:00"))
    reference = book(app, world, old)
    visit_id = visit_by_id(app, reference)
    # The new stop does not offer counselling, which the person booked.
    advisor.post(
        f"/staff/tours/{tour_id}/stops/{old}/move",
        data=move_form(world, topics=[str(world.topics["german"])]),
    )
    new = other_stop(app, tour_id, old)
    base = f"/staff/tours/{tour_id}/stops/{old}/move/{new}"

    response = advisor.post(f"{base}/visits/{visit_id}")

    assert f"No free time at the new stop fits the visit {reference}." in text_of(
        advisor.get(response.location)
    )
    assert visit_by(app, reference)["day"] == day_of(app, old)["id"]
    assert visit_by(app, reference)["status"] is VisitStatus.BOOKED

    response = advisor.post(f"{base}/visits/{visit_id}/cancel", data={"reason": "  "})
    assert "Please give a reason; the person will be told." in text_of(
        advisor.get(response.location)
    )
    assert visit_by(app, reference)["status"] is VisitStatus.BOOKED

    response = advisor.post(
        f"{base}/visits/{visit_id}/cancel", data={"reason": "No counselling that day"}
    )

    page = text_of(advisor.get(response.location))
    assert f"The booking {reference} is cancelled. Please tell the person." in page
    cancelled = visit_by(app, reference)
    assert (cancelled["status"], cancelled["reason"]) == (
        VisitStatus.CANCELLED,
        "No counselling that day",
    )
    assert day_of(app, old)["status"] is DayStatus.CANCELLED


def test_cancelling_the_old_stop_lists_the_remaining_people_to_tell(app, world, advisor) -> None:
    tour_id, [old] = published_tour(app, world, ("zeitz", "09:00", "11:00"))
    first = book(app, world, old, name="Amina", phone="+49 170 1234567")
    second = book(app, world, old, name="Reza", email="reza@example.org", language="de")
    advisor.post(f"/staff/tours/{tour_id}/stops/{old}/move", data=move_form(world))
    new = other_stop(app, tour_id, old)
    advisor.post(f"/staff/tours/{tour_id}/stops/{old}/move/{new}/visits/{visit_by_id(app, first)}")

    response = advisor.post(
        f"/staff/tours/{tour_id}/stops/{old}/cancel", data={"reason": "Room not available"}
    )

    page = text_of(advisor.get(response.location))
    assert "The stop is cancelled. 1 visit was cancelled; please tell the person." in page
    assert "People to tell" in page and "Reza" in page and "reza@example.org" in page
    assert "Amina" not in page
    assert visit_by(app, first)["status"] is VisitStatus.BOOKED
    assert visit_by(app, second)["status"] is VisitStatus.CANCELLED
    assert "Room not available" in visit_by(app, second)["reason"]


def test_cancelling_a_stop_cancels_its_visits_with_the_reason(app, world, advisor) -> None:
    tour_id, [stop] = published_tour(app, world, ("zeitz", "09:00", "11:00"))
    reference = book(app, world, stop, name="Oleksandr", phone="0345 123456", language="de")

    form_page = text_of(advisor.get(f"/staff/tours/{tour_id}/stops/{stop}/cancel"))
    refused = advisor.post(f"/staff/tours/{tour_id}/stops/{stop}/cancel", data={"reason": ""})
    response = advisor.post(
        f"/staff/tours/{tour_id}/stops/{stop}/cancel", data={"reason": "The advisor is ill"}
    )

    assert "1 visit is booked on this stop." in form_page and "Oleksandr" in form_page
    assert refused.status_code == 422
    assert response.status_code == 302
    page = text_of(advisor.get(response.location))
    assert "This stop is cancelled. Reason: The advisor is ill" in page
    assert "Oleksandr" in page and "+49 345 123456" in page  # stored as +49345123456
    visit = visit_by(app, reference)
    assert visit["status"] is VisitStatus.CANCELLED
    assert visit["reason"].endswith("The advisor is ill")
    assert visit["active"] == []
    assert day_of(app, stop)["status"] is DayStatus.CANCELLED
    with app.app_context():
        statuses = db.session.scalars(sa.select(models.Appointment.status)).all()
        assert statuses == [AppointmentStatus.CANCELLED]


def test_moving_a_stop_without_bookings_cancels_the_old_one_at_once(app, world, advisor) -> None:
    tour_id, [old] = draft_tour(app, world, ("zeitz", "09:00", "11:00"))

    response = advisor.post(
        f"/staff/tours/{tour_id}/stops/{old}/move",
        data=move_form(world, location=str(world.places["naumburg"]), date=DAY.isoformat()),
    )

    assert "The stop is moved to Naumburg on" in text_of(advisor.get(response.location))
    assert day_of(app, old)["status"] is DayStatus.CANCELLED
    new = other_stop(app, tour_id, old)
    # Same date and time: the old stop is not in the way of the new one.
    assert (day_of(app, new)["town"], day_of(app, new)["date"]) == ("Naumburg", DAY)
    assert day_of(app, new)["status"] is DayStatus.DRAFT


# --- demand -------------------------------------------------------------------------------


def wish(town: str, *topics: int, status: WaitlistStatus = WaitlistStatus.WAITING) -> None:
    entry = WaitlistEntry(name="N", town=town, status=status)
    entry.topics = [db.session.get(Topic, topic) for topic in topics]
    db.session.add(entry)


def test_the_demand_panel_counts_waiting_people_by_town_and_topic(
    app, world, advisor, login
) -> None:
    tour_id = make_tour(app, world)
    add_stops(app, world, tour_id, ("zeitz", "09:00", "10:00"))
    counselling, german, money = (world.topics[k] for k in ("counselling", "german", "money"))
    with app.app_context():
        wish("Zeitz", counselling)
        wish("Weißenfels", counselling)
        wish("Weißenfels", counselling, german, status=WaitlistStatus.OFFERED)
        wish("Weißenfels", german, status=WaitlistStatus.WITHDRAWN)
        wish("Naumburg", money)  # the MBE does not serve it
        db.session.commit()

        rows = service.demand(world.agencies["mbe"], date(2030, 3, 1))
        everyone = service.demand(None, date(2030, 3, 1))

        assert [(r.town, r.people, r.next_stop) for r in rows] == [
            ("Weißenfels", 2, None),
            ("Zeitz", 1, DAY),
        ]
        assert [(t.id, n) for t, n in rows[0].topics] == [(counselling, 2), (german, 1)]
        assert [(r.town, r.people) for r in everyone] == [
            ("Weißenfels", 2),
            ("Naumburg", 1),
            ("Zeitz", 1),
        ]

    page = text_of(advisor.get("/staff/tours/"))
    towns = re.findall(r'data-town="([^"]*)"', html_of(advisor.get("/staff/tours/")))
    assert towns == ["Weißenfels", "Zeitz"]
    assert "Counselling: 2; German course: 1" in page and "No stop planned" in page
    assert re.findall(r'data-town="([^"]*)"', html_of(advisor.get(f"/staff/tours/{tour_id}")))
    assert "Naumburg" in re.findall(
        r'data-town="([^"]*)"', html_of(login("coordinator").get("/staff/tours/"))
    )


# --- importing stops from a calendar file -------------------------------------------------

CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//consult tests//EN
BEGIN:VEVENT
UID:zeitz-1@example.org
DTSTART;TZID=Europe/Berlin:20300312T090000
DTEND;TZID=Europe/Berlin:20300312T110000
SUMMARY:Sprechstunde Zeitz
LOCATION:Rathaus Zeitz\\, Altmarkt 1\\, 06712 Zeitz
END:VEVENT
BEGIN:VEVENT
UID:weissenfels-1@example.org
DTSTART:20300312T110000Z
DTEND:20300312T130000Z
SUMMARY:Weißenfels
GEO:51.2011;11.9702
END:VEVENT
BEGIN:VEVENT
UID:somewhere@example.org
DTSTART;TZID=Europe/Berlin:20300313T090000
DTEND;TZID=Europe/Berlin:20300313T100000
SUMMARY:Somewhere
LOCATION:Gemeindehaus Droyßig
END:VEVENT
BEGIN:VEVENT
UID:team-day@example.org
DTSTART;VALUE=DATE:20300314
SUMMARY:Team day
END:VEVENT
BEGIN:VEVENT
UID:old@example.org
DTSTART:20300201T090000Z
DTEND:20300201T100000Z
SUMMARY:Last month
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n")


class FormFields(HTMLParser):
    """The values a browser would send for the form whose action ends with `action`."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.select: str | None = None
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("action") or "").endswith(self.action)
        elif not self.inside:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def form_fields(markup: str, action: str) -> MultiDict:
    parser = FormFields(action)
    parser.feed(markup)
    return MultiDict(parser.fields)


def upload(client: FlaskClient, tour_id: int, content: bytes, name: str = "tour.ics"):
    # The body is built here: the test client would spool a large one to a temporary
    # file that it never closes (a ResourceWarning, which pytest turns into an error).
    boundary = "consult-test-boundary"
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            f'Content-Disposition: form-data; name="calendar"; filename="{name}"\r\n'.encode(),
            b"Content-Type: text/calendar\r\n\r\n",
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return client.post(
        f"/staff/tours/{tour_id}/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_a_calendar_file_is_previewed_without_creating_anything(app, world, advisor) -> None:
    tour_id = make_tour(app, world)

    response = upload(advisor, tour_id, CALENDAR.encode())

    assert response.status_code == 200
    page, markup = text_of(response), html_of(response)
    assert "Mar 12, 2030 09:00–11:00 Sprechstunde Zeitz" in page
    assert "Mar 12, 2030 12:00–14:00 Weißenfels" in page
    fields = form_fields(markup, "/import/confirm")
    # Zeitz by the name in LOCATION, Weißenfels by GEO (about 200 m away), Droyßig unknown.
    assert [fields.get(f"events-{i}-location") for i in range(3)] == [
        str(world.places["zeitz"]),
        str(world.places["weissenfels"]),
        "",
    ]
    assert [fields.get(f"events-{i}-include") for i in range(3)] == ["y", "y", None]
    assert "No location matched. Choose one, or check the new place below" in page
    # The unknown place is offered as a new one, read from its LOCATION text.
    assert fields.get("events-2-new_name") == "Gemeindehaus Droyßig"
    assert "Team day" in page and "This event has no start time (all-day event)." in page
    assert "Last month" in page and "This event is already over." in page
    assert count(app, ConsultationDay) == 0


def test_confirming_the_preview_creates_the_ticked_stops(app, world, advisor) -> None:
    tour_id = make_tour(app, world)
    fields = form_fields(html_of(upload(advisor, tour_id, CALENDAR.encode())), "/import/confirm")

    response = advisor.post(f"/staff/tours/{tour_id}/import/confirm", data=fields)

    assert response.status_code == 302
    page = text_of(advisor.get(response.location))
    assert "2 stops were created from the calendar as drafts." in page
    with app.app_context():
        stops = db.session.get(Tour, tour_id).stops
        assert [
            (
                stop.day.location.town,
                stop.day.date,
                stop.day.status,
                stop.day.sessions[0].starts_dt.astimezone(BERLIN).strftime("%H:%M"),
                stop.day.sessions[0].ends_dt.astimezone(BERLIN).strftime("%H:%M"),
            )
            for stop in stops
        ] == [
            ("Zeitz", DAY, DayStatus.DRAFT, "09:00", "11:00"),
            ("Weißenfels", DAY, DayStatus.DRAFT, "12:00", "14:00"),
        ]
        assert {t.id for t in stops[0].day.sessions[0].topics} == {
            world.topics["counselling"],
            world.topics["german"],
        }
    assert drive_flags(html_of(advisor.get(f"/staff/tours/{tour_id}"))) == ["ok"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        # Droyßig is unknown: its new place lacks a street, postcode, town and coordinates.
        ({"events-2-include": "y"}, "Please give the street."),
        (
            {"events-1-starts_dt": "2030-02-20T09:00:00+00:00"},
            "This event has already begun or is over.",
        ),
        (
            {
                "events-1-starts_dt": "2030-03-12T09:30:00+00:00",
                "events-1-ends_dt": "2030-03-12T11:30:00+00:00",
            },
            "This overlaps another stop of Mira Mobil on this day: Rathaus Zeitz, Zeitz",
        ),
        ({"events-1-starts_dt": "tomorrow"}, "The time of this event could not be read."),
        (
            {
                "events-1-starts_dt": "9999-12-31T09:00:00+00:00",
                "events-1-ends_dt": "9999-12-31T11:00:00+00:00",
            },
            "This event is more than 366 days ahead.",
        ),
        ({"events-0-location": "987654"}, "Please choose one of the offered options."),
    ],
)
def test_a_confirm_that_does_not_fit_creates_nothing(app, world, advisor, changes, message) -> None:
    tour_id = make_tour(app, world)
    fields = form_fields(html_of(upload(advisor, tour_id, CALENDAR.encode())), "/import/confirm")
    for name, value in changes.items():
        fields[name] = value

    response = advisor.post(f"/staff/tours/{tour_id}/import/confirm", data=fields)

    assert response.status_code == 422
    assert message in text_of(response)
    assert count(app, ConsultationDay) == 0 and count(app, TourStop) == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not a calendar at all", "tour.ics", "This is not a calendar file."),
        (CALENDAR.encode(), "tour.txt", "Please choose a calendar file ending in .ics."),
        (b"", "tour.ics", "The file is empty."),
        (CALENDAR.encode()[:-40], "tour.ics", "The file is incomplete."),
        (
            CALENDAR.encode() + b" " * (512 * 1024),
            "tour.ics",
            "The file is larger than 512 KB.",
        ),
        (
            CALENDAR.encode().replace(b"DTSTART;TZID=Europe/Berlin:20300313T090000\r\n", b""),
            "tour.ics",
            "This event has no start time.",
        ),
    ],
)
def test_a_bad_calendar_file_gets_a_clear_message(
    app, world, advisor, content, name, message
) -> None:
    tour_id = make_tour(app, world)

    response = upload(advisor, tour_id, content, name)

    assert message in text_of(response)
    assert count(app, ConsultationDay) == 0


def test_locations_are_matched_by_geo_then_name_then_town(app, world) -> None:
    with app.app_context(), atomic():
        halle = factories.create_location(name="Stadthaus", town="Naumburg (Saale)", latitude=51.15)
        places = db.session.scalars(sa.select(Location).order_by(Location.id)).all()
        names = {place.id: place.town for place in places}

        def town(text: str, geo=None) -> str | None:
            found = service.match_location(text, geo, places)
            return names[found.id] if found else None

        assert town("", (51.2011, 11.9702)) == "Weißenfels"
        assert town("Rathaus Zeitz", (51.3, 11.9)) == "Zeitz"
        assert town("kulturhaus, somewhere") == "Weißenfels"
        assert town("Markt 1, 06712 zeitz") == "Zeitz"
        # Two locations in Naumburg: the town alone does not say which one.
        assert town("Naumburg") is None
        assert town("Stadthaus Naumburg") == "Naumburg (Saale)"
        assert town("Stadthalle Zeitzer Forst") is None
        assert halle.id in names
