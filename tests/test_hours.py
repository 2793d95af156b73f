"""Consultation hours: advisors publish, change and withdraw them without dropping a booking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import MultiDict

from consult.database import atomic
from consult.extensions import db
from consult.itineraries import PlannedOpening
from consult.models import (
    Agency,
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    DayStatus,
    Role,
    Seat,
    Session,
    SessionStatus,
    Slot,
    Topic,
    Visit,
    VisitStatus,
)
from consult.visits import BookingRequest, Contact, book_visit
from tests import factories
from tests.support import count, html_of, visit_snapshot

DAY = date(2030, 3, 12)  # a Tuesday in winter time: Berlin is UTC+1
BERLIN = ZoneInfo("Europe/Berlin")


def clock(instant) -> str:
    """The wall-clock time of an instant in Berlin."""
    return instant.astimezone(BERLIN).strftime("%H:%M")


@dataclass(frozen=True)
class HoursWorld:
    day: int  # DAY in Magdeburg: Jobcenter and MBE are invited
    other_day: int  # a week later: only MBE is invited
    agencies: dict[str, int]  # "jc", "mbe", "abh" (the immigration office, invited to neither)
    topics: dict[str, int]  # "jobs" (JC and MBE), "money" (JC), "counselling" (MBE), "residence"


@pytest.fixture
def world(app: Flask, staff: factories.Team) -> HoursWorld:
    """A joint day in Magdeburg with Jobcenter and MBE invited; the immigration office is not."""
    with app.app_context():
        jc, mbe, abh = factories.create_agencies("jc", "mbe", "abh")
        topics = {
            "jobs": factories.create_topic([jc, mbe], default_minutes=20),
            "money": factories.create_topic([jc], default_minutes=20),
            "counselling": factories.create_topic([mbe], default_minutes=20),
            "residence": factories.create_topic([abh]),
        }
        location = factories.create_location(town="Magdeburg")
        day = factories.create_day(location, date=DAY, invited_agencies=[jc, mbe])
        other_day = factories.create_day(
            location, date=DAY + timedelta(days=7), invited_agencies=[mbe]
        )
        for key, agency in (("jc", jc), ("mbe", mbe), ("abh", abh)):
            staff.add(key, Role.ADVISOR, agency=agency)
        staff.add("coordinator", Role.COORDINATOR)
        staff.add("desk", Role.FRONTDESK, locations=[location])
        db.session.commit()
        return HoursWorld(
            day=day.id,
            other_day=other_day.id,
            agencies={"jc": jc.id, "mbe": mbe.id, "abh": abh.id},
            topics={key: topic.id for key, topic in topics.items()},
        )


def hours_form(world: HoursWorld, **changes: Any) -> dict[str, Any]:
    """A valid hours form (09:00-11:00, 20-minute slots, one desk) with some fields changed."""
    form: dict[str, Any] = {
        "starts": "09:00",
        "ends": "11:00",
        "slot_minutes": "20",
        "desks": "1",
        "rooms": "",
        "breaks": "",
        "topics": [str(world.topics["jobs"])],
        "languages": ["de"],
        "status": "published",
    }
    form.update(changes)
    return form


def new_url(world: HoursWorld, agency: str = "jc", day: str = "day") -> str:
    """The form for new hours of `agency` on the `day` ("day" or "other_day") of the world."""
    return f"/staff/hours/day/{getattr(world, day)}/agency/{world.agencies[agency]}/new"


def add_session(
    app: Flask, world: HoursWorld, agency: str = "jc", topics=("jobs",), **hours: Any
) -> int:
    """A published session of an agency on the day, serving the jobs topic (or others)."""
    with app.app_context():
        day = db.session.get(ConsultationDay, world.day)
        agency_obj = db.session.get(Agency, world.agencies[agency])
        chosen = [db.session.get(Topic, world.topics[key]) for key in topics]
        session = factories.create_session(day, agency_obj, chosen, **hours)
        db.session.commit()
        return session.id


def book_at(app: Flask, world: HoursWorld, session_id: int, *slot_indices: int, **contact):
    """Book one appointment covering the given slots of a session; returns the reference."""
    contact.setdefault("name", "Amina")
    with app.app_context(), atomic():
        session = db.session.get(Session, session_id)
        slot_ids = tuple(session.slots[i].id for i in slot_indices)
        visit = book_visit(
            BookingRequest(
                session.day_id,
                [PlannedOpening(session.id, slot_ids)],
                Contact(**contact),
                topic_ids=[world.topics["jobs"]],
            )
        )
        return visit.reference


def visit_state(app: Flask, reference: str) -> dict[str, Any]:
    """A visit's status and its appointments as (agency, local start, local end, status, seats)."""
    return visit_snapshot(app, reference, appointments=appointment_rows)


def appointment_rows(visit: Visit) -> list[tuple[Any, ...]]:
    return [
        (a.agency_id, clock(a.starts_dt), clock(a.ends_dt), a.status, len(a.seats))
        for a in visit.appointments
    ]


def session_state(app: Flask, session_id: int) -> dict[str, Any]:
    with app.app_context():
        session = db.session.get(Session, session_id)
        return {
            "status": session.status,
            "window": (clock(session.starts_dt), clock(session.ends_dt)),
            "desks": session.desks,
            "slots": [(clock(s.starts_dt), s.capacity) for s in session.slots],
        }


# --- publishing ---------------------------------------------------------------------------


def test_publishing_hours_cuts_slots_around_the_break_with_one_place_per_desk(
    app, world, login, staff
) -> None:
    advisor = login("jc")
    form = hours_form(
        world,
        ends="12:00",
        desks="2",
        rooms="1.01\n1.02",
        breaks="10:00-10:20",
        languages=["de", "ar"],
        interpreter="y",
    )
    response = advisor.post(new_url(world), data=form)
    assert response.status_code == 302
    assert "Your hours are published." in html_of(advisor.get(response.location))

    with app.app_context():
        session = db.session.scalar(sa.select(Session))
        assert session.agency_id == world.agencies["jc"] and session.day_id == world.day
        assert session.status is SessionStatus.PUBLISHED
        assert session.advisor.email == staff.emails["jc"]
        assert (session.desks, session.slot_minutes) == (2, 20)
        assert session.rooms == ["1.01", "1.02"]
        assert session.breaks == [["10:00", "10:20"]]
        assert session.languages == ["de", "ar"] and session.interpreter_available
        assert [t.id for t in session.topics] == [world.topics["jobs"]]
        # Stored in UTC: 09:00 in Berlin in March is 08:00 UTC.
        assert (session.starts_dt.hour, session.ends_dt.hour) == (8, 11)
        slots = [(clock(s.starts_dt), clock(s.ends_dt), s.capacity) for s in session.slots]
    assert slots == [
        ("09:00", "09:20", 2),
        ("09:20", "09:40", 2),
        ("09:40", "10:00", 2),
        ("10:20", "10:40", 2),
        ("10:40", "11:00", 2),
        ("11:00", "11:20", 2),
        ("11:20", "11:40", 2),
        ("11:40", "12:00", 2),
    ]


def test_hours_kept_as_draft_are_saved_but_not_bookable(app, world, login) -> None:
    advisor = login("jc")
    response = advisor.post(new_url(world), data=hours_form(world, status="draft"))
    assert response.status_code == 302
    assert "Your hours are saved as a draft." in html_of(advisor.get(response.location))
    with app.app_context():
        session = db.session.scalar(sa.select(Session))
        assert session.status is SessionStatus.DRAFT
        assert len(session.slots) == 6
        day = db.session.get(ConsultationDay, world.day)
        assert day.published_sessions == []


def test_the_hours_form_lets_a_browser_submit_some_topics_and_languages(world, login) -> None:
    markup = login("jc").get(new_url(world)).get_data(as_text=True)

    # A `required` on each box would make browsers demand every topic and every language.
    assert re.search(r'<input[^>]*type="checkbox"', markup)
    assert not re.search(r'<input[^>]*type="checkbox"[^>]*required', markup)


def test_the_index_lists_the_days_the_agency_is_invited_to(app, world, login) -> None:
    page = html_of(login("jc").get("/staff/hours/"))
    assert f'data-day="{world.day}"' in page
    assert f'data-day="{world.other_day}"' not in page  # Jobcenter is not invited there
    assert "No hours yet" in page and new_url(world) in page

    add_session(app, world)
    page = html_of(login("jc").get("/staff/hours/"))
    assert "Hours published" in page and "Add more hours" in page


def test_staff_cannot_publish_for_another_agency_or_an_uninvited_day(app, world, login) -> None:
    refused = [
        ("jc", "mbe", "day"),  # another agency, even though it is invited
        ("abh", "abh", "day"),  # own agency, but not invited to the day
        ("jc", "jc", "other_day"),  # own agency, another day it is not invited to
        ("desk", "jc", "day"),  # front desk staff publish no hours
    ]
    for who, agency, day in refused:
        client = login(who)
        url = new_url(world, agency, day)
        assert client.get(url).status_code == 403, (who, agency, day)
        assert client.post(url, data=hours_form(world)).status_code == 403, (who, agency, day)
    assert count(app, Session) == 0 and count(app, Slot) == 0


def test_coordinators_publish_for_any_agency(app, world, login) -> None:
    coordinator = login("coordinator")
    url = new_url(world, "abh", "day")
    form = hours_form(world, topics=[str(world.topics["residence"])])
    assert coordinator.post(url, data=form).status_code == 302
    with app.app_context():
        session = db.session.scalar(sa.select(Session))
        assert session.agency_id == world.agencies["abh"] and session.advisor is None


INVALID_HOURS = {
    "times": [
        (
            {"starts": "11:00", "ends": "09:00"},
            "The session must end after it starts (11:00 to 09:00).",
        ),
        ({"starts": "10:00", "ends": "10:00"}, "The session must end after it starts"),
        ({"starts": "9h30"}, "Please enter a time like 09:30."),
        ({"starts": "25:00"}, "Please enter a time like 09:30."),
        ({"ends": "11:00:30"}, "Please enter a time like 09:30."),
        ({"ends": ""}, "Please enter a time like 09:30."),
        ({"starts": "09:00", "ends": "09:10"}, "These hours are too short for a single slot."),
    ],
    "slots and desks": [
        ({"slot_minutes": "4"}, "Please enter a number from 5 to 240."),
        ({"slot_minutes": "241"}, "Please enter a number from 5 to 240."),
        ({"slot_minutes": "twenty"}, "Please enter a whole number."),
        ({"slot_minutes": ""}, "Please enter a whole number."),
        ({"desks": "0"}, "Please enter a number from 1 to 50."),
        ({"desks": "51"}, "Please enter a number from 1 to 50."),
        ({"desks": "2", "rooms": "1.01"}, "Please name one room per desk (2 desks, 1 rooms)"),
    ],
    "breaks": [
        ({"breaks": "11:30-12:00"}, "The break 11:30 to 12:00 must lie within the session times."),
        ({"breaks": "08:30-09:10"}, "The break 08:30 to 09:10 must lie within the session times."),
        ({"breaks": "10:20-10:00"}, "A break must end after it starts (10:20 to 10:00)."),
        ({"breaks": "lunch"}, "The break lunch could not be read."),
        ({"breaks": "12:00"}, "Please write breaks like 12:00-12:30."),
        ({"breaks": "09:20-09:40, 09:30-10:00"}, "overlap. Please merge them."),
    ],
    "choices": [
        ({"topics": []}, "Please choose at least one topic that you serve."),
        ({"topics": ["residence"]}, "Please choose one of the offered options."),
        ({"languages": []}, "Please choose at least one language."),
        ({"languages": ["xx"]}, "Please choose one of the offered options."),
        ({"status": "secret"}, "Please choose one of the offered options."),
    ],
}


@pytest.mark.parametrize("group", INVALID_HOURS)
def test_invalid_hours_are_explained_with_a_422_and_nothing_is_written(
    app, world, login, group
) -> None:
    advisor = login("jc")
    for changes, message in INVALID_HOURS[group]:
        if changes.get("topics") == ["residence"]:
            changes = {"topics": [str(world.topics["residence"])]}  # served by another agency only
        response = advisor.post(new_url(world), data=hours_form(world, **changes))
        assert response.status_code == 422, changes
        assert message in html_of(response), changes
    assert count(app, Session) == 0 and count(app, Slot) == 0


def test_hours_overlapping_the_agencys_own_hours_are_refused(app, world, login) -> None:
    add_session(app, world)  # 09:00-10:00
    advisor = login("jc")
    response = advisor.post(new_url(world), data=hours_form(world, starts="09:40", ends="11:00"))
    assert response.status_code == 422
    assert "Jobcenter already has hours from 09:00 to 10:00 on this day." in html_of(response)
    assert count(app, Session) == 1

    later = advisor.post(new_url(world), data=hours_form(world, starts="10:00", ends="11:00"))
    assert later.status_code == 302
    assert count(app, Session) == 2


def test_no_hours_on_a_cancelled_or_past_day(app, world, login) -> None:
    advisor = login("jc")
    for status, day_date, message in [
        (DayStatus.CANCELLED, DAY, "This consultation day is cancelled"),
        (DayStatus.PUBLISHED, date(2020, 3, 10), "This consultation day is over"),
    ]:
        with app.app_context():
            day = db.session.get(ConsultationDay, world.day)
            day.status, day.date = status, day_date
            db.session.commit()
        response = advisor.post(new_url(world), data=hours_form(world))
        assert response.status_code == 422
        assert message in html_of(response)
    assert count(app, Session) == 0


# --- changing hours with bookings ---------------------------------------------------------


def edit_url(session_id: int) -> str:
    return f"/staff/hours/session/{session_id}"


def review_query(response) -> str:
    """The pending change that the edit page carries to the review page."""
    assert response.status_code == 303
    parts = urlsplit(response.location)
    assert re.fullmatch(r"/staff/hours/session/\d+/review", parts.path)
    return parts.query


def affected_references(page: str) -> list[str]:
    """The references on the cards of affected visits (the advisors of a visit see them)."""
    return re.findall(
        r'<li class="card" data-visit="\d+">\s*'
        r'<h2 class="card-title"><span translate="no">([^<]+)<',
        page,
    )


def plan_tokens(page: str) -> list[str]:
    return re.findall(r'name="plan" value="([^"]+)"', page)


def test_a_change_that_fits_every_booking_is_applied_and_keeps_the_seats(app, world, login) -> None:
    session_id = add_session(app, world, ends=time(10, 0))
    early = book_at(app, world, session_id, 0, name="Early")
    late = book_at(app, world, session_id, 2, name="Late")
    advisor = login("jc")
    response = advisor.post(edit_url(session_id), data=hours_form(world, ends="12:00", desks="2"))
    assert response.status_code == 302
    assert "Every booking keeps its time." in html_of(advisor.get(response.location))

    state = session_state(app, session_id)
    assert state["window"] == ("09:00", "12:00") and state["desks"] == 2
    assert len(state["slots"]) == 9 and {c for _, c in state["slots"]} == {2}
    assert visit_state(app, early)["appointments"] == [
        (world.agencies["jc"], "09:00", "09:20", AppointmentStatus.BOOKED, 1)
    ]
    assert visit_state(app, late)["appointments"] == [
        (world.agencies["jc"], "09:40", "10:00", AppointmentStatus.BOOKED, 1)
    ]
    assert count(app, Seat) == 2


def test_shrinking_hours_lists_the_affected_visits_and_drops_no_booking(app, world, login) -> None:
    session_id = add_session(app, world, ends=time(11, 0))
    kept = book_at(app, world, session_id, 0, name="Kept Person")
    moved = book_at(
        app,
        world,
        session_id,
        4,
        name="Late Person",
        phone="+49 170 1234567",
        email="l@example.org",
    )
    advisor = login("jc")
    before = session_state(app, session_id)

    query = review_query(advisor.post(edit_url(session_id), data=hours_form(world, ends="10:00")))
    page = html_of(advisor.get(f"{edit_url(session_id)}/review?{query}"))
    assert affected_references(page) == [moved]
    assert "Late Person" in page and "+49 170 1234567" in page and "l@example.org" in page
    assert "1 booked visit does not fit." in page
    assert "Kept Person" not in page

    # Nothing has changed yet: the session, its slots and both bookings are as before.
    assert session_state(app, session_id) == before
    assert visit_state(app, kept)["status"] is VisitStatus.BOOKED
    assert visit_state(app, moved)["appointments"] == [
        (world.agencies["jc"], "10:20", "10:40", AppointmentStatus.BOOKED, 1)
    ]


def test_replanning_moves_the_affected_visit_onto_a_free_slot_then_the_change_applies(
    app, world, login
) -> None:
    session_id = add_session(app, world, ends=time(11, 0))
    kept = book_at(app, world, session_id, 0, name="Kept Person")
    moved = book_at(app, world, session_id, 4, name="Late Person")
    advisor = login("jc")
    query = review_query(advisor.post(edit_url(session_id), data=hours_form(world, ends="10:00")))
    review = f"{edit_url(session_id)}/review?{query}"
    tokens = plan_tokens(html_of(advisor.get(review)))
    assert tokens

    visit_id = visit_state(app, moved)["id"]
    url = f"{edit_url(session_id)}/visits/{visit_id}/replan?{query}"
    response = advisor.post(url, data={"plan": tokens[0]})
    assert response.status_code == 302
    page = html_of(advisor.get(response.location))
    assert f"The visit {moved} has been moved." in page
    assert "No booking is affected." in page

    state = visit_state(app, moved)
    assert state["status"] is VisitStatus.BOOKED
    active = [a for a in state["appointments"] if a[3] is AppointmentStatus.BOOKED]
    # 09:00 is taken by the kept visit on the only desk, so a later slot inside the new hours.
    assert len(active) == 1 and active[0][1] in {"09:20", "09:40"} and active[0][4] == 1
    assert (world.agencies["jc"], "10:20", "10:40", AppointmentStatus.CANCELLED, 0) in state[
        "appointments"
    ]

    response = advisor.post(edit_url(session_id), data=hours_form(world, ends="10:00"))
    assert response.status_code == 302
    assert session_state(app, session_id)["window"] == ("09:00", "10:00")
    assert len(session_state(app, session_id)["slots"]) == 3
    assert visit_state(app, kept)["appointments"][0][3:] == (AppointmentStatus.BOOKED, 1)
    assert count(app, Seat) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"starts": "10:40", "ends": "11:40"},
            "Jobcenter already has hours from 11:00 to 12:00 on this day.",
        ),
        ({"starts": "09:00", "ends": "09:10"}, "These hours are too short for a single slot."),
    ],
)
def test_a_change_that_can_never_be_made_touches_no_booking(
    app, world, login, changes, message
) -> None:
    session_id = add_session(app, world)
    add_session(app, world, starts=time(11, 0), ends=time(12, 0))
    reference = book_at(app, world, session_id, 2)
    advisor = login("jc")
    response = advisor.post(edit_url(session_id), data=hours_form(world, **changes))
    assert response.status_code == 422
    assert message in html_of(response)

    # Nor can the bookings be cancelled or moved for it through a crafted address.
    query = urlencode(hours_form(world, **changes), doseq=True)
    review = advisor.get(f"{edit_url(session_id)}/review?{query}", follow_redirects=True)
    assert message in html_of(review) and affected_references(html_of(review)) == []
    visit_id = visit_state(app, reference)["id"]
    cancel = f"{edit_url(session_id)}/visits/{visit_id}/cancel?{query}"
    assert message in html_of(advisor.post(cancel, data={"reason": "x"}, follow_redirects=True))
    assert visit_state(app, reference)["status"] is VisitStatus.BOOKED
    assert session_state(app, session_id)["window"] == ("09:00", "10:00")


def test_a_stale_or_forged_plan_is_refused_and_the_visit_keeps_its_time(app, world, login) -> None:
    session_id = add_session(app, world, ends=time(11, 0))
    moved = book_at(app, world, session_id, 4)
    advisor = login("jc")
    query = review_query(advisor.post(edit_url(session_id), data=hours_form(world, ends="10:00")))
    visit_id = visit_state(app, moved)["id"]
    with app.app_context():
        # The dropped slot at 10:40 is free, but it does not survive the change.
        dropped = db.session.get(Session, session_id).slots[5].id
    url = f"{edit_url(session_id)}/visits/{visit_id}/replan?{query}"
    response = advisor.post(url, data={"plan": f"{session_id}:{dropped}"}, follow_redirects=True)
    assert "This time is not free any more." in html_of(response)
    response = advisor.post(url, data={"plan": ""}, follow_redirects=True)
    assert "Please choose a new time." in html_of(response)
    assert visit_state(app, moved)["appointments"] == [
        (world.agencies["jc"], "10:20", "10:40", AppointmentStatus.BOOKED, 1)
    ]


def make_change_form(page: str) -> MultiDict:
    """The hidden fields of the review page's "Make the change" form."""
    form = re.search(
        r'<form method="post" action="/staff/hours/session/\d+">(.*?)</form>', page, re.S
    )
    assert form is not None, "the change cannot be made yet"
    return MultiDict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(1))
    )


def test_cancelling_an_affected_visit_with_a_reason_frees_its_seat(app, world, login) -> None:
    session_id = add_session(app, world, ends=time(11, 0))
    moved = book_at(app, world, session_id, 4)
    advisor = login("jc")
    change = hours_form(world, ends="10:00", rooms="R1", languages=["de", "ar"], interpreter="y")
    query = review_query(advisor.post(edit_url(session_id), data=change))
    visit_id = visit_state(app, moved)["id"]
    url = f"{edit_url(session_id)}/visits/{visit_id}/cancel?{query}"

    refused = advisor.post(url, data={"reason": "   "}, follow_redirects=True)
    assert "Please give a reason; the person will be told." in html_of(refused)
    assert visit_state(app, moved)["status"] is VisitStatus.BOOKED

    response = advisor.post(url, data={"reason": "The advisor  is ill."})
    assert response.status_code == 302
    page = html_of(advisor.get(response.location))
    assert f"The booking {moved} is cancelled." in page
    assert "No booking is affected." in page

    state = visit_state(app, moved)
    assert state["status"] is VisitStatus.CANCELLED
    assert state["reason"] == "The advisor is ill."
    assert state["appointments"] == [
        (world.agencies["jc"], "10:20", "10:40", AppointmentStatus.CANCELLED, 0)
    ]
    assert count(app, Seat) == 0
    assert "This visit is cancelled." in html_of(app.test_client().get(f"/visit/{moved}?lang=en"))

    # The review page carries the whole pending change to the button that makes it.
    response = advisor.post(edit_url(session_id), data=make_change_form(page))
    assert response.status_code == 302
    assert session_state(app, session_id)["window"] == ("09:00", "10:00")
    with app.app_context():
        session = db.session.get(Session, session_id)
        assert session.rooms == ["R1"] and session.languages == ["de", "ar"]
        assert session.interpreter_available


def test_a_booking_made_after_the_review_is_not_dropped_by_the_change(app, world, login) -> None:
    session_id = add_session(app, world, ends=time(11, 0))
    advisor = login("jc")
    change = hours_form(world, ends="10:00")
    query = urlencode(change, doseq=True)
    page = html_of(advisor.get(f"{edit_url(session_id)}/review?{query}"))
    assert "No booking is affected." in page
    late = book_at(app, world, session_id, 5, name="Booked Meanwhile")

    response = advisor.post(edit_url(session_id), data=make_change_form(page))
    assert response.status_code == 303
    page = html_of(advisor.get(response.location))
    assert affected_references(page) == [late]
    assert session_state(app, session_id)["window"] == ("09:00", "11:00")
    assert visit_state(app, late)["appointments"][0][3:] == (AppointmentStatus.BOOKED, 1)
    # Typed again on the hours page, the change is held back just the same.
    assert advisor.post(edit_url(session_id), data=change).status_code == 303
    assert session_state(app, session_id)["window"] == ("09:00", "11:00")


def test_cancelling_keeps_the_visits_appointments_with_other_agencies(app, world, login) -> None:
    jc_session = add_session(app, world, ends=time(11, 0))
    mbe_session = add_session(
        app, world, "mbe", ("counselling",), starts=time(11, 0), ends=time(12, 0)
    )
    with app.app_context(), atomic():
        jc_slot = db.session.get(Session, jc_session).slots[4].id
        mbe_slot = db.session.get(Session, mbe_session).slots[0].id
        visit = book_visit(
            BookingRequest(
                world.day,
                [PlannedOpening(jc_session, (jc_slot,)), PlannedOpening(mbe_session, (mbe_slot,))],
                Contact(name="Two Offices"),
                topic_ids=[world.topics["jobs"], world.topics["counselling"]],
            )
        )
        reference = visit.reference
    advisor = login("jc")
    query = review_query(advisor.post(edit_url(jc_session), data=hours_form(world, ends="10:00")))
    url = f"{edit_url(jc_session)}/visits/{visit_state(app, reference)['id']}/cancel?{query}"
    assert advisor.post(url, data={"reason": "Shorter hours"}).status_code == 302

    state = visit_state(app, reference)
    assert state["status"] is VisitStatus.BOOKED
    assert sorted(state["appointments"]) == sorted(
        [
            (world.agencies["jc"], "10:20", "10:40", AppointmentStatus.CANCELLED, 0),
            (world.agencies["mbe"], "11:00", "11:20", AppointmentStatus.BOOKED, 1),
        ]
    )


def test_replanning_a_visit_with_two_agencies_keeps_both_appointments(app, world, login) -> None:
    jc_session = add_session(app, world, topics=("money",), ends=time(11, 0))
    mbe_session = add_session(
        app, world, "mbe", ("counselling",), starts=time(10, 0), ends=time(12, 0)
    )
    with app.app_context(), atomic():
        jc_slot = db.session.get(Session, jc_session).slots[4].id  # 10:20
        mbe_slot = db.session.get(Session, mbe_session).slots[3].id  # 11:00
        reference = book_visit(
            BookingRequest(
                world.day,
                [PlannedOpening(jc_session, (jc_slot,)), PlannedOpening(mbe_session, (mbe_slot,))],
                Contact(name="Two Offices"),
                topic_ids=[world.topics["money"], world.topics["counselling"]],
            )
        ).reference
    advisor = login("jc")
    form = hours_form(world, ends="10:00", topics=[str(world.topics["money"])])
    query = review_query(advisor.post(edit_url(jc_session), data=form))
    tokens = plan_tokens(html_of(advisor.get(f"{edit_url(jc_session)}/review?{query}")))
    assert tokens and all("|" in token for token in tokens)  # each plan sees both agencies

    url = f"{edit_url(jc_session)}/visits/{visit_state(app, reference)['id']}/replan?{query}"
    assert advisor.post(url, data={"plan": tokens[0]}).status_code == 302
    state = visit_state(app, reference)
    active = sorted(a for a in state["appointments"] if a[3] is AppointmentStatus.BOOKED)
    assert state["status"] is VisitStatus.BOOKED
    assert [a[0] for a in active] == sorted([world.agencies["jc"], world.agencies["mbe"]])
    jc_start = next(a[1] for a in active if a[0] == world.agencies["jc"])
    assert jc_start in {"09:00", "09:20", "09:40"}
    assert all(a[4] == 1 for a in active)
    assert advisor.post(edit_url(jc_session), data=form).status_code == 302
    assert session_state(app, jc_session)["window"] == ("09:00", "10:00")


def test_a_kept_booking_moves_to_a_remaining_desk_and_its_room(app, world, login) -> None:
    session_id = add_session(app, world, desks=2, rooms=("A", "B"))
    first = book_at(app, world, session_id, 1, name="First")
    second = book_at(app, world, session_id, 1, name="Second")
    with app.app_context():
        db.session.scalar(sa.select(Visit).where(Visit.reference == first)).cancel("by the person")
        db.session.commit()
        assert db.session.scalar(sa.select(Seat)).desk == 2
    form = hours_form(world, ends="10:00", desks="1", rooms="C")
    assert login("jc").post(edit_url(session_id), data=form).status_code == 302
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == second))
        (appointment,) = visit.appointments
        assert (appointment.desk, appointment.room, clock(appointment.starts_dt)) == (
            1,
            "C",
            "09:20",
        )
        assert [(seat.slot.capacity, seat.desk) for seat in appointment.seats] == [(1, 1)]


def test_fewer_desks_affect_only_the_bookings_beyond_the_new_capacity(app, world, login) -> None:
    session_id = add_session(app, world, desks=2)
    first = book_at(app, world, session_id, 1, name="First")
    second = book_at(app, world, session_id, 1, name="Second")
    advisor = login("jc")
    query = review_query(
        advisor.post(edit_url(session_id), data=hours_form(world, ends="10:00", desks="1"))
    )
    page = html_of(advisor.get(f"{edit_url(session_id)}/review?{query}"))
    assert affected_references(page) == [second]
    # The replan options never offer the 09:20 slot that the first visit keeps.
    with app.app_context():
        kept_slot = db.session.get(Session, session_id).slots[1].id
    assert plan_tokens(page) and all(
        token != f"{session_id}:{kept_slot}" for token in plan_tokens(page)
    )
    assert visit_state(app, first)["status"] is VisitStatus.BOOKED
    assert visit_state(app, second)["status"] is VisitStatus.BOOKED


def test_a_checked_in_visit_is_affected_but_cannot_be_moved(app, world, login) -> None:
    session_id = add_session(app, world, ends=time(11, 0))
    reference = book_at(app, world, session_id, 4)
    with app.app_context():
        db.session.scalar(sa.select(Appointment)).check_in()
        db.session.commit()
    advisor = login("jc")
    query = review_query(advisor.post(edit_url(session_id), data=hours_form(world, ends="10:00")))
    page = html_of(advisor.get(f"{edit_url(session_id)}/review?{query}"))
    assert affected_references(page) == [reference]
    assert "already checked in" in page and plan_tokens(page) == []


def test_an_unreadable_pending_change_is_a_400(world, login) -> None:
    advisor = login("jc")
    session_id = add_session(advisor.application, world)
    review = advisor.get(f"{edit_url(session_id)}/review", query_string={"starts": "soon"})
    assert review.status_code == 400


def test_invalid_changes_are_explained_and_change_nothing(app, world, login) -> None:
    session_id = add_session(app, world)
    before = session_state(app, session_id)
    response = login("jc").post(
        edit_url(session_id), data=hours_form(world, breaks="10:30-11:30", ends="10:00")
    )
    assert response.status_code == 422
    assert "must lie within the session times" in html_of(response)
    assert session_state(app, session_id) == before


def test_other_agencies_cannot_change_or_withdraw_the_hours(app, world, login) -> None:
    session_id = add_session(app, world)
    reference = book_at(app, world, session_id, 0)
    visit_id = visit_state(app, reference)["id"]
    other = login("mbe")
    assert other.get(edit_url(session_id)).status_code == 403
    assert other.post(edit_url(session_id), data=hours_form(world)).status_code == 403
    assert other.get(f"{edit_url(session_id)}/withdraw").status_code == 403
    assert other.post(f"{edit_url(session_id)}/withdraw").status_code == 403
    cancel = f"{edit_url(session_id)}/visits/{visit_id}/cancel?withdraw=1"
    assert other.post(cancel, data={"reason": "no"}).status_code == 403
    assert session_state(app, session_id)["status"] is SessionStatus.PUBLISHED
    assert visit_state(app, reference)["status"] is VisitStatus.BOOKED


# --- withdrawing hours --------------------------------------------------------------------


def test_withdrawing_hours_with_bookings_lists_them_and_refuses_until_resolved(
    app, world, login
) -> None:
    session_id = add_session(app, world)
    first = book_at(app, world, session_id, 0, name="First")
    second = book_at(app, world, session_id, 2, name="Second")
    advisor = login("jc")
    withdraw = f"{edit_url(session_id)}/withdraw"
    page = html_of(advisor.get(withdraw))
    assert affected_references(page) == [first, second]

    refused = advisor.post(withdraw)
    assert refused.status_code == 409
    assert "2 bookings do not fit the new hours." in html_of(refused)
    assert session_state(app, session_id)["status"] is SessionStatus.PUBLISHED
    assert count(app, Seat) == 2

    for reference in (first, second):
        url = f"{edit_url(session_id)}/visits/{visit_state(app, reference)['id']}/cancel"
        response = advisor.post(url, query_string={"withdraw": "1"}, data={"reason": "Closed"})
        assert response.location.endswith(withdraw)
        assert visit_state(app, reference)["status"] is VisitStatus.CANCELLED
    assert count(app, Seat) == 0

    response = advisor.post(withdraw)
    assert response.status_code == 302
    assert "The hours are withdrawn." in html_of(advisor.get(response.location))
    assert session_state(app, session_id)["status"] is SessionStatus.WITHDRAWN
    with app.app_context():
        assert db.session.get(ConsultationDay, world.day).published_sessions == []


def test_a_withdrawn_agencys_visit_is_replanned_with_another_agency_serving_the_topic(
    app, world, login
) -> None:
    jc_session = add_session(app, world)
    add_session(app, world, "mbe", starts=time(10, 0), ends=time(11, 0))
    reference = book_at(app, world, jc_session, 0)
    advisor = login("jc")
    withdraw = f"{edit_url(jc_session)}/withdraw"
    tokens = plan_tokens(html_of(advisor.get(withdraw)))
    assert tokens

    url = f"{edit_url(jc_session)}/visits/{visit_state(app, reference)['id']}/replan"
    response = advisor.post(url, query_string={"withdraw": "1"}, data={"plan": tokens[0]})
    assert response.location.endswith(withdraw)
    assert advisor.post(withdraw).status_code == 302

    state = visit_state(app, reference)
    assert state["status"] is VisitStatus.BOOKED
    (active,) = [a for a in state["appointments"] if a[3] is AppointmentStatus.BOOKED]
    assert active[0] == world.agencies["mbe"] and active[1] == "10:00" and active[4] == 1
    assert session_state(app, jc_session)["status"] is SessionStatus.WITHDRAWN
