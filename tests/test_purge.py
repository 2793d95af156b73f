"""Retention: personal data goes after the period, anonymous statistics stay."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from consult import models
from consult.extensions import db
from consult.itineraries import PlannedOpening
from consult.models import (
    Appointment,
    AuditLog,
    CaseNote,
    Client,
    ConsultationDay,
    Visit,
    WaitlistEntry,
)
from consult.purge import purge_personal_data
from consult.visits import BookingRequest, Contact, book_visit
from tests import factories

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
RETENTION = 180
WORDING = "May the advisors of this visit talk to each other about your case?"


def _book(day: ConsultationDay, agencies, name: str, language: str, consent: bool) -> Visit:
    sessions = [s for s in day.sessions if s.agency_id in {a.id for a in agencies}]
    visit = book_visit(
        BookingRequest(
            day.id,
            [PlannedOpening(s.id, (s.slots[0].id,)) for s in sessions],
            Contact(name=name, phone="0345 123456", email=f"{name.lower()}@example.org",
                    language=language),
            topic_ids=[t.id for s in sessions for t in s.topics],
            consent_wording=WORDING if consent else None,
        )
    )  # fmt: skip
    return visit


def _day(location: models.Location, on, abh, jc, residence, money) -> ConsultationDay:
    day = factories.create_day(location, date=on)
    factories.create_session(day, abh, [residence], desks=3)
    factories.create_session(day, jc, [money], starts=time(9, 25), ends=time(10, 25), desks=3)
    return day


@pytest.fixture
def history(ctx: Flask) -> dict[str, int]:
    """Two old visits (one client), one recent visit of a returning client, waiting list."""
    location = factories.create_location(town="Zeitz")
    abh, jc = factories.create_agency(), factories.create_agency()
    residence, money = factories.create_topic([abh]), factories.create_topic([jc])
    old_day = _day(location, NOW.date() - timedelta(days=200), abh, jc, residence, money)
    recent_day = _day(location, NOW.date() - timedelta(days=10), abh, jc, residence, money)
    advisor = factories.create_staff(models.Role.ADVISOR, agency=abh)
    db.session.commit()

    old_one = _book(old_day, [abh, jc], "Amina", "ar", consent=True)
    old_two = _book(old_day, [jc], "Dmytro", "uk", consent=False)
    returning_old = _book(old_day, [abh], "Reza", "fa", consent=False)
    recent = _book(recent_day, [abh, jc], "Reza", "fa", consent=True)
    gone, returning = Client(name="Amina", phone="0345 1"), Client(name="Reza")
    for client in (gone, returning):
        client.created_dt = NOW - timedelta(days=300)
    old_one.client = gone
    returning_old.client = returning
    recent.client = returning
    notes = [
        CaseNote(visit=old_one, agency_id=abh.id, author=advisor, body="old visit note"),
        CaseNote(client=gone, agency_id=abh.id, author=advisor, body="old client note"),
        CaseNote(visit=recent, agency_id=abh.id, author=advisor, body="recent visit note"),
        CaseNote(client=returning, agency_id=abh.id, author=advisor, body="returning client"),
    ]
    db.session.add_all(notes)
    waiting_old = WaitlistEntry(name="Old", phone="0345 2", town="Zeitz", language="ar")
    waiting_old.created_dt = NOW - timedelta(days=181)
    waiting_new = WaitlistEntry(name="New", email="new@example.org", town="Zeitz")
    waiting_new.created_dt = NOW - timedelta(days=3)
    db.session.add_all([waiting_old, waiting_new])
    db.session.commit()
    return {
        "old": old_one.id,
        "old_two": old_two.id,
        "returning_old": returning_old.id,
        "recent": recent.id,
        "gone": gone.id,
        "returning": returning.id,
        "waiting_old": waiting_old.id,
        "waiting_new": waiting_new.id,
    }


def statistics() -> dict[str, object]:
    """What the coordinators' statistics count; none of it is personal."""
    visits = list(db.session.scalars(sa.select(Visit)))
    return {
        "visits": len(visits),
        "appointments": db.session.scalar(sa.select(sa.func.count(Appointment.id))),
        "by_topic_and_language": Counter((t.slug, v.language) for v in visits for t in v.topics),
        "by_town": Counter(v.day.location.town for v in visits),
        "by_status": Counter(a.status for a in db.session.scalars(sa.select(Appointment))),
        "consents": db.session.scalar(sa.select(sa.func.count(models.Consent.id))),
        "waiting_by_town": Counter(
            (w.town, w.language) for w in db.session.scalars(sa.select(WaitlistEntry))
        ),
    }


def test_purge_erases_old_personal_data_and_keeps_the_statistics(ctx, history) -> None:
    before = statistics()
    result = purge_personal_data(NOW, RETENTION)

    assert (result.visits, result.clients, result.notes, result.waitlist_entries) == (3, 1, 2, 1)
    for key in ("old", "old_two", "returning_old"):
        visit = db.session.get(Visit, history[key])
        assert (visit.name, visit.phone, visit.email) == (None, None, None)
        assert visit.erased_dt == NOW
        assert visit.appointments and visit.topics  # the anonymous part stays
    recent = db.session.get(Visit, history["recent"])
    assert recent.name == "Reza" and recent.phone and recent.erased_dt is None

    gone = db.session.get(Client, history["gone"])
    assert (gone.name, gone.phone, gone.email) == (None, None, None) and gone.erased_dt
    returning = db.session.get(Client, history["returning"])
    assert returning.name == "Reza" and returning.erased_dt is None

    assert sorted(db.session.scalars(sa.select(CaseNote.body))) == [
        "recent visit note",
        "returning client",
    ]
    assert db.session.get(Visit, history["old"]).consents[0].wording.startswith("May the")
    old_entry = db.session.get(WaitlistEntry, history["waiting_old"])
    assert (old_entry.name, old_entry.phone, old_entry.email) == (None, None, None)
    assert db.session.get(WaitlistEntry, history["waiting_new"]).name == "New"

    assert statistics() == before
    (entry,) = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "purge"))
    assert entry.actor_id is None
    assert entry.detail == {
        "cutoff": result.cutoff.isoformat(),
        "retention_days": RETENTION,
        "visits": 3,
        "clients": 1,
        "notes": 2,
        "waitlist_entries": 1,
    }
    assert "3 visits" in result.summary() and "2 case notes" in result.summary()


def test_purge_twice_erases_nothing_more(ctx, history) -> None:
    purge_personal_data(NOW, RETENTION)
    after_first = statistics()
    again = purge_personal_data(NOW, RETENTION)
    assert (again.visits, again.clients, again.notes, again.waitlist_entries) == (0, 0, 0, 0)
    assert db.session.get(Visit, history["old"]).erased_dt == NOW  # not stamped anew
    assert statistics() == after_first
    runs = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "purge")).all()
    assert len(runs) == 2


def test_a_longer_retention_keeps_everything(ctx, history) -> None:
    result = purge_personal_data(NOW, 365)
    assert (result.visits, result.clients, result.notes) == (0, 0, 0)
    assert db.session.get(Visit, history["old"]).name == "Amina"


def test_cli_purge_uses_the_configured_retention_and_prints_one_line(
    app_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_factory(CONSULT_RETENTION_DAYS=30)
    with app.app_context():
        location = factories.create_location()
        agency = factories.create_agency()
        old = factories.create_day(location, date=datetime.now(UTC).date() - timedelta(days=31))
        factories.create_session(old, agency)
        new = factories.create_day(location, date=datetime.now(UTC).date() - timedelta(days=29))
        factories.create_session(new, agency)
        db.session.commit()
        # The visits were booked before their days, when these were still to come.
        booked_at = datetime.combine(old.date - timedelta(days=1), time(12), tzinfo=UTC)
        monkeypatch.setattr(models, "utcnow", lambda: booked_at)
        for day in (old, new):
            book_visit(
                BookingRequest(
                    day.id,
                    [PlannedOpening(day.sessions[0].id, (day.sessions[0].slots[0].id,))],
                    Contact(name="Amina"),
                )
            )
        db.session.commit()
        monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["consult", "purge"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1
    assert result.output.startswith("Erased personal data of 1 visits")
    assert "retention 30 days" in result.output
    with app.app_context():
        names = sorted(db.session.scalars(sa.select(Visit.name)), key=str)
        assert names == ["Amina", None]


def test_purge_erases_who_messages_went_to_and_what_they_said(ctx, history) -> None:
    from consult.models import Message

    for message in db.session.scalars(sa.select(Message)):
        message.body, message.subject = "Hallo Amina", "Ihr Besuch"
    purge_personal_data(NOW, RETENTION)

    def told(visit_key: str) -> list[tuple[str | None, str | None, dict]]:
        query = sa.select(Message).where(Message.visit_id == history[visit_key])
        return [(m.recipient, m.body, m.params) for m in db.session.scalars(query)]

    assert told("old") and all(row == (None, None, {}) for row in told("old"))
    assert all(recipient and body for recipient, body, _ in told("recent"))
