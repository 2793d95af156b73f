"""A mobile advisor plans a day of three stops, fixes a drive, publishes; a migrant books a stop.

The demo advisor of the MBE tour adds stops in Zeitz, Naumburg and Weißenfels on a
free date a few weeks ahead, in an order that leaves too little time to drive from
Zeitz to Naumburg. The tour page flags that drive in words and suggests a shorter
order; after "Use this order" the drive is only tight, and the tour can be
published. A migrant, in a browser of their own and without an account, then finds
the Naumburg stop and books it. The clock is real.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, ngettext
from playwright.sync_api import Browser, Page, expect

from consult.demo import DEMO_PASSWORD, DEMO_STAFF, LOCATIONS, TOPICS
from consult.extensions import db
from consult.i18n import format_day, format_number
from consult.models import ConsultationDay, Session, StaffUser, today_in
from consult.tours.forms import DEFAULT_SLOT_MINUTES as SLOT_MINUTES
from consult.tours.routing import DriveSettings, best_order, distance_km, drive_minutes
from tests.browser.conftest import LiveServer

LANG = "de"  # the staff default; the migrant reads German too
ADVISOR = "mbe@example.org"
ADVISOR_NAME = next(staff.name for staff in DEMO_STAFF if staff.email == ADVISOR)
TITLE = "Mobile Beratung Burgenlandkreis, Winter"
TOPIC = next(texts[LANG][0] for slug, *_, texts in TOPICS if slug == "orientation")  # MBE's
REFERENCE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
SCREENSHOTS = "/tmp/tour-journey-{}.png"


@dataclass(frozen=True)
class Place:
    name: str
    town: str
    point: tuple[float, float]

    @property
    def choice(self) -> str:
        """How the stop form's location list names the place."""
        return f"{self.town} · {self.name}"


PLACES = {
    slug: Place(name, town, (lat, lon)) for slug, name, _street, _code, town, lat, lon in LOCATIONS
}
ZEITZ, NAUMBURG, WEISSENFELS = PLACES["zeitz"], PLACES["naumburg"], PLACES["weissenfels"]
# In the order entered. The places swap on reordering; the time windows stay.
WINDOWS = [(time(9, 0), time(10, 0)), (time(10, 30), time(11, 30)), (time(12, 30), time(13, 30))]
ENTERED = [ZEITZ, NAUMBURG, WEISSENFELS]
SUGGESTED = [ZEITZ, WEISSENFELS, NAUMBURG]


def clock(value: time) -> str:
    return value.strftime("%H:%M")


def minutes_between(earlier: time, later: time) -> int:
    return (later.hour * 60 + later.minute) - (earlier.hour * 60 + earlier.minute)


def road_km(a: Place, b: Place, settings: DriveSettings) -> float:
    return round(distance_km(a.point, b.point) * settings.road_factor, 1)


def drive_settings(server: LiveServer) -> DriveSettings:
    config = server.app.config
    return DriveSettings(
        road_factor=config["CONSULT_ROAD_FACTOR"], speed_kmh=config["CONSULT_DRIVE_SPEED_KMH"]
    )


def plural(server: LiveServer, singular: str, many: str, num: int, **params: object) -> str:
    """What the person sees for a plural message in the staff language."""
    with server.app.test_request_context(), force_locale(LANG):
        return ngettext(singular, many, num, **params)


def day_text(server: LiveServer, on: date, format: str = "full") -> str:
    with server.app.test_request_context(), force_locale(LANG):
        return format_day(on, format)


def free_date(server: LiveServer) -> date:
    """Four weeks ahead, or the next day after it on which the advisor has no hours."""
    with server.app.app_context():
        busy = set(
            db.session.scalars(
                sa.select(ConsultationDay.date)
                .join(Session, Session.day_id == ConsultationDay.id)
                .join(StaffUser, Session.advisor_id == StaffUser.id)
                .where(StaffUser.email == ADVISOR)
            )
        )
        today = today_in(server.app.config["CONSULT_TIMEZONE"])
        db.session.remove()
    on = today + timedelta(weeks=4)
    while on in busy:
        on += timedelta(days=1)
    return on


def sign_in(page: Page, server: LiveServer) -> None:
    text = server.text
    page.goto(f"{server.url}/staff/login")
    page.get_by_label(text("E-mail address", LANG)).fill(ADVISOR)
    page.get_by_label(text("Password", LANG)).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=text("Sign in", LANG)).click()
    hello = text("Hello, %(name)s", LANG, name=ADVISOR_NAME)
    expect(page.get_by_role("heading", name=hello)).to_be_visible()


def add_stop(
    page: Page, server: LiveServer, on: date, place: Place, window: tuple[time, time]
) -> None:
    text = server.text
    form = page.get_by_role("region", name=text("Add a stop", LANG))
    form.get_by_label(text("Date", LANG), exact=True).fill(on.isoformat())
    form.get_by_label(text("Location", LANG), exact=True).select_option(label=place.choice)
    form.get_by_label(text("From", LANG), exact=True).fill(clock(window[0]))
    form.get_by_label(text("Until", LANG), exact=True).fill(clock(window[1]))
    # Every topic the agency serves is ticked, German is offered: as the form comes.
    expect(form.get_by_label(TOPIC, exact=True)).to_be_checked()
    form.get_by_role("button", name=text("Add the stop", LANG)).click()
    added = text(
        "The stop in %(town)s on %(date)s is added as a draft. "
        "People can book it once you publish the tour.",
        LANG,
        town=place.town,
        date=day_text(server, on),
    )
    expect(page.get_by_role("status")).to_contain_text(added)


def check_premises(settings: DriveSettings) -> None:
    """The windows make Zeitz → Naumburg impossible and Zeitz → Weißenfels tight."""
    gap = minutes_between(WINDOWS[0][1], WINDOWS[1][0])
    assert drive_minutes(ZEITZ.point, NAUMBURG.point, settings) > gap
    spare = gap - drive_minutes(ZEITZ.point, WEISSENFELS.point, settings)
    assert 0 <= spare < settings.tight_minutes
    later_gap = minutes_between(WINDOWS[1][1], WINDOWS[2][0])
    assert drive_minutes(NAUMBURG.point, WEISSENFELS.point, settings) + settings.tight_minutes <= (
        later_gap
    )
    points = [place.point for place in ENTERED]
    assert [ENTERED[i] for i in best_order(points)] == SUGGESTED


def drive_words(server: LiveServer, a: Place, b: Place, gap: int, settings: DriveSettings) -> str:
    with server.app.test_request_context(), force_locale(LANG):
        km = format_number(road_km(a, b, settings))  # "33,5" in German
    return server.text(
        "%(km)s km, %(needed)d minutes needed, %(available)d minutes between the stops.",
        LANG,
        km=km,
        needed=drive_minutes(a.point, b.point, settings),
        available=gap,
    )


def test_advisor_plans_reorders_publishes_and_a_migrant_books_a_stop(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    text = live_server.text
    settings = drive_settings(live_server)
    check_premises(settings)
    on = free_date(live_server)
    first_gap = minutes_between(WINDOWS[0][1], WINDOWS[1][0])

    # The advisor creates a tour from the staff menu.
    sign_in(page, live_server)
    staff_menu = page.get_by_role("navigation", name=text("Staff", LANG))
    staff_menu.get_by_role("link", name=text("Tours", LANG), exact=True).click()
    expect(page.get_by_role("heading", name=text("Mobile advice tours", LANG))).to_be_visible()
    page.get_by_label(text("Title", LANG), exact=True).fill(TITLE)
    page.get_by_role("button", name=text("Create the tour", LANG)).click()
    created = text("The tour %(title)s is created. Now add its stops.", LANG, title=TITLE)
    expect(page.get_by_role("status")).to_contain_text(created)
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)

    for place, window in zip(ENTERED, WINDOWS, strict=True):
        add_stop(page, live_server, on, place, window)

    # The drive from Zeitz to Naumburg cannot be made in half an hour: said in words.
    day = page.get_by_role("region", name=day_text(live_server, on))
    expect(day.get_by_role("heading", level=3)).to_have_text(
        [re.compile(re.escape(place.town)) for place in ENTERED]
    )
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        text("Some drives cannot be made in the time between the stops:", LANG)
    )
    expect(alert).to_contain_text(f"{ZEITZ.town} → {NAUMBURG.town}")
    expect(alert).to_contain_text(
        text("The tour cannot be published until the times or the order are changed.", LANG)
    )
    impossible = day.get_by_role("listitem").filter(has_text=text("Drive is impossible", LANG))
    expect(impossible).to_have_count(1)
    expect(impossible).to_contain_text(
        drive_words(live_server, ZEITZ, NAUMBURG, first_gap, settings)
    )
    expect(impossible).to_contain_text(text("Please change the times or the order.", LANG))
    suggestion = " → ".join(place.town for place in SUGGESTED)
    expect(day).to_contain_text(text("Suggested order:", LANG))
    expect(day).to_contain_text(suggestion)
    page.screenshot(path=SCREENSHOTS.format("before-reorder"), full_page=True)

    day.get_by_role("button", name=text("Use this order", LANG)).click()
    reordered = text(
        "The stops of %(date)s are in the new order: %(towns)s.",
        LANG,
        date=day_text(live_server, on),
        towns=suggestion,
    )
    expect(page.get_by_role("status")).to_contain_text(reordered)
    # Same times, other places: Weißenfels comes second, and that drive is only tight.
    expect(day.get_by_role("heading", level=3)).to_have_text(
        [re.compile(re.escape(place.town)) for place in SUGGESTED]
    )
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(
        day.get_by_role("listitem").filter(has_text=text("Drive is impossible", LANG))
    ).to_have_count(0)
    tight = day.get_by_role("listitem").filter(has_text=text("Drive is tight", LANG))
    expect(tight).to_have_count(1)
    expect(tight).to_contain_text(drive_words(live_server, ZEITZ, WEISSENFELS, first_gap, settings))
    spare = first_gap - drive_minutes(ZEITZ.point, WEISSENFELS.point, settings)
    only = plural(
        live_server, "Only %(num)d minute to spare.", "Only %(num)d minutes to spare.", spare
    )
    expect(tight).to_contain_text(only)
    expect(day.get_by_text(text("Suggested order:", LANG))).to_have_count(0)
    page.screenshot(path=SCREENSHOTS.format("after-reorder"), full_page=True)

    page.get_by_role("button", name=text("Publish the tour", LANG)).click()
    status = page.get_by_role("status")
    expect(status).to_contain_text(
        plural(
            live_server,
            "The tour is published. %(num)d stop is now open for booking.",
            "The tour is published. %(num)d stops are now open for booking.",
            3,
        )
    )
    tight_drive = (
        f"{ZEITZ.town} {clock(WINDOWS[0][1])} → {WEISSENFELS.town} {clock(WINDOWS[1][0])} "
        f"({day_text(live_server, on, 'medium')})"
    )
    expect(status).to_contain_text(
        text(
            "Some drives leave little time to spare: %(drives)s. "
            "Please allow for traffic or change the times.",
            LANG,
            drives=tight_drive,
        )
    )
    expect(
        page.get_by_text(
            text("The tour is published: people find its stops on the booking pages.", LANG)
        )
    ).to_be_visible()

    # A migrant, in a browser of their own and without an account, books the Naumburg stop.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE")
    try:
        migrant = context.new_page()
        migrant.set_default_timeout(15_000)
        migrant.goto(f"{live_server.url}/lang/{LANG}")
        migrant.get_by_label(TOPIC).check()
        migrant.get_by_label(text("Where?", LANG)).select_option(NAUMBURG.town)
        migrant.get_by_role("button", name=text("Find a day", LANG)).click()

        card = migrant.get_by_role("listitem").filter(has_text=day_text(live_server, on))
        expect(card).to_have_count(1)
        expect(card).to_contain_text(f"{text('Mobile advice', LANG)} · {NAUMBURG.town}")
        expect(card).to_contain_text(NAUMBURG.name)
        card.get_by_role("link", name=text("See times", LANG)).click()

        expect(migrant.get_by_role("heading", name=text("Choose your times", LANG))).to_be_visible()
        starts = WINDOWS[2][0]  # the first slot of the last window, now in Naumburg
        ends = (datetime.combine(on, starts) + timedelta(minutes=SLOT_MINUTES)).time()
        first_plan = text(
            "Plan %(num)d: %(start)s to %(end)s", LANG, num=1, start=clock(starts), end=clock(ends)
        )
        expect(migrant.get_by_role("heading", name=first_plan)).to_be_visible()
        migrant.get_by_role("button", name=text("Choose plan %(num)d", LANG, num=1)).click()

        migrant.get_by_label(text("Your name", LANG)).fill("Samir")
        migrant.get_by_role("button", name=text("Book this visit", LANG)).click()
        booked = text("Your visit is booked", LANG)
        expect(migrant.get_by_role("heading", level=1, name=booked)).to_be_visible()
        expect(migrant.get_by_text(REFERENCE)).to_be_visible()
        visit = migrant.get_by_role("main")
        expect(visit).to_contain_text(text("Mobile advice", LANG))
        expect(visit).to_contain_text(NAUMBURG.name)
        expect(visit).to_contain_text(clock(starts))
    finally:
        context.close()

    # Back on the tour page, the advisor sees the booking at the Naumburg stop.
    page.reload()
    naumburg = day.get_by_role("listitem").filter(
        has=page.get_by_role("heading", level=3, name=re.compile(re.escape(NAUMBURG.town)))
    )
    expect(naumburg).to_contain_text(re.compile(rf"{re.escape(text('Bookings', LANG))}\s*1\b"))
