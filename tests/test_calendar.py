"""The combined calendar: desks as columns, times as rows, one visit's path linked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from consult.calendar.grid import COVERED, Cell, build_day_grid
from consult.extensions import db
from consult.models import Role
from tests.factories import (
    create_agency,
    create_day,
    create_location,
    create_session,
    create_staff,
    create_visit,
)
from tests.support import Login

T0 = datetime(2030, 3, 12, 8, 0, tzinfo=UTC)


@dataclass
class FakeSession:
    id: int
    agency_id: int
    desks: int
    starts_dt: datetime = T0
    ends_dt: datetime = T0 + timedelta(hours=2)

    def room_for(self, desk: int) -> str:
        return f"R{desk}"


@dataclass
class FakeAppointment:
    id: int
    visit_id: int
    session_id: int
    desk: int
    starts_dt: datetime
    ends_dt: datetime


def test_grid_places_appointments_by_desk_and_spans_their_rows() -> None:
    sessions = [FakeSession(1, agency_id=7, desks=2), FakeSession(2, agency_id=3, desks=1)]
    starts = [T0 + timedelta(minutes=20 * n) for n in range(6)]
    long = FakeAppointment(1, 100, 1, 2, starts[1], starts[3])  # two slots at desk 2
    first = FakeAppointment(2, 200, 2, 1, starts[0], starts[1])
    second = FakeAppointment(3, 200, 1, 1, starts[2], starts[3])
    grid = build_day_grid(sessions, [long, first, second], starts)

    assert [(c.session.id, c.desk, c.room) for c in grid.columns] == [
        (2, 1, "R1"),
        (1, 1, "R1"),
        (1, 2, "R2"),
    ]
    assert [row.starts_dt for row in grid.rows] == starts
    assert grid.rows[1].cells[2] == Cell(long, 2)
    assert grid.rows[2].cells[2] == COVERED
    assert grid.rows[0].cells[0] == Cell(first, 1)
    assert grid.rows[0].cells[1] is None
    assert grid.visit_marks == {200: 1}


@pytest.fixture
def booked_day(app: Flask) -> dict[str, object]:
    with app.app_context():
        location = create_location(town="Magdeburg")
        other_location = create_location(town="Halle (Saale)")
        jobcenter, abh = create_agency(name="Jobcenter"), create_agency(name="Ausländerbehörde")
        day = create_day(location)
        first = create_session(day, jobcenter, desks=2, rooms=("1.01", "1.02"))
        second = create_session(day, abh, starts=time(9, 0), ends=time(11, 0))
        db.session.commit()
        visit = create_visit(
            day, (first, 0), (second, 2), name="Amina Path", language="ar", interpreter_wanted=True
        )
        desk = create_staff(Role.FRONTDESK, email="desk@example.org", locations=[location])
        far_desk = create_staff(Role.FRONTDESK, email="far@example.org", locations=[other_location])
        create_staff(Role.ADVISOR, email="jc@example.org", agency=jobcenter)
        create_staff(Role.ADVISOR, email="other@example.org", agency=create_agency())
        # An agency with hours on the same day, but not part of the visit.
        chamber = create_agency(name="Handwerkskammer")
        create_session(day, chamber, starts=time(13, 0), ends=time(14, 0))
        create_staff(Role.ADVISOR, email="chamber@example.org", agency=chamber)
        create_staff(Role.COORDINATOR, email="coordinator@example.org")
        db.session.commit()
        return {
            "location": location.id,
            "date": day.date.isoformat(),
            "reference": visit.reference,
            "visit": visit.id,
            "abh": abh.id,
            "jobcenter": jobcenter.id,
            "desk": desk.email,
            "far": far_desk.email,
        }


def test_day_view_shows_each_desk_and_the_visit_path(
    client: FlaskClient, booked_day, login: Login
) -> None:
    login("desk@example.org", client)
    page = client.get(f"/staff/calendar/day/{booked_day['location']}/{booked_day['date']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count(f'data-visit="{booked_day["visit"]}"') == 2
    assert "Amina Path" in html and "interpreter" in html
    assert "Desk 2 · 1.02" in html
    assert "Path:" in html and "→" in html
    assert '<table class="day-grid">' in html


def test_time_ranges_read_left_to_right_in_arabic(
    client: FlaskClient, booked_day, login: Login
) -> None:
    login("desk@example.org", client)
    client.get("/lang/ar")
    page = client.get(f"/staff/calendar/day/{booked_day['location']}/{booked_day['date']}")
    html = page.get_data(as_text=True)
    assert 'dir="rtl"' in html
    ranges = re.findall(r"(<bdi dir=\"ltr\">)?(\d\d:\d\d–\d\d:\d\d)", html)
    assert ranges and all(isolated for isolated, _range in ranges)  # every one isolated


def test_filter_by_agency(client: FlaskClient, booked_day, login: Login) -> None:
    login("desk@example.org", client)
    url = f"/staff/calendar/day/{booked_day['location']}/{booked_day['date']}"
    html = client.get(url, query_string={"agency": booked_day["abh"]}).get_data(as_text=True)
    assert "Desk 2" not in html
    assert html.count(f'data-visit="{booked_day["visit"]}"') == 1


def test_advisors_see_names_only_of_their_own_visits(
    client: FlaskClient, booked_day, login: Login
) -> None:
    url = f"/staff/calendar/day/{booked_day['location']}/{booked_day['date']}"
    html = login("jc@example.org", client).get(url).get_data(as_text=True)
    assert "Amina Path" in html
    client.post("/staff/logout")
    other = login("other@example.org", client).get(url)
    assert other.status_code == 403  # their agency has no hours at this location


def test_only_the_desk_and_the_visits_own_advisors_see_its_reference(
    app: Flask, booked_day, login: Login
) -> None:
    """A reference opens the person's pages: advisors of other agencies do not see it."""
    url = f"/staff/calendar/day/{booked_day['location']}/{booked_day['date']}"
    for email, sees in [
        ("desk@example.org", True),
        ("jc@example.org", True),
        ("chamber@example.org", False),
        ("coordinator@example.org", False),
    ]:
        page = login(email).get(url)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert html.count(f'data-visit="{booked_day["visit"]}"') == 2
        assert (booked_day["reference"] in html) is sees, email
        assert (f"Visit {booked_day['visit']}" in html) is not sees, email


def test_front_desk_of_another_location_is_refused(
    client: FlaskClient, booked_day, login: Login
) -> None:
    login(booked_day["far"], client)
    url = f"/staff/calendar/day/{booked_day['location']}/{booked_day['date']}"
    assert client.get(url).status_code == 403
    assert client.get(f"/staff/calendar/day/{booked_day['location']}/not-a-date").status_code in (
        400,
        403,
    )


def test_bad_date_is_a_clear_400(client: FlaskClient, booked_day, login: Login) -> None:
    login("desk@example.org", client)
    response = client.get(f"/staff/calendar/day/{booked_day['location']}/31-31-2030")
    assert response.status_code == 400
    assert "could not be understood" in response.get_data(as_text=True)


def test_week_views_count_appointments(client: FlaskClient, booked_day, login: Login) -> None:
    login("desk@example.org", client)
    html = client.get(
        f"/staff/calendar/week/location/{booked_day['location']}",
        query_string={"start": booked_day["date"]},
    ).get_data(as_text=True)
    assert "Jobcenter" in html and "1 appointment" in html
    assert "1 of 6 desk slots taken" in html  # 09:00-10:00, 20 minutes, 2 desks

    client.post("/staff/logout")
    login("jc@example.org", client)
    own = client.get(
        f"/staff/calendar/week/agency/{booked_day['jobcenter']}",
        query_string={"start": booked_day["date"]},
    )
    assert own.status_code == 200 and "Magdeburg" in own.get_data(as_text=True)
    assert client.get(f"/staff/calendar/week/agency/{booked_day['abh']}").status_code == 403
