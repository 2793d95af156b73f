"""The audit trail: every change, with who did it, when, on what, and before → after."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, url_for
from flask.testing import FlaskClient

from consult import audit
from consult.extensions import db
from consult.labels import STAFF_MENU
from consult.models import AuditLog, ConsultationDay, DayStatus, Role, StaffUser, Visit, today_in
from tests import factories
from tests.support import Login
from tests.test_public import book, booked_reference


@dataclass(frozen=True)
class AuditWorld:
    day: int  # a week from today in Halle: the immigration office, 09:00-12:00
    draft: int  # a week later, not yet published
    residence: int  # the immigration office's topic


@pytest.fixture
def world(app: Flask, staff: factories.Team) -> AuditWorld:
    with app.app_context():
        location = factories.create_location(town="Halle (Saale)")
        abh = factories.create_agency(name="Ausländerbehörde", slug="abh")
        residence = factories.create_topic(
            [abh], names={"en": "Residence permit", "de": "Aufenthalt"}
        )
        day = factories.create_day(location, date=today_in("Europe/Berlin") + timedelta(days=7))
        factories.create_session(day, abh, [residence], starts=time(9), ends=time(12), desks=2)
        draft = factories.create_day(
            location, date=day.date + timedelta(days=7), status=DayStatus.DRAFT
        )
        staff.add("desk", Role.FRONTDESK, email="desk@example.org", locations=[location])
        staff.add("coordinator", Role.COORDINATOR, email="coord@example.org")
        staff.add("admin", Role.ADMIN, email="admin@example.org")
        staff.add("advisor", Role.ADVISOR, email="abh@example.org", agency=abh)
        db.session.commit()
        return AuditWorld(day=day.id, draft=draft.id, residence=residence.id)


def book_residence(client: FlaskClient, world: AuditWorld) -> str:
    """The reference of a visit about a residence permit that `client` books on the day."""
    ids = {"day": world.day, "residence": world.residence}
    return booked_reference(book(client, ids, "residence"))


def entries(app: Flask, **where: Any) -> list[AuditLog]:
    with app.app_context():
        query = sa.select(AuditLog).order_by(AuditLog.id)
        for column, value in where.items():
            query = query.where(getattr(AuditLog, column) == value)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def visit_id(app: Flask, reference: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Visit.id).where(Visit.reference == reference))


def booked_visit(app: Flask, world: AuditWorld) -> int:
    """The id of a visit that a person books on the day."""
    return visit_id(app, book_residence(app.test_client(), world))


def test_what_the_person_does_by_reference_is_recorded_as_the_person(app: Flask, world) -> None:
    client = app.test_client()
    client.get("/lang/en")
    reference = book_residence(client, world)
    client.post(f"/visit/{reference}/consent", data={"consent": "yes"})
    client.post(f"/visit/{reference}/consent", data={"consent": "no"})
    client.post(f"/visit/{reference}/cancel")

    trail = entries(app, object_type="visit", object_id=visit_id(app, reference))
    assert [e.action for e in trail] == [
        "visit.book",
        "consent.give",
        "consent.withdraw",
        "appointment.cancelled",
        "visit.cancelled",
    ]
    assert {(e.actor_id, e.actor_kind) for e in trail} == {(None, audit.PERSON)}
    assert trail[0].detail == {"status": "booked", "day_id": world.day}
    assert trail[1].detail["language"] == "en"
    assert trail[-1].detail["status"] == {"before": "booked", "after": "cancelled"}
    # No personal data in the log: it outlives the retention period.
    assert all("Amina" not in str(e.detail) for e in trail)


def test_what_staff_do_is_recorded_with_their_account(
    app: Flask, world, login: Login, staff: factories.Team
) -> None:
    visit = booked_visit(app, world)
    desk = login("desk")
    assert desk.post(f"/staff/desk/visit/{visit}/check-in").status_code == 302
    coordinator = login("coordinator")
    assert coordinator.post(f"/staff/coordination/days/{world.draft}/publish").status_code == 302
    account = f"/staff/coordination/staff/{staff.ids['advisor']}/feed-token"
    assert coordinator.post(account).status_code == 302

    (check_in,) = entries(
        app, object_type="visit", object_id=visit, action="appointment.checked_in"
    )
    assert (check_in.actor_id, check_in.actor_kind) == (staff.ids["desk"], audit.STAFF)
    assert check_in.detail["status"] == {"before": "booked", "after": "checked_in"}
    (published,) = entries(app, object_type="day", object_id=world.draft, actor_kind="staff")
    assert published.action == "day.published"
    assert published.actor_id == staff.ids["coordinator"]
    assert published.detail["status"] == {"before": "draft", "after": "published"}
    (token,) = entries(app, object_type="account", action="account.feed_token")
    assert token.object_id == staff.ids["advisor"]
    assert token.detail == {"feed_token": "changed"}  # the secret itself is never written


def test_a_role_change_keeps_before_and_after(
    app: Flask, world, login: Login, staff: factories.Team
) -> None:
    admin = login("admin")
    form = {
        "name": "Desk Person",
        "email": staff.emails["desk"],
        "role": "coordinator",
        "agency": "0",
        "language": "de",
        "active": "y",
    }
    response = admin.post(f"/staff/coordination/staff/{staff.ids['desk']}", data=form)
    assert response.status_code == 302
    (entry,) = entries(app, object_type="account", action="account.role")
    assert entry.detail["role"] == {"before": "frontdesk", "after": "coordinator"}
    assert entry.actor_id == staff.ids["admin"]


def test_a_change_that_is_rolled_back_leaves_no_entry(
    app: Flask, world, staff: factories.Team
) -> None:
    before = len(entries(app))
    with app.app_context():
        db.session.get(ConsultationDay, world.draft).publish()
        db.session.flush()
        db.session.rollback()
        db.session.get(StaffUser, staff.ids["desk"]).role = Role.ADMIN
        db.session.flush()
        db.session.rollback()
    assert len(entries(app)) == before


def test_changes_outside_a_request_are_the_systems(app: Flask, world) -> None:
    with app.app_context():
        db.session.get(ConsultationDay, world.draft).publish()
        db.session.commit()
    created, published = entries(app, object_type="day", object_id=world.draft)
    assert (created.action, published.action) == ("day.create", "day.published")
    assert (published.actor_id, published.actor_kind) == (None, audit.SYSTEM)


def audit_ids(client: FlaskClient, **query: Any) -> list[int]:
    page = client.get("/staff/notes/audit", query_string=query)
    assert page.status_code == 200, page.get_data(as_text=True)
    return [int(i) for i in re.findall(r'data-audit-id="(\d+)"', page.get_data(as_text=True))]


def test_administrators_filter_by_object_actor_and_dates(
    app: Flask, world, login: Login, staff: factories.Team
) -> None:
    visit = booked_visit(app, world)
    desk = login("desk")
    desk.post(f"/staff/desk/visit/{visit}/check-in")
    admin = login("admin")

    about_visit = audit_ids(admin, object="visit", id=visit)
    assert about_visit == sorted(
        (e.id for e in entries(app, object_type="visit", object_id=visit)), reverse=True
    )
    assert len(about_visit) == 2
    by_person = audit_ids(admin, actor="person")
    assert by_person == [e.id for e in entries(app, actor_kind="person")][::-1]
    by_desk = audit_ids(admin, actor=staff.ids["desk"])
    assert by_desk == [e.id for e in entries(app, actor_id=staff.ids["desk"])][::-1]
    assert set(by_person).isdisjoint(by_desk) and by_person and by_desk

    today = today_in("Europe/Berlin")
    assert audit_ids(admin, **{"from": today.isoformat(), "to": today.isoformat()})
    assert audit_ids(admin, **{"to": (today - timedelta(days=1)).isoformat()}) == []
    assert audit_ids(admin, **{"from": (today + timedelta(days=1)).isoformat()}) == []

    for bad in ({"from": "yesterday"}, {"id": "x"}, {"actor": "someone"}, {"id": "²"}):
        response = admin.get("/staff/notes/audit", query_string=bad)
        assert response.status_code == 400, bad
    # The page names who did it and what, in words.
    page = html.unescape(admin.get("/staff/notes/audit").get_data(as_text=True))
    assert "the person, by booking reference" in page and "booked a visit" in page
    assert "checked in" in page


def test_only_administrators_read_the_audit_log(app: Flask, world, login: Login) -> None:
    for who in ("desk", "coordinator", "advisor"):
        assert login(who).get("/staff/notes/audit").status_code == 403


def test_every_staff_menu_entry_opens_a_page(app: Flask, world, login: Login) -> None:
    with app.test_request_context():
        for endpoint, _label in STAFF_MENU:
            assert endpoint in app.view_functions, endpoint
            url_for(endpoint)
    admin = login("admin")
    home = admin.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/notes/audit"' in home
    for link in re.findall(r'<nav class="staff-nav[^>]*>(.*?)</nav>', home, re.S):
        for href in re.findall(r'href="([^"]+)"', link):
            assert admin.get(href).status_code == 200, href
