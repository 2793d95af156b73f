"""The waiting list in the browser: a full day, a wish, a freed seat held and offered by
e-mail, the link books it, and nobody else was offered that time meanwhile."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import time, timedelta

import pytest
from playwright.sync_api import Page, expect

from consult import cancelling
from consult.database import atomic
from consult.extensions import db
from consult.itineraries import PlannedOpening
from consult.messages.delivery import Transports, deliver_due
from consult.messages.mail import MailSettings, SmtpTransport
from consult.models import utcnow
from consult.visits import BookingRequest, Contact, book_visit
from consult.waitlist import offer_freed_seats
from tests.browser.conftest import LiveServer
from tests.conftest import make_app
from tests.factories import create_agency, create_day, create_location, create_session, create_topic
from tests.servers import Server


@pytest.fixture
def full_day(database_url: str) -> Iterator[tuple[LiveServer, dict[str, int]]]:
    """A day next week in Zeitz with one Jobcenter desk for 09:00–10:00, fully booked."""
    app = make_app(database_url)
    with app.app_context(), atomic():
        agency = create_agency(name="Jobcenter")
        topic = create_topic([agency], names={"de": "Geld vom Jobcenter", "en": "Money"})
        day = create_day(create_location(town="Zeitz"), date=utcnow().date() + timedelta(days=7))
        session = create_session(day, agency, [topic], starts=time(9), ends=time(10), desks=1)
        db.session.flush()
        visits = [
            book_visit(
                BookingRequest(
                    day.id,
                    [PlannedOpening(session.id, (slot.id,))],
                    Contact(name=f"Booked {n}"),
                    [topic.id],
                )
            ).id
            for n, slot in enumerate(session.slots)
        ]
        ids = {"day": day.id, "topic": topic.id, "first_visit": visits[0]}
    server = LiveServer(app)
    app.config["CONSULT_BASE_URL"] = server.url
    server.thread.start()
    yield server, ids
    server.server.shutdown()
    server.thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_freed_seat_is_offered_by_mail_and_booked_from_the_link(
    browser, full_day, start_server: Callable[..., Server]
) -> None:
    server, ids = full_day
    smtp = start_server()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE")
    page: Page = context.new_page()
    page.set_default_timeout(15_000)
    plans_url = f"{server.url}/day/{ids['day']}?topic={ids['topic']}"

    # Reza finds the day full and joins the waiting list.
    page.goto(f"{server.url}/lang/de")
    page.goto(plans_url)
    expect(page.get_by_text(re.compile("Plan 1:"))).to_have_count(0)
    page.goto(f"{server.url}/waitlist")
    page.get_by_label("Geld vom Jobcenter").check()
    page.get_by_label(server.text("Your name", "de")).fill("Reza")
    page.get_by_label(server.text("E-mail address (optional)", "de")).fill("reza@example.org")
    page.get_by_role("button", name=server.text("Put me on the waiting list", "de")).click()

    # Someone cancels: the seat is held for Reza, and Olga, looking now, does not see it.
    with server.app.app_context(), atomic():
        visit = cancelling.cancel_visit(ids["first_visit"], "cancelled by the person")
        offer_freed_seats(visit.day)
    olga = context.new_page()
    olga.goto(plans_url)
    expect(olga.get_by_text(re.compile("Plan 1:"))).to_have_count(0)

    # The offer arrives by e-mail; its link opens the visit, where Reza books it.
    transports = Transports(
        mail=SmtpTransport(MailSettings.from_url(f"smtp://127.0.0.1:{smtp.port}"))
    )
    with server.app.app_context():
        deliver_due(transports)
    transports.close()
    (offer,) = smtp.inbox.received
    text = offer.message.get_body(("plain",)).get_content()
    link = re.search(rf"{re.escape(server.url)}/visit/[A-Z0-9-]+", text).group(0)
    page.goto(link)
    page.get_by_role("button", name=server.text("Yes, book this visit", "de")).click()
    panel = page.locator(".panel")
    expect(panel.get_by_role("heading", level=1)).to_have_text(
        server.text("Your visit is booked", "de")
    )
    expect(panel.locator(".reference")).to_have_text(link.rsplit("/", 1)[1])
    expect(
        page.get_by_role("button", name=server.text("Yes, book this visit", "de"))
    ).to_have_count(0)
    context.close()
