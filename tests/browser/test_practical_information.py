"""An Arabic reader on a 320 px phone finds how to get there and what to bring."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from consult.demo_information import BRING, PLACES
from consult.extensions import db
from consult.models import Visit
from tests.browser.conftest import LiveServer


def _overflows(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_an_arabic_reader_sees_directions_and_what_to_bring_on_a_small_phone(
    browser, live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.name == "Amina"))
        reference, topics = visit.reference, [t.slug for t in visit.topics]
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/lang/ar")
        page.goto(f"{live_server.url}/visit/{reference}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")

        text = live_server.text
        expect(page.get_by_role("heading", name=text("What to bring", "ar"))).to_be_visible()
        for slug in topics:
            expect(page.get_by_text(BRING[slug]["ar"], exact=True)).to_be_visible()
        directions = page.get_by_text(PLACES["magdeburg"]["directions"]["ar"], exact=True)
        expect(directions).to_be_visible()
        assert not _overflows(page)

        # The folded parts open on a tap and still fit.
        parking = page.locator("details.practical-parking")
        parking.locator("summary").click()
        expect(page.get_by_text(PLACES["magdeburg"]["parking"]["ar"], exact=True)).to_be_visible()
        for agency in page.locator("details.agency summary").all():
            agency.click()
        assert not _overflows(page)
    finally:
        context.close()
