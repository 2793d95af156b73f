"""A person books a visit with two agencies and cancels it, using only what they see."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from consult.contacts import PHONE_HELP
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
        page.get_by_role("heading", level=1, name=text("Your visit is booked", lang))
    ).to_be_visible()
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    expect(page.locator(".timeline").first.locator("li")).to_have_count(2)
    if lang != "de":
        expect(page.get_by_role("heading", name="Ihre Termine (Deutsch)")).to_be_visible()

    page.get_by_role("link", name=text("Cancel my whole visit", lang)).click()
    expect(
        page.get_by_role("heading", name=text("Do you want to cancel your whole visit?", lang))
    ).to_be_visible()
    expect(page.locator(".timeline-row")).to_have_count(2)
    page.get_by_role("button", name=text("Yes, cancel my visit", lang)).click()
    expect(
        page.get_by_text(text("Your visit is cancelled. Thank you for letting us know.", lang))
    ).to_be_visible()
    expect(page.get_by_text(text("This visit is cancelled.", lang))).to_be_visible()
    expect(page.locator(".qr")).to_have_count(0)
    expect(page.get_by_role("link", name=text("Add to my calendar", lang))).to_have_count(0)
    expect(page.get_by_role("link", name=text("Book again", lang))).to_be_visible()


def test_no_keeps_the_visit(page: Page, live_server: LiveServer) -> None:
    text = live_server.text
    choose_topics_and_town(page, live_server, "de")
    page.get_by_role("link", name=text("See times", "de")).first.click()
    page.get_by_role("button", name=text("Choose plan %(num)d", "de", num=1)).click()
    page.get_by_label(text("Your name", "de")).fill("Amina")
    page.get_by_role("button", name=text("Book this visit", "de")).click()
    cancel_one = text("Cancel only the appointment with %(agency)s", "de", agency="Jobcenter")
    page.get_by_role("link", name=cancel_one).click()
    expect(page.locator(".timeline-row")).to_have_count(1)
    page.get_by_role("link", name=text("No, keep it", "de")).click()
    expect(page.get_by_role("heading", name=text("Your appointments", "de"))).to_be_visible()
    expect(page.locator(".timeline").first.locator("li")).to_have_count(2)
    expect(page.get_by_role("heading", name=text("Cancelled appointments", "de"))).to_have_count(0)

    page.get_by_role("link", name=cancel_one).click()
    page.get_by_role("button", name=text("Yes, cancel this appointment", "de")).click()
    expect(page.get_by_text(text("The appointment is cancelled.", "de"))).to_be_visible()
    current = page.locator(".timeline").first
    expect(current.locator("li")).to_have_count(1)
    expect(current).not_to_contain_text("Jobcenter")
    # The cancelled time is folded away with the visit's earlier changes.
    earlier = page.locator("details.history")
    earlier.locator("summary").click()
    expect(earlier).to_contain_text("Jobcenter")
    expect(earlier).to_contain_text(text("Cancelled", "de"))


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
        page.get_by_role("heading", level=1, name=text("Your visit is booked", "de"))
    ).to_be_visible()


# Every checkbox, radio, button and language link, with the box of its label for inputs,
# that is smaller than 44 x 44 CSS pixels.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'input[type=checkbox], input[type=radio], button, a.button, .languages a, summary')]
  .filter(element => element.getClientRects().length > 0)
  .map(element => {
    const boxes = [element, ...(element.labels || [])].map(e => e.getBoundingClientRect());
    const width = Math.max(...boxes.map(b => b.width));
    const height = Math.max(...boxes.map(b => b.height));
    return {target: element.outerHTML.slice(0, 90), width, height};
  })
  .filter(box => box.width < 44 || box.height < 44)"""


def assert_big_enough_and_no_sideways_scroll(page: Page) -> None:
    page.wait_for_load_state()  # the style sheet applies
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_booking_and_cancelling_on_a_320_px_phone_without_javascript(
    browser, live_server: LiveServer, lang: str
) -> None:
    text = live_server.text
    context = browser.new_context(viewport={"width": 320, "height": 568}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/lang/{lang}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        expect(page.get_by_role("heading", name=text("Already booked?", lang))).to_be_in_viewport()
        manage = text("See, move or cancel your visit with your booking reference", lang)
        expect(page.get_by_role("link", name=manage)).to_be_in_viewport()
        assert_big_enough_and_no_sideways_scroll(page)
        page.get_by_label(TOPIC_NAMES["benefits"][lang]).check()
        page.get_by_role("button", name=text("Find a day", lang)).click()
        assert_big_enough_and_no_sideways_scroll(page)
        page.get_by_role("link", name=text("See times", lang)).first.click()
        assert_big_enough_and_no_sideways_scroll(page)
        page.get_by_role("button", name=text("Choose plan %(num)d", lang, num=1)).click()
        assert_big_enough_and_no_sideways_scroll(page)

        # One mistake: a phone number the contact check refuses.
        page.get_by_label(text("Your name", lang)).fill("Amina")
        phone = page.get_by_label(text("Phone number (optional)", lang))
        phone.fill("12")
        page.get_by_role("button", name=text("Book this visit", lang)).click()
        summary = page.get_by_role("alert")
        expect(summary).to_be_focused()
        expect(summary).to_be_in_viewport()
        expect(summary).to_contain_text(text("There is a problem", lang))
        expect(page).to_have_title(re.compile("^" + re.escape(text("Error:", lang))))
        link = summary.get_by_role("link", name=text(PHONE_HELP, lang))
        expect(link).to_have_attribute("href", "#phone")
        expect(phone).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#phone-error")).to_contain_text(text(PHONE_HELP, lang))
        assert_big_enough_and_no_sideways_scroll(page)

        phone.fill("0151 23456789")
        page.get_by_role("button", name=text("Book this visit", lang)).click()
        expect(
            page.get_by_role("heading", level=1, name=text("Your visit is booked", lang))
        ).to_be_visible()
        expect(page).not_to_have_title(re.compile(re.escape(text("Error:", lang))))
        expect(page.get_by_role("button", name=text("Print", lang))).to_have_count(0)
        reference = page.locator(".panel .reference")
        expect(reference).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"))
        box = reference.bounding_box()
        font_size = reference.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert box["height"] < 2 * font_size  # one line
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320
        assert_big_enough_and_no_sideways_scroll(page)

        # Cancelling asks first, without JavaScript too, and then says so clearly.
        page.get_by_role("link", name=text("Cancel my whole visit", lang)).click()
        assert_big_enough_and_no_sideways_scroll(page)
        page.get_by_role("link", name=text("No, keep it", lang)).click()
        expect(page.locator(".qr")).to_have_count(1)
        page.get_by_role("link", name=text("Cancel my whole visit", lang)).click()
        page.get_by_role("button", name=text("Yes, cancel my visit", lang)).click()
        cancelled = page.locator(".status-box")
        expect(cancelled).to_contain_text(text("This visit is cancelled.", lang))
        expect(cancelled.get_by_role("link", name=text("Book again", lang))).to_be_visible()
        expect(page.locator(".qr")).to_have_count(0)
        expect(page.get_by_role("link", name=text("Add to my calendar", lang))).to_have_count(0)
        assert_big_enough_and_no_sideways_scroll(page)
    finally:
        context.close()


def test_the_print_button_appears_where_javascript_runs(page: Page, live_server) -> None:
    text = live_server.text
    choose_topics_and_town(page, live_server, "de")
    page.get_by_role("link", name=text("See times", "de")).first.click()
    page.get_by_role("button", name=text("Choose plan %(num)d", "de", num=1)).click()
    page.get_by_label(text("Your name", "de")).fill("Amina")
    page.get_by_role("button", name=text("Book this visit", "de")).click()
    expect(page.get_by_role("button", name=text("Print", "de"))).to_be_visible()


def test_the_error_summary_takes_the_focus_and_leads_to_the_field(page: Page, live_server):
    text = live_server.text
    choose_topics_and_town(page, live_server, "ar")
    page.get_by_role("link", name=text("See times", "ar")).first.click()
    page.get_by_role("button", name=text("Choose plan %(num)d", "ar", num=1)).click()
    page.get_by_role("button", name=text("Book this visit", "ar")).click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^" + re.escape(text("Error:", "ar"))))
    name_error = text("Please give a name. A first name or a nickname is enough.", "ar")
    summary.get_by_role("link", name=name_error).click()
    expect(page.get_by_label(text("Your name", "ar"))).to_be_focused()
    expect(page.locator("#name-error")).to_contain_text(name_error)
