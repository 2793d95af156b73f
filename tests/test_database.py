"""One unit of work: services write, savepoints undo a failed step, only the end commits."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.database import after_commit, atomic, begin_write
from consult.extensions import db
from consult.itineraries import PlannedOpening
from consult.models import Agency, Visit
from consult.visits import BookingError, BookingRequest, Contact, book_visit
from tests.factories import create_agency, create_day, create_session
from tests.support import count


def full_day() -> tuple[int, PlannedOpening]:
    """A day whose one desk at 09:00 is free, committed; the opening that takes it."""
    day = create_day()
    session = create_session(day, desks=1)
    db.session.commit()
    return day.id, PlannedOpening(session.id, (session.slots[0].id,))


def test_a_failed_booking_undoes_its_own_work_only(ctx) -> None:
    day_id, opening = full_day()
    book_visit(BookingRequest(day_id, [opening], Contact(name="Amina")))
    create_agency(name="Kept")  # written by the same request after the booking
    db.session.flush()

    with pytest.raises(BookingError):
        book_visit(BookingRequest(day_id, [opening], Contact(name="Reza")))  # the desk is taken

    db.session.commit()
    db.session.expire_all()
    assert db.session.scalars(sa.select(Visit.name)).all() == ["Amina"]
    assert db.session.scalar(sa.select(Agency.name).where(Agency.name == "Kept")) == "Kept"


def test_nothing_is_stored_until_the_unit_of_work_commits(ctx, app) -> None:
    day_id, opening = full_day()
    book_visit(BookingRequest(day_id, [opening], Contact(name="Amina")))
    db.session.rollback()
    assert count(Visit) == 0

    with pytest.raises(RuntimeError), atomic():
        book_visit(BookingRequest(day_id, [opening], Contact(name="Amina")))
        raise RuntimeError("the request fails after the booking")
    assert count(Visit) == 0

    with atomic():
        book_visit(BookingRequest(day_id, [opening], Contact(name="Amina")))
    with app.app_context():  # another session, another connection
        assert count(Visit) == 1


def test_begin_write_keeps_what_the_transaction_wrote(ctx) -> None:
    create_agency(name="Written first")
    db.session.flush()
    begin_write()
    db.session.commit()
    assert db.session.scalar(sa.select(Agency.name)) == "Written first"


def test_after_commit_work_waits_for_the_end_and_goes_with_a_rolled_back_savepoint(ctx) -> None:
    ran: list[str] = []
    with db.session.begin_nested():
        after_commit(lambda: ran.append("released"))
    assert ran == []  # a released savepoint is not the end of the transaction
    with pytest.raises(ValueError), db.session.begin_nested():
        after_commit(lambda: ran.append("rolled back"))
        with db.session.begin_nested():
            after_commit(lambda: ran.append("inside the rolled back one"))
        raise ValueError
    after_commit(lambda: ran.append("outside"))
    db.session.commit()
    assert ran == ["released", "outside"]

    create_agency(name="Never stored")
    db.session.flush()
    after_commit(lambda: ran.append("never"))
    db.session.rollback()
    db.session.commit()
    assert ran == ["released", "outside"]
