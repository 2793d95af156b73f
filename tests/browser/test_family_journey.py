"""A couple books one visit with a shared Jobcenter appointment, using only what they see."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from consult.demo import TOPICS
from tests.browser.conftest import LiveServer

TOPIC_NAMES = {slug: texts["en"][0] for slug, *_, texts in TOPICS}


def test_a_couple_books_one_visit_with_a_shared_jobcenter_appointment(
    page: Page, live_server: LiveServer
) -> None:
    text = live_server.text
    page.goto(f"{live_server.url}/lang/en")
    page.get_by_role("link", name=text("Coming with family? Book for up to 4 people", "en")).click()

    for number, name, own in ((1, "Karim", "residence"), (2, "Rana", "recognition")):
        person = page.locator(f"#person-{number}")
        person.get_by_label(text("Name", "en"), exact=True).fill(name)
        person.get_by_label(TOPIC_NAMES["benefits"]).check()
        person.get_by_label(TOPIC_NAMES[own]).check()
    page.get_by_label(text("Where?", "en")).select_option("Magdeburg")
    page.get_by_role("button", name=text("Find a day for us", "en")).click()

    page.get_by_role("link", name=text("See times", "en")).first.click()
    first_plan = page.locator(".plan").first
    jobcenter = first_plan.locator(".timeline-row", has_text="Jobcenter")
    expect(jobcenter).to_contain_text(text("%(names)s together", "en", names="Karim and Rana"))
    expect(first_plan.locator(".timeline-row")).to_have_count(3)
    first_plan.get_by_role("button", name=text("Choose plan %(num)d", "en", num=1)).click()

    # One contact for both; each person answers the consent question for themselves.
    expect(page.get_by_label(text("Your name", "en"))).to_have_value("Karim")
    page.locator("#consent_1").get_by_label(text("Yes", "en"), exact=True).check()
    page.get_by_role("button", name=text("Book this visit for us", "en")).click()

    expect(
        page.get_by_role("heading", level=1, name=text("Your visit is booked", "en"))
    ).to_be_visible()
    members = page.locator(".family-member")
    expect(members).to_have_count(2)
    expect(members.nth(0)).to_contain_text("Karim")
    expect(members.nth(1)).to_contain_text("Rana")
    for member in (members.nth(0), members.nth(1)):
        expect(member.locator(".timeline-row")).to_have_count(2)
        expect(member.locator(".timeline-row", has_text="Jobcenter")).to_contain_text(
            text("%(names)s together", "en", names="Karim and Rana")
        )
    expect(members.nth(1)).to_contain_text(
        text("Agreed that the advisors may talk to each other about this person's case.", "en")
    )
    expect(
        page.get_by_role("link", name=text("Move my visit to another day or time", "en"))
    ).to_have_count(0)
