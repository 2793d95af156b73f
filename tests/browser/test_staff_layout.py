"""Staff pages on a 375 px phone, in German and in Arabic: nothing runs off the screen.

Wide tables scroll inside their own region (which takes keyboard focus); the page
itself never needs scrolling sideways.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser

from consult.extensions import db
from consult.models import ConsultationDay, Location, Tour
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
