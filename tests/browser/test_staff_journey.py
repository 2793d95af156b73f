"""Staff at work on a demo joint day, using only what they see.

The front desk checks people in and registers a walk-in, an advisor writes a
case note and refers a person on, and the waiting-room display calls tickets
without names. The front desk works with "now": the clock is set to 08:30 on
the first demo joint day in Magdeburg after today (today's day is busy already, see
`consult.demo_today`; this journey starts on a day where nobody has arrived yet).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from playwright.sync_api import Browser, Page, expect

from consult import models
from consult.demo import DEMO_PASSWORD, DEMO_STAFF, JOINT_HOURS
from consult.extensions import db
from consult.models import ConsultationDay, DayKind, Location, today_in
from consult.slots import local_to_utc
from tests.browser.conftest import LiveServer

LANG = "de"  # the staff default
FRONT_DESK = "empfang.magdeburg@example.org"
ABH = "abh@example.org"  # Ausländerbehörde: Amina's first appointment on the first day
ABH_FIRST_ROOM = JOINT_HOURS["abh"][1][0]
STAFF_NAMES = {staff.email: staff.name for staff in DEMO_STAFF}


@dataclass(frozen=True)
class DeskDay:
    """The first demo joint day in Magdeburg after today, as staff see it."""

    location_id: int
    location: str  # as the front desk's location choice shows it
    date: date


@pytest.fixture
def desk_day(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> DeskDay:
    """The first Magdeburg joint day after today; "now" is 08:30 local time on it."""
    with live_server.app.app_context():
        location = db.session.scalar(sa.select(Location).where(Location.slug == "magdeburg"))
        assert location is not None
        day = db.session.scalar(
            sa.select(ConsultationDay)
            .where(
                ConsultationDay.location_id == location.id,
                ConsultationDay.kind == DayKind.JOINT,
                ConsultationDay.date > today_in(location.timezone),
            )
            .order_by(ConsultationDay.date)
            .limit(1)
        )
        assert day is not None
        found = DeskDay(location.id, f"{location.name}, {location.town}", day.date)
        morning = local_to_utc(day.date, time(8, 30), location.timezone)
        db.session.remove()
    # The server runs in a thread of this process: the front desk reads this clock.
    monkeypatch.setattr(models, "utcnow", lambda: morning)
    return found


@pytest.fixture
def other_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Another person's browser on a desktop screen, with its own sign-in."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page: Page, server: LiveServer, email: str) -> None:
    text = server.text
    page.goto(f"{server.url}/staff/login")
    page.get_by_label(text("E-mail address", LANG)).fill(email)
    page.get_by_label(text("Password", LANG)).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=text("Sign in", LANG)).click()
    hello = text("Hello, %(name)s", LANG, name=STAFF_NAMES[email])
    expect(page.get_by_role("heading", name=hello)).to_be_visible()


def open_front_desk(page: Page, server: LiveServer, day: DeskDay) -> None:
    """Signed in as the front desk, through the staff menu and the desk's location and date form."""
    sign_in(page, server, FRONT_DESK)
    text = server.text
    staff_menu = page.get_by_role("navigation", name=text("Staff", LANG))
    staff_menu.get_by_role("link", name=text("Front desk", LANG), exact=True).click()
    page.get_by_label(text("Location", LANG)).select_option(label=day.location)
    # The date field starts at today by the desk's clock: the demo day.
    expect(page.get_by_label(text("Date", LANG))).to_have_value(day.date.isoformat())
    page.get_by_role("button", name=text("Open the desk", LANG)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(day.location.split(",")[0])
    expect(page.get_by_role("heading", name=text("Arrivals", LANG))).to_be_visible()


def check_in(page: Page, server: LiveServer, name: str, ticket: int) -> None:
    text = server.text
    button = text("Check in %(name)s", LANG, name=name)
    page.get_by_role("button", name=button, exact=True).click()
    done = text("%(name)s is checked in. Ticket number %(ticket)d.", LANG, name=name, ticket=ticket)
    expect(page.get_by_role("status")).to_contain_text(done)


def open_my_day(page: Page, server: LiveServer, day: DeskDay) -> None:
    """Signed in as the ABH advisor, straight to their day."""
    sign_in(page, server, ABH)
    page.goto(f"{server.url}/staff/desk/my-day?date={day.date.isoformat()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(server.text("My day", LANG))


def test_front_desk_checks_in_a_booking_and_a_walk_in(
    page: Page, live_server: LiveServer, desk_day: DeskDay
) -> None:
    text = live_server.text
    open_front_desk(page, live_server, desk_day)
    arrivals = page.get_by_role("table", name=text("Arrivals", LANG))
    expect(arrivals).to_contain_text("Oleksandr")

    page.get_by_label(text("Reference, name or ticket", LANG)).fill("amina")
    page.get_by_role("button", name=text("Search", LANG), exact=True).click()
    expect(arrivals.get_by_role("row")).to_have_count(2)  # the header and Amina
    expect(arrivals).to_contain_text("Amina")
    expect(arrivals).not_to_contain_text("Oleksandr")

    check_in(page, live_server, "Amina", ticket=1)
    amina = arrivals.get_by_role("row").filter(has_text="Amina")
    expect(amina).to_contain_text(text("Ticket %(ticket)s", LANG, ticket=1))
    expect(amina.get_by_text(text("checked in", LANG), exact=True)).to_have_count(2)
    expect(
        page.get_by_role("button", name=text("Check in %(name)s", LANG, name="Amina"))
    ).to_have_count(0)

    page.get_by_role("link", name=text("Register a walk-in", LANG)).click()
    page.get_by_label(text("Name or nickname", LANG)).fill("Yusuf")
    page.get_by_label("Deutschkurs", exact=True).check()  # the topic's German name
    page.get_by_role("combobox", name=text("Language", LANG)).select_option(label="العربية")
    page.get_by_role("button", name=text("Find free times", LANG)).click()
    expect(page.get_by_role("heading", name=text("What today can offer", LANG))).to_be_visible()
    expect(page.get_by_text(text("These free times fit from now on:", LANG))).to_be_visible()
    offer = page.get_by_role("region", name=text("What today can offer", LANG))
    expect(offer.get_by_role("listitem")).to_have_count(1)  # one appointment covers the topic
    expect(offer.get_by_role("listitem")).to_contain_text("09:00")  # the first time after now
    page.get_by_role("button", name=text("Book and check in", LANG)).click()

    done = text(
        "%(name)s is booked and checked in. Ticket number %(ticket)d.",
        LANG,
        name="Yusuf",
        ticket=2,
    )
    expect(page.get_by_role("status")).to_contain_text(done)
    yusuf = arrivals.get_by_role("row").filter(has_text="Yusuf")
    expect(yusuf).to_contain_text(text("Ticket %(ticket)s", LANG, ticket=2))
    expect(yusuf).to_contain_text(text("walk-in", LANG))
    expect(yusuf.get_by_text(text("checked in", LANG), exact=True)).to_have_count(1)


def test_advisor_writes_a_case_note_and_refers_the_person_on(
    page: Page, live_server: LiveServer, desk_day: DeskDay
) -> None:
    text = live_server.text
    open_my_day(page, live_server, desk_day)
    session = page.get_by_role("region", name=desk_day.location)
    session.get_by_role("link", name="Amina").click()

    person = page.get_by_role("region", name=text("Person", LANG), exact=True)
    expect(person).to_contain_text("Amina")
    heading = page.get_by_role("heading", level=1)
    found = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", heading.inner_text())
    assert found is not None
    reference = found.group()
    expect(heading).to_contain_text(text("Visit %(reference)s", LANG, reference=reference))
    appointments = page.get_by_role("region", name=text("Appointments", LANG), exact=True)
    expect(appointments.get_by_role("listitem")).to_have_count(2)

    notes = page.get_by_role("region", name=text("Case notes", LANG), exact=True)
    expect(notes).to_contain_text(text("No notes you may read.", LANG))
    notes.get_by_label(text("New note", LANG)).fill("Fiktionsbescheinigung bis März verlängert.")
    notes.get_by_role("button", name=text("Save note", LANG)).click()
    expect(page.get_by_role("status")).to_contain_text(text("The note is saved.", LANG))
    expect(notes).to_contain_text("Fiktionsbescheinigung bis März verlängert.")
    expect(notes).to_contain_text(STAFF_NAMES[ABH])

    referral = page.get_by_role("region", name=text("Refer to another agency", LANG))
    mbe = "Migrationsberatung für Erwachsene"
    referral.get_by_label(text("Refer to", LANG), exact=True).select_option(label=mbe)
    handover = "Bitte beim Antrag auf Familiennachzug helfen."
    referral.get_by_label(text("Handover note for the receiving agency", LANG)).fill(handover)
    referral.get_by_role("button", name=text("Refer and book", LANG)).click()

    # Same day: the first free MBE time after Amina's last appointment (10:00) and the gap.
    booked = text(
        "Referred to %(agency)s: %(day)s at %(time)s (booking reference %(reference)s).",
        LANG,
        agency=mbe,
        day=format_date(desk_day.date, "medium", locale=LANG),
        time="10:20",
        reference=reference,
    )
    expect(page.get_by_role("status")).to_contain_text(booked)
    expect(appointments.get_by_role("listitem")).to_have_count(3)
    referred = appointments.get_by_role("listitem").filter(has_text=mbe)
    expect(referred).to_contain_text("10:20")
    expect(referred.get_by_text(text("booked", LANG), exact=True)).to_be_visible()
    handover_note = notes.get_by_role("listitem").filter(has_text=handover)
    expect(handover_note).to_contain_text(text("Handover", LANG))


def test_waiting_room_display_calls_the_ticket_without_the_name(
    page: Page,
    live_server: LiveServer,
    desk_day: DeskDay,
    other_page: Callable[[], Page],
) -> None:
    text = live_server.text
    open_front_desk(page, live_server, desk_day)
    check_in(page, live_server, "Amina", ticket=1)
    check_in(page, live_server, "Oleksandr", ticket=2)

    advisor = other_page()
    open_my_day(advisor, live_server, desk_day)
    session = advisor.get_by_role("region", name=desk_day.location)
    session.get_by_role("button", name=text("Call the next person", LANG)).click()
    called = text(
        "Ticket %(ticket)s is called to room %(room)s.", LANG, ticket="1", room=ABH_FIRST_ROOM
    )
    expect(advisor.get_by_role("status")).to_contain_text(called)
    amina = session.get_by_role("row").filter(has_text="Amina")
    expect(amina).to_contain_text(text("in consultation", LANG))

    page.get_by_role("link", name=text("Waiting-room display", LANG)).click()
    calls = page.get_by_role("region", name=text("Please go to", LANG))
    newest = calls.get_by_role("row").nth(1)
    expect(newest.get_by_role("cell")).to_have_text(["1", ABH_FIRST_ROOM])
    waiting = page.get_by_role("region", name=text("Waiting", LANG), exact=True)
    expect(waiting.get_by_text("2", exact=True)).to_be_visible()  # Oleksandr's ticket
    body = page.locator("body")
    for name in ("Amina", "Oleksandr"):
        expect(body).not_to_contain_text(name)
