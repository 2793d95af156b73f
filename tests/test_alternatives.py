"""No fitting day in the chosen town: the nearest other towns' days, then the waiting list."""

from __future__ import annotations

import html
import re
from datetime import time, timedelta

import pytest
from flask import Flask

from consult.extensions import db
from consult.itineraries import PlannedOpening
from consult.models import DayKind, Session, today_in
from consult.visits import BookingRequest, Contact, book_visit
from tests.factories import create_agency, create_day, create_location, create_session, create_topic


@pytest.fixture
def towns(app: Flask) -> dict[str, int]:
    """Zeitz has no Jobcenter; Weißenfels (near) and Magdeburg (far) have; Halle is full."""
    with app.app_context():
        abh = create_agency(name="Ausländerbehörde")
        jobcenter = create_agency(name="Jobcenter")
        ihk = create_agency(name="IHK")
        residence = create_topic([abh], names={"en": "Residence permit", "de": "Aufenthalt"})
        money = create_topic([jobcenter], names={"en": "Money", "de": "Geld"})
        career = create_topic([ihk], names={"en": "Career", "de": "Karriere"})
        nobody = create_topic([], names={"en": "Nobody here", "de": "Niemand"})
        zeitz = create_location(town="Zeitz", latitude=51.0478, longitude=12.1383)
        weissenfels = create_location(town="Weißenfels", latitude=51.2, longitude=11.97)
        halle = create_location(town="Halle (Saale)", latitude=51.48, longitude=11.97)
        magdeburg = create_location(town="Magdeburg", latitude=52.12, longitude=11.63)
        today = today_in("Europe/Berlin")
        create_session(create_day(zeitz, date=today + timedelta(days=3)), abh, [residence])
        # Magdeburg is listed first by date, Weißenfels is nearer: distance decides.
        for n in (4, 11, 18, 25):
            day = create_day(magdeburg, date=today + timedelta(days=n))
            create_session(day, jobcenter, [money])
        stop = create_day(weissenfels, date=today + timedelta(days=9), kind=DayKind.MOBILE)
        create_session(stop, jobcenter, [money])
        # Halle offers the topic, but its one slot is taken (below).
        full = create_session(create_day(halle, date=today + timedelta(days=6)), jobcenter, [money],
                              ends=time(9, 20))  # fmt: skip
        create_session(create_day(magdeburg, date=today + timedelta(days=30)), ihk, [career])
        db.session.commit()
        ids = {"residence": residence.id, "money": money.id, "career": career.id}
        ids |= {"nobody": nobody.id, "full_session": full.id}
        return ids


def _main(page: str) -> str:
    return page[page.index("<main") :]


def test_no_day_in_the_town_lists_the_nearest_towns_days_then_the_waiting_list(
    app, client, towns
) -> None:
    with app.app_context():
        # Halle's one free slot is taken: the town offers the topic but has no free time.
        session = db.session.get(Session, towns["full_session"])
        book_visit(
            BookingRequest(
                session.day_id,
                [PlannedOpening(session.id, (session.slots[0].id,))],
                Contact(name="Omar"),
                [towns["money"]],
            )
        )
        db.session.commit()
    client.get("/lang/en")
    query = {"topic": towns["money"], "town": "Zeitz", "speak": "ar"}
    page = _main(client.get("/find", query_string=query).get_data(as_text=True))
    assert "No day in the next weeks can take you for everything you need." in page
    assert "Days in other towns nearby" in page
    weissenfels, magdeburg = page.index(">Weißenfels <"), page.index(">Magdeburg <")
    assert weissenfels < magdeburg  # nearest first
    assert ">Halle (Saale) <" not in page  # no free time there
    assert "Mobile advice" in page[weissenfels:magdeburg]
    # A few dates per town, not all of them.
    assert page[magdeburg:].count('class="card"') == 3
    waiting = page.index('name="name"')
    assert magdeburg < waiting and "Or join the waiting list for Zeitz" in page
    links = [html.unescape(h) for h in re.findall(r'href="(/day/\d+\?[^"]+)"', page)]
    assert len(links) == 4
    for link in links:
        assert f"topic={towns['money']}" in link and "speak=ar" in link
        response = client.get(link)
        assert response.status_code == 200
        assert 'name="plan"' in response.get_data(as_text=True)


def test_topics_that_no_day_offers_are_named(client, towns) -> None:
    client.get("/lang/en")
    query = {"topic": [towns["money"], towns["nobody"]], "town": "Zeitz"}
    page = _main(client.get("/find", query_string=query).get_data(as_text=True))
    assert "No day in the next weeks offers: Nobody here." in page
    assert "Days in other towns nearby" not in page
    assert 'name="name"' in page  # the waiting list


def test_topics_offered_only_apart_are_named_with_a_search_for_each(client, towns) -> None:
    client.get("/lang/en")
    query = {"topic": [towns["residence"], towns["career"]], "town": "Zeitz"}
    page = _main(client.get("/find", query_string=query).get_data(as_text=True))
    assert (
        "No day in the next weeks offers all of these together: Residence permit, Career." in page
    )
    for topic in ("residence", "career"):
        link = html.unescape(
            re.search(rf'href="(/find\?topic={towns[topic]}&[^"]+)"', page).group(1)
        )
        found = client.get(link).get_data(as_text=True)
        assert "See times" in found
