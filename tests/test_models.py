"""Model rules: references, UTC instants, and the appointment state machine."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.extensions import db
from consult.models import (
    APPOINTMENT_TRANSITIONS,
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    Appointment,
    AppointmentStatus,
    AuditLog,
    Consent,
    ConsultationDay,
    DayStatus,
    TransitionError,
    new_reference,
    normalise_reference,
)


def test_references_carry_at_least_60_bits_and_read_aloud_well() -> None:
    assert REFERENCE_LENGTH * math.log2(len(set(REFERENCE_ALPHABET))) >= 60
    assert not set("ILOU") & set(REFERENCE_ALPHABET)
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    for reference in list(references)[:50]:
        assert len(reference) == 14 and reference.count("-") == 2
        assert normalise_reference(reference.lower().replace("-", " ")) == reference


def test_normalise_reference_forgives_typing_mistakes() -> None:
    assert normalise_reference("abcd efgh jk0m") == "ABCD-EFGH-JK0M"
    assert normalise_reference("oo1l-ABCD-EFGH") == "0011-ABCD-EFGH"


def test_instants_are_stored_and_read_back_as_aware_utc(ctx: Flask) -> None:
    berlin = timezone(timedelta(hours=2))
    entry = AuditLog(
        action="test", object_type="x", at_dt=datetime(2026, 3, 29, 9, 0, tzinfo=berlin)
    )
    db.session.add(entry)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalar(sa.select(AuditLog))
    assert stored.at_dt == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert stored.at_dt.tzinfo is UTC


def test_naive_instants_are_refused(ctx: Flask) -> None:
    db.session.add(AuditLog(action="test", object_type="x", at_dt=datetime(2026, 1, 1, 9, 0)))
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


ACTIONS = {
    "check_in": AppointmentStatus.CHECKED_IN,
    "undo_check_in": AppointmentStatus.BOOKED,
    "call_in": AppointmentStatus.IN_CONSULTATION,
    "finish": AppointmentStatus.DONE,
    "mark_no_show": AppointmentStatus.NO_SHOW,
    "cancel": AppointmentStatus.CANCELLED,
}


@pytest.mark.parametrize("state", list(AppointmentStatus))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_appointment_moves_only_along_allowed_transitions(state, action) -> None:
    appointment = Appointment(status=state, sequence=0)
    target = ACTIONS[action]
    if target in APPOINTMENT_TRANSITIONS[state]:
        getattr(appointment, action)()
        assert appointment.status is target
        assert appointment.sequence == 1
    else:
        with pytest.raises(TransitionError):
            getattr(appointment, action)()
        assert appointment.status is state


def test_booked_appointments_can_reach_done_through_the_day() -> None:
    appointment = Appointment(status=AppointmentStatus.BOOKED, sequence=0)
    appointment.check_in()
    appointment.call_in()
    appointment.finish()
    assert appointment.status is AppointmentStatus.DONE
    assert appointment.checked_in_dt <= appointment.called_dt <= appointment.done_dt


def test_withdrawn_consent_is_no_consent() -> None:
    consent = Consent(wording="…", language="de")
    consent.withdraw()
    with pytest.raises(TransitionError):
        consent.withdraw()


def test_a_cancelled_day_cannot_be_published() -> None:
    day = ConsultationDay(status=DayStatus.DRAFT)
    day.publish()
    assert day.is_bookable
    day.cancel("storm")
    with pytest.raises(TransitionError):
        day.publish()
