"""Practical information: directions, parking, access, door opening, what to bring and who
each agency is, in the reader's language, with German marked where it stands in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from consult.config import LANGUAGES
from consult.coordination import service
from consult.coordination.errors import CoordinationError
from consult.demo import load_demo
from consult.extensions import db
from consult.messages.texts import render
from consult.models import (
    Agency,
    Channel,
    Location,
    Message,
    MessageKind,
    Role,
    Topic,
    TourStop,
    Visit,
    localized,
    localized_text,
    today_in,
)
from tests import factories
from tests.support import Login, html_of

DIRECTIONS = {"de": "Straßenbahn 1 bis Alter Markt.", "ar": "الترام 1 حتى Alter Markt."}
PARKING_DE = "Parkhaus Allee-Center, 5 Minuten."  # German only: Arabic readers get it marked
ACCESS = {"de": "Eingang ohne Stufen.", "ar": "مدخل بدون درج."}
OPENING = {"de": "Die Türen öffnen um 8:30 Uhr.", "ar": "تُفتح الأبواب الساعة 8:30."}
BRING = {"de": "Pass und Aufenthaltstitel.", "ar": "جواز السفر وتصريح الإقامة."}
ABH = {"de": "Entscheidet über Visum und Aufenthalt.", "ar": "تقرر بشأن التأشيرة والإقامة."}
JOBCENTER_DE = "Zahlt Bürgergeld."


@dataclass(frozen=True)
class World:
    day: int
    location: int
    residence: int
    money: int
    abh: int
    reference: str


@pytest.fixture
def world(app: Flask, staff: factories.Team) -> World:
    """A day in Magdeburg whose place, topics and agencies say what people need to know."""
    with app.app_context():
        location = factories.create_location(
            name="Haus der Integration",
            directions=DIRECTIONS,
            parking={"de": PARKING_DE},
            accessibility_notes=ACCESS,
            opening=OPENING,
        )
        abh = factories.create_agency(name="Ausländerbehörde", description=ABH)
        jobcenter = factories.create_agency(name="Jobcenter", description={"de": JOBCENTER_DE})
        residence = factories.create_topic(
            [abh], names={"de": "Aufenthalt", "ar": "الإقامة"}, bring=BRING
        )
        money = factories.create_topic([jobcenter], names={"de": "Geld", "ar": "المال"})
        day = factories.create_day(location, date=today_in("Europe/Berlin") + timedelta(days=7))
        first = factories.create_session(day, abh, [residence], languages=("de", "ar"))
        factories.create_session(day, jobcenter, [money], starts=time(10), ends=time(11))
        staff.add("coordinator", Role.COORDINATOR)
        db.session.commit()
        visit = factories.create_visit(day, (first, 0), topic_ids=[residence.id], language="ar")
        return World(day.id, location.id, residence.id, money.id, abh.id, visit.reference)


def reader(app: Flask, language: str) -> FlaskClient:
    client = app.test_client()
    client.get(f"/lang/{language}")
    return client


def marked_german(text: str) -> str:
    return f'class="localized" lang="de" dir="auto">{text}'


# --- reading a text in the reader's language ------------------------------------------------


def test_a_text_is_read_in_the_readers_language_or_in_german_saying_so() -> None:
    texts = {"de": "Deutsch", "ar": "عربي", "en": ""}
    assert (localized_text(texts, "ar").text, localized_text(texts, "ar").fell_back) == (
        "عربي",
        False,
    )
    fallback = localized_text(texts, "en")
    assert (fallback.text, fallback.language, fallback.fell_back) == ("Deutsch", "de", True)
    assert not localized_text({}, "fa") and localized_text(None, "fa").text == ""
    # Names keep their older order: English before German.
    assert localized({"de": "Geld", "en": "Money"}, "tr") == "Money"


# --- what people see -------------------------------------------------------------------------


def test_an_arabic_visit_page_shows_arabic_texts_and_marks_the_german_one(
    app: Flask, world: World
) -> None:
    page = html_of(reader(app, "ar").get(f"/visit/{world.reference}"))
    for text in (DIRECTIONS["ar"], ACCESS["ar"], OPENING["ar"], BRING["ar"], ABH["ar"]):
        assert f">{text}<" in page, text
    assert marked_german(PARKING_DE) in page
    assert "(بالألمانية فقط)" in page  # "(only in German)"
    assert "ماذا تحضر معك" in page and "كيف تصل بالحافلة والقطار" in page
    # The German texts are not shown where the Arabic ones exist.
    assert DIRECTIONS["de"] not in page and BRING["de"] not in page
    # Each long part folds away on a small screen; the directions are open.
    assert re.search(r'<details class="practical-directions" open>', page)
    assert re.search(r'<details class="practical-parking">', page)


def test_a_cancelled_visit_no_longer_asks_to_bring_papers(app: Flask, world: World) -> None:
    client = reader(app, "ar")
    assert BRING["ar"] in html_of(client.get(f"/visit/{world.reference}"))
    client.post(f"/visit/{world.reference}/cancel")
    page = html_of(client.get(f"/visit/{world.reference}"))
    assert "هذه الزيارة ملغاة." in page  # "This visit is cancelled."
    assert BRING["ar"] not in page and DIRECTIONS["ar"] in page


def test_a_reader_whose_language_is_missing_sees_german_marked_as_german(
    app: Flask, world: World
) -> None:
    page = html_of(reader(app, "tr").get(f"/visit/{world.reference}"))
    assert marked_german(DIRECTIONS["de"]) in page
    assert marked_german(BRING["de"]) in page
    assert "(yalnızca Almanca)" in page
    german = html_of(reader(app, "de").get(f"/visit/{world.reference}"))
    assert f">{DIRECTIONS['de']}<" in german and 'lang="de" dir="auto"' not in german


def test_the_plans_page_says_what_to_bring_how_to_get_there_and_who_does_what(
    app: Flask, world: World
) -> None:
    client = reader(app, "ar")
    query = {"topic": [world.residence, world.money]}
    page = html_of(client.get(f"/day/{world.day}", query_string=query))
    assert f">{BRING['ar']}<" in page and f">{DIRECTIONS['ar']}<" in page
    assert f">{ABH['ar']}<" in page
    assert marked_german(JOBCENTER_DE) in page
    assert '<details class="agency"' in page and "من يفعل ماذا" in page  # "Who does what"
    assert marked_german(PARKING_DE) in page


def test_the_start_page_explains_the_agencies_of_the_next_days(app: Flask, world: World) -> None:
    page = html_of(reader(app, "ar").get("/"))
    who = page.split("من يفعل ماذا")[1]  # "Who does what", after the next days
    assert f">{ABH['ar']}<" in who and marked_german(JOBCENTER_DE) in who
    assert who.index("Ausländerbehörde") < who.index("Jobcenter")


def test_a_changed_text_shows_on_the_plans_page_at_once(
    app: Flask, world: World, login: Login
) -> None:
    client = reader(app, "de")
    url = f"/day/{world.day}?topic={world.residence}"
    assert BRING["de"] in html_of(client.get(url))
    with app.app_context():
        db.session.get(Topic, world.residence).bring = {"de": "Nur den Pass."}
        db.session.commit()
    page = html_of(client.get(url))
    assert "Nur den Pass." in page and BRING["de"] not in page


def test_the_confirmation_mail_says_where_how_to_get_there_and_what_to_bring(
    app: Flask, world: World
) -> None:
    with app.test_request_context(base_url="https://termine.example.org"):
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == world.reference))
        message = Message(kind=MessageKind.BOOKED, channel=Channel.EMAIL, language="ar", params={})
        rendered = render(message, visit, sender="consult@example.org")
    arabic, german = rendered.text.split("— Deutsch —")
    assert "Haus der Integration, Breiter Weg 1, 39104 Magdeburg" in arabic
    assert DIRECTIONS["ar"] in arabic
    assert "ماذا تحضر معك:" in arabic and f"- الإقامة: {BRING['ar']}" in arabic
    assert "Was Sie mitbringen sollen:" in german and f"- Aufenthalt: {BRING['de']}" in german
    assert f"{BRING['ar']}</" in rendered.html and f"{BRING['de']}</" in rendered.html
    # The SMS stays short: the link says the rest.
    assert BRING["ar"] not in rendered.sms and DIRECTIONS["ar"] not in rendered.sms


# --- coordinators write it -------------------------------------------------------------------

WORDS = {
    "de": "Deutsch",
    "en": "English",
    "ar": "عربي",
    "fa": "فارسی",
    "uk": "Українська",
    "ru": "Русский",
    "tr": "Türkçe",
}
KINDS = ("directions", "parking", "accessibility", "opening")


def location_form(**changes: str) -> dict[str, str]:
    form = {
        "name": "Haus der Integration",
        "street": "Breiter Weg 1",
        "postcode": "39104",
        "town": "Magdeburg",
        "latitude": "52.12",
        "longitude": "11.63",
        "timezone": "Europe/Berlin",
        "changeover_minutes": "5",
        "active": "y",
    }
    for kind in KINDS:
        form |= {f"{kind}_{code}": f"{kind} {word}" for code, word in WORDS.items()}
    return form | changes


def _location_texts(app: Flask, location_id: int) -> dict[str, object]:
    with app.app_context():
        location = db.session.get(Location, location_id)
        columns = ("name", "directions", "parking", "accessibility_notes", "opening")
        return {column: getattr(location, column) for column in columns}


def test_a_coordinator_saves_a_places_texts_in_all_seven_languages(
    app: Flask, world: World, login: Login
) -> None:
    coordinator = login("coordinator")
    url = f"/staff/coordination/locations/{world.location}"
    form_page = html_of(coordinator.get(url))
    assert re.search(r'<textarea dir="rtl" id="parking_fa" lang="fa"', form_page)
    response = coordinator.post(url, data=location_form())
    assert response.status_code == 302
    saved = _location_texts(app, world.location)
    for kind, column in service.LOCATION_PRACTICAL.items():
        assert saved[column] == {code: f"{kind} {word}" for code, word in WORDS.items()}
    assert "opening فارسی" in html_of(coordinator.get(url))


def test_an_over_long_text_is_refused_with_a_message_and_nothing_is_saved(
    app: Flask, world: World, login: Login
) -> None:
    coordinator = login("coordinator")
    before = _location_texts(app, world.location)
    url = f"/staff/coordination/locations/{world.location}"
    too_long = location_form(name="Neuer Name", parking_ar="ب" * 301)
    response = coordinator.post(url, data=too_long)
    assert response.status_code == 422
    assert "Please use at most 300 characters." in html_of(response)
    assert _location_texts(app, world.location) == before

    arabic = login("coordinator")
    arabic.get("/lang/ar")
    refused = arabic.post(url, data=too_long)
    assert refused.status_code == 422 and "300" in html_of(refused)
    assert "Please use at most" not in html_of(refused)  # the message is translated
    assert _location_texts(app, world.location) == before


def test_a_coordinator_describes_an_agency_and_says_what_to_bring_for_a_topic(
    app: Flask, world: World, login: Login
) -> None:
    coordinator = login("coordinator")
    agency_form = {"slug": "abh", "name": "Ausländerbehörde", "short_name": "ABH"}
    agency_form |= {"color": "#3b5b92"} | {
        f"description_{c}": f"Hilft {w}" for c, w in WORDS.items()
    }
    url = f"/staff/coordination/agencies/{world.abh}"
    assert coordinator.post(url, data=agency_form).status_code == 302

    topic_url = f"/staff/coordination/topics/{world.residence}"
    page = html_of(coordinator.get(topic_url))
    assert re.search(rf'name="bring_ar"[^>]*>\s*{re.escape(BRING["ar"])}</textarea>', page)
    topic_form = {f"name_{c}": f"Aufenthalt {w}" for c, w in WORDS.items()}
    topic_form |= {f"explanation_{c}": f"Erklärung {w}" for c, w in WORDS.items()}
    topic_form |= {f"bring_{c}": f"Pass {w}" for c, w in WORDS.items()}
    topic_form |= {"phase": "1", "default_minutes": "20", "agencies": [str(world.abh)]}
    topic_form |= {"active": "y"}
    assert coordinator.post(topic_url, data=topic_form).status_code == 302

    long_bring = topic_form | {"bring_uk": "x" * 401, "name_de": "Nicht gespeichert"}
    refused = coordinator.post(topic_url, data=long_bring)
    assert refused.status_code == 422 and "Please use at most 400 characters." in html_of(refused)
    long_description = agency_form | {"description_tr": "x" * 501, "name": "Nicht gespeichert"}
    refused = coordinator.post(url, data=long_description)
    assert refused.status_code == 422 and "Please use at most 500 characters." in html_of(refused)

    with app.app_context():
        agency = db.session.get(Agency, world.abh)
        topic = db.session.get(Topic, world.residence)
        assert agency.description == {c: f"Hilft {w}" for c, w in WORDS.items()}
        assert agency.name == "Ausländerbehörde"
        assert topic.bring == {c: f"Pass {w}" for c, w in WORDS.items()}
        assert topic.names["de"] == "Aufenthalt Deutsch"


def test_the_service_refuses_an_over_long_text_before_changing_anything(
    app: Flask, world: World
) -> None:
    with app.app_context():
        location = db.session.get(Location, world.location)
        fields = service.LocationFields(
            name="Neuer Name",
            street=location.street,
            postcode=location.postcode,
            town=location.town,
            latitude=location.latitude,
            longitude=location.longitude,
            timezone=location.timezone,
            changeover_minutes=location.changeover_minutes,
            practical={"opening": {"fa": "x" * 201}},
        )
        with pytest.raises(CoordinationError):
            service.save_location(location, fields)
        assert location.name == "Haus der Integration" and location.opening == OPENING


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_tells_every_place_agency_and_topic_in_all_seven_languages(app: Flask) -> None:
    with app.app_context():
        load_demo(history=0)
        locations = list(db.session.scalars(sa.select(Location)))
        stops = {stop.day.location.slug for stop in db.session.scalars(sa.select(TourStop))}
        assert {"zeitz", "weissenfels", "naumburg"} <= stops <= {loc.slug for loc in locations}
        for location in locations:
            for kind, column in service.LOCATION_PRACTICAL.items():
                texts = getattr(location, column)
                assert set(texts) == set(LANGUAGES), (location.slug, kind)
                assert all(len(t) <= service.PRACTICAL_LIMITS[kind] for t in texts.values())
        for agency in db.session.scalars(sa.select(Agency)):
            assert set(agency.description) == set(LANGUAGES), agency.slug
        for topic in db.session.scalars(sa.select(Topic)):
            assert set(topic.bring) == set(LANGUAGES), topic.slug
            assert all(len(t) <= service.PRACTICAL_LIMITS["bring"] for t in topic.bring.values())

        # Loading again keeps what a coordinator wrote.
        halle = db.session.scalar(sa.select(Location).where(Location.slug == "halle"))
        halle.parking = {"de": "Geändert."}
        db.session.commit()
        load_demo(history=0)
        assert halle.parking["de"] == "Geändert." and set(halle.parking) == set(LANGUAGES)
