"""Staff pages on a 375 px phone, in German and in Arabic: nothing runs off the screen.

Wide tables scroll inside their own region (which takes keyboard focus); the page
itself never needs scrolling sideways.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from consult.extensions import db
from consult.models import ConsultationDay, Location, Tour, today_in
from tests.browser.conftest import LiveServer, signed_in

FRONT_DESK = "empfang.magdeburg@example.org"
MOBILE_ADVISOR = "mbe@example.org"


def _pages(server: LiveServer) -> dict[str, list[str]]:
    with server.app.app_context():
        location = db.session.scalar(sa.select(Location).where(Location.slug == "magdeburg"))
        day = db.session.scalar(
            sa.select(ConsultationDay)
            .where(ConsultationDay.location_id == location.id)
            .order_by(ConsultationDay.date)
            .limit(1)
        )
        tour = db.session.scalar(sa.select(Tour.id).limit(1))
        on = day.date.isoformat()
    return {
        FRONT_DESK: [
            f"/staff/desk/{location.id}/{on}",
            f"/staff/desk/{location.id}/{on}/walk-in",
            f"/staff/calendar/day/{location.id}/{on}",
        ],
        MOBILE_ADVISOR: ["/staff/tours/", f"/staff/tours/{tour}", "/staff/desk/my-day"],
    }


@pytest.mark.parametrize("language", ["de", "ar"])
def test_staff_pages_fit_a_phone_screen(
    browser: Browser, live_server: LiveServer, language: str
) -> None:
    for who, urls in _pages(live_server).items():
        page = signed_in(browser, live_server, who, language, width=375)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, url
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{url} in {language} is {width} px wide"
            regions = page.locator(".table-scroll")
            for index in range(regions.count()):
                assert regions.nth(index).get_attribute("tabindex") == "0", url
        page.context.close()


def _calendar(on: str) -> bytes:
    """One event at a place the demo does not know, so the preview offers a new place."""
    day = on.replace("-", "")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//consult tests//EN\r\n"
        "BEGIN:VEVENT\r\nUID:teuchern@example.org\r\n"
        f"DTSTART;TZID=Europe/Berlin:{day}T090000\r\nDTEND;TZID=Europe/Berlin:{day}T110000\r\n"
        "SUMMARY:Sprechstunde Teuchern\r\nLOCATION:Rathaus\\, Markt 1\\, 06682 Teuchern\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_import_preview_with_a_new_place_fits_a_phone_screen(
    browser: Browser, live_server: LiveServer, language: str
) -> None:
    with live_server.app.app_context():
        tour = db.session.scalar(sa.select(Tour.id).limit(1))
        on = (today_in(live_server.app.config["CONSULT_TIMEZONE"]) + timedelta(days=30)).isoformat()
    page = signed_in(browser, live_server, MOBILE_ADVISOR, language, width=375)
    page.goto(f"{live_server.url}/staff/tours/{tour}/import")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "tour.ics", "mimeType": "text/calendar", "buffer": _calendar(on)}]
    )
    page.locator("form[enctype] [type=submit]").click()

    # The new place's fields are open, prefilled from the event's location.
    expect(page.locator("input[name='events-0-new_town']")).to_have_value("Teuchern")
    expect(page.locator("input[name='events-0-new_street']")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the import preview in {language} is {width} px wide"
    regions = page.locator(".table-scroll")
    for index in range(regions.count()):
        assert regions.nth(index).get_attribute("tabindex") == "0"

    # Given its coordinates, the new place is created with the stop.
    page.locator("input[name='events-0-new_latitude']").fill("51.2008")
    page.locator("input[name='events-0-new_longitude']").fill("12.0233")
    page.locator("input[name='events-0-include']").check()
    page.locator("form:not([enctype]) [type=submit]").last.click()
    created = live_server.text("%(num)d stop was created from the calendar as a draft.", language)
    expect(page.get_by_role("status")).to_contain_text(created % {"num": 1})
    with live_server.app.app_context():
        place = db.session.scalar(sa.select(Location).where(Location.town == "Teuchern"))
        assert place is not None and (place.street, place.postcode) == ("Markt 1", "06682")
        db.session.remove()
    page.context.close()
