"""Moving a visit keeps what the person said and the appointments an advisor added."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from consult.booking_errors import BookingError
from consult.extensions import db
from consult.itineraries import PlannedOpening
from consult.models import AppointmentStatus, Consent, Visit, today_in
from consult.visits import BookingRequest, Contact, book_visit
from tests.factories import create_agency, create_day, create_location, create_session, create_topic

REFERENCE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def world(app: Flask) -> dict[str, int]:
    """Halle: a visit on day one for a residence permit, with a referral to the MBE.

    Day two has all three agencies; day three has no MBE.
    """
    with app.app_context():
        halle = create_location(town="Halle (Saale)", name="Stadthaus")
        abh = create_agency(name="Ausländerbehörde")
        jobcenter = create_agency(name="Jobcenter")
        mbe = create_agency(name="Migrationsberatung")
        residence = create_topic([abh], names={"en": "Residence permit", "de": "Aufenthalt"})
        orientation = create_topic([mbe], names={"en": "First steps", "de": "Erste Schritte"})
        today = today_in("Europe/Berlin")
        days = [create_day(halle, date=today + timedelta(days=n)) for n in (7, 14, 21)]
        sessions = {}
        for n, day in enumerate(days):
            sessions[n, "abh"] = create_session(day, abh, [residence], ends=time(11))
            sessions[n, "jc"] = create_session(day, jobcenter, [], ends=time(11))
            if n < 2:
                sessions[n, "mbe"] = create_session(day, mbe, [orientation], ends=time(11))
        db.session.commit()
        visit = book_visit(
            BookingRequest(
                days[0].id,
                [PlannedOpening(sessions[0, "abh"].id, (sessions[0, "abh"].slots[0].id,))],
                Contact(name="Amina", language="ar", interpreter_wanted=True),
                [residence.id],
                consent_wording="May the advisors talk?",
            )
        )
        db.session.commit()
        # The immigration office's advisor sends Amina on to the MBE, the same day.
        book_visit(
            BookingRequest(
                days[0].id,
                [PlannedOpening(sessions[0, "mbe"].id, (sessions[0, "mbe"].slots[2].id,))],
                Contact(name="Amina", language="ar"),
                [orientation.id],
                add_to_visit_id=visit.id,
                referred_by_agency_id=abh.id,
            )
        )
        db.session.commit()
        return {
            "reference": visit.reference,
            "visit": visit.id,
            "days": [d.id for d in days],
            "residence": residence.id,
            "orientation": orientation.id,
            "abh": abh.id,
            "mbe": mbe.id,
        }


def _token(page: str) -> str:
    return re.search(r'name="plan"[^>]*?value="([^"]+)"', page).group(1)


def _book_page(client: FlaskClient, world, day_index: int) -> tuple[str, dict]:
    moved = client.get(f"/visit/{world['reference']}/move")
    assert moved.status_code == 302
    find = client.get(moved.headers["Location"])
    assert find.status_code == 200
    day_id = world["days"][day_index]
    query = {"topic": [world["residence"]], "move": world["reference"], "speak": "ar"}
    plans = client.get(f"/day/{day_id}", query_string=query).get_data(as_text=True)
    query["plan"] = _token(plans)
    page = client.get(f"/day/{day_id}/book", query_string=query)
    assert page.status_code == 200
    return page.get_data(as_text=True), query


def _checked(page: str, marker: str) -> bool:
    """True when the input whose tag contains `marker` is ticked."""
    return any("checked" in tag for tag in re.findall(r"<input[^>]*>", page) if marker in tag)


def _form(page: str, query: dict, **changes: str) -> dict[str, str]:
    """What the prefilled form sends back when the person only presses the button."""
    data = {"plan": query["plan"], "name": "Amina", "language": "ar"}
    if _checked(page, 'id="interpreter"'):
        data["interpreter"] = "y"
    data["consent"] = "yes" if _checked(page, 'value="yes"') else "no"
    data.update(changes)
    return data


def _state(world) -> tuple:
    visit = db.session.get(Visit, world["visit"])
    return (
        visit.day_id,
        sorted((a.id, a.status.value) for a in visit.appointments),
        [(c.id, c.withdrawn_dt) for c in visit.consents],
    )


def test_moving_keeps_the_interpreter_wish_the_consent_and_the_referral(app, client, world):
    client.get("/lang/en")
    moved = client.get(f"/visit/{world['reference']}/move")
    # The person's own topics are searched; the referral comes along by itself.
    assert f"topic={world['residence']}" in moved.headers["Location"]
    assert f"topic={world['orientation']}" not in moved.headers["Location"]
    page, query = _book_page(client, world, 1)
    assert _checked(page, 'id="interpreter"')
    assert _checked(page, 'value="yes"') and not _checked(page, 'value="no"')
    assert "cannot move to this day" not in page
    assert "Migrationsberatung" in page  # the referral appointment is in the new plan
    response = client.post(
        f"/day/{world['days'][1]}/book", query_string=query, data=_form(page, query)
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        visit = db.session.get(Visit, world["visit"])
        assert visit.reference == world["reference"] and visit.day_id == world["days"][1]
        assert visit.interpreter_wanted and visit.language == "ar"
        # The consent given before stays the one on record: no second row.
        assert visit.consent_to_share
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 1
        held = {a.agency_id: a for a in visit.active_appointments}
        assert set(held) == {world["abh"], world["mbe"]}
        referral = held[world["mbe"]]
        assert referral.referred_by_agency_id == world["abh"]
        assert [t.id for t in referral.topics] == [world["orientation"]]
        assert held[world["abh"]].referred_by_agency_id is None
        assert {t.id for t in visit.topics} == {world["residence"], world["orientation"]}
        assert all(a.session.day_id == world["days"][1] for a in visit.active_appointments)
        assert [a.cancel_reason for a in visit.appointments if a.status.value == "cancelled"] == [
            "moved",
            "moved",
        ]


def test_saying_no_while_moving_withdraws_the_consent(app, client, world):
    client.get("/lang/en")
    page, query = _book_page(client, world, 1)
    data = _form(page, query, consent="no")
    response = client.post(f"/day/{world['days'][1]}/book", query_string=query, data=data)
    assert response.status_code == 302
    with app.app_context():
        visit = db.session.get(Visit, world["visit"])
        assert not visit.consent_to_share and len(visit.consents) == 1


def test_a_referral_the_new_day_cannot_take_is_cancelled_only_when_confirmed(app, client, world):
    client.get("/lang/en")
    with app.app_context():
        before = _state(world)
    page, query = _book_page(client, world, 2)
    assert "Your appointment with Migrationsberatung cannot move to this day." in page
    assert "It will be cancelled." in page
    url = f"/day/{world['days'][2]}/book"
    refused = client.post(url, query_string=query, data=_form(page, query))
    assert refused.status_code == 422
    assert "Please confirm that this appointment will be cancelled" in refused.get_data(
        as_text=True
    )
    with app.app_context():
        assert _state(world) == before
    confirmed = client.post(url, query_string=query, data=_form(page, query, drop_referrals="y"))
    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)
    with app.app_context():
        visit = db.session.get(Visit, world["visit"])
        assert visit.day_id == world["days"][2]
        assert [a.agency_id for a in visit.active_appointments] == [world["abh"]]
        assert visit.interpreter_wanted and visit.consent_to_share


def test_the_booking_refuses_to_drop_a_referral_unasked_and_changes_nothing(app, world):
    with app.app_context():
        before = _state(world)
        visit = db.session.get(Visit, world["visit"])
        day = db.session.get(type(visit.day), world["days"][2])
        abh = next(s for s in day.sessions if s.agency_id == world["abh"])
        request = BookingRequest(
            day.id,
            [PlannedOpening(abh.id, (abh.slots[0].id,))],
            Contact.of(visit),
            [world["residence"]],
            visit_id=visit.id,
            carry_referrals=True,
        )
        with pytest.raises(BookingError, match="cannot move to this day"):
            book_visit(request)
        db.session.rollback()
        assert _state(world) == before


def test_the_visit_page_after_a_move_lists_only_the_new_times(app, client, world):
    client.get("/lang/en")
    page, query = _book_page(client, world, 1)
    response = client.post(
        f"/day/{world['days'][1]}/book", query_string=query, data=_form(page, query)
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        visit = db.session.get(Visit, world["visit"])
        new = [a.starts_dt.isoformat() for a in visit.active_appointments]
        old = [
            a.starts_dt.isoformat()
            for a in visit.appointments
            if a.status is AppointmentStatus.CANCELLED
        ]
    main, _, history = page.partition("<details")
    assert all(f'datetime="{when}"' in main for when in new)
    assert not any(f'datetime="{when}"' in main for when in old)
    assert "Earlier changes" in history and "Moved to a new time" in history
    assert all(f'datetime="{when}"' in history for when in old)
