"""Importing a calendar event at a place consult does not know yet: the new place is created."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from consult.coordination.service import LocationFields
from consult.extensions import db
from consult.models import ConsultationDay, Location, Tour, TourStop
from consult.tours.calendar_stops import (
    CalendarStop,
    CalendarStopError,
    PlaceDraft,
    StopOffer,
    import_stops,
    place_from_text,
)
from tests import factories, test_tours
from tests.support import count, html_of, text_of
from tests.test_tours import DAY, form_fields, make_tour, upload

# The tours' world, clock and signed-in advisor.
world = test_tours.world
advisor = test_tours.advisor
clock = test_tours.clock

TEUCHERN = "Rathaus\\, Markt 1\\, 06682 Teuchern"

# Two Tuesdays in Teuchern, a town consult has no place in yet.
CALENDAR = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//consult tests//EN
BEGIN:VEVENT
UID:teuchern-1@example.org
DTSTART;TZID=Europe/Berlin:20300312T090000
DTEND;TZID=Europe/Berlin:20300312T110000
SUMMARY:Sprechstunde Teuchern
LOCATION:{TEUCHERN}
RRULE:FREQ=WEEKLY;COUNT=2
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n")


def test_a_location_text_is_read_into_a_new_place() -> None:
    assert place_from_text("Rathaus, Markt 1, 06682 Teuchern", None, []) == PlaceDraft(
        name="Rathaus", street="Markt 1", postcode="06682", town="Teuchern"
    )
    assert place_from_text("Markt 1\n06682 Teuchern", (51.12, 12.02), []) == PlaceDraft(
        street="Markt 1", postcode="06682", town="Teuchern", latitude=51.12, longitude=12.02
    )
    assert place_from_text("Dorfgemeinschaftshaus, Droyßig", None, []) == PlaceDraft(
        name="Dorfgemeinschaftshaus", town="Droyßig"
    )
    assert place_from_text("", None, []) == PlaceDraft()


def test_a_new_place_in_a_known_town_gets_that_towns_coordinates(app, world) -> None:
    with app.app_context():
        known = db.session.scalars(sa.select(Location).order_by(Location.id)).all()
        draft = place_from_text("Bürgerhaus, Schulstraße 2, 06618 Naumburg", None, known)
        naumburg = next(place for place in known if place.town == "Naumburg")
        assert (draft.latitude, draft.longitude) == (naumburg.latitude, naumburg.longitude)
        assert place_from_text("Bürgerhaus, 06618 Nowhere", None, known).latitude is None


def preview(advisor, tour_id: int, calendar: str = CALENDAR):
    return form_fields(html_of(upload(advisor, tour_id, calendar.encode())), "/import/confirm")


def test_the_preview_offers_the_unknown_place_as_a_new_one(app, world, advisor) -> None:
    tour_id = make_tour(app, world)

    response = upload(advisor, tour_id, CALENDAR.encode())
    fields = form_fields(html_of(response), "/import/confirm")

    assert fields.get("events-0-location") == ""
    assert [fields.get(f"events-0-new_{name}") for name in ("name", "street", "postcode")] == [
        "Rathaus",
        "Markt 1",
        "06682",
    ]
    assert fields.get("events-0-new_town") == "Teuchern"
    # Teuchern is not known: its coordinates are asked for.
    assert fields.get("events-0-new_latitude") == ""
    assert "A new place from this event's location" in text_of(response)


def test_the_events_are_imported_at_one_new_place(app, world, advisor) -> None:
    tour_id = make_tour(app, world)
    fields = preview(advisor, tour_id)
    for index in (0, 1):
        fields[f"events-{index}-include"] = "y"
        fields[f"events-{index}-new_latitude"] = "51,1211"
        fields[f"events-{index}-new_longitude"] = "12.0219"
    before = count(app, Location)

    response = advisor.post(f"/staff/tours/{tour_id}/import/confirm", data=fields)

    assert response.status_code == 302
    assert "2 stops were created from the calendar as drafts." in text_of(
        advisor.get(response.location)
    )
    assert count(app, Location) == before + 1
    with app.app_context():
        stops = db.session.get(Tour, tour_id).stops
        places = {stop.day.location for stop in stops}
        assert len(places) == 1
        place = places.pop()
        assert (place.name, place.street, place.postcode, place.town) == (
            "Rathaus",
            "Markt 1",
            "06682",
            "Teuchern",
        )
        assert (place.latitude, place.longitude) == (51.1211, 12.0219)
        assert place.timezone == "Europe/Berlin" and place.active
        assert sorted(stop.day.date.isoformat() for stop in stops) == [
            DAY.isoformat(),
            "2030-03-19",
        ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "Please give the latitude."),
        ({"events-0-new_latitude": "91", "events-0-new_longitude": "12"}, "-90"),
        (
            {
                "events-0-new_latitude": "51.12",
                "events-0-new_longitude": "12.02",
                "events-0-new_town": "",
            },
            "Please give the town.",
        ),
        (
            # The second Tuesday overlaps a stop the advisor already has: nothing at all,
            # not even the new place, is written.
            {
                "events-0-new_latitude": "51.12",
                "events-0-new_longitude": "12.02",
                "events-1-include": "y",
                "events-1-location": "zeitz",
            },
            "This overlaps another stop of Mira Mobil",
        ),
    ],
)
def test_a_new_place_that_does_not_fit_creates_nothing(
    app, world, advisor, changes, message
) -> None:
    tour_id = make_tour(app, world)
    fields = preview(advisor, tour_id)
    fields["events-0-include"] = "y"
    if changes.get("events-1-location") == "zeitz":
        # A stop in Zeitz at the time of the second event, added by hand before.
        other = make_tour(app, world, "Another tour")
        advisor.post(
            f"/staff/tours/{other}/stops/new",
            data={
                "date": "2030-03-19",
                "location": str(world.places["zeitz"]),
                "starts": "09:00",
                "ends": "11:00",
                "slot_minutes": "30",
                "topics": [str(world.topics["counselling"])],
                "languages": ["de"],
            },
        )
        changes = {**changes, "events-1-location": ""}
        fields["events-1-new_latitude"] = "51.12"
        fields["events-1-new_longitude"] = "12.02"
    for name, value in changes.items():
        fields[name] = value
    places, days, stops = count(app, Location), count(app, ConsultationDay), count(app, TourStop)

    response = advisor.post(f"/staff/tours/{tour_id}/import/confirm", data=fields)

    assert response.status_code == 422
    assert message in text_of(response)
    assert (count(app, Location), count(app, ConsultationDay), count(app, TourStop)) == (
        places,
        days,
        stops,
    )
    with app.app_context():
        assert db.session.scalar(sa.select(Location).where(Location.town == "Teuchern")) is None


def test_a_town_with_two_known_places_gets_a_new_one_with_their_coordinates(app, world) -> None:
    with app.app_context():
        factories.create_location(name="Rathaus", town="Zeitz", latitude=51.05, longitude=12.14)
        db.session.commit()
        known = db.session.scalars(sa.select(Location).order_by(Location.id)).all()
        # Two places in Zeitz: the town alone does not say which, so a new one is offered,
        # with the coordinates of the first place there.
        draft = place_from_text("Bürgerhaus, Schulstraße 2, 06712 Zeitz", None, known)
        first = next(place for place in known if place.town == "Zeitz")
        assert draft.town == "Zeitz" and draft.latitude == first.latitude


def test_an_incomplete_new_place_is_refused_by_the_import_itself(app, world) -> None:
    tour_id = make_tour(app, world)
    place = LocationFields(
        name="Rathaus",
        street=" ",
        postcode="06682",
        town="Teuchern",
        latitude=51.12,
        longitude=12.02,
        timezone="Europe/Berlin",
        changeover_minutes=10,
    )
    event = CalendarStop(
        summary="Sprechstunde Teuchern",
        starts_dt=datetime(2030, 3, 12, 8, 0, tzinfo=UTC),
        ends_dt=datetime(2030, 3, 12, 10, 0, tzinfo=UTC),
        location_id=None,
        new_location=place,
    )
    offer = StopOffer(30, (world.topics["counselling"],), ("de",))
    with app.app_context():
        places = count(app, Location)
        with pytest.raises(CalendarStopError) as refused:
            import_stops(db.session.get(Tour, tour_id), [event], offer, now=test_tours.NOW)
        db.session.rollback()

    assert refused.value.message == (
        "Please give the name, street, postcode and town of the new place."
    )
    assert count(app, Location) == places
