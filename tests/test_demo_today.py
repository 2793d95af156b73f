"""The demo has a joint day in Magdeburg today, busy at the front desk and on the display."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from consult import models
from consult.demo import DEMO_PASSWORD, load_demo
from consult.demo_today import (
    BOOKED,
    CALLED,
    CHECKED_IN,
    QUEUED,
    TODAY_VISITS,
    WALK_IN,
    today_hours,
)
from consult.extensions import db
from consult.models import (
    AppointmentStatus,
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    Visit,
)
from tests.support import html_of, text_of

FRONT_DESK = "empfang.magdeburg@example.org"
# A Tuesday, the weekday of the Magdeburg series: today's day comes on top of it.
TODAY = date(2030, 3, 12)
MORNING = datetime(2030, 3, 12, 8, 30, tzinfo=UTC)  # 09:30 in Magdeburg
EVENING = datetime(2030, 3, 12, 20, 50, tzinfo=UTC)  # 21:50 in Magdeburg


def names(happens: str) -> list[str]:
    return [name for name, _language, _topics, what in TODAY_VISITS if what == happens]


def load(app: Flask, monkeypatch: pytest.MonkeyPatch, now: datetime) -> tuple[int, int]:
    """The demo loaded at `now`: the Magdeburg location's id and today's day's id there."""
    monkeypatch.setattr(models, "utcnow", lambda: now)
    with app.app_context():
        load_demo(history=0)
        location = db.session.scalar(sa.select(Location).where(Location.slug == "magdeburg"))
        days = db.session.scalars(
            sa.select(ConsultationDay)
            .where(ConsultationDay.location_id == location.id)
            .order_by(ConsultationDay.date)
        ).all()
        today = days[0]
        assert today.date == TODAY and today.kind is DayKind.JOINT
        assert today.status is DayStatus.PUBLISHED
        # The weekly series begins next Tuesday, as before.
        assert days[1].date == date(2030, 3, 19) and days[1].series_id is not None
        return location.id, today.id


def front_desk(app: Flask) -> FlaskClient:
    client = app.test_client()
    response = client.post("/staff/login", data={"email": FRONT_DESK, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    client.get("/lang/en")
    return client


def tickets(app: Flask, day_id: int) -> dict[str, int | None]:
    with app.app_context():
        visits = db.session.scalars(sa.select(Visit).where(Visit.day_id == day_id)).all()
        return {visit.name: visit.ticket for visit in visits}


def test_todays_day_has_people_booked_checked_in_called_and_queued(app, monkeypatch) -> None:
    _location_id, day_id = load(app, monkeypatch, MORNING)

    given = tickets(app, day_id)

    assert set(given) == {name for name, *_ in TODAY_VISITS}
    here = names(CALLED) + names(CHECKED_IN) + names(WALK_IN) + names(QUEUED)
    assert sorted(given[name] for name in here) == list(range(1, len(here) + 1))
    assert all(given[name] is None for name in given if name not in here)
    with app.app_context():
        visits = db.session.scalars(sa.select(Visit).where(Visit.day_id == day_id)).all()
        states = {v.name: {a.status for a in v.appointments} for v in visits}
        assert all(states[name] == {AppointmentStatus.CHECKED_IN} for name in names(CHECKED_IN))
        assert AppointmentStatus.IN_CONSULTATION in states[names(CALLED)[0]]
        assert all(states[name] == set() for name in names(QUEUED))
        assert all(v.walk_in for v in visits if v.name in names(WALK_IN) + names(QUEUED))


def test_the_front_desk_and_the_display_show_todays_day(app, monkeypatch) -> None:
    location_id, day_id = load(app, monkeypatch, MORNING)
    given = tickets(app, day_id)
    client = front_desk(app)

    desk = client.get(f"/staff/desk/{location_id}/{TODAY.isoformat()}")
    display = client.get(f"/staff/desk/display/{location_id}")

    assert desk.status_code == 200 and display.status_code == 200
    arrivals, queue = html_of(desk).split('id="queue-heading"')
    for name in names(CHECKED_IN) + names(CALLED) + names(WALK_IN) + names(BOOKED):
        assert name in arrivals
    for name in names(QUEUED):
        assert name in queue and name not in arrivals
        assert f'<strong class="ticket">{given[name]}</strong>' in queue
    board = html_of(display)
    called = re.findall(r'class="display-ticket"[^>]*>([^<]+)<', board)
    waiting = re.findall(r"<span>([^<]+)</span>", board.split('class="display-waiting"')[1])
    assert called == [str(given[name]) for name in names(CALLED)]
    expected = names(CHECKED_IN) + names(WALK_IN) + names(QUEUED)
    assert sorted(waiting, key=int) == sorted(str(given[name]) for name in expected)
    # The display shows tickets only, never names.
    assert not any(name in board for name, *_ in TODAY_VISITS)


def test_late_in_the_evening_the_day_still_has_people_waiting(app, monkeypatch) -> None:
    location_id, day_id = load(app, monkeypatch, EVENING)

    given = tickets(app, day_id)

    assert sorted(ticket for ticket in given.values() if ticket is not None) == list(
        range(1, len(names(CALLED) + names(CHECKED_IN) + names(WALK_IN) + names(QUEUED)) + 1)
    )
    assert "Hassan" in text_of(front_desk(app).get(f"/staff/desk/{location_id}/{TODAY}"))


def test_loading_the_demo_again_adds_no_second_day_today(app, monkeypatch) -> None:
    _location_id, day_id = load(app, monkeypatch, MORNING)
    before = tickets(app, day_id)

    with app.app_context():
        load_demo(history=0)
        days = db.session.scalar(
            sa.select(sa.func.count(ConsultationDay.id)).where(ConsultationDay.date == TODAY)
        )

    assert days == 1
    assert tickets(app, day_id) == before


@pytest.mark.parametrize(
    ("hour", "hours"),
    [
        (7, (time(6), time(15), True)),
        (9, (time(8), time(15), True)),
        (10, (time(9), time(15), True)),
        (13, (time(9), time(17), True)),
        (19, (time(9), time(23), True)),
        (21, (time(9), time(23, 40), True)),
        (23, (time(9), time(23, 40), True)),
        (0, (time(0), time(15), True)),
    ],
)
def test_todays_hours_lie_around_the_present_hour(hour, hours) -> None:
    starts, ends, breaks = today_hours(datetime(2030, 3, 12, hour, 10))
    assert (starts, ends, bool(breaks)) == hours
