"""Time an advisor's calendar feed, built and unchanged; run with `python -m bench.bench_feed`.

The data lives in a temporary SQLite database made with the app factory: one
advisor whose tour has STOPS stops with APPOINTMENTS appointments among them.
Requests go through the Flask test client, so routing, the version query,
building the events, serialising the iCalendar and the response all count.
"""

from __future__ import annotations

import cProfile
import itertools
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import time as clock
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from consult import create_app
from consult.days import Hours, add_session
from consult.extensions import db
from consult.feeds import service
from consult.models import (
    Agency,
    Appointment,
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    Role,
    StaffUser,
    Topic,
    Tour,
    TourStatus,
    TourStop,
    Visit,
    today_in,
)

STOPS = 200
APPOINTMENTS = 2000
TOWNS = 20
RUNS = 30
TIME_BUDGET_SECONDS = 60.0


def build_data(app: Flask) -> str:
    """Create the advisor, the tour and its bookings; return the advisor's feed URL."""
    with app.app_context():
        db.create_all()
        agency = Agency(slug="mbe", name="Migrationsberatung", short_name="MBE")
        topics = [
            Topic(slug=f"topic-{n}", phase=1, names={"en": f"Topic {n}", "de": f"Anliegen {n}"})
            for n in range(3)
        ]
        agency.topics = topics
        towns = [
            Location(
                slug=f"town-{n}",
                name=f"Bürgersaal {n}",
                street="Markt 1",
                postcode=f"06{n:03d}",
                town=f"Town {n}",
                latitude=51.0 + n / 100,
                longitude=12.0 + n / 100,
            )
            for n in range(TOWNS)
        ]
        advisor = StaffUser(
            email="mobile@example.org",
            name="Mira Mobil",
            password_hash="-",
            role=Role.ADVISOR,
            agency=agency,
            language="de",
        )
        tour = Tour(agency=agency, advisor=advisor, title="Tour", status=TourStatus.PUBLISHED)
        db.session.add_all([agency, *topics, *towns, advisor, tour])
        db.session.flush()
        first = today_in("Europe/Berlin") + timedelta(days=1)
        hours = Hours(clock(9, 0), clock(17, 0), 20, 1, (), ("Saal",), ("de", "ar"), True)
        sessions = []
        for n in range(STOPS):
            day = ConsultationDay(
                location=towns[n % TOWNS],
                date=first + timedelta(days=n),
                kind=DayKind.MOBILE,
                status=DayStatus.PUBLISHED,
                title=f"Mobile Beratung {n}",
            )
            db.session.add(day)
            sessions.append(add_session(day, agency, hours, topics, advisor=advisor))
            tour.stops.append(TourStop(day=day, position=n))
        db.session.flush()
        per_stop = APPOINTMENTS // STOPS
        languages = itertools.cycle(["de", "ar", "fa", "uk", "ru", "tr"])
        for session in sessions:
            for slot in session.slots[:per_stop]:
                visit = Visit(
                    day=session.day,
                    name="Demo Person",
                    phone="+49 151 0000000",
                    language=next(languages),
                    interpreter_wanted=True,
                    topics=topics[:2],
                )
                visit.appointments.append(
                    Appointment(
                        session_id=session.id,
                        agency_id=agency.id,
                        starts_dt=slot.starts_dt,
                        ends_dt=slot.ends_dt,
                        room="Saal",
                        topics=topics[:2],
                    )
                )
                db.session.add(visit)
        db.session.commit()
        return f"/feeds/staff/{advisor.feed_token}.ics"


def timed(request: Callable[[], object], budget: float) -> list[float]:
    """Durations in ms of up to RUNS calls, stopping once the budget is spent."""
    durations: list[float] = []
    deadline = time.perf_counter() + budget
    for _ in range(RUNS):
        began = time.perf_counter()
        request()
        durations.append((time.perf_counter() - began) * 1000)
        if time.perf_counter() > deadline:
            break
    return durations


@contextmanager
def measured(durations: list[float]) -> Iterator[None]:
    """Time each call of build_calendar made by the feeds, to tell serialising from the rest."""
    real = service.build_calendar

    def timed_build(*args: Any, **kwargs: Any) -> bytes:
        began = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            durations.append((time.perf_counter() - began) * 1000)

    service.build_calendar = timed_build
    try:
        yield
    finally:
        service.build_calendar = real


def report(name: str, durations: list[float], detail: str) -> None:
    runs = len(durations)
    p95 = statistics.quantiles(durations, n=20, method="inclusive")[-1] if runs > 1 else 0.0
    print(
        f"feed {name}: median {statistics.median(durations):.1f} ms, "
        f"p95 {p95:.1f} ms ({runs} runs){detail}"
    )


def profile(client: FlaskClient, url: str) -> None:
    """Where one full build spends its time (set CONSULT_BENCH_PROFILE=1)."""
    profiler = cProfile.Profile()
    profiler.runcall(client.get, url)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    """Print median and p95 for the full feed (200) and the unchanged feed (304)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "CONSULT_CHECK_DATABASE": False,
                "SERVER_NAME": "consult.example.org",
                "CONSULT_ENV": "production",  # as deployed: start-up objects frozen
                "PREFERRED_URL_SCHEME": "https",
            }
        )
        url = build_data(app)
        client = app.test_client()
        first = client.get(url)
        assert first.status_code == 200, first.status_code
        etag = first.headers["ETag"]
        events = first.data.count(b"BEGIN:VEVENT")

        def full() -> None:
            assert client.get(url).status_code == 200

        def unchanged() -> None:
            assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

        half = TIME_BUDGET_SECONDS / 2
        size = f", {events} events, {len(first.data) / 1024:.0f} KiB"
        serialising: list[float] = []
        with measured(serialising):
            report("full 200", timed(full, half), size)
        report("full 200, in consult.ical.build_calendar", serialising, "")
        report("unchanged 304", timed(unchanged, half), "")
        if os.environ.get("CONSULT_BENCH_PROFILE"):
            profile(client, url)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
