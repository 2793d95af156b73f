"""Statistics: each figure on a small hand-made history, hidden small cells, exports, access."""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from consult.database import atomic
from consult.extensions import db
from consult.models import (
    Agency,
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    DayKind,
    Role,
    Session,
    StatVisit,
    Tour,
    TourStatus,
    TourStop,
    Visit,
    VisitOrigin,
    VisitStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from consult.statistics import figures, folding
from consult.statistics.figures import Filters
from consult.tours.routing import distance_km
from tests.factories import (
    Team,
    create_agencies,
    create_day,
    create_location,
    create_session,
    create_topic,
)
from tests.support import Login

MARCH = Filters(date(2030, 3, 1), date(2030, 3, 31))
YEAR = Filters(date(2030, 1, 1), date(2030, 12, 31))
AFTER = date(2030, 4, 1)  # "today" once every day of the history is past
ZEITZ = (51.048, 12.138)
WEISSENFELS = (51.199, 11.969)


@dataclass(frozen=True)
class History:
    jc: int
    abh: int
    mbe: int
    work: int
    residence: int
    advice: int
    magdeburg: int
    zeitz: int


def _at(on: date, hour: int, minute: int = 0) -> datetime:
    """09:00 in Magdeburg in March (CET) is 08:00 UTC."""
    return datetime.combine(on, time(hour, minute), tzinfo=UTC) - timedelta(hours=1)


def _visit(
    day: ConsultationDay,
    language: str,
    created: datetime,
    appointments: list[tuple[Session, int, AppointmentStatus, list[Any]]],
    **params: Any,
) -> Visit:
    """A visit with appointments at (session, minutes after 09:00, status, topics), 20 min each."""
    topics = list({t.id: t for _s, _m, _st, ts in appointments for t in ts}.values())
    visit = Visit(day=day, language=language, name="X", created_dt=created, topics=topics, **params)
    for session, minutes, status, own_topics in appointments:
        starts = _at(day.date, 9) + timedelta(minutes=minutes)
        visit.appointments.append(
            Appointment(
                session=session,
                agency_id=session.agency_id,
                starts_dt=starts,
                ends_dt=starts + timedelta(minutes=20),
                status=status,
                topics=own_topics,
                cancelled_dt=starts - timedelta(days=2)
                if status is AppointmentStatus.CANCELLED
                else None,
            )
        )
    db.session.add(visit)
    return visit


def build_history(team: Team | None = None) -> History:
    """Seven visits in March 2030 whose every figure is worked out by hand in the tests."""
    jc, abh, mbe = create_agencies("jc", "abh", "mbe")
    work = create_topic([jc], phase=3, names={"en": "Work"})
    residence = create_topic([abh], phase=1, names={"en": "Residence"})
    advice = create_topic([mbe], phase=2, names={"en": "Advice"})
    magdeburg = create_location(town="Magdeburg", name="Rathaus")
    zeitz = create_location(
        town="Zeitz", name="Rathaus Zeitz", latitude=ZEITZ[0], longitude=ZEITZ[1]
    )
    weissenfels = create_location(
        town="Weißenfels", name="Bürgerhaus", latitude=WEISSENFELS[0], longitude=WEISSENFELS[1]
    )
    joint = create_day(magdeburg, date=date(2030, 3, 12))
    stop = create_day(zeitz, date=date(2030, 3, 19), kind=DayKind.MOBILE)
    second_stop = create_day(weissenfels, date=date(2030, 3, 20), kind=DayKind.MOBILE)
    jobcenter = create_session(joint, jc, [work], starts=time(9), ends=time(11))  # 6 slots
    office = create_session(joint, abh, [residence], starts=time(9), ends=time(10))  # 3 slots
    mobile = create_session(stop, mbe, [advice], starts=time(9), ends=time(10))
    create_session(second_stop, mbe, [advice], starts=time(9), ends=time(10))
    advisor = team.add("mbe", Role.ADVISOR, agency=mbe) if team else None
    if advisor is not None:
        db.session.flush()
        tour = Tour(agency=mbe, advisor=advisor, title="Burgenland", status=TourStatus.PUBLISHED)
        tour.stops = [TourStop(day=stop, position=0), TourStop(day=second_stop, position=1)]
        db.session.add(tour)
    done, missed = AppointmentStatus.DONE, AppointmentStatus.NO_SHOW
    march = joint.date
    _visit(
        joint,
        "ar",
        _at(date(2030, 3, 2), 9),
        [(jobcenter, 0, done, [work]), (office, 20, done, [residence])],
        interpreter_wanted=True,
    )
    _visit(joint, "ar", _at(date(2030, 3, 11), 9), [(jobcenter, 20, missed, [work])])
    _visit(
        joint,
        "uk",
        _at(march, 9),
        [(jobcenter, 40, done, [work])],
        walk_in=True,
        origin=VisitOrigin.WALK_IN,
    )
    _visit(
        joint,
        "de",
        _at(date(2030, 3, 1), 9),
        [(jobcenter, 60, AppointmentStatus.CANCELLED, [work])],
        status=VisitStatus.CANCELLED,
    )
    referral = _visit(
        joint,
        "de",
        _at(date(2030, 3, 5), 9),
        [(jobcenter, 80, done, [work])],
        origin=VisitOrigin.REFERRAL,
    )
    referral.appointments[0].referred_by_agency_id = abh.id
    entry = WaitlistEntry(
        name="W",
        town="Magdeburg",
        status=WaitlistStatus.BOOKED,
        created_dt=_at(date(2030, 3, 5), 9),
    )
    db.session.add_all(
        [
            entry,
            WaitlistEntry(name="T", town="Teuchern", created_dt=_at(date(2030, 3, 6), 9)),
            WaitlistEntry(name="Z", town="Zeitz", created_dt=_at(date(2030, 3, 7), 9)),
        ]
    )
    _visit(
        joint,
        "tr",
        _at(date(2030, 3, 10), 9),
        [(office, 40, done, [residence])],
        origin=VisitOrigin.WAITLIST,
        waitlist_entry=entry,
    )
    _visit(stop, "fa", _at(date(2030, 3, 12), 9), [(mobile, 0, done, [advice])])
    db.session.flush()
    return History(jc.id, abh.id, mbe.id, work.id, residence.id, advice.id, magdeburg.id, zeitz.id)


@pytest.fixture
def history(app: Flask, staff: Team) -> History:
    with app.app_context(), atomic():
        world = build_history(staff)
        staff.add("coordinator", Role.COORDINATOR)
        staff.add("jc", Role.ADVISOR, agency=db.session.get(Agency, world.jc))
        staff.add("desk", Role.FRONTDESK)
    return world


def _rows(section: figures.Section, key: str) -> list[list[Any]]:
    (table,) = [t for t in section.tables if t.key == key]
    return table.shown_rows(1)


def _figures(app: Flask, f: Filters = MARCH, today: date = AFTER) -> dict[str, figures.Section]:
    with app.test_request_context("/?lang=en"), atomic():
        folding.refresh()
        return {s.key: s for s in figures.dashboard(f, today)}


def test_demand_by_topic_phase_language_place_and_origin(app: Flask, history: History) -> None:
    demand = _figures(app)["demand"]
    assert _rows(demand, "topics") == [
        ["Work", 3, 4, 4],
        ["Residence", 1, 2, 2],
        ["Advice", 2, 1, 1],
    ]
    assert _rows(demand, "phases") == [
        ["1 · Access and information", 2],
        ["2 · Vocational orientation and planning (incl. recognition)", 1],
        ["3 · Qualification and language courses", 4],
        ["4 · Entry into work", 0],
        ["5 · Securing and developing employment", 0],
    ]
    assert _rows(demand, "languages") == [  # most visits first, then by language code
        ["العربية", 2, 1, 50.0],
        ["Deutsch", 1, 0, 0.0],
        ["فارسی", 1, 0, 0.0],
        ["Türkçe", 1, 0, 0.0],
        ["Українська", 1, 0, 0.0],
    ]
    assert _rows(demand, "places") == [
        ["Magdeburg", "Rathaus", 5, 6],
        ["Zeitz", "Rathaus Zeitz", 1, 1],
    ]
    assert _rows(demand, "origins") == [
        ["Booked ahead", 3],
        ["Walk-in", 1],
        ["Referral", 1],
        ["Waiting-list offer", 1],
    ]


def test_one_visit_instead_of_many_counts_the_trips_saved(app: Flask, history: History) -> None:
    section = _figures(app)["one_visit"]
    assert _rows(section, "agencies_per_visit") == [
        ["1", 5, 5, 0],
        ["2", 1, 2, 1],
        ["3", 0, 0, 0],
        ["4+", 0, 0, 0],
        ["All", 6, 7, 1],
    ]
    assert _rows(section, "time_on_site") == [
        ["Median", 20],
        ["90th percentile", 40],
        ["Visits counted", 6],
    ]


def test_waiting_times_and_the_waiting_list(app: Flask, history: History) -> None:
    waiting = _figures(app)["waiting"]
    assert _rows(waiting, "lead_agency") == [
        ["ABH", 2, 2, 10],  # 10 days, and 2 for the waiting-list offer
        ["JC", 3, 7, 10],  # 10, 1 and 7 days; the walk-in is not counted
        ["MBE", 1, 7, 7],
    ]
    assert _rows(waiting, "waitlist") == [
        ["Joined the waiting list", 3],
        ["Offers made", 1],
        ["Offers accepted", 1],
        ["Offers that ran out", 0],
        ["Offers declined", 0],
        ["Offers still open", 0],
        ["Median days from joining to the visit", 7],
    ]
    assert _rows(waiting, "unserved_towns") == [["Teuchern", 1], ["Zeitz", 1]]
    before_the_stop = _figures(app, today=date(2030, 3, 15))["waiting"]
    assert _rows(before_the_stop, "unserved_towns") == [["Teuchern", 1]]  # Zeitz has a stop ahead


def test_capacity_cancellations_and_no_shows(app: Flask, history: History) -> None:
    capacity = _figures(app)["capacity"]
    assert _rows(capacity, "utilisation_agency") == [
        ["JC", 2.0, 1.3, 66.7, 2],
        ["ABH", 1.0, 0.7, 66.7, 1],
        ["MBE", 2.0, 0.3, 16.7, 5],
    ]
    assert _rows(capacity, "utilisation_time") == [  # a month is shown day by day
        ["2030-03-12", 3.0, 2.0, 66.7, 3],
        ["2030-03-19", 1.0, 0.3, 33.3, 2],
        ["2030-03-20", 1.0, 0.0, 0.0, 3],
    ]
    (by_month,) = [t for t in _figures(app, YEAR)["capacity"].tables if t.key == "utilisation_time"]
    assert by_month.title == "Utilisation by month"
    assert by_month.shown_rows(1) == [["2030-03", 5.0, 2.3, 46.7, 8]]
    assert _rows(capacity, "cancellations") == [
        ["0 days", 0, 0.0],
        ["1 day", 0, 0.0],
        ["2–7 days", 1, 12.5],
        ["8 days or more", 0, 0.0],
        ["All", 1, 12.5],
    ]
    assert _rows(capacity, "no_show_agency") == [
        ["ABH", 2, 0, 0.0],
        ["JC", 4, 1, 25.0],
        ["MBE", 1, 0, 0.0],
    ]
    assert _rows(capacity, "no_show_lead") == [
        ["0–1 days", 2, 1, 50.0],
        ["2–7 days", 3, 0, 0.0],
        ["8–14 days", 2, 0, 0.0],
        ["15–28 days", 0, 0, None],
        ["29 days or more", 0, 0, None],
    ]


def test_referrals_and_mobile_advice(app: Flask, history: History) -> None:
    sections = _figures(app)
    assert _rows(sections["referrals"], "referrals") == [["ABH", 1, 1]]
    assert _rows(sections["referrals"], "referrals_kept") == [["ABH", "JC", 1, 1, 100.0]]
    km = round(1.3 * distance_km(ZEITZ, WEISSENFELS), 1)
    assert _rows(sections["mobile"], "mobile_towns") == [
        ["Weißenfels", 1, 0, 0.0, 0],
        ["Zeitz", 1, 1, 1.0, 1],
    ]
    assert _rows(sections["mobile"], "mobile_km") == [
        ["Stops", 2],
        ["Kilometres driven", km],
        ["People served", 1],
        ["Kilometres per person served", km],
    ]


def test_filters_narrow_every_figure(app: Flask, history: History) -> None:
    jobcenter = _figures(app, Filters(MARCH.start, MARCH.end, agency_id=history.jc))
    assert _rows(jobcenter["demand"], "origins") == [
        ["Booked ahead", 2],
        ["Walk-in", 1],
        ["Referral", 1],
        ["Waiting-list offer", 0],
    ]
    assert [row[0] for row in _rows(jobcenter["capacity"], "utilisation_agency")] == ["JC"]
    zeitz = _figures(app, Filters(MARCH.start, MARCH.end, town="Zeitz"))
    assert _rows(zeitz["demand"], "places") == [["Zeitz", "Rathaus Zeitz", 1, 1]]
    residence = _figures(app, Filters(MARCH.start, MARCH.end, topic_id=history.residence))
    assert _rows(residence["demand"], "topics") == [["Residence", 1, 2, 2]]
    assert _rows(residence["one_visit"], "agencies_per_visit")[-1] == ["All", 2, 3, 1]
    april = _figures(app, Filters(date(2030, 4, 1), date(2030, 4, 30)))
    assert _rows(april["demand"], "topics") == []


def test_changes_are_folded_again(app: Flask, history: History) -> None:
    assert _rows(_figures(app)["capacity"], "no_show_agency")[1] == ["JC", 4, 1, 25.0]
    with app.app_context(), atomic():
        appointment = db.session.scalar(
            sa.select(Appointment).where(Appointment.status == AppointmentStatus.NO_SHOW)
        )
        appointment.check_in()  # the person came after all: the desk corrects it
        appointment.call_in()
        appointment.finish()
    assert _rows(_figures(app)["capacity"], "no_show_agency")[1] == ["JC", 4, 0, 0.0]


def test_counts_hold_no_name_no_contact_and_no_id(app: Flask, history: History) -> None:
    _figures(app)
    with app.app_context():
        columns = {c.name for m in folding.COUNTS for c in m.__table__.columns}
        assert not columns & {"name", "phone", "email", "visit_id", "reference", "body"}
        assert db.session.scalar(sa.select(sa.func.sum(StatVisit.n))) == 7


# --- small cells --------------------------------------------------------------------------


def test_small_cells_are_hidden_but_zero_and_large_ones_shown(app: Flask, history: History) -> None:
    demand = _figures(app)["demand"]
    (topics,) = [t for t in demand.tables if t.key == "topics"]
    assert topics.shown_rows(5)[0] == ["Work", 3, "< 5", "< 5"]
    assert topics.shown_rows(4)[0] == ["Work", 3, 4, 4]
    (languages,) = [t for t in demand.tables if t.key == "languages"]
    arabic = languages.shown_rows(3)[0]
    assert arabic == ["العربية", "< 3", "< 3", "< 3"]  # the share describes two people too
    assert languages.shown_rows(3)[1][2] == 0  # nobody is not a small group


def _json(client: Any, **args: Any) -> dict[str, Any]:
    response = client.get("/staff/statistics/figures.json", query_string=args)
    assert response.status_code == 200
    return response.get_json()


MARCH_ARGS = {"period": "custom", "start": "2030-03-01", "end": "2030-03-31"}


def test_small_cells_are_hidden_on_screen_and_in_every_export(
    app: Flask, history: History, login: Login
) -> None:
    client = login("coordinator")
    page = client.get("/staff/statistics/", query_string=MARCH_ARGS).get_data(as_text=True)
    assert "&lt; 5" in page
    body = _json(client, **MARCH_ARGS)
    topics = body["sections"]["demand"]["tables"]["topics"]
    assert topics["rows"][0] == ["Work", 3, "< 5", "< 5"]
    csv_rows = list(
        csv.reader(
            io.StringIO(client.get("/staff/statistics/topics.csv", query_string=MARCH_ARGS).text)
        )
    )
    assert csv_rows[0] == topics["columns"]
    assert csv_rows[1] == ["Work", "3", "< 5", "< 5"]


# --- exports and access -------------------------------------------------------------------


def test_exports_open_and_match_the_screen(app: Flask, history: History, login: Login) -> None:
    app.config["CONSULT_STATS_MIN_CELL"] = 1
    client = login("coordinator")
    body = _json(client, **MARCH_ARGS)
    tables = {k: t for s in body["sections"].values() for k, t in s["tables"].items()}
    response = client.get("/staff/statistics/no_show_agency.csv", query_string=MARCH_ARGS)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [tables["no_show_agency"]["columns"]] + [
        ["" if v is None else str(v) for v in row] for row in tables["no_show_agency"]["rows"]
    ]
    book = load_workbook(
        io.BytesIO(client.get("/staff/statistics/all.xlsx", query_string=MARCH_ARGS).data)
    )
    assert set(book.sheetnames) == set(tables)
    sheet = [list(row) for row in book["agencies_per_visit"].iter_rows(values_only=True)]
    assert sheet[0][0] == tables["agencies_per_visit"]["title"]
    assert sheet[1:] == [
        tables["agencies_per_visit"]["columns"],
        *tables["agencies_per_visit"]["rows"],
    ]
    page = client.get("/staff/statistics/", query_string=MARCH_ARGS).get_data(as_text=True)
    assert "Trips saved" in page and 'role="img"' in page and "<desc id=" in page
    assert "66.7\u00a0%" in page  # the utilisation, as the table shows it


def test_advisors_see_their_agency_and_the_front_desk_nothing(
    app: Flask, history: History, login: Login
) -> None:
    advisor = login("jc")
    body = _json(advisor, agency=str(history.abh), **MARCH_ARGS)  # asking for another agency
    assert body["filters"]["agency"] == history.jc
    utilisation = body["sections"]["capacity"]["tables"]["utilisation_agency"]["rows"]
    assert [row[0] for row in utilisation] == ["JC"]
    page = advisor.get("/staff/statistics/", query_string=MARCH_ARGS).get_data(as_text=True)
    assert 'name="agency"' not in page
    desk = login("desk")
    for url in (
        "/staff/statistics/",
        "/staff/statistics/figures.json",
        "/staff/statistics/topics.csv",
    ):
        assert desk.get(url).status_code == 403
    assert app.test_client().get("/staff/statistics/").status_code == 302  # sign in first


def test_a_bad_period_is_explained_in_the_readers_language(
    app: Flask, history: History, login: Login
) -> None:
    client = login("coordinator")
    response = client.get(
        "/staff/statistics/",
        query_string={"period": "custom", "start": "2030-03-31", "end": "2030-03-01", "lang": "de"},
    )
    assert response.status_code == 200
    assert "Der Zeitraum darf nicht vor seinem Beginn enden." in response.get_data(as_text=True)
    body = _json(client, period="custom", start="gestern", end="2030-03-01")
    assert body["errors"] and body["filters"]["end"] != "2030-03-01"  # the last year instead
    assert client.get("/staff/statistics/nothing.csv").status_code == 404


# --- retention ----------------------------------------------------------------------------


def _year(app: Flask) -> dict[str, Any]:
    app.config["CONSULT_STATS_MIN_CELL"] = 1
    year = Filters(date(2030, 1, 1), date(2030, 12, 31))
    with app.test_request_context("/?lang=en"), atomic():
        folding.refresh()
        return {t.key: t.shown_rows(1) for s in figures.dashboard(year, AFTER) for t in s.tables}


def test_the_purge_leaves_a_years_figures_as_they_were(app: Flask, history: History) -> None:
    from consult.purge import purge_personal_data

    before = _year(app)
    assert before["agencies_per_visit"][-1] == ["All", 6, 7, 1]
    with app.app_context():
        result = purge_personal_data(datetime(2030, 12, 1, tzinfo=UTC), 180)
    assert result.visits == 7
    assert _year(app) == before
    with app.app_context(), atomic():
        # A late change to a purged day's appointment is not folded: its counts are final.
        late = db.session.scalar(sa.select(Appointment).where(Appointment.status == "done"))
        late.status = AppointmentStatus.NO_SHOW
    assert _year(app) == before
    with app.app_context(), atomic():
        # Nor are the day's hours folded again once the rows the counts came from are gone.
        db.session.execute(sa.delete(Visit))
        for session in db.session.scalars(sa.select(Session)):
            session.desks = 2
    assert _year(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 0


def test_two_folds_at_once_count_each_visit_once(app: Flask, history: History) -> None:
    _figures(app)  # the first fold
    with app.app_context(), atomic():
        for appointment in db.session.scalars(sa.select(Appointment)):
            appointment.room = "changed"  # every day changed since
    ready, failures = threading.Barrier(2), []

    def fold() -> None:
        try:
            with app.app_context(), atomic():
                ready.wait(timeout=10)
                folding.refresh()
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=fold) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    with app.app_context():
        counted = sa.select(sa.func.sum(StatVisit.n))
        assert db.session.scalar(counted) == 7
