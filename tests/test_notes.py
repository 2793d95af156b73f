"""Case notes under consent: need to know, consent at the desk, referrals, the audit log."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from consult.extensions import db
from consult.models import (
    Agency,
    Appointment,
    AuditLog,
    CaseNote,
    Client,
    Consent,
    ConsultationDay,
    Role,
    Visit,
    VisitOrigin,
    VisitStatus,
)
from consult.notes import rules
from consult.notes.rules import VisitFacts
from tests import factories

DAY = date(2030, 3, 12)

# --- the rules on their own ----------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    role: str
    agency_id: int | None = None


ABH, JC, MBE = 1, 2, 3


def facts(active: set[int], cancelled: frozenset[int] = frozenset(), consent: bool = False):
    return VisitFacts(frozenset(active), frozenset(active) | cancelled, consent)


@pytest.mark.parametrize(
    ("reader", "visit", "readable"),
    [
        (Staff("advisor", ABH), facts({ABH, JC}), True),  # own agency, no consent needed
        (Staff("advisor", JC), facts({ABH, JC}), False),  # other agency, no consent
        (Staff("advisor", JC), facts({ABH, JC}, consent=True), True),
        (Staff("advisor", MBE), facts({ABH, JC}, consent=True), False),  # not in the visit
        (Staff("advisor", MBE), facts({ABH}, frozenset({MBE}), consent=True), False),  # cancelled
        (Staff("advisor", ABH), facts({JC}, frozenset({ABH})), True),  # own note stays readable
        (Staff("frontdesk"), facts({ABH, JC}, consent=True), False),
        (Staff("coordinator"), facts({ABH, JC}, consent=True), False),
        (Staff("admin"), facts({ABH, JC}, consent=True), False),
    ],
)
def test_visit_notes_are_read_by_own_agency_and_others_of_the_visit_under_consent(
    reader, visit, readable
) -> None:
    assert rules.may_read_visit_note(reader, ABH, visit) is readable


def test_only_advisors_of_the_visit_open_its_page() -> None:
    visit = facts({ABH}, frozenset({JC}))
    assert rules.may_open_visit(Staff("advisor", ABH), visit)
    assert rules.may_open_visit(Staff("advisor", JC), visit)  # a cancelled appointment counts
    assert not rules.may_open_visit(Staff("advisor", MBE), visit)
    assert not rules.may_open_visit(Staff("admin"), visit)


def test_client_notes_need_a_consented_visit_joining_both_agencies() -> None:
    jc = Staff("advisor", JC)
    assert rules.may_read_client_note(Staff("advisor", ABH), ABH, [])
    assert not rules.may_read_client_note(jc, ABH, [facts({ABH, JC})])
    assert rules.may_read_client_note(jc, ABH, [facts({ABH}), facts({ABH, JC}, consent=True)])
    # Consent on visits that never joined the two agencies does not count.
    assert not rules.may_read_client_note(
        jc, ABH, [facts({ABH, MBE}, consent=True), facts({JC, MBE}, consent=True)]
    )
    assert not rules.may_read_client_note(Staff("coordinator"), ABH, [facts({ABH}, consent=True)])
    assert rules.may_open_client(jc, [facts({ABH}), facts({JC})])
    assert not rules.may_open_client(Staff("advisor", MBE), [facts({ABH, JC})])


# --- the pages ----------------------------------------------------------------------


@dataclass(frozen=True)
class NotesWorld:
    visit: int  # Amina's: ABH at 09:00, then the Jobcenter at 09:25
    day: int
    agencies: dict[str, int]  # "abh", "jc", "mbe"; MBE has hours that day but no part in the visit
    topics: dict[str, int]  # "residence" (ABH), "money" (JC), "counselling" (MBE)


@pytest.fixture
def world(app: Flask, staff: factories.Team) -> NotesWorld:
    """A joint day in Magdeburg: a visit with ABH then Jobcenter; MBE sits there too."""
    with app.app_context():
        abh, jc, mbe = factories.create_agencies("abh", "jc", "mbe")
        residence = factories.create_topic([abh])
        money = factories.create_topic([jc])
        counselling = factories.create_topic([mbe], default_minutes=20)
        location = factories.create_location(town="Magdeburg")
        day = factories.create_day(location, date=DAY)
        first = factories.create_session(day, abh, [residence])
        second = factories.create_session(day, jc, [money], starts=time(9, 25), ends=time(10, 25))
        factories.create_session(day, mbe, [counselling], ends=time(12, 0))
        staff.add("abh", Role.ADVISOR, agency=abh, name="Anna ABH")
        staff.add("abh2", Role.ADVISOR, agency=abh, name="Ben ABH")
        staff.add("jc", Role.ADVISOR, agency=jc, name="Jana JC")
        staff.add("mbe", Role.ADVISOR, agency=mbe, name="Mona MBE")
        staff.add("desk", Role.FRONTDESK, locations=[location])
        staff.add("other_desk", Role.FRONTDESK, locations=[factories.create_location()])
        staff.add("coordinator", Role.COORDINATOR)
        staff.add("admin", Role.ADMIN)
        db.session.commit()
        visit = factories.create_visit(day, (first, 0), (second, 0), name="Amina", language="ar")
        return NotesWorld(
            visit=visit.id,
            day=day.id,
            agencies={"abh": abh.id, "jc": jc.id, "mbe": mbe.id},
            topics={"residence": residence.id, "money": money.id, "counselling": counselling.id},
        )


def shown_note_ids(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-note-id="(\d+)"', page)}


def audit_entries(app: Flask, action: str) -> list[AuditLog]:
    with app.app_context():
        query = sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        return list(db.session.scalars(query))


def write_note(client: FlaskClient, visit_id: int, body: str) -> int:
    response = client.post(f"/staff/notes/visit/{visit_id}/notes", data={"body": body})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/staff/notes/visit/{visit_id}").get_data(as_text=True)
    return max(shown_note_ids(page))


def test_advisor_writes_a_note_and_every_write_and_read_is_audited(app, world, login) -> None:
    abh = login("abh")
    url = f"/staff/notes/visit/{world.visit}"
    page = abh.get(url).get_data(as_text=True)
    assert "Amina" in page and "Jobcenter" in page and 'id="no-notes"' in page

    note_id = write_note(abh, world.visit, "Fiktionsbescheinigung beantragt.")
    page = abh.get(url).get_data(as_text=True)
    assert shown_note_ids(page) == {note_id}
    assert "Fiktionsbescheinigung beantragt." in page
    # A colleague of the same agency reads it too.
    assert shown_note_ids(login("abh2").get(url).get_data(as_text=True)) == {note_id}

    (write,) = audit_entries(app, "note.write")
    assert (write.object_type, write.object_id) == ("case_note", note_id)
    reads = audit_entries(app, "note.read")
    assert [r.detail["note_ids"] for r in reads] == [[], [note_id], [note_id], [note_id]]
    assert all(r.object_type == "visit" and r.object_id == world.visit for r in reads)


def test_other_agency_reads_only_while_consent_is_recorded(app, world, login) -> None:
    abh, jc = login("abh"), login("jc")
    note_id = write_note(abh, world.visit, "Termin bei der ABH erledigt.")
    url = f"/staff/notes/visit/{world.visit}"
    page = jc.get(url).get_data(as_text=True)
    assert note_id not in shown_note_ids(page)
    assert "Termin bei der ABH" not in page
    assert 'data-consent="none"' in page
    question = html.unescape(re.search(r'id="consent-question">([^<]+)<', page).group(1))

    assert jc.post(f"{url}/consent").status_code == 302
    page = jc.get(url).get_data(as_text=True)
    assert note_id in shown_note_ids(page) and 'data-consent="active"' in page
    with app.app_context():
        consent = db.session.scalar(sa.select(Consent))
        assert consent.recorded_by.name == "Jana JC" and consent.recorded_dt is not None
        assert consent.wording == question and consent.language == "ar"

    assert jc.post(f"{url}/consent/withdraw").status_code == 302
    page = jc.get(url).get_data(as_text=True)
    assert note_id not in shown_note_ids(page) and "Termin bei der ABH" not in page
    assert note_id in shown_note_ids(abh.get(url).get_data(as_text=True))
    with app.app_context():
        consent = db.session.scalar(sa.select(Consent))
        assert consent.withdrawn_by.name == "Jana JC" and consent.withdrawn_dt is not None
    assert [e.object_id for e in audit_entries(app, "consent.give")] == [world.visit]
    assert [e.object_id for e in audit_entries(app, "consent.withdraw")] == [world.visit]


def test_consent_twice_or_withdrawn_without_consent_is_explained(world, login) -> None:
    jc = login("jc")
    url = f"/staff/notes/visit/{world.visit}/consent"
    assert "no consent to withdraw" in jc.post(f"{url}/withdraw", follow_redirects=True).text
    jc.post(url)
    assert "already recorded" in jc.post(url, follow_redirects=True).text


def test_front_desk_records_consent_but_never_reads_notes(app, world, login) -> None:
    write_note(login("abh"), world.visit, "Nur für die ABH.")
    desk = login("desk")
    visit_url = f"/staff/notes/visit/{world.visit}"
    assert desk.get(visit_url).status_code == 403
    response = desk.post(f"{visit_url}/consent", data={"next": "/staff/"})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    with app.app_context():
        assert db.session.get(Visit, world.visit).consent_to_share
    # The desk of another location cannot touch this visit.
    assert login("other_desk").post(f"{visit_url}/consent/withdraw").status_code == 403


@pytest.mark.parametrize("who", ["desk", "coordinator", "admin"])
def test_front_desk_coordinators_and_admins_never_open_notes(world, login, who) -> None:
    client = login(who)
    client_id = _client_for_visit(client.application, world)
    write_note(login("abh"), world.visit, "Geheim.")
    for url in (f"/staff/notes/visit/{world.visit}", f"/staff/notes/client/{client_id}"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Geheim" not in response.text
    post = client.post(f"/staff/notes/visit/{world.visit}/notes", data={"body": "x"})
    assert post.status_code == 403


def _client_for_visit(app: Flask, world) -> int:
    with app.app_context():
        visit = db.session.get(Visit, world.visit)
        visit.client = Client(name=visit.name)
        db.session.commit()
        return visit.client_id


def test_advisor_of_another_agency_is_refused_every_door_with_or_without_consent(
    app, world, login
) -> None:
    abh, mbe = login("abh"), login("mbe")
    write_note(abh, world.visit, "Nicht für die MBE.")
    client_id = _client_for_visit(app, world)
    abh.post(f"/staff/notes/client/{client_id}/notes", data={"body": "Auch nicht."})
    visit_url = f"/staff/notes/visit/{world.visit}"
    for consent in (False, True):
        if consent:
            login("jc").post(f"{visit_url}/consent")
        for method, url, data in [
            ("GET", visit_url, {}),
            ("POST", f"{visit_url}/notes", {"body": "Eingeschleust"}),
            ("POST", f"{visit_url}/consent", {}),
            ("POST", f"{visit_url}/consent/withdraw", {}),
            ("POST", f"{visit_url}/client", {}),
            ("POST", f"{visit_url}/link", {"client": client_id}),
            ("POST", f"{visit_url}/refer", {"agency": world.agencies["mbe"], "handover": "x"}),
            ("GET", f"/staff/notes/client/{client_id}", {}),
            ("POST", f"/staff/notes/client/{client_id}/notes", {"body": "Eingeschleust"}),
        ]:
            response = mbe.open(url, method=method, data=data)
            assert response.status_code == 403, (method, url, consent)
            assert "Nicht für die MBE" not in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CaseNote.id))) == 2
        assert db.session.get(Visit, world.visit).consent_to_share


def test_linking_a_visit_to_a_client_the_agency_never_saw_is_refused(app, world, login) -> None:
    with app.app_context():
        # A client known only to MBE, from another visit.
        day = db.session.get(ConsultationDay, world.day)
        with_mbe = [(s, 0) for s in day.sessions if s.agency_id == world.agencies["mbe"]]
        other = factories.create_visit(day, *with_mbe, name="Omar")
        other.client = Client(name="Omar")
        db.session.commit()
        foreign_client = other.client_id
    abh = login("abh")
    response = abh.post(f"/staff/notes/visit/{world.visit}/link", data={"client": foreign_client})
    assert response.status_code == 403
    assert abh.get(f"/staff/notes/client/{foreign_client}").status_code == 403
    with app.app_context():
        assert db.session.get(Visit, world.visit).client_id is None


def test_unknown_ids_are_404(world, login) -> None:
    abh = login("abh")
    assert abh.get("/staff/notes/visit/999999").status_code == 404
    assert abh.get("/staff/notes/client/999999").status_code == 404
    assert abh.post("/staff/notes/visit/999999/notes", data={"body": "x"}).status_code == 404
    assert login("desk").post("/staff/notes/visit/999999/consent").status_code == 404


def test_an_empty_note_is_refused_with_a_message(app, world, login) -> None:
    response = login("abh").post(f"/staff/notes/visit/{world.visit}/notes", data={"body": " "})
    assert response.status_code == 400
    assert "Please write the note." in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CaseNote.id))) == 0


def test_client_record_links_visits_and_shares_notes_under_consent(app, world, login) -> None:
    abh, jc = login("abh"), login("jc")
    response = abh.post(f"/staff/notes/visit/{world.visit}/client")
    assert response.status_code == 302
    client_url = response.headers["Location"]
    client_id = int(client_url.rsplit("/", 1)[1])
    with app.app_context():
        client = db.session.get(Client, client_id)
        assert client.name == "Amina" and client.phone is None and client.language == "ar"
        assert [v.id for v in client.visits] == [world.visit]

    abh.post(f"{client_url}/notes", data={"body": "Seit 2024 in Magdeburg."})
    page = abh.get(client_url).text
    assert "Seit 2024 in Magdeburg." in page
    (note_id,) = shown_note_ids(page)

    # Jobcenter saw the visit, so it opens the record, but reads the note only under consent.
    assert note_id not in shown_note_ids(jc.get(client_url).text)
    jc.post(f"/staff/notes/visit/{world.visit}/consent")
    assert note_id in shown_note_ids(jc.get(client_url).text)
    # MBE never saw this person.
    assert login("mbe").get(client_url).status_code == 403
    reads = [e for e in audit_entries(app, "note.read") if e.object_type == "client"]
    assert reads[-1].detail["note_ids"] == [note_id]

    # A later visit with ABH is linked to the same record.
    with app.app_context():
        day = db.session.get(ConsultationDay, world.day)
        later = factories.create_day(day.location, date=DAY + timedelta(days=7))
        session = factories.create_session(later, db.session.get(Agency, world.agencies["abh"]))
        db.session.commit()
        second = factories.create_visit(later, (session, 0), name="Amina").id
    page = abh.get(f"/staff/notes/visit/{second}").text
    assert f'value="{client_id}"' in page
    assert (
        abh.post(f"/staff/notes/visit/{second}/link", data={"client": client_id}).status_code == 302
    )
    with app.app_context():
        assert db.session.get(Visit, second).client_id == client_id
    assert [e.object_id for e in audit_entries(app, "client.link")] == [client_id]


# --- referrals -------------------------------------------------------------------------


def refer(client: FlaskClient, visit_id: int, agency_id: int, topic_id: int | str = "", **form):
    """Post the referral form; `follow` follows the redirect."""
    follow = form.pop("follow", False)
    data = {"agency": agency_id, "topic": topic_id, "handover": "Bitte Sprachkurs klären.", **form}
    url = f"/staff/notes/visit/{visit_id}/refer"
    return client.post(url, data=data, follow_redirects=follow)


def test_referral_books_the_next_free_time_today_into_the_visit(app, world, login) -> None:
    abh_id, jc_id, mbe_id = (world.agencies[key] for key in ("abh", "jc", "mbe"))
    abh = login("abh")
    response = refer(abh, world.visit, mbe_id, world.topics["counselling"])
    assert response.status_code == 302, response.text
    assert "Referred to Migrationsberatung" in abh.get(response.headers["Location"]).text
    with app.app_context():
        visit = db.session.get(Visit, world.visit)
        by_agency = {a.agency_id: a for a in visit.active_appointments}
        assert set(by_agency) == {abh_id, jc_id, mbe_id}
        jobcenter, mbe = by_agency[jc_id], by_agency[mbe_id]
        # Jobcenter ends 09:45; with the 5-minute changeover the 10:00 slot is the next.
        assert mbe.starts_dt == jobcenter.ends_dt + timedelta(minutes=15)
        assert [t.id for t in mbe.topics] == [world.topics["counselling"]]
        # The statistics count who referred whom; the visit itself was booked ahead.
        assert mbe.referred_by_agency_id == abh_id and jobcenter.referred_by_agency_id is None
        assert visit.origin is VisitOrigin.BOOKED
        (note,) = db.session.scalars(sa.select(CaseNote)).all()
        assert note.is_handover and note.agency_id == abh_id and note.visit_id == visit.id
        note_id = note.id
    (entry,) = audit_entries(app, "referral")
    assert entry.detail["agency_id"] == mbe_id and entry.detail["note_id"] == note_id

    # The receiving agency reads the handover only under consent, like any note.
    mbe = login("mbe")
    url = f"/staff/notes/visit/{world.visit}"
    assert note_id not in shown_note_ids(mbe.get(url).text)
    mbe.post(f"{url}/consent")
    page = mbe.get(url).text
    assert note_id in shown_note_ids(page) and 'data-handover="1"' in page


def test_referral_offers_later_days_when_today_is_full(app, world, login) -> None:
    with app.app_context():
        day = db.session.get(ConsultationDay, world.day)
        abh_agency = db.session.get(Agency, world.agencies["abh"])
        mbe_agency = db.session.get(Agency, world.agencies["mbe"])
        # Fill MBE's day, and open MBE hours on a later day in the same town and elsewhere.
        for session in day.sessions:
            if session.agency_id == world.agencies["mbe"]:
                session.slots.clear()
        elsewhere = factories.create_day(
            factories.create_location(town="Zeitz"), date=DAY + timedelta(days=1)
        )
        factories.create_session(elsewhere, mbe_agency)
        later = factories.create_day(day.location, date=DAY + timedelta(days=2))
        factories.create_session(later, mbe_agency, starts=time(13, 0), ends=time(14, 0))
        factories.create_session(later, abh_agency)
        visit = db.session.get(Visit, world.visit)
        visit.client = Client(name="Amina")
        db.session.commit()
        later_id, elsewhere_id, client_id = later.id, elsewhere.id, visit.client_id

    abh = login("abh")
    page = refer(abh, world.visit, world.agencies["mbe"])
    assert page.status_code == 200
    options = re.findall(r'data-day="(\d+)"', page.text)
    assert options == [str(later_id)]
    # The offered day's form carries the whole referral in hidden fields.
    option = dict(
        (name, html.unescape(value))
        for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page.text)
    )
    assert option["handover"] == "Bitte Sprachkurs klären." and option["day"] == str(later_id)
    url = f"/staff/notes/visit/{world.visit}/refer"

    # A plan for another town's day is refused even if the form is rewritten.
    forged = abh.post(url, data={**option, "day": elsewhere_id}, follow_redirects=True)
    assert "no longer offered" in forged.text

    response = abh.post(url, data=option)
    assert response.status_code == 302
    with app.app_context():
        new_visit = db.session.scalar(sa.select(Visit).where(Visit.day_id == later_id))
        assert new_visit.name == "Amina" and new_visit.language == "ar"
        assert new_visit.client_id == client_id and not new_visit.consent_to_share
        assert [a.agency_id for a in new_visit.active_appointments] == [world.agencies["mbe"]]
        assert new_visit.origin is VisitOrigin.REFERRAL
        assert new_visit.active_appointments[0].referred_by_agency_id == world.agencies["abh"]
        (note,) = db.session.scalars(sa.select(CaseNote)).all()
        assert note.is_handover and note.visit_id == new_visit.id
        # The original visit is unchanged.
        assert len(db.session.get(Visit, world.visit).active_appointments) == 2
        new_visit_id = new_visit.id
    mbe = login("mbe")
    assert not shown_note_ids(mbe.get(f"/staff/notes/visit/{new_visit_id}").text)


def test_referral_to_an_agency_already_in_the_visit_or_off_topic_is_refused(
    app, world, login
) -> None:
    abh = login("abh")
    same = refer(abh, world.visit, world.agencies["jc"], follow=True)
    assert "already has an appointment with Jobcenter" in same.text
    off_topic = refer(
        abh, world.visit, world.agencies["mbe"], world.topics["residence"], follow=True
    )
    assert "does not advise on this topic" in off_topic.text
    own = refer(abh, world.visit, world.agencies["abh"])
    assert own.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Appointment.id))) == 2
        assert db.session.scalar(sa.select(sa.func.count(CaseNote.id))) == 0


def test_a_cancelled_visit_is_not_referred(app, world, login) -> None:
    with app.app_context():
        db.session.get(Visit, world.visit).cancel("test")
        db.session.commit()
    response = refer(login("abh"), world.visit, world.agencies["mbe"], follow=True)
    assert "Only a booked visit can be referred." in response.text
    with app.app_context():
        assert db.session.get(Visit, world.visit).status is VisitStatus.CANCELLED


# --- the audit log ---------------------------------------------------------------------


def test_audit_log_is_for_admins_newest_first_and_paginated(app, world, login) -> None:
    from consult import audit

    with app.app_context():
        for n in range(60):
            audit.record(None, "note.read", "visit", n, note_ids=[n])
        db.session.commit()
        total = audit.newest_first(1, audit.Filter(object_type="visit", actor="system")).total
        assert 60 <= total < 100
    admin = login("admin")
    wanted = {"object": "visit", "actor": "system"}
    first = admin.get("/staff/notes/audit", query_string=wanted)
    assert first.status_code == 200
    ids = [int(i) for i in re.findall(r'data-audit-id="(\d+)"', first.text)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    assert "read case notes" in first.text
    # The link to the older page keeps the filter.
    older_link = html.unescape(re.search(r'href="([^"]+)" rel="next"', first.text).group(1))
    second = admin.get(older_link)
    older = [int(i) for i in re.findall(r'data-audit-id="(\d+)"', second.text)]
    assert len(older) == total - 50 and max(older) < min(ids)
    for who in ("abh", "desk", "coordinator"):
        assert login(who).get("/staff/notes/audit").status_code == 403
