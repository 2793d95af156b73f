"""Every page passes axe-core's WCAG 2.0/2.1 A and AA rules and its best practices.

Public pages in all seven languages on a 320 px phone (the start page and the booking
form also without JavaScript); staff pages in German and Arabic. A failure lists each
violation with the page it was found on, so that it can be fixed where it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from consult.config import LANGUAGES
from consult.demo import DEMO_PASSWORD, TOPICS
from consult.extensions import db
from consult.models import (
    Agency,
    Client,
    ConsultationDay,
    Location,
    Session,
    StaffUser,
    Topic,
    Tour,
    Visit,
)
from consult.waitlist import offer_freed_seats
from tests.browser.conftest import LiveServer, demo_server, signed_in
from tests.conftest import BACKENDS

# axe-core's rules for WCAG 2.0 and 2.1, levels A and AA, and its best practices; no rule
# is left out.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
AXE = Axe()
PHONE_WIDTH = 320
ADMIN = "admin@example.org"
MOBILE_ADVISOR = "mbe@example.org"
RESIDENCE_ADVISOR = "abh@example.org"  # sees Amina's visit
TOPIC_NAMES = {slug: {lang: text[0] for lang, text in texts.items()} for slug, *_, texts in TOPICS}


@dataclass(frozen=True)
class World:
    """The demo, and the ids of what the pages under test show."""

    server: LiveServer
    offer_reference: str  # a visit held for a person from the waiting list
    benefits_topic: int  # served by the Jobcenter alone, which never goes to Zeitz
    location: int  # Magdeburg
    on: str  # Magdeburg's first day
    day: int
    agency: int  # the Jobcenter
    absent_agency: int  # the JMD, which is not on Magdeburg's days
    session: int  # the Jobcenter's hours on Magdeburg's first day
    visit: int  # Amina's visit
    appointment: int
    client: int | None
    tour: int
    stop: int
    topic: int
    staff: int


# One database for the module: axe reads the rendered pages, which come from the same
# templates on either; PostgreSQL, the production database, when it is there. Every other
# test runs on both.
@pytest.fixture(scope="module", params=BACKENDS[-1:])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One demo for the module on each database, with a seat offered from the waiting list."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('axe')}/consult.sqlite3"
    else:
        url = request.getfixturevalue("postgres_schema")
    with demo_server(url) as server:
        with server.app.app_context():
            world = _world(server)
        yield world


def _world(server: LiveServer) -> World:
    def one(query: sa.Select) -> object:
        return db.session.scalars(query.limit(1)).first()

    zeitz = one(
        sa.select(ConsultationDay)
        .join(Location)
        .where(Location.slug == "zeitz")
        .order_by(ConsultationDay.date)
    )
    # Mehmet waits for advice in Zeitz: he is offered the free time of its tour stop.
    assert offer_freed_seats(zeitz), "nobody on the waiting list could be offered a seat"
    db.session.commit()
    offer = one(sa.select(Visit).where(Visit.offer_expires_dt.is_not(None)))
    magdeburg = one(sa.select(Location).where(Location.slug == "magdeburg"))
    day = one(
        sa.select(ConsultationDay)
        .where(ConsultationDay.location_id == magdeburg.id)
        .order_by(ConsultationDay.date)
    )
    jobcenter = one(sa.select(Agency).where(Agency.slug == "jobcenter"))
    amina = one(sa.select(Visit).where(Visit.name == "Amina"))
    tour = one(sa.select(Tour))
    client = one(sa.select(Client.id))
    world = World(
        server=server,
        offer_reference=offer.reference,
        benefits_topic=one(sa.select(Topic.id).where(Topic.slug == "benefits")),
        location=magdeburg.id,
        on=day.date.isoformat(),
        day=day.id,
        agency=jobcenter.id,
        absent_agency=one(sa.select(Agency.id).where(Agency.slug == "jmd")),
        session=one(
            sa.select(Session.id).where(Session.day_id == day.id, Session.agency_id == jobcenter.id)
        ),
        visit=amina.id,
        appointment=amina.appointments[0].id,
        client=client,
        tour=tour.id,
        stop=tour.stops[0].id,
        topic=one(sa.select(Topic.id)),
        staff=one(sa.select(StaffUser.id).where(StaffUser.email == MOBILE_ADVISOR)),
    )
    return world


class Audit:
    """Runs axe on each page it is shown and keeps what it found."""

    def __init__(self, server: LiveServer, page: Page, language: str) -> None:
        self.server = server
        self.page = page
        self.language = language
        self.found: list[str] = []

    def check(self, what: str) -> None:
        results = AXE.run(self.page, options=AXE_OPTIONS).response
        path = self.page.url.removeprefix(self.server.url)
        for violation in results["violations"]:
            targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
            more = len(violation["nodes"]) - len(targets)
            self.found.append(
                f"[{self.language}] {what} ({path}): {violation['id']} ({violation['impact']})"
                f" {violation['help']} -> {targets}{f' and {more} more' if more > 0 else ''}"
            )

    def visit(self, what: str, path: str, status: int = 200) -> None:
        response = self.page.goto(f"{self.server.url}{path}")
        assert response is not None and response.status == status, f"{path}: {response.status}"
        self.check(what)

    def assert_clean(self) -> None:
        assert not self.found, "accessibility violations:\n" + "\n".join(self.found)


def _phone(browser: Browser, javascript: bool = True) -> Page:
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 700})
    if not javascript:
        # The pages' scripts are all files of their own, so refusing them is a browser
        # without JavaScript for the page; axe itself still runs, which it cannot in a
        # context with scripting switched off (its timers never fire there).
        context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def _book(page: Page, server: LiveServer, lang: str, audit: Audit) -> None:
    """From the start page to a booking form with errors, checking each page on the way."""
    text = server.text
    page.goto(f"{server.url}/lang/{lang}")
    audit.check("start page")
    page.get_by_label(TOPIC_NAMES["residence"][lang]).check()
    page.get_by_label(TOPIC_NAMES["benefits"][lang]).check()
    page.get_by_label(text("Where?", lang)).select_option("Magdeburg")
    page.get_by_role("button", name=text("Find a day", lang)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text("Days that fit", lang))
    audit.check("days that fit")
    page.get_by_role("link", name=text("See times", lang)).first.click()
    expect(page.get_by_role("heading", name=text("Choose your times", lang))).to_be_visible()
    audit.check("a day's plans")
    page.get_by_role("button", name=text("Choose plan %(num)d", lang, num=1)).first.click()
    expect(page.get_by_label(text("Your name", lang))).to_be_visible()
    audit.check("booking form")
    page.get_by_label(text("Phone number (optional)", lang)).fill("12")
    page.get_by_role("button", name=text("Book this visit", lang)).click()
    expect(page.locator(".field-error").first).to_be_visible()
    audit.check("booking form with errors")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_pass_axe_on_a_phone(browser: Browser, world: World, lang: str) -> None:
    server, text = world.server, world.server.text
    page = _phone(browser)
    audit = Audit(world.server, page, lang)
    _book(page, server, lang, audit)

    page.get_by_label(text("Your name", lang)).fill("Amina")
    page.get_by_label(text("Phone number (optional)", lang)).fill("+49 151 23456789")
    page.get_by_role("button", name=text("Book this visit", lang)).click()
    expect(page.locator(".reference")).to_be_visible()
    audit.check("visit just booked")
    page.get_by_role("button", name=text("No more messages", lang)).click()
    expect(page.get_by_role("button", name=text("Send me messages again", lang))).to_be_visible()
    audit.check("visit without messages")
    page.get_by_role("button", name=text("Allow the advisors to talk to each other", lang)).click()
    expect(page.get_by_role("button", name=text("Withdraw my consent", lang))).to_be_visible()
    page.get_by_role("link", name=text("Move my visit to another day or time", lang)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text("Days that fit", lang))
    audit.check("moving a visit")
    page.go_back()
    page.get_by_role("link", name=text("Cancel my whole visit", lang)).click()
    audit.check("asked before cancelling")
    page.get_by_role("button", name=text("Yes, cancel my visit", lang)).click()
    expect(page.get_by_text(text("This visit is cancelled.", lang))).to_be_visible()
    audit.check("cancelled visit")

    audit.visit("visit held from the waiting list", f"/visit/{world.offer_reference}")
    audit.visit("no day fits", f"/find?topic={world.benefits_topic}&town=Zeitz")
    audit.visit("a search that cannot be read", "/find?arrive=soon", status=400)
    audit.visit("find your visit", "/manage")
    page.get_by_label(text("Booking reference", lang)).fill("AAAA-BBBB-CCCC")
    page.locator("main form [type=submit]").click()
    expect(page.locator(".field-error")).to_be_visible()
    audit.check("find your visit, not found")
    audit.visit("waiting list", "/waitlist")
    page.locator("main form [type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()
    audit.check("waiting list with errors")
    audit.visit("page not found", "/no-such-page", status=404)
    audit.visit("staff sign-in", "/staff/login")
    page.context.close()
    audit.assert_clean()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_forms_pass_axe_without_javascript(
    browser: Browser, world: World, lang: str
) -> None:
    page = _phone(browser, javascript=False)
    audit = Audit(world.server, page, lang)
    _book(page, world.server, lang, audit)
    page.context.close()
    audit.assert_clean()


def _staff_pages(world: World) -> list[tuple[str, str, str]]:
    """(who, what, path) of each staff page."""
    w = world
    desk = f"/staff/desk/{w.location}/{w.on}"
    tour = f"/staff/tours/{w.tour}"
    pages = [
        (ADMIN, "staff start", "/staff/"),
        (ADMIN, "front desk", "/staff/desk/"),
        (ADMIN, "a day's desk", desk),
        (ADMIN, "walk-in", f"{desk}/walk-in"),
        (ADMIN, "move an appointment", f"/staff/desk/appointment/{w.appointment}/move"),
        (ADMIN, "queue display", f"/staff/desk/display/{w.location}"),
        (MOBILE_ADVISOR, "my day", "/staff/desk/my-day"),
        (ADMIN, "calendar", "/staff/calendar/"),
        (ADMIN, "calendar day", f"/staff/calendar/day/{w.location}/{w.on}"),
        (ADMIN, "calendar week of a place", f"/staff/calendar/week/location/{w.location}"),
        (ADMIN, "calendar week of an agency", f"/staff/calendar/week/agency/{w.agency}"),
        (RESIDENCE_ADVISOR, "notes of a visit", f"/staff/notes/visit/{w.visit}"),
        (ADMIN, "audit log", "/staff/notes/audit"),
        (ADMIN, "consultation hours", "/staff/hours/"),
        (ADMIN, "new hours", f"/staff/hours/day/{w.day}/agency/{w.absent_agency}/new"),
        (ADMIN, "hours of a session", f"/staff/hours/session/{w.session}"),
        (ADMIN, "withdraw hours", f"/staff/hours/session/{w.session}/withdraw"),
        (MOBILE_ADVISOR, "tours", "/staff/tours/"),
        (MOBILE_ADVISOR, "a tour", tour),
        (MOBILE_ADVISOR, "new tour stop", f"{tour}/stops/new"),
        (MOBILE_ADVISOR, "tour import", f"{tour}/import"),
        (MOBILE_ADVISOR, "move a tour stop", f"{tour}/stops/{w.stop}/move"),
        (MOBILE_ADVISOR, "cancel a tour stop", f"{tour}/stops/{w.stop}/cancel"),
        (ADMIN, "calendar feed", "/staff/feed"),
        (ADMIN, "waiting list", "/staff/waitlist"),
        (ADMIN, "messages", "/staff/outbox"),
        (ADMIN, "coordination", "/staff/coordination/"),
        (ADMIN, "days", "/staff/coordination/days"),
        (ADMIN, "new day", "/staff/coordination/days/new"),
        (ADMIN, "a day", f"/staff/coordination/days/{w.day}"),
        (ADMIN, "cancel a day", f"/staff/coordination/days/{w.day}/cancel"),
        (ADMIN, "places", "/staff/coordination/locations"),
        (ADMIN, "new place", "/staff/coordination/locations/new"),
        (ADMIN, "a place", f"/staff/coordination/locations/{w.location}"),
        (ADMIN, "agencies", "/staff/coordination/agencies"),
        (ADMIN, "new agency", "/staff/coordination/agencies/new"),
        (ADMIN, "an agency", f"/staff/coordination/agencies/{w.agency}"),
        (ADMIN, "topics", "/staff/coordination/topics"),
        (ADMIN, "new topic", "/staff/coordination/topics/new"),
        (ADMIN, "a topic", f"/staff/coordination/topics/{w.topic}"),
        (ADMIN, "staff", "/staff/coordination/staff"),
        (ADMIN, "new staff member", "/staff/coordination/staff/new"),
        (ADMIN, "a staff member", f"/staff/coordination/staff/{w.staff}"),
        (ADMIN, "statistics", "/staff/statistics/"),
        ("soraya@example.org", "visits a mediator accompanies", "/staff/mediator/"),
        ("soraya@example.org", "days a mediator signs up for", "/staff/mediator/sign-up"),
    ]
    if w.client is not None:
        pages.append((RESIDENCE_ADVISOR, "notes of a client", f"/staff/notes/client/{w.client}"))
    return pages


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_staff_pages_pass_axe(browser: Browser, world: World, lang: str) -> None:
    server = world.server
    page = _phone(browser)
    audit = Audit(world.server, page, lang)
    page.goto(f"{server.url}/lang/{lang}")
    audit.visit("sign-in", "/staff/login")
    page.locator("input[name=email]").fill(ADMIN)
    page.locator("input[name=password]").fill(DEMO_PASSWORD + "-wrong")
    page.locator("main form [type=submit]").click()
    audit.check("sign-in refused")
    page.context.close()

    signed: dict[str, Page] = {}
    for who, what, path in _staff_pages(world):
        if who not in signed:
            signed[who] = signed_in(browser, server, who, lang, width=PHONE_WIDTH)
        audit.page = signed[who]
        audit.visit(what, path)
    for each in signed.values():
        each.context.close()
    audit.assert_clean()


def test_the_waiting_room_screen_updates_in_place(browser: Browser, world: World) -> None:
    """No timed reload (axe's meta-refresh rule): the board is fetched and swapped in."""
    page = signed_in(browser, world.server, ADMIN, "de")
    display = f"{world.server.url}/staff/desk/display/{world.location}"
    page.clock.install()  # the screen's timer runs on a clock the test moves on
    page.goto(display)
    board = page.locator("[data-board=called]")
    current = board.inner_html()
    page.evaluate("window.stillTheSamePage = true")
    board.evaluate("element => { element.innerHTML = '<tr><td>old</td><td>old</td></tr>' }")
    with page.expect_response(display, timeout=15_000):
        page.clock.fast_forward(10_500)
    expect(board).not_to_contain_text("old")
    assert board.inner_html() == current
    assert page.evaluate("window.stillTheSamePage") is True
    page.context.close()
