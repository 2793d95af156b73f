"""A person who reads only Persian books two agencies that do not speak it, with a mediator."""

from __future__ import annotations

from babel import Locale
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_booking_journey import TOPIC_NAMES


def test_a_persian_reader_is_given_a_persian_speaking_mediator(
    page: Page, live_server: LiveServer
) -> None:
    text, lang = live_server.text, "fa"
    persian = Locale.parse("fa").get_display_name("fa")
    page.goto(f"{live_server.url}/lang/{lang}")
    # The Jobcenter and the employment agency: neither speaks Persian in the demo.
    page.get_by_label(TOPIC_NAMES["benefits"][lang]).check()
    page.get_by_label(TOPIC_NAMES["career"][lang]).check()
    page.get_by_label(text("Where?", lang)).select_option("Magdeburg")
    page.get_by_role("button", name=text("Find a day", lang)).click()

    # A day ahead, not today: the mediators are signed up for the morning of every day.
    page.get_by_role("link", name=text("See times", lang)).last.click()
    accompany = text(
        "A language mediator who speaks %(language)s will accompany you.", lang, language=persian
    )
    expect(page.locator("#mediator-notice")).to_have_text(accompany)
    first_plan = page.locator(".plan").first
    expect(first_plan).to_contain_text("Jobcenter")
    expect(first_plan).to_contain_text("Agentur für Arbeit")
    first_plan.get_by_role("button", name=text("Choose plan %(num)d", lang, num=1)).click()

    expect(page.locator("#mediator-notice")).to_have_text(accompany)
    page.get_by_label(text("Your name", lang)).fill("Parisa")
    page.get_by_role("button", name=text("Book this visit", lang)).click()

    expect(
        page.get_by_role("heading", level=1, name=text("Your visit is booked", lang))
    ).to_be_visible()
    expect(page.locator("#mediator")).to_have_text(
        text(
            "A language mediator who speaks %(language)s will accompany you: "
            "meet them at the front desk.",
            lang,
            language=persian,
        )
    )
