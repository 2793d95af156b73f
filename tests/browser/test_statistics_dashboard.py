"""The statistics dashboard in the browser, in German and in Arabic, on a year of demo history.

A coordinator signs in, sees charts with the same numbers as tables beside them,
narrows the figures to one town, downloads a table, and reads the page right to left.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, demo_server, signed_in

COORDINATOR = "koordination@example.org"


@pytest.fixture
def history_server(database_url: str) -> Iterator[LiveServer]:
    """The demo with a year of 900 past visits behind it."""
    with demo_server(database_url, history=900) as server:
        yield server


def _fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_coordinator_reads_filters_and_downloads_in_german(
    browser: Browser, history_server: LiveServer
) -> None:
    server = history_server
    page = signed_in(browser, server, COORDINATOR, "de")
    page.goto(f"{server.url}/staff/statistics/")
    expect(page.get_by_role("heading", level=1)).to_have_text(server.text("Statistics", "de"))
    chained = page.locator("#figure-agencies_per_visit")
    expect(chained.get_by_role("heading")).to_have_text(
        server.text("Agencies per visit and trips saved", "de")
    )
    # The chart is an image with a name and the table beside it carries the same numbers.
    chart = chained.get_by_role("img")
    title = server.text("Agencies per visit and trips saved", "de")
    expect(chart).to_have_accessible_name(re.compile(re.escape(title)))
    rows = chained.locator("tbody tr")
    expect(rows).to_have_count(5)
    all_visits = rows.nth(4).locator("td").first.inner_text()
    assert int(all_visits.replace(".", "")) > 100
    assert _fits_the_screen(page)

    # Narrow to Zeitz: the places table then shows Zeitz alone.
    page.get_by_label(server.text("Town", "de"), exact=True).select_option("Zeitz")
    page.get_by_role("button", name=server.text("Show figures", "de")).click()
    expect(page).to_have_url(re.compile(r"town=Zeitz"))
    places = page.locator("#figure-places tbody th")
    expect(places).to_have_text(["Zeitz"])

    # The table's download holds what the page shows.
    with page.expect_download() as download:
        page.locator("#figure-places").get_by_role("link", name=re.compile("^CSV")).click()
    with open(download.value.path(), encoding="utf-8") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    assert rows[0][0] == server.text("Town", "de")
    assert rows[1][0] == "Zeitz"
    shown = page.locator("#figure-places tbody tr").first.locator("td").nth(1).inner_text()
    assert rows[1][2].replace(".", "") == shown.replace(".", "")


def test_the_dashboard_reads_right_to_left_in_arabic(
    browser: Browser, history_server: LiveServer
) -> None:
    server = history_server
    page = signed_in(browser, server, COORDINATOR, "ar")
    page.goto(f"{server.url}/staff/statistics/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text(server.text("Statistics", "ar"))
    waiting = server.text("Waiting time by agency", "ar")
    expect(page.get_by_role("heading", name=waiting)).to_be_visible()
    # Every table can be scrolled by keyboard and the page itself does not overflow.
    region = page.locator("#figure-referrals .table-scroll")
    expect(region).to_have_attribute("tabindex", "0")
    assert _fits_the_screen(page)
    # A bad period is answered in Arabic, and the last year is shown instead.
    page.goto(f"{server.url}/staff/statistics/?period=custom&start=2030-05-01&end=2030-04-01")
    expect(page.get_by_role("alert")).to_contain_text(
        server.text("The period must not end before it starts.", "ar")
    )
    expect(page.locator("#figure-topics tbody tr").first).to_be_visible()
