"""Right after `make run` the demo's day today is alive, and staff read it in German and Arabic.

The front desk sees today's people, their tickets and the queue; the waiting-room display
shows tickets without names; the combined calendar flags who asked for an interpreter;
times read left to right in an Arabic page, and nothing is wider than a 375 px phone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from consult.demo_today import INTERPRETER_WISHED, QUEUED, TODAY_VISITS
from consult.extensions import db
from consult.models import ConsultationDay, DayKind, Location, Visit, today_in
from tests.browser.conftest import LiveServer, demo_server, signed_in

FRONT_DESK = "empfang.magdeburg@example.org"
COORDINATOR = "koordination@example.org"


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    """A demo loaded for this test: today's day is as busy as it was a moment ago."""
    with demo_server(database_url, fresh=True) as server:
        yield server


def _today(server: LiveServer) -> tuple[int, str, dict[str, int]]:
    """Today's Magdeburg day: its place, its date and each person's ticket."""
    with server.app.app_context():
        location = db.session.scalar(sa.select(Location).where(Location.slug == "magdeburg"))
        assert location is not None
        on = today_in(location.timezone)
        day = db.session.scalar(
            sa.select(ConsultationDay).where(
                ConsultationDay.location_id == location.id,
                ConsultationDay.kind == DayKind.JOINT,
                ConsultationDay.date == on,
            )
        )
        assert day is not None, "the demo has no joint day today"
        tickets = {
            v.name: v.ticket for v in db.session.scalars(sa.select(Visit).where(Visit.day == day))
        }
        db.session.remove()
        return location.id, on.isoformat(), tickets


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _times_read_left_to_right(page: Page) -> None:
    ranges = page.locator("bdi[dir=ltr]")
    assert ranges.count() > 0
    for index in range(min(ranges.count(), 5)):
        start, end = re.findall(r"\d{2}:\d{2}", ranges.nth(index).inner_text())
        assert start < end


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_front_desk_and_the_display_are_busy_today(
    browser: Browser, live_server: LiveServer, language: str
) -> None:
    location_id, on, tickets = _today(live_server)
    page = signed_in(browser, live_server, FRONT_DESK, language, width=375)
    page.goto(f"{live_server.url}/staff/desk/{location_id}/{on}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    for name, _language, _topics, _happens in TODAY_VISITS:
        expect(page.locator("main")).to_contain_text(name)
    queue = page.locator("main table").filter(has_text="Hassan")
    for name in (name for name, *_rest, happens in TODAY_VISITS if happens == QUEUED):
        expect(queue).to_contain_text(name)
        expect(queue).to_contain_text(str(tickets[name]))
    parisa = page.locator("tr").filter(has_text="Parisa").first
    expect(parisa).to_contain_text(live_server.text("interpreter", language))
    _times_read_left_to_right(page)
    assert _fits(page)

    page.goto(f"{live_server.url}/staff/desk/display/{location_id}")
    board = page.locator("main")
    for name, ticket in tickets.items():
        if ticket is not None:
            expect(board).to_contain_text(str(ticket))
        expect(board).not_to_contain_text(name)
    page.context.close()


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_combined_calendar_flags_the_interpreter_wish(
    browser: Browser, live_server: LiveServer, language: str
) -> None:
    location_id, on, _tickets = _today(live_server)
    page = signed_in(browser, live_server, COORDINATOR, language, width=375)
    page.goto(f"{live_server.url}/staff/calendar/day/{location_id}/{on}")
    flag = live_server.text("interpreter", language)
    for name in INTERPRETER_WISHED:
        expect(page.locator("main")).to_contain_text(name)
    wished = page.locator("li, td").filter(has_text=re.compile("|".join(INTERPRETER_WISHED)))
    expect(wished.last).to_contain_text(flag)
    others = page.locator("li, td").filter(has_text="Dmytro")
    expect(others.last).not_to_contain_text(flag)
    _times_read_left_to_right(page)
    assert _fits(page)
    page.context.close()
