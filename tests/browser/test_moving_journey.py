"""Moving a visit keeps the interpreter wish; no day in the town shows nearby towns' days.

At 320 px, without JavaScript, in German and in Arabic (right to left).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from consult.demo import TOPICS
from tests.browser.conftest import LiveServer

TOPIC_NAMES = {slug: {lang: text[0] for lang, text in texts.items()} for slug, *_, texts in TOPICS}


@pytest.fixture
def narrow(browser, live_server: LiveServer):
    """A 320 px wide phone with JavaScript switched off."""
    context = browser.new_context(viewport={"width": 320, "height": 700}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_fits_the_width(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def search(page: Page, server: LiveServer, lang: str, town: str, *slugs: str) -> None:
    page.goto(f"{server.url}/lang/{lang}")
    for slug in slugs:
        page.get_by_label(TOPIC_NAMES[slug][lang]).check()
    page.get_by_label(server.text("Where?", lang)).select_option(town)
    page.get_by_role("button", name=server.text("Find a day", lang)).click()


def choose_first_plan(page: Page, server: LiveServer, lang: str) -> None:
    expect(page.get_by_role("heading", name=server.text("Choose your times", lang))).to_be_visible()
    page.get_by_role("button", name=server.text("Choose plan %(num)d", lang, num=1)).click()


@pytest.mark.parametrize(("lang", "direction"), [("de", "ltr"), ("ar", "rtl")])
def test_moving_keeps_the_interpreter_wish(
    narrow: Page, live_server: LiveServer, lang: str, direction: str
) -> None:
    page, text = narrow, live_server.text
    search(page, live_server, lang, "Magdeburg", "residence")
    expect(page.locator("html")).to_have_attribute("dir", direction)
    page.get_by_role("link", name=text("See times", lang)).first.click()
    choose_first_plan(page, live_server, lang)
    page.get_by_label(text("Your name", lang)).fill("Amina")
    page.get_by_label(text("I would like an interpreter", lang)).check()
    page.get_by_role("button", name=text("Book this visit", lang)).click()
    reference = page.locator(".reference").inner_text()

    page.get_by_role("link", name=text("Move my visit to another day or time", lang)).click()
    page.get_by_role("link", name=text("See times", lang)).nth(1).click()
    choose_first_plan(page, live_server, lang)
    interpreter = page.get_by_label(text("I would like an interpreter", lang))
    expect(interpreter).to_be_checked()
    assert_fits_the_width(page)
    page.get_by_role("button", name=text("Book this visit", lang)).click()

    expect(page.locator(".panel h1")).to_have_text(text("Your visit has been moved.", lang))
    assert page.locator(".reference").inner_text() == reference
    expect(page.locator(".timeline").first.locator("li")).to_have_count(1)
    history = page.locator("details.history")
    expect(history.locator("summary")).to_have_text(text("Earlier changes", lang))
    expect(history.get_by_text(text("Moved to a new time", lang))).to_be_hidden()
    history.locator("summary").click()  # opens without JavaScript
    expect(history.get_by_text(text("Moved to a new time", lang))).to_be_visible()
    assert_fits_the_width(page)


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_no_day_in_the_town_shows_nearby_towns_days(
    narrow: Page, live_server: LiveServer, lang: str
) -> None:
    page, text = narrow, live_server.text
    search(page, live_server, lang, "Zeitz", "benefits")
    expect(
        page.get_by_role("heading", name=text("Days in other towns nearby", lang))
    ).to_be_visible()
    towns = page.locator(".alternative-town h3")
    expect(towns.first).to_contain_text("Halle (Saale)")
    expect(
        page.get_by_role(
            "heading", name=text("Or join the waiting list for %(town)s", lang, town="Zeitz")
        )
    ).to_be_visible()
    assert_fits_the_width(page)
    page.locator(".alternative-town").first.get_by_role(
        "link", name=text("See times", lang)
    ).first.click()
    choose_first_plan(page, live_server, lang)
    expect(page.get_by_role("heading", name=text("Book your visit", lang))).to_be_visible()
    expect(page.get_by_text("Halle (Saale)")).to_be_visible()
