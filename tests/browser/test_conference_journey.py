"""An advisor arranges a case conference on a joint day; the other agency's advisor has it
in their calendar feed, as "case conference" and a room, without the person's name."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from consult.extensions import db
from consult.models import ConsultationDay, Visit
from tests.browser.conftest import LiveServer, signed_in
from tests.browser.test_accessibility import AXE, AXE_OPTIONS

JOBCENTER = "jobcenter@example.org"
ABH = "abh@example.org"
PERSON = "Amina"  # on the first Magdeburg joint day, with the Jobcenter and the ABH


def violations(page: Page) -> list[str]:
    """What axe-core finds on the page, by rule (the rules of the accessibility tests)."""
    found = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return [f"{page.url}: {v['id']} {[n['target'] for n in v['nodes'][:3]]}" for v in found]


def test_an_advisor_arranges_a_conference_the_other_agency_sees_it_in_its_feed(
    browser: Browser, live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        visit_id = db.session.scalar(
            sa.select(Visit.id)
            .join(ConsultationDay, ConsultationDay.id == Visit.day_id)
            .where(Visit.name == PERSON)
            .order_by(ConsultationDay.date)
            .limit(1)
        )
    page = signed_in(browser, live_server, JOBCENTER, "en", width=1024)
    page.goto(f"{live_server.url}/staff/notes/visit/{visit_id}")
    page.get_by_role("link", name="Propose a case conference").click()
    problems = violations(page)
    page.get_by_label("Ausländerbehörde").check()
    page.get_by_label("On the joint day of this visit, at free desks").check()
    page.get_by_label("45 minutes").check()
    page.get_by_role("button", name="Find times").click()

    # The question in the person's language (Arabic), then the tick and a time.
    expect(page.locator("#conference-question")).to_have_attribute("lang", "ar")
    problems += violations(page)
    first = page.locator("input[name=start]").first
    expect(first).to_be_checked()
    chosen = page.locator("label[for=start-0]").inner_text()
    room = re.search(r"Room (\S+)", chosen)
    assert room is not None, chosen
    page.get_by_label("The person agreed").check()
    page.get_by_role("button", name="Arrange the case conference").click()

    expect(page.locator("#conference-facts")).to_contain_text(f"Room {room.group(1)}")
    conference_id = page.url.rstrip("/").rsplit("/", 1)[1]
    problems += violations(page)
    assert problems == []

    other = signed_in(browser, live_server, ABH, "en", width=1024)
    other.goto(f"{live_server.url}/staff/feed")
    feed_url = other.locator("#feed-https").input_value()
    feed = other.request.get(feed_url).text()
    event = feed.split(f"UID:conference-{conference_id}@", 1)[1].split("END:VEVENT", 1)[0]
    assert re.search(r"SUMMARY:(Case conference|Fallkonferenz)", event)
    assert room.group(1) in event
    assert PERSON not in event
    page.context.close()
    other.context.close()
