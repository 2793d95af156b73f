"""Calendar feeds: read back by icalendar and, independently, by vobject; conditional GETs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import vobject
import vobject.icalendar
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from icalendar import Calendar

from consult import create_app, models
from consult.extensions import db
from consult.feeds import service
from consult.models import (
    Appointment,
    AuditLog,
    ConsultationDay,
    Location,
    Role,
    Session,
    SessionStatus,
    StaffUser,
    Visit,
    today_in,
)
from tests import factories
from tests.support import Login

NAME, PHONE, EMAIL = "Amira Haddad", "+49 1512 3456789", "amira.haddad@example.org"
ADDRESS = "Rathaus, Alter Markt 6, 39104 Magdeburg"
SPRING = date(2030, 3, 31)  # clocks go forward at 02:00: 09:00 is UTC+2
AUTUMN = date(2030, 10, 27)  # clocks go back at 03:00: 09:00 is UTC+1
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class FeedWorld:
    tokens: dict[str, str]  # "advisor", "colleague" (Jobcenter), "desk", "far_desk", "coordinator"
    emails: dict[str, str]  # "advisor", "desk"
    town_hall: int  # the Rathaus in Magdeburg
    days: dict[str, int]  # "spring" and "autumn" (the clock changes), "draft", "stop" (Zeitz)
    hours: dict[str, int]  # sessions: "spring", "immigration" (spring), "autumn", "draft", "stop"
    appointments: dict[str, int]  # "first" (Amira, spring), "second" (Oleh), "at_stop" (Dilan)
    first_visit: int  # Amira's
    references: list[str]  # the booking references of the three visits


@pytest.fixture
def world(app: Flask) -> FeedWorld:
    """Joint days on both daylight-saving changes, a tour stop, bookings, one of each role."""
    with app.app_context():
        town_hall = factories.create_location(
            slug="rathaus",
            name="Rathaus",
            street="Alter Markt 6",
            postcode="39104",
            town="Magdeburg",
            latitude=52.1315,
            longitude=11.6406,
        )
        zeitz = factories.create_location(
            slug="zeitz", name="Bürgersaal", town="Zeitz", latitude=51.0478, longitude=12.1383
        )
        jobcenter = factories.create_agency(name="Jobcenter")
        immigration = factories.create_agency(name="Ausländerbehörde")
        topic = factories.create_topic(
            [jobcenter], names={"en": "Job search", "de": "Arbeitssuche"}
        )
        spring = factories.create_day(town_hall, date=SPRING)
        spring_hours = factories.create_session(
            spring, jobcenter, [topic], ends=time(11, 0), rooms=("1.01",), languages=("de", "ar")
        )
        immigration_hours = factories.create_session(
            spring, immigration, starts=time(10, 0), ends=time(12, 0)
        )
        autumn = factories.create_day(town_hall, date=AUTUMN)
        autumn_hours = factories.create_session(autumn, jobcenter, [topic])
        draft = factories.create_day(
            town_hall, date=date(2030, 5, 7), status=models.DayStatus.DRAFT
        )
        draft_hours = factories.create_session(draft, jobcenter)
        advisor = factories.create_staff(Role.ADVISOR, agency=jobcenter, language="en")
        colleague = factories.create_staff(Role.ADVISOR, agency=jobcenter, language="de")
        stop_day = factories.create_day(zeitz, date=date(2030, 4, 2), kind=models.DayKind.MOBILE)
        stop_hours = factories.create_session(
            stop_day, jobcenter, [topic], starts=time(10, 0), ends=time(13, 0)
        )
        tour = models.Tour(agency=jobcenter, advisor=advisor, title="Burgenlandkreis")
        tour.status = models.TourStatus.PUBLISHED
        tour.stops.append(models.TourStop(day=stop_day, position=0))
        db.session.add(tour)
        desk = factories.create_staff(Role.FRONTDESK, locations=[town_hall], language="en")
        far_desk = factories.create_staff(Role.FRONTDESK, locations=[zeitz], language="en")
        coordinator = factories.create_staff(Role.COORDINATOR, language="en")
        db.session.commit()
        first = factories.create_visit(
            spring,
            (spring_hours, 0),
            topic_ids=[topic.id],
            name=NAME,
            phone=PHONE,
            email=EMAIL,
            language="ar",
            interpreter_wanted=True,
        )
        second = factories.create_visit(
            autumn, (autumn_hours, 0), name="Oleh Kovalenko", phone="+49 160 9876543", language="uk"
        )
        at_stop = factories.create_visit(
            stop_day, (stop_hours, 1), name="Dilan Yilmaz", language="tr"
        )
        return FeedWorld(
            tokens={
                "advisor": advisor.feed_token,
                "colleague": colleague.feed_token,
                "desk": desk.feed_token,
                "far_desk": far_desk.feed_token,
                "coordinator": coordinator.feed_token,
            },
            emails={"advisor": advisor.email, "desk": desk.email},
            town_hall=town_hall.id,
            days={"spring": spring.id, "autumn": autumn.id, "draft": draft.id, "stop": stop_day.id},
            hours={
                "spring": spring_hours.id,
                "immigration": immigration_hours.id,
                "autumn": autumn_hours.id,
                "draft": draft_hours.id,
                "stop": stop_hours.id,
            },
            appointments={
                "first": first.appointments[0].id,
                "second": second.appointments[0].id,
                "at_stop": at_stop.appointments[0].id,
            },
            first_visit=first.id,
            references=[first.reference, second.reference, at_stop.reference],
        )


# ---------------------------------------------------------------- reading feeds back


def read_vobject(data: bytes) -> Any:
    # vobject keeps the first VTIMEZONE it saw per TZID for the whole process; forget
    # them so each feed is read through its own VTIMEZONE.
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in registry if tzid != "UTC"]:
        del registry[tzid]
    return vobject.readOne(data.decode("utf-8"))


Event = dict[str, Any]


def events(data: bytes) -> dict[str, Event]:
    """The feed's events by UID, as icalendar reads them, checked against vobject."""
    calendar = Calendar.from_ical(data)
    assert [tz.get("TZID") for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    found = {}
    for event in calendar.walk("VEVENT"):
        geo = event.get("GEO")
        found[str(event["UID"])] = {
            "start": event.decoded("DTSTART").astimezone(UTC),
            "end": event.decoded("DTEND").astimezone(UTC),
            "tzid": event["DTSTART"].params.get("TZID"),
            "status": str(event["STATUS"]),
            "sequence": int(event["SEQUENCE"]),
            "summary": str(event.get("SUMMARY", "")),
            "description": str(event.get("DESCRIPTION", "")),
            "location": str(event.get("LOCATION", "")),
            "geo": (geo.latitude, geo.longitude) if geo is not None else None,
            "url": str(event.get("URL", "")),
        }
    independent = read_vobject(data)
    assert independent.vtimezone.tzid.value == "Europe/Berlin"
    seen = {}
    for vevent in independent.contents.get("vevent", []):
        latitude, longitude = (float(part) for part in vevent.geo.value.split(";"))
        seen[vevent.uid.value] = {
            "start": vevent.dtstart.value.astimezone(UTC),
            "end": vevent.dtend.value.astimezone(UTC),
            "status": vevent.status.value,
            "sequence": int(vevent.sequence.value),
            "summary": vevent.summary.value,
            "description": vevent.description.value,
            "location": vevent.location.value,
            "geo": (latitude, longitude),
        }
    assert set(seen) == set(found)
    for uid, event in seen.items():
        assert event == {key: found[uid][key] for key in event}, uid
    return found


def unfolded(data: bytes) -> str:
    """The feed's text with folded lines joined, so a name split by folding still shows."""
    return data.replace(b"\r\n ", b"").decode("utf-8").replace("\\,", ",").replace("\\;", ";")


def staff_url(token: str) -> str:
    return f"/feeds/staff/{token}.ics"


def fetch(client: FlaskClient, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return response


def change(app: Flask, work: Any) -> None:
    with app.app_context():
        work()
        db.session.commit()


def everyone_shows_names(app: Flask) -> None:
    """Every staff member chooses to see names in their feed."""
    with app.app_context():
        for user in db.session.scalars(sa.select(StaffUser)):
            user.feed_shows_names = True
        db.session.commit()


def backdate(app: Flask, *rows: tuple[type, int]) -> None:
    """Pretend these rows were last changed long ago, so a change now surely moves SEQUENCE on."""
    with app.app_context():
        for model, row_id in rows:
            db.session.execute(
                sa.update(model).where(model.id == row_id).values(updated_dt=LONG_AGO)
            )
        db.session.commit()


def event_around(
    app: Flask, client: FlaskClient, token: str, uid: str, work: Any, *stale: tuple[type, int]
) -> tuple[Event, Event]:
    """The event `uid` in the staff feed of `token` before and after `work` is committed.

    The `stale` rows are backdated first.
    """
    backdate(app, *stale)
    url = staff_url(token)
    before = events(fetch(client, url).data)[uid]
    change(app, work)
    return before, events(fetch(client, url).data)[uid]


def hours_event_around(
    app: Flask, client: FlaskClient, world: FeedWorld, key: str, work: Any
) -> tuple[Event, Event]:
    """The advisor's event of the hours `key` ("autumn") on the day `key`, around `work`."""
    hours, day = world.hours[key], world.days[key]
    stale = (Session, hours), (ConsultationDay, day), (Location, world.town_hall)
    return event_around(
        app, client, world.tokens["advisor"], f"session-{hours}@127.0.0.1", work, *stale
    )


def spring_day_event_around(
    app: Flask, client: FlaskClient, world: FeedWorld, work: Any
) -> tuple[Event, Event]:
    """The front desk's event of the spring day, around `work`."""
    stale = (
        (ConsultationDay, world.days["spring"]),
        (Location, world.town_hall),
        (Session, world.hours["spring"]),
        (Session, world.hours["immigration"]),
    )
    uid = f"day-{world.days['spring']}@127.0.0.1"
    return event_around(app, client, world.tokens["desk"], uid, work, *stale)


# ---------------------------------------------------------------- what the feeds hold


def test_event_uids_carry_the_installations_public_host(
    app: Flask, client: FlaskClient, world
) -> None:
    # Two installations in one calendar app must not collide: the UID names the host.
    app.config["CONSULT_BASE_URL"] = "https://termine.example.org"
    found = events(fetch(client, staff_url(world.tokens["advisor"])).data)
    assert found and all(uid.endswith("@termine.example.org") for uid in found)
    assert f"session-{world.hours['spring']}@termine.example.org" in found


def test_advisor_feed_has_hours_stops_and_appointments_at_the_right_instants(
    client: FlaskClient, world
) -> None:
    response = fetch(client, staff_url(world.tokens["advisor"]))
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(response.data)
    assert set(found) == {
        f"session-{world.hours['spring']}@127.0.0.1",
        f"session-{world.hours['autumn']}@127.0.0.1",
        f"session-{world.hours['draft']}@127.0.0.1",
        f"session-{world.hours['stop']}@127.0.0.1",
        f"staff-appointment-{world.appointments['first']}@127.0.0.1",
        f"staff-appointment-{world.appointments['second']}@127.0.0.1",
        f"staff-appointment-{world.appointments['at_stop']}@127.0.0.1",
    }  # not the other agency's hours on the same day
    spring = found[f"session-{world.hours['spring']}@127.0.0.1"]
    assert (spring["start"], spring["end"]) == (utc(2030, 3, 31, 7), utc(2030, 3, 31, 9))
    assert spring["tzid"] == "Europe/Berlin"
    assert spring["status"] == "CONFIRMED"
    assert spring["location"] == ADDRESS
    assert spring["geo"] == (52.1315, 11.6406)
    assert "Booked appointments: 1" in spring["description"]
    autumn = found[f"session-{world.hours['autumn']}@127.0.0.1"]
    assert (autumn["start"], autumn["end"]) == (utc(2030, 10, 27, 8), utc(2030, 10, 27, 9))
    assert found[f"session-{world.hours['draft']}@127.0.0.1"]["status"] == "TENTATIVE"
    stop = found[f"session-{world.hours['stop']}@127.0.0.1"]
    assert stop["summary"] == "Tour stop in Zeitz"
    assert stop["start"] == utc(2030, 4, 2, 8)

    first = found[f"staff-appointment-{world.appointments['first']}@127.0.0.1"]
    assert (first["start"], first["end"]) == (utc(2030, 3, 31, 7), utc(2030, 3, 31, 7, 20))
    assert first["status"] == "CONFIRMED"
    assert first["location"] == ADDRESS
    assert first["summary"] == f"Appointment, visit {world.first_visit}"
    for text in ("Job search", "Language: Arabic", "Interpreter wanted", "Room 1.01"):
        assert text in first["description"]
    # A booking reference opens the person's own pages: no feed carries one.
    for reference in world.references:
        assert reference not in unfolded(response.data)
    assert first["url"] == f"http://localhost/staff/notes/visit/{world.first_visit}"
    second = found[f"staff-appointment-{world.appointments['second']}@127.0.0.1"]
    assert second["start"] == utc(2030, 10, 27, 8)


def test_feed_texts_are_in_the_staff_members_language(client: FlaskClient, world) -> None:
    english = events(fetch(client, staff_url(world.tokens["advisor"])).data)
    german = events(fetch(client, staff_url(world.tokens["colleague"])).data)
    uid = f"staff-appointment-{world.appointments['first']}@127.0.0.1"
    assert "Room 1.01" in english[uid]["description"]
    assert "booked" in english[uid]["description"]
    assert "Raum 1.01" in german[uid]["description"]
    assert "gebucht" in german[uid]["description"]
    assert "Arabisch" in german[uid]["description"]
    # The colleague has no tour: the stop is not in their feed, the agency's joint days are.
    assert f"session-{world.hours['stop']}@127.0.0.1" not in german
    assert f"session-{world.hours['spring']}@127.0.0.1" in german


def test_no_names_or_contacts_by_default_and_names_after_opting_in(
    app: Flask, client: FlaskClient, world, login: Login
) -> None:
    url = staff_url(world.tokens["advisor"])
    text = unfolded(fetch(client, url).data)
    for secret in (NAME, "Amira", PHONE, "3456789", EMAIL, "Oleh", "Dilan"):
        assert secret not in text

    login(world.emails["advisor"], client)
    refused = client.post("/staff/feed/names", data={})
    assert refused.status_code == 400
    assert "Please confirm" in refused.get_data(as_text=True)
    assert NAME not in unfolded(fetch(client, url).data)

    assert client.post("/staff/feed/names", data={"show-confirm": "y"}).status_code == 302
    shown = events(fetch(client, url).data)[
        f"staff-appointment-{world.appointments['first']}@127.0.0.1"
    ]
    assert shown["summary"] == f"{NAME}, visit {world.first_visit}"
    assert all(r not in unfolded(fetch(client, url).data) for r in world.references)
    assert PHONE in shown["description"]
    assert EMAIL in shown["description"]
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "feed.names"))
        assert entry is not None
        assert entry.detail == {"shown": True}

    assert client.post("/staff/feed/names/hide", data={}).status_code == 302
    assert NAME not in unfolded(fetch(client, url).data)


def test_names_stay_out_of_front_desk_and_coordinator_feeds(
    app: Flask, client: FlaskClient, world
) -> None:
    everyone_shows_names(app)
    for token in ("desk", "coordinator"):
        text = unfolded(fetch(client, staff_url(world.tokens[token])).data)
        for secret in (NAME, PHONE, EMAIL, *world.references):
            assert secret not in text


def test_front_desk_gets_one_event_per_day_of_their_locations(client: FlaskClient, world) -> None:
    found = events(fetch(client, staff_url(world.tokens["desk"])).data)
    assert set(found) == {
        f"day-{world.days['spring']}@127.0.0.1",
        f"day-{world.days['autumn']}@127.0.0.1",
        f"day-{world.days['draft']}@127.0.0.1",
    }
    spring = found[f"day-{world.days['spring']}@127.0.0.1"]
    # From the first agency's start to the last one's end, across both agencies.
    assert (spring["start"], spring["end"]) == (utc(2030, 3, 31, 7), utc(2030, 3, 31, 10))
    assert spring["summary"] == "Joint consultation day at Rathaus"
    assert "Jobcenter: 09:00–11:00" in spring["description"]
    assert "Ausländerbehörde: 10:00–12:00" in spring["description"]
    assert spring["status"] == "CONFIRMED"
    assert found[f"day-{world.days['draft']}@127.0.0.1"]["status"] == "TENTATIVE"
    autumn = found[f"day-{world.days['autumn']}@127.0.0.1"]
    assert (autumn["start"], autumn["end"]) == (utc(2030, 10, 27, 8), utc(2030, 10, 27, 9))

    far = events(fetch(client, staff_url(world.tokens["far_desk"])).data)
    assert set(far) == {f"day-{world.days['stop']}@127.0.0.1"}
    assert far[f"day-{world.days['stop']}@127.0.0.1"]["summary"] == "Mobile advice in Zeitz"
    everything = events(fetch(client, staff_url(world.tokens["coordinator"])).data)
    assert set(everything) == set(found) | set(far)


def test_feed_covers_thirty_days_back_and_everything_ahead(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        today = today_in("Europe/Berlin")
        location = factories.create_location()
        days = {
            back: factories.create_day(location, date=today + timedelta(days=back))
            for back in (-31, -30, 60)
        }
        for day in days.values():
            factories.create_session(day)
        coordinator = factories.create_staff(Role.COORDINATOR)
        db.session.commit()
        uids = {back: f"day-{day.id}@127.0.0.1" for back, day in days.items()}
        token = coordinator.feed_token
    found = events(fetch(client, staff_url(token)).data)
    assert set(found) == {uids[-30], uids[60]}


def test_a_feed_spanning_several_years_reads_the_same_in_vobject(
    app: Flask, client: FlaskClient, world
) -> None:
    with app.app_context():
        location = db.session.get(Location, world.town_hall)
        factories.create_session(
            factories.create_day(location, date=today_in("Europe/Berlin") + timedelta(days=1))
        )
        db.session.commit()
    events(fetch(client, staff_url(world.tokens["coordinator"])).data)


# ---------------------------------------------------------------- changes: UID, SEQUENCE, STATUS


def test_uids_are_stable_and_sequence_grows_when_an_appointment_is_cancelled(
    app: Flask, client: FlaskClient, world
) -> None:
    url = staff_url(world.tokens["advisor"])
    before = events(fetch(client, url).data)
    assert events(fetch(client, url).data).keys() == before.keys()
    uid = f"staff-appointment-{world.appointments['first']}@127.0.0.1"

    def cancel() -> None:
        visit = db.session.get(Visit, world.first_visit)
        visit.cancel("ill")

    change(app, cancel)
    after = events(fetch(client, url).data)
    assert after.keys() == before.keys()  # still sent, now as cancelled
    assert after[uid]["status"] == "CANCELLED"
    assert after[uid]["sequence"] > before[uid]["sequence"]
    hours = f"session-{world.hours['spring']}@127.0.0.1"
    assert "Booked appointments: 0" in after[hours]["description"]


def test_withdrawn_hours_are_sent_cancelled_with_a_higher_sequence(
    app: Flask, client: FlaskClient, world
) -> None:
    def withdraw() -> None:
        db.session.get(Session, world.hours["autumn"]).status = SessionStatus.WITHDRAWN

    before, after = hours_event_around(app, client, world, "autumn", withdraw)
    assert before["status"] == "CONFIRMED"
    assert after["status"] == "CANCELLED"
    assert after["sequence"] > before["sequence"]


def test_changed_hours_move_the_event_and_raise_its_sequence(
    app: Flask, client: FlaskClient, world
) -> None:
    def later() -> None:
        session = db.session.get(Session, world.hours["draft"])
        session.starts_dt += timedelta(hours=2)
        session.ends_dt += timedelta(hours=2)

    before, after = hours_event_around(app, client, world, "draft", later)
    assert after["start"] == before["start"] + timedelta(hours=2)
    assert after["sequence"] > before["sequence"]


def test_a_cancelled_day_is_sent_cancelled_to_the_front_desk(
    app: Flask, client: FlaskClient, world
) -> None:
    def cancel() -> None:
        db.session.get(ConsultationDay, world.days["spring"]).cancel("Water damage")

    before, after = spring_day_event_around(app, client, world, cancel)
    assert after["status"] == "CANCELLED"
    assert after["sequence"] > before["sequence"]
    assert "Water damage" in after["description"]


def test_withdrawn_hours_leave_the_day_event_of_the_front_desk(
    app: Flask, client: FlaskClient, world
) -> None:
    def withdraw() -> None:
        db.session.get(Session, world.hours["immigration"]).status = SessionStatus.WITHDRAWN

    before, after = spring_day_event_around(app, client, world, withdraw)
    assert (after["start"], after["end"]) == (utc(2030, 3, 31, 7), utc(2030, 3, 31, 9))
    assert after["status"] == "CONFIRMED"
    assert "Ausländerbehörde" not in after["description"]
    assert after["sequence"] > before["sequence"]


def test_a_new_address_changes_location_and_sequence(
    app: Flask, client: FlaskClient, world
) -> None:
    def move() -> None:
        db.session.get(Location, world.town_hall).street = "Breiter Weg 10"

    before, after = hours_event_around(app, client, world, "spring", move)
    assert after["location"] == "Rathaus, Breiter Weg 10, 39104 Magdeburg"
    assert after["sequence"] > before["sequence"]


# ---------------------------------------------------------------- conditional requests


def test_conditional_get_answers_304_until_something_changes(
    app: Flask, client: FlaskClient, world
) -> None:
    url = staff_url(world.tokens["advisor"])
    first = fetch(client, url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "private, max-age=300"
    assert etag.startswith('"')

    same = client.get(url, headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.data == b""
    assert same.headers["ETag"] == etag
    assert same.headers["Cache-Control"] == "private, max-age=300"
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = "Sat, 01 Jan 2000 00:00:00 GMT"
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # An ETag the client holds decides, even when the date would say "unchanged".
    stale = client.get(url, headers={"If-None-Match": '"old"', "If-Modified-Since": modified})
    assert stale.status_code == 200

    def book() -> None:
        session = db.session.get(Session, world.hours["spring"])
        factories.create_visit(session.day, (session, 3), name="Someone")

    def cancel() -> None:
        db.session.get(Visit, world.first_visit).cancel("")

    def new_hours() -> None:
        db.session.get(Session, world.hours["autumn"]).rooms = ["2.10"]

    def new_address() -> None:
        db.session.get(Location, world.town_hall).postcode = "39106"

    def names() -> None:
        db.session.scalar(
            sa.select(StaffUser).where(StaffUser.feed_token == world.tokens["advisor"])
        ).feed_shows_names = True

    for work in (book, cancel, new_hours, new_address, names):
        change(app, work)
        changed = client.get(url, headers={"If-None-Match": etag})
        assert changed.status_code == 200, work.__name__
        assert changed.headers["ETag"] != etag, work.__name__
        etag = changed.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304, work.__name__


def test_the_304_answer_does_not_build_the_feed_and_costs_few_queries(
    app: Flask, client: FlaskClient, world, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = staff_url(world.tokens["advisor"])
    etag = fetch(client, url).headers["ETag"]

    def must_not_build(*args: object) -> bytes:
        raise AssertionError("the feed was built for a 304")

    monkeypatch.setattr(service, "staff_feed", must_not_build)
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects  # the staff member by token, then one aggregate row


def test_front_desk_feed_changes_with_new_hours_at_their_location(
    app: Flask, client: FlaskClient, world
) -> None:
    url = staff_url(world.tokens["desk"])
    etag = fetch(client, url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    def more_hours() -> None:
        day = db.session.get(ConsultationDay, world.days["autumn"])
        factories.create_session(
            day, factories.create_agency(name="IQ Netzwerk"), starts=time(13), ends=time(14)
        )

    change(app, more_hours)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


# ---------------------------------------------------------------- tokens


def test_a_revoked_token_is_dead_at_once_and_the_new_one_works(
    app: Flask, client: FlaskClient, world, login: Login
) -> None:
    old = staff_url(world.tokens["advisor"])
    fetch(client, old)
    login(world.emails["advisor"], client)
    assert client.post("/staff/feed/token", data={}).status_code == 302
    with app.app_context():
        user = db.session.scalar(
            sa.select(StaffUser).where(StaffUser.email == world.emails["advisor"])
        )
        new = staff_url(user.feed_token)
    assert new != old
    assert client.get(old).status_code == 404
    events(fetch(client, new).data)


@pytest.mark.parametrize(
    "url", ["/feeds/staff/not-a-token.ics", "/feeds/staff/.ics", f"/feeds/staff/{'x' * 300}.ics"]
)
def test_unknown_tokens_get_404(client: FlaskClient, world, url: str) -> None:
    assert client.get(url).status_code == 404


def test_a_disabled_account_has_no_feed(app: Flask, client: FlaskClient, world) -> None:
    def disable() -> None:
        db.session.scalar(
            sa.select(StaffUser).where(StaffUser.feed_token == world.tokens["advisor"])
        ).active = False

    change(app, disable)
    assert client.get(staff_url(world.tokens["advisor"])).status_code == 404


# ---------------------------------------------------------------- the public location feed


def test_location_feed_lists_published_days_without_any_personal_data(
    app: Flask, client: FlaskClient, world
) -> None:
    everyone_shows_names(app)
    response = fetch(client, "/feeds/location/rathaus.ics")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(response.data)
    assert set(found) == {
        f"public-day-{world.days['spring']}@127.0.0.1",
        f"public-day-{world.days['autumn']}@127.0.0.1",
    }
    spring = found[f"public-day-{world.days['spring']}@127.0.0.1"]
    assert (spring["start"], spring["end"]) == (utc(2030, 3, 31, 7), utc(2030, 3, 31, 10))
    assert spring["location"] == ADDRESS
    assert "Jobcenter" in spring["description"]
    assert spring["url"] == f"http://localhost/day/{world.days['spring']}"
    text = unfolded(response.data)
    for secret in (NAME, PHONE, EMAIL, "Oleh", "Kovalenko", "9876543", *world.references):
        assert secret not in text
    assert "/staff/" not in text
    assert "appointment" not in text.lower()

    stops = events(fetch(client, "/feeds/location/zeitz.ics").data)
    assert set(stops) == {f"public-day-{world.days['stop']}@127.0.0.1"}
    assert "Dilan" not in unfolded(fetch(client, "/feeds/location/zeitz.ics").data)


def test_location_feed_sends_a_cancelled_day_as_cancelled(
    app: Flask, client: FlaskClient, world
) -> None:
    change(
        app, lambda: db.session.get(ConsultationDay, world.days["autumn"]).cancel("Staff are ill")
    )
    found = events(fetch(client, "/feeds/location/rathaus.ics").data)
    autumn = found[f"public-day-{world.days['autumn']}@127.0.0.1"]
    assert autumn["status"] == "CANCELLED"
    assert "Staff are ill" not in autumn["description"]  # the staff's reason is not public


def test_location_feed_in_another_language(client: FlaskClient, world) -> None:
    english = events(fetch(client, "/feeds/location/rathaus.ics?lang=en").data)
    spring = english[f"public-day-{world.days['spring']}@127.0.0.1"]
    assert spring["summary"] == "Joint consultation day at Rathaus"
    assert "Arabic" in spring["description"]
    german = fetch(client, "/feeds/location/rathaus.ics?lang=de")
    assert "Arabisch" in unfolded(german.data)


@pytest.mark.parametrize("slug", ["nowhere", "inactive"])
def test_unknown_or_inactive_location_gets_404(app: Flask, client: FlaskClient, slug: str) -> None:
    with app.app_context():
        factories.create_location(slug="inactive", active=False)
        db.session.commit()
    assert client.get(f"/feeds/location/{slug}.ics").status_code == 404


def test_location_feed_conditional_get(app: Flask, client: FlaskClient, world) -> None:
    url = "/feeds/location/rathaus.ics"
    first = fetch(client, url)
    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    modified = first.headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    # A booking is no business of the public feed: it stays the same.
    change(app, lambda: db.session.get(Visit, world.first_visit).cancel(""))
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    def move() -> None:
        db.session.get(Location, world.town_hall).street = "Breiter Weg 10"

    change(app, move)
    moved = client.get(url, headers={"If-None-Match": etag})
    assert moved.status_code == 200
    assert "Breiter Weg 10" in unfolded(moved.data)


# ---------------------------------------------------------------- the settings page


def test_settings_page_offers_the_feed_as_https_and_webcal(
    client: FlaskClient, world, login: Login
) -> None:
    login(world.emails["advisor"], client)
    page = client.get("/staff/feed")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert f"http://localhost/feeds/staff/{world.tokens['advisor']}.ics" in html
    assert f"webcal://localhost/feeds/staff/{world.tokens['advisor']}.ics" in html
    assert 'action="/staff/feed/token"' in html
    assert 'action="/staff/feed/names"' in html
    assert "webcal://localhost/feeds/location/rathaus.ics" in html


def test_front_desk_settings_have_no_names_option(client: FlaskClient, world, login: Login) -> None:
    login(world.emails["desk"], client)
    html = client.get("/staff/feed").get_data(as_text=True)
    assert f"webcal://localhost/feeds/staff/{world.tokens['desk']}.ics" in html
    assert 'action="/staff/feed/names"' not in html


def test_settings_need_a_signed_in_staff_member(client: FlaskClient) -> None:
    response = client.get("/staff/feed")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


# ---------------------------------------------------------------- the migration


@pytest.fixture
def sqlite_app(tmp_path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/migrated.sqlite3",
            "CONSULT_CHECK_DATABASE": False,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_migration_gives_existing_locations_a_change_time(sqlite_app: Flask) -> None:
    upgrade(revision="0001")
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO location (slug, name, street, postcode, town, latitude, "
                "longitude, timezone, changeover_minutes, accessibility_notes, directions, "
                "active, feed_token) "
                "VALUES ('old', 'Old', 'Street 1', '39104', 'Magdeburg', 52.1, 11.6, "
                "'Europe/Berlin', 5, '{}', '{}', 1, 'token')"
            )
        )
    upgrade(revision="0002")
    # Only the column of 0002: the model has columns that later revisions add.
    updated = db.session.scalar(sa.select(Location.updated_dt).where(Location.slug == "old"))
    assert updated is not None
    assert abs(updated - datetime.now(UTC)) < timedelta(minutes=5)
    db.session.remove()
    downgrade(revision="0001")
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("location")}
    assert "updated_dt" not in columns


def test_appointments_of_other_agencies_never_reach_an_advisor(
    app: Flask, client: FlaskClient, world
) -> None:
    with app.app_context():
        other = db.session.scalars(
            sa.select(Appointment).where(Appointment.session_id == world.hours["immigration"])
        ).all()
        assert other == []
        session = db.session.get(Session, world.hours["immigration"])
        visit = factories.create_visit(session.day, (session, 0), name="X Y")
        appointment_id = visit.appointments[0].id
    found = events(fetch(client, staff_url(world.tokens["advisor"])).data)
    assert f"staff-appointment-{appointment_id}@127.0.0.1" not in found
