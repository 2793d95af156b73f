"""Case conferences: purpose consent, desks held at once, messages, feeds, need to know, audit."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import consult.models
from consult.availability import load
from consult.conferences import reading, service
from consult.extensions import db
from consult.itineraries import PlannedOpening
from consult.messages.delivery import Transports, deliver_due
from consult.messages.mail import ConsoleTransport
from consult.models import (
    CONFERENCE,
    AuditLog,
    CaseConference,
    CaseNote,
    ConferenceStatus,
    Consent,
    Message,
    MessageKind,
    MessageStatus,
    Seat,
    Session,
    StaffUser,
    Visit,
)
from consult.visits import BookingError, BookingRequest, Contact, book_visit
from tests.factories import ConferenceWorld, Team, create_conference_world
from tests.support import Login, count, html_of, text_of

NINE_TWENTY = datetime(2030, 3, 12, 8, 20, tzinfo=UTC)  # 09:20 in Berlin (CET)


@pytest.fixture
def world(app: Flask, staff: Team) -> ConferenceWorld:
    # Requests push their own app context only when none is pushed: the world is built in
    # one of its own, and tests that sign in read the database in contexts of their own too.
    with app.app_context():
        found = create_conference_world(staff)
        db.session.commit()
    return found


def _user(staff: Team, key: str) -> StaffUser:
    user = db.session.get(StaffUser, staff.ids[key])
    assert user is not None
    return user


def _arrange(world: ConferenceWorld, staff: Team) -> CaseConference:
    me = _user(staff, "jc")
    visit = db.session.get(Visit, world.visit)
    assert visit is not None
    given = service.record_consent(me, visit, "Darf …?", "ar")
    conference = service.propose(
        me,
        visit,
        service.Proposal((world.jobcenter, world.office), 30, NINE_TWENTY),
        given,
    )
    db.session.commit()
    return conference


def _arranged(app: Flask, world: ConferenceWorld, staff: Team) -> int:
    with app.app_context():
        return _arrange(world, staff).id


def _propose_form(world: ConferenceWorld, **more: object) -> dict[str, object]:
    return {"agencies": [world.jobcenter, world.office], "place": "day", "minutes": 30, **more}


# ---------------------------------------------------------------- consent for this purpose


def test_a_conference_without_the_persons_consent_to_it_is_refused(
    ctx: Flask, world: ConferenceWorld, staff: Team
) -> None:
    visit = db.session.get(Visit, world.visit)
    me = _user(staff, "jc")
    proposal = service.Proposal((world.jobcenter, world.office), 30, NINE_TWENTY)
    with pytest.raises(service.ConferenceError):
        service.propose(me, visit, proposal, None)
    # The consent to share is not a consent to a conference.
    sharing = Consent(wording="share", language="ar", recorded_by=me)
    visit.consents.append(sharing)
    db.session.flush()
    with pytest.raises(service.ConferenceError):
        service.propose(me, visit, proposal, sharing)
    db.session.rollback()
    assert count(CaseConference) == 0


def test_the_form_refuses_without_the_tick_and_writes_nothing(
    app: Flask, world: ConferenceWorld, login: Login
) -> None:
    client = login("jc")
    step_two = client.post(f"/staff/conferences/visit/{world.visit}/new", data=_propose_form(world))
    assert step_two.status_code == 200
    page = html_of(step_two)
    assert "The person agreed" in page
    start = re.search(r'name="start" id="start-0" value="([^"]+)"', page)
    assert start is not None
    refused = client.post(
        f"/staff/conferences/visit/{world.visit}/confirm",
        data=_propose_form(world, start=start.group(1)),
    )
    assert refused.status_code == 400
    assert "Please confirm that the person agreed to the case conference." in html_of(refused)
    assert count(app, CaseConference) == 0
    assert count(app, Consent) == 0
    assert count(app, Seat) == 2  # the visit's own


def test_arranged_on_the_day_the_desks_are_held_and_the_participants_invited(
    app: Flask, world: ConferenceWorld, staff: Team, login: Login
) -> None:
    client = login("jc")
    page = html_of(
        client.post(f"/staff/conferences/visit/{world.visit}/new", data=_propose_form(world))
    )
    starts = re.findall(r'name="start" id="start-\d+" value="([^"]+)"', page)
    assert [datetime.fromisoformat(s) for s in starts] == [
        NINE_TWENTY,
        NINE_TWENTY + timedelta(hours=1),
    ]
    # The exact question, in the person's language (Arabic) and in German.
    assert 'id="conference-question"' in page and 'lang="ar"' in page
    done = client.post(
        f"/staff/conferences/visit/{world.visit}/confirm",
        data=_propose_form(world, start=starts[0], agreed="y"),
    )
    assert done.status_code == 302
    with app.app_context():
        conference = db.session.scalar(sa.select(CaseConference))
        assert conference.status is ConferenceStatus.SCHEDULED
        assert conference.room == "J1"
        assert conference.consent.purpose == CONFERENCE
        assert conference.consent.language == "ar"
        assert conference.consent.recorded_by_id == staff.ids["jc"]
        assert "Jobcenter" in conference.consent.wording
        # The sharing consent is untouched: this consent is for the conference only.
        assert not conference.visit.consent_to_share
        held = {(s.slot.session_id, s.slot.starts_dt) for s in conference.seats}
        assert len(held) == 4  # two 20-minute slots at each agency
        # Invitations to the advisors of both agencies, none to the person's visit.
        messages = db.session.scalars(sa.select(Message)).all()
        assert {m.recipient for m in messages} == {staff.emails["jc"], staff.emails["abh"]}
        assert all(m.kind is MessageKind.CONFERENCE_INVITED for m in messages)
        assert all(m.visit_id is None for m in messages)
        assert {m.language for m in messages} == {"en", "de"}


def test_held_desks_are_not_offered_nor_bookable_by_the_public(
    ctx: Flask, world: ConferenceWorld, staff: Team
) -> None:
    conference = _arrange(world, staff)
    held_slot = conference.seats[0].slot
    state = next(s for s in load(world.day).slots if s.slot_id == held_slot.id)
    assert state.free_desks == frozenset()
    with pytest.raises(BookingError):
        book_visit(
            BookingRequest(
                world.day,
                [PlannedOpening(held_slot.session_id, (held_slot.id,))],
                Contact(name="Other", language="de"),
            )
        )
    db.session.rollback()
    # Cancelled, the desks are free again.
    conference = db.session.get(CaseConference, conference.id)
    service.cancel(conference, "no longer needed")
    db.session.commit()
    assert count(Seat) == 2
    assert all(s.free_desks for s in load(world.day).slots if s.slot_id == held_slot.id)


def test_a_time_taken_meanwhile_is_refused(ctx: Flask, world: ConferenceWorld, staff: Team) -> None:
    _arrange(world, staff)
    me = _user(staff, "jc")
    visit = db.session.get(Visit, world.visit)
    consent = service.conference_consent(visit)
    with pytest.raises(service.ConferenceError):
        service.propose(
            me, visit, service.Proposal((world.jobcenter, world.office), 30, NINE_TWENTY), consent
        )
    db.session.rollback()
    assert count(CaseConference) == 1


# ---------------------------------------------------------------- withdrawal, cancelling, outcome


def test_withdrawing_the_consent_cancels_the_conference_and_tells_the_participants(
    app: Flask, world: ConferenceWorld, staff: Team, login: Login
) -> None:
    conference_id = _arranged(app, world, staff)
    client = login("abh")
    response = client.post(f"/staff/conferences/{conference_id}/withdraw-consent")
    assert response.status_code == 302
    with app.app_context():
        conference = db.session.get(CaseConference, conference_id)
        assert conference.status is ConferenceStatus.CANCELLED
        assert conference.consent.withdrawn_dt is not None
        assert conference.seats == []
        told = db.session.scalars(
            sa.select(Message).where(Message.kind == MessageKind.CONFERENCE_CANCELLED)
        ).all()
        assert {m.recipient for m in told} == {staff.emails["jc"], staff.emails["abh"]}
        assert all(m.params["reason"] for m in told)
        # Sent by the worker, with no person's name in them; the invitations, not sent
        # yet, are dropped.
        out = io.StringIO()
        report = deliver_due(Transports(mail=ConsoleTransport(out)))
        assert (report.sent, report.dropped) == (2, 2)
        assert "Case conference" in out.getvalue() and "Amina" not in out.getvalue()
        assert "cancel.ics" in out.getvalue()
        sent = db.session.scalars(
            sa.select(Message.status).where(Message.kind == MessageKind.CONFERENCE_CANCELLED)
        ).all()
        assert set(sent) == {MessageStatus.SENT}


def test_the_outcome_is_recorded_once_by_a_participant(
    ctx: Flask, world: ConferenceWorld, staff: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    conference = _arrange(world, staff)
    with pytest.raises(service.ConferenceError):  # not begun yet
        service.record_outcome(_user(staff, "abh"), conference, "Plan agreed")
    monkeypatch.setattr(consult.models, "utcnow", lambda: NINE_TWENTY + timedelta(minutes=31))
    with pytest.raises(service.ConferenceError):
        service.record_outcome(_user(staff, "mbe"), conference, "Plan agreed")  # not taking part
    service.record_outcome(_user(staff, "abh"), conference, "Plan agreed")
    db.session.commit()
    assert conference.status is ConferenceStatus.HELD
    with pytest.raises(service.DomainError):
        service.record_outcome(_user(staff, "jc"), conference, "Again")
    assert reading.outcome_visible(_user(staff, "jc"), conference)
    assert not reading.outcome_visible(_user(staff, "mbe"), conference)


# ---------------------------------------------------------------- need to know


def test_only_participants_and_the_proposer_open_the_conference(
    app: Flask, world: ConferenceWorld, staff: Team, login: Login
) -> None:
    url = f"/staff/conferences/{_arranged(app, world, staff)}"
    assert login("jc").get(url).status_code == 200
    assert login("abh").get(url).status_code == 200
    assert login("mbe").get(url).status_code == 403
    assert login("ew").get(url).status_code == 403
    assert login("desk").get(url).status_code == 403
    assert login("ew").get(f"/staff/conferences/visit/{world.visit}/new").status_code == 403


def test_the_agenda_is_the_notes_each_participant_may_read_and_the_read_is_audited(
    app: Flask, world: ConferenceWorld, staff: Team, login: Login
) -> None:
    url = f"/staff/conferences/{_arranged(app, world, staff)}"
    with app.app_context():
        note = CaseNote(
            visit_id=world.visit, agency_id=world.jobcenter, author_id=staff.ids["jc"], body="JCX"
        )
        db.session.add(note)
        db.session.commit()
        note_id = note.id
    assert "JCX" in text_of(login("jc").get(url))
    # The office reads the Jobcenter's note only under the consent to share.
    assert "JCX" not in text_of(login("abh").get(url))
    with app.app_context():
        visit = db.session.get(Visit, world.visit)
        visit.consents.append(Consent(wording="share", language="ar"))
        db.session.commit()
    assert "JCX" in text_of(login("abh").get(url))
    with app.app_context():
        reads = db.session.scalars(
            sa.select(AuditLog).where(
                AuditLog.action == "note.read", AuditLog.actor_id == staff.ids["abh"]
            )
        ).all()
        assert [entry.detail["note_ids"] for entry in reads] == [[], [note_id]]


def test_every_change_is_in_the_audit_log(ctx: Flask, world: ConferenceWorld, staff: Team) -> None:
    conference = _arrange(world, staff)
    service.cancel(db.session.get(CaseConference, conference.id), "ill")
    db.session.commit()
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.object_type == "conference")
    ).all()
    assert actions == ["conference.create", "conference.cancelled"]
    given = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "consent.give")).all()
    assert [entry.detail["purpose"] for entry in given] == [CONFERENCE]


# ---------------------------------------------------------------- where participants see it


def test_the_other_agencys_feed_my_day_and_calendar_show_it_without_names(
    app: Flask, world: ConferenceWorld, staff: Team, login: Login, client: FlaskClient
) -> None:
    conference_id = _arranged(app, world, staff)
    feed = client.get(f"/feeds/staff/{staff.tokens['abh']}.ics").get_data(as_text=True)
    assert "SUMMARY:Fallkonferenz" in feed or "SUMMARY:Case conference" in feed
    assert "J1" in feed  # the room: that of the proposing agency's desk
    assert "Amina" not in feed
    assert f"UID:conference-{conference_id}@" in feed
    outsider = client.get(f"/feeds/staff/{staff.tokens['ew']}.ics").get_data(as_text=True)
    assert "conference-" not in outsider
    my_day = login("abh").get("/staff/desk/my-day?date=2030-03-12")
    conferences = html_of(my_day).split('id="my-conferences"', 1)[1].split("</section>", 1)[0]
    assert "Case conference" in conferences and "Room J1" in conferences
    assert "Amina" not in conferences
    with app.app_context():
        location = db.session.get(Session, world.sessions[world.jobcenter]).day.location_id
    calendar = text_of(login("mbe").get(f"/staff/calendar/day/{location}/2030-03-12"))
    assert "Case conference" in calendar
    # Cancelled: the feed keeps it, cancelled, so calendar apps remove it.
    with app.app_context():
        service.cancel(db.session.get(CaseConference, conference_id))
        db.session.commit()
    feed = client.get(f"/feeds/staff/{staff.tokens['abh']}.ics").get_data(as_text=True)
    assert "STATUS:CANCELLED" in feed


def test_the_persons_visit_page_does_not_list_conference_messages(
    app: Flask, world: ConferenceWorld, staff: Team, client: FlaskClient
) -> None:
    _arranged(app, world, staff)
    with app.app_context():
        deliver_due(Transports(mail=ConsoleTransport(io.StringIO())))
        reference = db.session.get(Visit, world.visit).reference
    page = text_of(client.get(f"/visit/{reference}"))
    assert "Case conference" not in page


def test_an_online_conference_needs_an_https_link(
    app: Flask, world: ConferenceWorld, login: Login
) -> None:
    client = login("jc")
    data = _propose_form(
        world, place="online", meeting_link="http://meet.example.org/x", on_date="2030-03-13",
        at_time="14:00",
    )  # fmt: skip
    refused = client.post(f"/staff/conferences/visit/{world.visit}/new", data=data)
    assert refused.status_code == 400
    data["meeting_link"] = "https://meet.example.org/x"
    data["agreed"] = "y"
    done = client.post(f"/staff/conferences/visit/{world.visit}/confirm", data=data)
    assert done.status_code == 302
    with app.app_context():
        conference = db.session.scalar(sa.select(CaseConference))
        assert conference.meeting_link == "https://meet.example.org/x"
        assert conference.seats == [] and conference.day_id is None
        assert conference.starts_dt == datetime(2030, 3, 13, 13, 0, tzinfo=UTC)


# ---------------------------------------------------------------- the day, the hours, retention


def test_cancelling_the_day_cancels_its_conferences_and_tells_the_participants(
    ctx: Flask, world: ConferenceWorld, staff: Team
) -> None:
    from consult.coordination.days import cancel_day
    from consult.models import ConsultationDay

    conference = _arrange(world, staff)
    cancel_day(db.session.get(ConsultationDay, world.day), "Wasserschaden")
    db.session.commit()
    assert conference.status is ConferenceStatus.CANCELLED
    told = db.session.scalars(
        sa.select(Message.recipient).where(Message.kind == MessageKind.CONFERENCE_CANCELLED)
    ).all()
    assert sorted(told) == sorted([staff.emails["jc"], staff.emails["abh"]])


def test_hours_holding_a_conference_cannot_change_until_it_is_cancelled(
    ctx: Flask, world: ConferenceWorld, staff: Team
) -> None:
    from consult.hours.changes import apply_change
    from consult.hours.editing import HoursChange, HoursError

    _arrange(world, staff)
    with pytest.raises(HoursError, match="A case conference holds desks"):
        apply_change(world.sessions[world.office], HoursChange(hours=None))
    db.session.rollback()
    assert db.session.get(Session, world.sessions[world.office]).status.value == "published"


def test_the_retention_purge_erases_the_outcome(
    ctx: Flask, world: ConferenceWorld, staff: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consult.purge import purge_personal_data

    conference = _arrange(world, staff)
    monkeypatch.setattr(consult.models, "utcnow", lambda: NINE_TWENTY + timedelta(hours=1))
    service.record_outcome(_user(staff, "jc"), conference, "Amina gets a language course")
    db.session.commit()
    purge_personal_data(NINE_TWENTY + timedelta(days=200), 180)
    db.session.expire_all()
    conference = db.session.get(CaseConference, conference.id)
    assert conference.outcome == ""
    assert conference.status is ConferenceStatus.HELD


@pytest.mark.parametrize(
    ("reader", "share", "conference_consent", "readable"),
    [
        (3, True, True, True),  # MBE takes part, not in the visit: reads under both consents
        (3, False, True, False),  # no consent to share
        (3, True, False, False),  # the consent to the conference withdrawn
        (4, True, True, False),  # not taking part
        (2, False, False, True),  # own agency's note: always
    ],
)
def test_a_participant_reads_the_agenda_under_both_consents(
    reader: int, share: bool, conference_consent: bool, readable: bool
) -> None:
    from consult.notes.rules import VisitFacts, may_read_for_conference

    class Advisor:
        role = "advisor"
        agency_id = reader

    visit = VisitFacts(frozenset({1, 2}), frozenset({1, 2}), share)
    participants = frozenset({1, 2, 3})
    note_agency = 2 if reader == 2 else 1
    assert (
        may_read_for_conference(Advisor(), note_agency, visit, participants, conference_consent)
        is readable
    )


def test_a_conference_and_public_bookers_racing_for_a_desk_never_share_it(
    database_url: str,
) -> None:
    """Each booker, and the advisor arranging the conference, on a connection of their own."""
    import threading

    from consult.database import atomic
    from tests.conftest import make_app

    bookers = 4
    app = make_app(database_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": bookers + 3})
    staff = Team()
    with app.app_context():
        world = create_conference_world(staff)
        jobcenter = db.session.get(Session, world.sessions[world.jobcenter])
        wanted = PlannedOpening(jobcenter.id, (jobcenter.slots[1].id,))  # 09:20, one desk
    barrier = threading.Barrier(bookers + 1)
    outcomes: dict[str, str] = {}
    lock = threading.Lock()

    def book(n: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                with atomic():
                    book_visit(BookingRequest(world.day, [wanted], Contact(name=f"Racer {n}")))
                outcome = "booked"
            except BookingError:
                outcome = "refused"
            finally:
                db.session.remove()
        with lock:
            outcomes[f"booker {n}"] = outcome

    def arrange() -> None:
        with app.app_context():
            barrier.wait()
            try:
                with atomic():
                    me = _user(staff, "jc")
                    visit = db.session.get(Visit, world.visit)
                    consent = service.record_consent(me, visit, "Darf …?", "ar")
                    proposal = service.Proposal((world.jobcenter, world.office), 30, NINE_TWENTY)
                    service.propose(me, visit, proposal, consent)
                outcome = "booked"
            except service.ConferenceError:
                outcome = "refused"
            finally:
                db.session.remove()
        with lock:
            outcomes["conference"] = outcome

    threads = [threading.Thread(target=book, args=(n,)) for n in range(bookers)]
    threads.append(threading.Thread(target=arrange))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == bookers + 1
    assert list(outcomes.values()).count("booked") == 1  # one desk at 09:20, one holder
    with app.app_context():
        held = db.session.scalars(sa.select(Seat).where(Seat.slot_id == wanted.slot_ids[0])).all()
        assert len(held) == 1
        # Nothing half-written: a conference with its consent and seats, or neither.
        conferences = count(CaseConference)
        assert conferences == (outcomes["conference"] == "booked")
        assert count(Consent) == conferences
        assert count(Seat) == 2 + 4 * conferences + (outcomes["conference"] == "refused")
        db.session.remove()
        db.engine.dispose()


def test_the_invitation_carries_the_conference_as_a_calendar_invitation(
    app: Flask, world: ConferenceWorld, staff: Team
) -> None:
    import icalendar

    from consult.messages.conference_texts import render_conference

    conference_id = _arranged(app, world, staff)
    with app.test_request_context():
        message = db.session.scalar(
            sa.select(Message).where(Message.recipient == staff.emails["abh"])
        )
        rendered = render_conference(
            message, db.session.get(CaseConference, conference_id), sender="consult@example.org"
        )
        assert rendered.language == "de"
        assert rendered.subject.startswith("Einladung zu einer Fallkonferenz")
        assert "Raum J1" in rendered.text and "Amina" not in rendered.text
        (attachment,) = rendered.attachments
        calendar = icalendar.Calendar.from_ical(attachment.data)
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert str(event["SUMMARY"]) == "Fallkonferenz"
        assert str(event["UID"]).startswith(f"conference-{conference_id}@")


def test_a_conference_is_proposed_from_the_client_record_too(
    app: Flask, world: ConferenceWorld, staff: Team, login: Login
) -> None:
    from consult.notes import service as notes

    with app.app_context():
        client_id = notes.create_client(_user(staff, "jc"), db.session.get(Visit, world.visit)).id
        db.session.commit()
    page = html_of(login("jc").get(f"/staff/notes/client/{client_id}"))
    assert f"/staff/conferences/visit/{world.visit}/new" in page


def test_the_calendar_weeks_show_it_to_participants_only_and_without_names(
    app: Flask, world: ConferenceWorld, staff: Team, login: Login
) -> None:
    _arranged(app, world, staff)
    with app.app_context():
        visit = db.session.get(Visit, world.visit)
        assert visit is not None
        name = visit.name
        location = db.session.get(Session, world.sessions[world.jobcenter]).day.location_id
    week = f"/staff/calendar/week/location/{location}?start=2030-03-12"
    seen = html_of(login("abh").get(week))
    (entry,) = re.findall(r'<p class="conference".*?</p>', seen, re.S)
    assert "Fallkonferenz" in entry or "Case conference" in entry
    assert "09:20" in entry and ("Raum J1" in entry or "Room J1" in entry)
    assert name not in seen
    agency_week = f"/staff/calendar/week/agency/{world.jobcenter}?start=2030-03-12"
    mine = html_of(login("jc").get(agency_week))
    assert 'class="conference"' in mine and name not in mine
    outsider = html_of(login("mbe").get(week))
    assert 'class="conference"' not in outsider
