"""The outbox of messages; run with `python -m bench.bench_messages`.

Two questions, on SQLite and, when a server answers, on PostgreSQL:

1. What writing the outbox adds to a booking (target: under 1 ms median). BOOKINGS visits
   are booked through `book_visit`, one per request context and transaction, each for a
   person with an e-mail address and a mobile number, so `tell` writes four rows in one
   INSERT: the confirmation by e-mail and SMS and one reminder on each (CONSULT_REMINDERS
   is 2d@09:00 and the day is a week ahead). The booking is timed as a whole, and `tell`
   alone by wrapping the name `consult.visits` calls. WARMUP bookings go first, untimed.
2. How fast one worker sends e-mails (target: at least 200 a minute). EMAILS visits are
   booked with an e-mail address only, each to its own address, and `deliver_due` sends
   their confirmations to an aiosmtpd server on 127.0.0.1 that only counts them. The gaps
   between consecutive arrivals at the server are the time per e-mail.

The day has one agency with DESKS desks and 10-minute slots 08:00–18:00: 600 seats for
the 510 bookings. The messages of the first part are deleted before the second, so that
the worker sends only the confirmations it is timed on. Log lines are off (WARNING): the
event line of each booking and each e-mail is not what is measured here.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from datetime import time as clock
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

import consult.visits
from bench.bench_http import free_port, fresh_database, percentile
from consult import create_app
from consult.database import atomic
from consult.days import Hours, add_session
from consult.extensions import db
from consult.messages.delivery import Transports, deliver_due
from consult.messages.mail import MailSettings, SmtpTransport
from consult.messages.reminders import parse_reminders
from consult.models import (
    Agency,
    Channel,
    ConsultationDay,
    DayStatus,
    Location,
    Message,
    MessageKind,
    MessageStatus,
    Slot,
    Topic,
    today_in,
    utcnow,
)
from consult.visits import BookingRequest, Contact, book_visit

POSTGRES_URL = os.environ.get(
    "CONSULT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
).strip()
BOOKINGS = 200
WARMUP = 10
EMAILS = 300
DESKS = 10
OPENS, CLOSES = clock(8, 0), clock(18, 0)
SLOT_MINUTES = 10
DAYS_AHEAD = 7  # the reminder (two days before) is written and not yet due
REMINDERS = "2d@09:00"
ROWS_PER_BOOKING = 4  # e-mail and SMS, each a confirmation and a reminder
PHONE = "+4915123456789"
BASE_URL = "https://termine.example.org"
ZONE = "Europe/Berlin"


@dataclass(frozen=True)
class _Wish:
    session_id: int
    slot_ids: tuple[int, ...]


@dataclass
class ArrivalCounter:
    """An aiosmtpd handler that accepts every e-mail and notes when it arrived."""

    arrivals: list[float] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.arrivals.append(time.perf_counter())
        return "250 OK"


def bench_app(url: str) -> Flask:
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "CONSULT_CHECK_DATABASE": False,
            "CONSULT_BASE_URL": BASE_URL,
            "CONSULT_REMINDERS": parse_reminders(REMINDERS),
            "CONSULT_MESSAGES_PER_DAY": 10_000,
            "CONSULT_LOG_LEVEL": "WARNING",  # a line per booking and per e-mail otherwise
        }
    )


def build_day(app: Flask) -> tuple[int, list[_Wish]]:
    """The schema and a published day of one agency; one wish per seat, desk by desk."""
    with app.app_context():
        with redirect_stderr(io.StringIO()):  # Alembic's progress lines
            upgrade()
        location = Location(
            slug="bench-hall",
            name="Haus der Beratung",
            street="Breiter Weg 1",
            postcode="39104",
            town="Magdeburg",
            latitude=52.12,
            longitude=11.63,
            timezone=ZONE,
        )
        when = today_in(ZONE) + timedelta(days=DAYS_AHEAD)
        day = ConsultationDay(location=location, date=when, status=DayStatus.PUBLISHED)
        agency = Agency(slug="jobcenter", name="Jobcenter", short_name="JC")
        topic = Topic(
            slug="work",
            phase=1,
            default_minutes=SLOT_MINUTES,
            position=1,
            names={"en": "Work", "de": "Arbeit"},
            agencies=[agency],
        )
        db.session.add_all([location, day, agency, topic])
        db.session.flush()
        hours = Hours(OPENS, CLOSES, slot_minutes=SLOT_MINUTES, desks=DESKS, languages=("de", "ar"))
        session = add_session(day, agency, hours, [topic])
        db.session.commit()
        slot_ids = db.session.scalars(
            sa.select(Slot.id).where(Slot.session_id == session.id).order_by(Slot.starts_dt)
        ).all()
        wishes = [_Wish(session.id, (slot_id,)) for _ in range(DESKS) for slot_id in slot_ids]
        day_id = day.id
        db.session.remove()
    return day_id, wishes


def book(app: Flask, day_id: int, wish: _Wish, contact: Contact) -> float:
    """Book one visit in its own request and transaction; milliseconds in `book_visit`."""
    with app.test_request_context(), atomic():
        began = time.perf_counter()
        book_visit(BookingRequest(day_id, [wish], contact))
        return (time.perf_counter() - began) * 1000


def measure_outbox(app: Flask, day_id: int, wishes: list[_Wish]) -> tuple[list[float], list[float]]:
    """Milliseconds per booking in `book_visit` and, of those, in `tell`."""
    told: list[float] = []
    tell = consult.visits.tell

    def timed_tell(*args: Any, **kwargs: Any) -> None:
        began = time.perf_counter()
        try:
            tell(*args, **kwargs)
        finally:
            told.append((time.perf_counter() - began) * 1000)

    bookings: list[float] = []
    consult.visits.tell = timed_tell
    try:
        for n, wish in enumerate(wishes[: WARMUP + BOOKINGS]):
            contact = Contact(
                name=f"Client {n:04d}",
                email=f"client-{n:04d}@example.org",
                phone=PHONE,
                language="ar",
            )
            bookings.append(book(app, day_id, wish, contact))
            assert len(told) == n + 1, "book_visit calls tell once per booking"
    finally:
        consult.visits.tell = tell
    with app.app_context():
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(Message))
        assert rows == ROWS_PER_BOOKING * len(bookings), f"{rows} outbox rows"
        db.session.execute(sa.delete(Message))  # the second part times its own e-mails only
        db.session.commit()
        db.session.remove()
    return bookings[WARMUP:], told[WARMUP:]


def measure_delivery(app: Flask, day_id: int, wishes: list[_Wish]) -> tuple[float, list[float]]:
    """Seconds for `deliver_due` to send EMAILS confirmations, and the arrival times."""
    for n, wish in enumerate(wishes[:EMAILS]):
        contact = Contact(name=f"Guest {n:04d}", email=f"guest-{n:04d}@example.org", language="ar")
        book(app, day_id, wish, contact)
    inbox = ArrivalCounter()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        transports = Transports(
            mail=SmtpTransport(MailSettings.from_url(f"smtp://127.0.0.1:{controller.port}"))
        )
        with app.app_context():
            now = utcnow()
            began = time.perf_counter()
            report = deliver_due(transports, now=now)
            seconds = time.perf_counter() - began
            transports.close()
            statuses = dict(
                db.session.execute(
                    sa.select(Message.status, sa.func.count())
                    .where(Message.channel == Channel.EMAIL, Message.kind == MessageKind.BOOKED)
                    .group_by(Message.status)
                ).all()
            )
            db.session.remove()
    finally:
        controller.stop()
    assert len(inbox.arrivals) == EMAILS, f"the server received {len(inbox.arrivals)} e-mails"
    assert report.sent == EMAILS, f"deliver_due reports {report}"
    assert statuses == {MessageStatus.SENT: EMAILS}, f"confirmations by status: {statuses}"
    return seconds, [began, *inbox.arrivals]


def run(database: str, url: str) -> None:
    app = bench_app(url)
    day_id, wishes = build_day(app)
    bookings, told = measure_outbox(app, day_id, wishes)
    shares = [100 * t / b for t, b in zip(told, bookings, strict=True)]
    print(
        f"outbox rows per booking, {database}: tell median {statistics.median(told):.2f} ms, "
        f"p95 {percentile(told, 95):.2f} ms; booking median {statistics.median(bookings):.1f} ms, "
        f"p95 {percentile(bookings, 95):.1f} ms; tell's median share "
        f"{statistics.median(shares):.1f} % ({BOOKINGS} bookings, {ROWS_PER_BOOKING} rows each)",
        flush=True,
    )
    seconds, times = measure_delivery(app, day_id, wishes[WARMUP + BOOKINGS :])
    gaps = [(later - earlier) * 1000 for earlier, later in zip(times, times[1:], strict=False)]
    print(
        f"delivery, one worker to a local SMTP server, {database}: "
        f"{EMAILS / seconds * 60:.0f} e-mails/min, {EMAILS} e-mails in {seconds:.1f} s; "
        f"median gap {statistics.median(gaps[1:]):.1f} ms, p95 {percentile(gaps[1:], 95):.1f} ms, "
        f"first after {gaps[0]:.0f} ms",
        flush=True,
    )
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    """Print what the outbox adds to a booking and how fast one worker sends e-mails."""
    with tempfile.TemporaryDirectory() as folder:
        with fresh_database(Path(folder), postgres_url="") as url:
            run("SQLite", url)
        if not postgres_answers(POSTGRES_URL):
            print(f"outbox and delivery on PostgreSQL: no server at {POSTGRES_URL}")
            return
        with fresh_database(Path(folder), postgres_url=POSTGRES_URL) as url:
            run("PostgreSQL", url)


def postgres_answers(url: str) -> bool:
    """True when the PostgreSQL server named answers; an error later is then a real one."""
    engine = sa.create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
