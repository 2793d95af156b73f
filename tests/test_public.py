"""The public journey: find a day, choose a plan, book, see, move and cancel the visit."""

from __future__ import annotations

import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from icalendar import Calendar
from markupsafe import escape

from consult.contacts import PHONE_HELP
from consult.extensions import db
from consult.models import (
    AppointmentStatus,
    Seat,
    Visit,
    VisitStatus,
    WaitlistEntry,
    WaitlistStatus,
    today_in,
    utcnow,
)
from consult.slots import local_to_utc
from tests.factories import (
    create_agency,
    create_day,
    create_location,
    create_session,
    create_topic,
    create_visit,
)

REFERENCE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def joint_day(app: Flask) -> dict[str, int]:
    """A published day in Halle with an immigration office and a Jobcenter."""
    with app.app_context():
        location = create_location(town="Halle (Saale)", name="Stadthaus")
        abh = create_agency(name="Ausländerbehörde", slug="abh")
        jobcenter = create_agency(name="Jobcenter", slug="jobcenter")
        residence = create_topic([abh], names={"en": "Residence permit", "de": "Aufenthalt"})
        money = create_topic([jobcenter], names={"en": "Money", "de": "Geld"})
        unserved = create_topic([], names={"en": "Nobody here", "de": "Niemand"})
        day = create_day(location, date=today_in("Europe/Berlin") + timedelta(days=7))
        create_session(day, abh, [residence], ends=time(11), slot_minutes=20, rooms=("2.01",))
        # Starts at 09:25 so that 09:00-09:20 plus the 5-minute changeover fits exactly.
        create_session(day, jobcenter, [money], starts=time(9, 25), ends=time(10, 25),
                       slot_minutes=20, rooms=("1.01",), languages=("de", "ar"))  # fmt: skip
        db.session.commit()
        return {"day": day.id, "residence": residence.id, "money": money.id, "none": unserved.id,
                "date": day.date}  # fmt: skip


def plans_page(client: FlaskClient, ids: dict[str, int], *topics: str, **args: str) -> str:
    query = {"topic": [ids[t] for t in topics], **args}
    response = client.get(f"/day/{ids['day']}", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def first_plan_token(page: str) -> str:
    return re.search(r'name="plan"[^>]*?value="([^"]+)"', page).group(1)


def book(client: FlaskClient, ids, *topics: str, name: str = "Amina", **form: str):
    token = first_plan_token(plans_page(client, ids, *topics))
    query = {"topic": [ids[t] for t in topics], "plan": token}
    data = {"plan": token, "name": name, "language": "de", "consent": "no", **form}
    return client.post(f"/day/{ids['day']}/book", query_string=query, data=data)


def booked_reference(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return REFERENCE.search(response.headers["Location"]).group(0)


def test_home_asks_what_and_where(client: FlaskClient, joint_day) -> None:
    page = client.get("/lang/en", follow_redirects=True).get_data(as_text=True)
    assert 'name="topic"' in page and "Residence permit" in page
    assert '<option value="Halle (Saale)"' in page
    assert "Find a day" in page


def test_the_language_chosen_is_remembered_for_a_year(app: Flask, client: FlaskClient) -> None:
    response = client.get("/lang/ar")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("consult_lang=ar;") and "Max-Age=31536000" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # A browser that was closed has lost the session but kept the cookie.
    returning = app.test_client()
    returning.set_cookie("consult_lang", "ar")
    page = returning.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    # A made-up language in the cookie is ignored.
    returning.set_cookie("consult_lang", "xx")
    page = returning.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in page


def test_find_lists_days_that_serve_every_topic(client: FlaskClient, joint_day) -> None:
    client.get("/lang/en")
    query = {"topic": [joint_day["residence"], joint_day["money"]], "town": "Halle (Saale)"}
    page = client.get("/find", query_string=query).get_data(as_text=True)
    assert "In 7 days" in page and "2 services" in page
    assert f"/day/{joint_day['day']}?" in page

    other_town = client.get("/find", query_string={**query, "town": "Zeitz"})
    assert "Join the waiting list" in other_town.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "at least one thing"),
        ({"topic": "x"}, "not offered"),
        ({"topic": "999"}, "not offered"),
    ],
)
def test_find_without_valid_topics_explains_why(client, joint_day, query, message) -> None:
    client.get("/lang/en")
    response = client.get("/find", query_string=query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_plans_chain_both_agencies_back_to_back(client: FlaskClient, joint_day) -> None:
    client.get("/lang/en")
    page = plans_page(client, joint_day, "residence", "money")
    assert "Plan 1:" in page and "Plan 5:" in page
    first = page[page.index("Plan 1:") : page.index("Plan 2:")]
    assert "Ausländerbehörde" in first and "Jobcenter" in first
    assert "45 minutes in the building" in first  # 20 + 5 changeover + 20


def test_time_limits_and_language_shape_the_plans(client: FlaskClient, joint_day) -> None:
    client.get("/lang/en")
    page = plans_page(client, joint_day, "money", arrive="09:30", speak="ar")

    def shown(clock: time) -> bool:
        instant = local_to_utc(joint_day["date"], clock, "Europe/Berlin")
        return f'datetime="{instant.isoformat()}"' in page

    assert shown(time(9, 45)) and not shown(time(9, 25))
    assert "may not be spoken" not in page
    page = plans_page(client, joint_day, "residence", speak="fa")
    assert "may not be spoken" in page
    bad = client.get(f"/day/{joint_day['day']}", query_string={"topic": 1, "arrive": "nine"})
    assert bad.status_code == 400 and "09:30" in bad.get_data(as_text=True)
    late = client.get(
        f"/day/{joint_day['day']}",
        query_string={"topic": joint_day["money"], "arrive": "10:00", "leave": "09:00"},
        follow_redirects=True,
    )
    assert "has to be after" in late.get_data(as_text=True)


def test_unknown_or_unpublished_day_is_404(client: FlaskClient, joint_day) -> None:
    assert client.get("/day/999999?topic=1").status_code == 404


def test_booking_confirms_with_reference_qr_calendar_and_german_copy(
    app: Flask, client: FlaskClient, joint_day
) -> None:
    client.get("/lang/ar")
    reference = booked_reference(book(client, joint_day, "residence", "money", consent="yes"))
    page = client.get(f"/visit/{reference}?booked=1").get_data(as_text=True)
    assert reference in page
    assert "<svg" in page
    assert 'lang="de" dir="ltr"' in page and "Ihre Termine (Deutsch)" in page
    assert f"/visit/{reference}.ics" in page

    ics = client.get(f"/visit/{reference}.ics")
    assert ics.mimetype == "text/calendar"
    events = Calendar.from_ical(ics.data).walk("VEVENT")
    assert len(events) == 2
    assert all(str(e["DTSTART"].params["TZID"]) == "Europe/Berlin" for e in events)

    with app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
        assert visit.language == "de"
        assert visit.consent_to_share
        assert len(visit.active_appointments) == 2


def test_invalid_booking_form_says_what_is_wrong_and_books_nothing(
    app: Flask, client: FlaskClient, joint_day
) -> None:
    client.get("/lang/en")
    response = book(client, joint_day, "money", name="", email="not-an-address")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please give a name" in page and "e-mail address" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == 0


def test_a_taken_seat_shows_the_next_best_plan_at_once(client: FlaskClient, joint_day) -> None:
    client.get("/lang/en")
    token = first_plan_token(plans_page(client, joint_day, "money"))
    query = {"topic": joint_day["money"], "plan": token}
    data = {"plan": token, "name": "Amina", "language": "de", "consent": "no"}
    booked_reference(client.post(f"/day/{joint_day['day']}/book", query_string=query, data=data))

    again = client.post(f"/day/{joint_day['day']}/book", query_string=query, data=data)
    assert again.status_code == 409
    page = again.get_data(as_text=True)
    assert "just taken" in page and "next best plan" in page
    assert first_plan_token(page) != token
    booked_reference(
        client.post(
            f"/day/{joint_day['day']}/book",
            query_string=query,
            data={**data, "plan": first_plan_token(page)},
        )
    )


def test_a_forged_plan_books_nothing(app, client: FlaskClient, joint_day) -> None:
    client.get("/lang/en")
    query = {"topic": joint_day["money"]}
    data = {"name": "Amina", "language": "de", "consent": "no"}
    for plan in ("1:2:3", "drop table", "999999:999999"):
        response = client.post(
            f"/day/{joint_day['day']}/book",
            query_string=query,
            data={**data, "plan": plan},
        )
        assert response.status_code == 422  # the asker's mistake, not a conflict
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == 0


def test_cancel_one_appointment_then_the_visit(app, client: FlaskClient, joint_day) -> None:
    client.get("/lang/en")
    reference = booked_reference(book(client, joint_day, "residence", "money"))
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
        first_id = visit.active_appointments[0].id
    client.post(f"/visit/{reference}/appointments/{first_id}/cancel")
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
        assert [a.status for a in visit.appointments].count(AppointmentStatus.CANCELLED) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Seat)) == 1
    page = client.post(f"/visit/{reference}/cancel", follow_redirects=True).get_data(as_text=True)
    assert "Your visit is cancelled" in page
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
        assert visit.status is VisitStatus.CANCELLED
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Seat)) == 0


def test_move_keeps_the_reference_and_frees_the_old_time(app, client, joint_day) -> None:
    client.get("/lang/en")
    reference = booked_reference(book(client, joint_day, "money"))
    moved = client.get(f"/visit/{reference}/move")
    assert "move=" in moved.headers["Location"]
    page = plans_page(client, joint_day, "money", arrive="10:00", move=reference)
    token = first_plan_token(page)
    query = {"topic": joint_day["money"], "plan": token, "move": reference}
    response = client.post(
        f"/day/{joint_day['day']}/book",
        query_string=query,
        data={"plan": token, "name": "Amina", "language": "de", "consent": "no"},
    )
    assert booked_reference(response) == reference
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
        [appointment] = visit.active_appointments
        assert appointment.starts_dt.astimezone(ZoneInfo("Europe/Berlin")).time() == time(10, 5)
        assert len(visit.appointments) == 2


def test_consent_can_be_given_and_withdrawn_on_the_manage_page(app, client, joint_day) -> None:
    client.get("/lang/en")
    reference = booked_reference(book(client, joint_day, "money"))
    client.post(f"/visit/{reference}/consent", data={"consent": "yes"})
    with app.app_context():
        assert db.session.scalar(sa.select(Visit)).consent_to_share
    client.post(f"/visit/{reference}/consent", data={"consent": "no"})
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit))
        assert not visit.consent_to_share
        assert visit.consents[0].withdrawn_dt is not None


def test_manage_finds_a_visit_by_reference_typed_loosely(client, joint_day) -> None:
    client.get("/lang/en")
    reference = booked_reference(book(client, joint_day, "money"))
    loose = reference.lower().replace("-", " ")
    response = client.post("/manage", data={"reference": loose})
    assert response.headers["Location"].endswith(f"/visit/{reference}")
    missing = client.post("/manage", data={"reference": "AAAA-BBBB-CCCC"})
    assert missing.status_code == 422
    assert "could not find" in missing.get_data(as_text=True)
    assert client.get("/visit/AAAA-BBBB-CCCC").status_code == 404


@pytest.mark.parametrize(
    "contact",
    [
        {"phone": "", "email": ""},
        {},  # neither field sent at all
        {"phone": "   ", "email": ""},
    ],
)
def test_the_waiting_list_needs_a_way_to_reach_the_person(app, client, joint_day, contact) -> None:
    client.get("/lang/en")
    data = {"topics": [joint_day["money"]], "town": "", "name": "Reza", "language": "fa"}
    response = client.post("/waitlist", data={**data, **contact})
    assert response.status_code == 422
    assert "Please give a phone number or an e-mail address" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(WaitlistEntry.id))) == 0


def test_waiting_list_then_an_offer_when_a_seat_frees_up(app, client, joint_day) -> None:
    client.get("/lang/en")
    references = []
    while True:
        page = plans_page(client, joint_day, "money")
        if "Plan 1:" not in page:
            break
        references.append(booked_reference(book(client, joint_day, "money")))
    assert len(references) == 3  # 09:25-10:25 in 20-minute slots, one desk

    response = client.post(
        "/waitlist",
        data={"topics": [joint_day["money"]], "town": "", "name": "Reza", "phone": "+49 345 1234",
              "email": "", "language": "fa"},
    )  # fmt: skip
    assert response.status_code == 302
    incomplete = client.post(
        "/waitlist", data={"topics": [], "town": "", "name": "", "phone": "", "language": "fa"}
    )
    assert incomplete.status_code == 422

    client.post(f"/visit/{references[1]}/cancel")
    with app.app_context():
        entry = db.session.scalar(sa.select(WaitlistEntry))
        assert entry.status is WaitlistStatus.OFFERED
        assert entry.offered_day_id == joint_day["day"]
        assert entry.offer_expires_dt > utcnow()


def test_reference_look_ups_are_rate_limited(rate_limited) -> None:
    app = rate_limited(lookup="3 per minute")
    client = app.test_client()
    codes = [client.get("/visit/AAAA-BBBB-CCCC").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_booking_form_needs_its_csrf_token(app_factory) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        day = create_day(date=utcnow().date() + timedelta(days=3))
        topic = create_topic([create_agency()])
        session = create_session(day, topic.agencies[0], [topic], starts=time(9), ends=time(10))
        db.session.commit()
        token = f"{session.id}:{session.slots[0].id}"
        day_id, topic_id = day.id, topic.id
    response = app.test_client().post(
        f"/day/{day_id}/book",
        query_string={"topic": topic_id, "plan": token},
        data={"plan": token, "name": "Amina", "language": "de", "consent": "no"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == 0


def test_staff_see_the_offer_and_migrants_do_not(app, client, joint_day, login) -> None:
    from consult.models import Role
    from tests.factories import create_staff

    with app.app_context():
        create_staff(Role.FRONTDESK, email="desk@example.org")
        entry = WaitlistEntry(name="Reza", phone="+49 345 1", language="fa", town="")
        entry.status = WaitlistStatus.OFFERED
        entry.offered_day_id = joint_day["day"]
        entry.offer_expires_dt = utcnow() + timedelta(hours=5)
        db.session.add(entry)
        db.session.commit()
    assert client.get("/staff/waitlist").status_code == 302
    login("desk@example.org", client)
    page = client.get("/staff/waitlist").get_data(as_text=True)
    assert "Reza" in page and "+49 345 1" in page


def test_a_plan_for_other_topics_is_refused(app, client: FlaskClient, joint_day) -> None:
    client.get("/lang/en")
    token = first_plan_token(plans_page(client, joint_day, "money"))
    query = {"topic": joint_day["residence"], "plan": token}
    data = {"plan": token, "name": "Amina", "language": "de", "consent": "no"}
    response = client.post(f"/day/{joint_day['day']}/book", query_string=query, data=data)
    assert response.status_code == 422
    assert "does not fit what you chose" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == 0


def translated(app: Flask, message: str, lang: str, **params: object) -> str:
    """`message` as the person reading `lang` sees it, escaped as in the page."""
    with app.test_request_context(), force_locale(lang):
        return str(escape(gettext(message, **params)))


def error_summary(page: str) -> str:
    """The error summary, which must be the first thing in <main>."""
    found = re.search(r'<main[^>]*>\s*(<div class="error-summary"[^>]*>.*?</div>)', page, re.S)
    assert found, "no error summary at the top of <main>"
    assert 'role="alert" tabindex="-1" autofocus' in found.group(1)
    return found.group(1)


def title_of(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_booking_errors_are_summed_up_titled_and_shown_at_their_fields(
    app: Flask, client: FlaskClient, joint_day, lang: str
) -> None:
    client.get(f"/lang/{lang}")
    response = book(client, joint_day, "money", name="", phone="12")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = error_summary(page)
    name_error = translated(app, "Please give a name. A first name or a nickname is enough.", lang)
    phone_error = translated(app, PHONE_HELP, lang)  # the contact check's own message
    assert translated(app, "There is a problem", lang) in summary
    assert f'<a href="#name">{name_error}</a>' in summary
    assert f'<a href="#phone">{phone_error}</a>' in summary
    assert summary.count("<li>") == 2  # one message per field
    booking = translated(app, "Book your visit", lang)
    assert title_of(page).startswith(translated(app, "Error: %(title)s", lang, title=booking))
    for field, message in (("name", name_error), ("phone", phone_error)):
        control = re.search(rf'<input [^>]*\bid="{field}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in control and f"{field}-error" in control
        assert re.search(
            rf'<p class="field-error" id="{field}-error">.*?{re.escape(message)}', page
        )
    assert 'class="messages"' not in page  # nothing flashed for the whole page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == 0
    # Corrected, the same form books, and the page title loses its "Error:".
    assert booked_reference(book(client, joint_day, "money", phone="0151 23456789"))


def test_a_form_without_errors_has_no_summary_and_a_plain_title(client, joint_day) -> None:
    client.get("/lang/en")
    token = first_plan_token(plans_page(client, joint_day, "money"))
    page = client.get(
        f"/day/{joint_day['day']}/book", query_string={"topic": joint_day["money"], "plan": token}
    ).get_data(as_text=True)
    assert "error-summary" not in page and "Error:" not in page
    assert title_of(page).startswith("Book your visit")


def test_start_page_and_manage_and_waiting_list_sum_up_their_errors(app, client, joint_day):
    client.get("/lang/de")
    start = client.get("/find").get_data(as_text=True)
    summary = error_summary(start)
    assert re.search(r'<a href="#topic-\d+">', summary)
    assert 'class="messages"' not in start
    assert title_of(start).startswith(translated(app, "Error:", "de"))

    manage = client.post("/manage", data={"reference": ""}).get_data(as_text=True)
    assert '<a href="#reference">' in error_summary(manage)
    assert title_of(manage).startswith(translated(app, "Error:", "de"))

    waiting = client.post(
        "/waitlist", data={"topics": [], "town": "", "name": "", "phone": "1", "language": "fa"}
    ).get_data(as_text=True)
    summary = error_summary(waiting)
    for target in ("topics-0", "name", "phone"):
        assert f'<a href="#{target}">' in summary
    assert re.search(r'id="topics"\s+aria-describedby="topics-error"', waiting)


def test_cancelling_asks_first_and_only_the_post_cancels(app, client, joint_day) -> None:
    client.get("/lang/en")
    reference = booked_reference(book(client, joint_day, "residence", "money"))
    visit_page = client.get(f"/visit/{reference}").get_data(as_text=True)
    assert f'href="/visit/{reference}/cancel"' in visit_page

    asked = client.get(f"/visit/{reference}/cancel")
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Do you want to cancel your whole visit?" in page
    assert "Ausländerbehörde" in page and "Jobcenter" in page
    assert f'<form method="post" action="/visit/{reference}/cancel">' in page
    assert "Yes, cancel my visit" in page
    assert f'<a class="button button-secondary" href="/visit/{reference}">No, keep it</a>' in page

    with app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
        first = visit.active_appointments[0]
        first_id, first_agency = first.id, first.agency.name
    one = client.get(f"/visit/{reference}/appointments/{first_id}/cancel").get_data(as_text=True)
    assert f"Do you want to cancel the appointment with {first_agency}?" in one
    assert f'action="/visit/{reference}/appointments/{first_id}/cancel"' in one
    assert one.count('class="timeline-row') == 1
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
        assert visit.status is VisitStatus.BOOKED and len(visit.active_appointments) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Seat)) == 2

    client.post(f"/visit/{reference}/appointments/{first_id}/cancel")
    page = client.get(f"/visit/{reference}").get_data(as_text=True)
    # Only current times are listed; the cancelled one is folded into the earlier changes.
    current, earlier = page.split("Earlier changes")
    assert first_agency not in current.split("Your appointments")[1]
    assert first_agency in earlier.split("</details>")[0]
    assert "Cancelled" in earlier.split("</details>")[0]
    # A cancelled appointment cannot be asked about again: back to the visit.
    again = client.get(f"/visit/{reference}/appointments/{first_id}/cancel")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/visit/{reference}")

    client.post(f"/visit/{reference}/cancel")
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
        assert visit.status is VisitStatus.CANCELLED
    assert client.get(f"/visit/{reference}/cancel").status_code == 302


def test_cancelling_needs_the_form_token(app_factory) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        day = create_day(date=utcnow().date() + timedelta(days=3))
        topic = create_topic([create_agency()])
        session = create_session(day, topic.agencies[0], [topic], starts=time(9), ends=time(10))
        db.session.commit()
        reference = create_visit(day, (session, 0), topic_ids=[topic.id]).reference
    client = app.test_client()
    assert client.post(f"/visit/{reference}/cancel").status_code == 400
    page = client.get(f"/visit/{reference}/cancel").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/visit/{reference}/cancel", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Visit)).status is VisitStatus.CANCELLED


def test_a_cancelled_visit_shows_its_state_and_offers_to_book_again(app, client, joint_day):
    client.get("/lang/en")
    reference = booked_reference(book(client, joint_day, "residence", "money"))
    client.post(f"/visit/{reference}/cancel")
    page = client.get(f"/visit/{reference}").get_data(as_text=True)
    box = page[page.index('<div class="status-box"') :]
    assert "This visit is cancelled." in box[: box.index("</div>")]
    assert "<svg" not in page and f"/visit/{reference}.ics" not in page
    assert "Show this code" not in page and "10 minutes before" not in page
    assert "js-print" not in page and reference in page
    again = re.search(r'<a class="button" href="([^"]+)">Book again</a>', page).group(1)
    assert again.startswith("/find?") and "speak=de" in again
    for topic in ("residence", "money"):
        assert f"topic={joint_day[topic]}" in again
    assert client.get(again.replace("&amp;", "&")).status_code == 200


def test_the_booked_page_shows_a_confirmation_panel(client: FlaskClient, joint_day) -> None:
    client.get("/lang/en")
    reference = booked_reference(book(client, joint_day, "money"))
    page = client.get(f"/visit/{reference}?booked=1").get_data(as_text=True)
    panel = page[page.index('<div class="panel">') :]
    panel = panel[: panel.index("</div>")]
    assert '<h1 class="panel-title">Your visit is booked</h1>' in panel
    assert f'<strong class="reference" translate="no">{reference}</strong>' in panel
    assert page.count('class="reference"') == 1
    assert '<button type="button" class="button button-secondary js-print" hidden>' in page
