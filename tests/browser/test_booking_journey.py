"""A person books a visit with two agencies and cancels it, using only what they see."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from consult.demo import TOPICS
from tests.browser.conftest import LiveServer

TOPIC_NAMES = {slug: {lang: text[0] for lang, text in texts.items()} for slug, *_, texts in TOPICS}


def choose_topics_and_town(page: Page, server: LiveServer, lang: str) -> None:
    page.goto(f"{server.url}/lang/{lang}")
    page.get_by_label(TOPIC_NAMES["residence"][lang]).check()
    page.get_by_label(TOPIC_NAMES["benefits"][lang]).check()
    page.get_by_label(server.text("Where?", lang)).select_option("Magdeburg")
    page.get_by_role("button", name=server.text("Find a day", lang)).click()


@pytest.mark.parametrize(("lang", "direction"), [("de", "ltr"), ("ar", "rtl")])
def test_book_two_agencies_in_one_visit_and_cancel(
    page: Page, live_server: LiveServer, lang: str, direction: str
) -> None:
    text = live_server.text
    choose_topics_and_town(page, live_server, lang)
    expect(page.locator("html")).to_have_attribute("dir", direction)
    expect(page.locator("html")).to_have_attribute("lang", lang)

    page.get_by_role("link", name=text("See times", lang)).first.click()
    expect(page.get_by_role("heading", name=text("Choose your times", lang))).to_be_visible()
    first_plan = page.locator(".plan").first
    expect(first_plan).to_contain_text("Ausländerbehörde")
    expect(first_plan).to_contain_text("Jobcenter")
    first_plan.get_by_role("button", name=text("Choose plan %(num)d", lang, num=1)).click()

    page.get_by_label(text("Your name", lang)).fill("Amina")
    page.get_by_label(text("Yes", lang), exact=True).check()
    page.get_by_role("button", name=text("Book this visit", lang)).click()

    expect(
        page.get_by_text(text("Your visit is booked. Please keep your booking reference.", lang))
    ).to_be_visible()
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    expect(page.locator(".timeline").first.locator("li")).to_have_count(2)
    if lang != "de":
        expect(page.get_by_role("heading", name="Ihre Termine (Deutsch)")).to_be_visible()

    page.get_by_role("button", name=text("Cancel my whole visit", lang)).click()
    expect(
        page.get_by_text(text("Your visit is cancelled. Thank you for letting us know.", lang))
    ).to_be_visible()
    expect(page.get_by_text(text("This visit is cancelled.", lang))).to_be_visible()


def tab_to(page: Page, target: Locator, limit: int = 120) -> None:
    """Press Tab until `target` has the keyboard focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {target} with the Tab key")


def test_book_with_the_keyboard_alone(page: Page, live_server: LiveServer) -> None:
    text = live_server.text
    page.goto(f"{live_server.url}/lang/de")
    for slug in ("residence", "benefits"):
        tab_to(page, page.get_by_label(TOPIC_NAMES[slug]["de"]))
        page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name=text("Find a day", "de")))
    page.keyboard.press("Enter")

    tab_to(page, page.get_by_role("link", name=text("See times", "de")).first)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name=text("Choose plan %(num)d", "de", num=1)))
    page.keyboard.press("Enter")

    tab_to(page, page.get_by_label(text("Your name", "de")))
    page.keyboard.type("Tastatur")
    tab_to(page, page.get_by_role("button", name=text("Book this visit", "de")))
    page.keyboard.press("Enter")
    expect(
        page.get_by_text(text("Your visit is booked. Please keep your booking reference.", "de"))
    ).to_be_visible()
