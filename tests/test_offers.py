"""The waiting list, finished: freed seats are held for the earliest fitting people, who
are told and accept or decline; an offer that runs out passes to the next in line."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from consult import cancelling
from consult.database import atomic
from consult.extensions import db
from consult.itineraries import load_topics, plans_for_day
from consult.models import (
    ConsultationDay,
    MessageKind,
    MessageStatus,
    Role,
    Visit,
    VisitOrigin,
    WaitlistEntry,
    WaitlistStatus,
)
from consult.visits import Contact
from consult.waitlist import expire_offers, join_waitlist, offer_freed_seats
from tests.factories import create_day, create_staff
from tests.servers import BOOKED_AT, Outbox


def full_day_with_two_waiting(outbox: Outbox) -> list[int]:
    """All three slots booked; Reza, then Olga, on the waiting list. The visits' ids."""
    visits = [outbox.book(n, email=f"booked{n}@example.org") for n in range(3)]
    with outbox.app.app_context(), atomic():
        for name in ("Reza", "Olga"):
            person = Contact(name=name, email=f"{name.lower()}@example.org", language="fa")
            join_waitlist(load_topics([outbox.topic]), person)
    return visits


def cancel(outbox: Outbox, visit_id: int) -> None:
    """The person cancels, as the visit page does: the seat is offered on."""
    with outbox.app.app_context(), atomic():
        visit = cancelling.cancel_visit(visit_id, "cancelled by the person")
        offer_freed_seats(visit.day, BOOKED_AT)


def entries(outbox: Outbox) -> dict[str, WaitlistStatus]:
    with outbox.app.app_context():
        return {e.name: e.status for e in db.session.scalars(sa.select(WaitlistEntry))}


def held_reference(outbox: Outbox, name: str) -> str:
    with outbox.app.app_context():
        entry = db.session.scalar(sa.select(WaitlistEntry).where(WaitlistEntry.name == name))
        visit = db.session.scalar(sa.select(Visit).where(Visit.waitlist_entry_id == entry.id))
        assert visit.origin is VisitOrigin.WAITLIST  # the statistics count offers by it
        return visit.reference


def free_plans(outbox: Outbox) -> int:
    with outbox.app.test_request_context():
        day = db.session.get(ConsultationDay, outbox.day)
        return len(plans_for_day(day, load_topics([outbox.topic]), language="de").plans)


def test_a_freed_seat_is_held_for_the_first_waiting_person_and_nobody_else_sees_it(
    outbox: Outbox,
) -> None:
    visits = full_day_with_two_waiting(outbox)
    cancel(outbox, visits[1])
    assert entries(outbox) == {"Reza": WaitlistStatus.OFFERED, "Olga": WaitlistStatus.WAITING}
    assert free_plans(outbox) == 0  # the seat is held for Reza

    outbox.deliver()
    offer = next(r for r in outbox.smtp.inbox.received if r.rcpt_tos == ["reza@example.org"])
    text = offer.message.get_body(("plain",)).get_content()
    # In Persian, with the German text below: answer by 09:00 Berlin time, a day later.
    assert "لطفاً تا" in offer.message["Subject"] and "09:00" in offer.message["Subject"]
    assert "bitte antworten Sie bis" in text
    assert f"https://termine.example.org/visit/{held_reference(outbox, 'Reza')}" in text


def test_as_many_people_get_offers_as_seats_are_free(outbox: Outbox) -> None:
    visits = full_day_with_two_waiting(outbox)
    with outbox.app.app_context(), atomic():
        for visit_id in visits[:2]:
            cancelling.cancel_visit(visit_id, "cancelled by the person")
        day = db.session.get(ConsultationDay, outbox.day)
        assert [e.name for e in offer_freed_seats(day, BOOKED_AT)] == ["Reza", "Olga"]
    assert free_plans(outbox) == 0


def test_the_person_accepts_on_the_visit_page_and_is_booked(outbox: Outbox) -> None:
    visits = full_day_with_two_waiting(outbox)
    cancel(outbox, visits[0])
    reference = held_reference(outbox, "Reza")
    client = outbox.app.test_client()
    page = client.get(f"/visit/{reference}?lang=en").get_data(as_text=True)
    assert "Yes, book this visit" in page

    client.post(f"/visit/{reference}/offer", data={"answer": "yes"})
    assert entries(outbox)["Reza"] is WaitlistStatus.BOOKED
    with outbox.app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
        assert visit.offer_expires_dt is None and visit.status.value == "booked"
    outbox.deliver()
    kinds = {(k, s) for k, _, s in outbox.messages() if k is not MessageKind.REMINDER}
    assert (MessageKind.BOOKED, MessageStatus.SENT) in kinds
    assert (MessageKind.OFFER, MessageStatus.DROPPED) in kinds  # overtaken by the booking


def test_a_declined_offer_passes_to_the_next_person(outbox: Outbox) -> None:
    visits = full_day_with_two_waiting(outbox)
    cancel(outbox, visits[2])
    reference = held_reference(outbox, "Reza")
    outbox.app.test_client().post(f"/visit/{reference}/offer", data={"answer": "no"})
    assert entries(outbox) == {"Reza": WaitlistStatus.WAITING, "Olga": WaitlistStatus.OFFERED}
    assert free_plans(outbox) == 0


def test_an_offer_that_runs_out_passes_on_and_is_not_made_again(outbox: Outbox) -> None:
    visits = full_day_with_two_waiting(outbox)
    cancel(outbox, visits[0])
    later = BOOKED_AT + timedelta(hours=25)
    with outbox.app.app_context(), atomic():
        assert expire_offers(later) == 1
    assert entries(outbox) == {"Reza": WaitlistStatus.WAITING, "Olga": WaitlistStatus.OFFERED}
    # Olga declines: Reza let this day pass once and is not asked again.
    outbox.app.test_client().post(f"/visit/{held_reference(outbox, 'Olga')}/offer",
                                  data={"answer": "no"})  # fmt: skip
    assert entries(outbox) == {"Reza": WaitlistStatus.WAITING, "Olga": WaitlistStatus.WAITING}
    assert free_plans(outbox) == 1


def test_the_front_desk_books_an_offer_for_the_person_on_the_phone(outbox: Outbox) -> None:
    visits = full_day_with_two_waiting(outbox)
    cancel(outbox, visits[1])
    with outbox.app.app_context():
        create_staff(Role.FRONTDESK, email="desk@example.org")
        db.session.commit()
        entry_id = db.session.scalar(
            sa.select(WaitlistEntry.id).where(WaitlistEntry.name == "Reza")
        )
    desk = outbox.signed_in("desk@example.org")
    page = desk.get("/staff/waitlist").get_data(as_text=True)
    assert "Reza" in page
    desk.post(f"/staff/waitlist/{entry_id}/accept")
    assert entries(outbox)["Reza"] is WaitlistStatus.BOOKED


def test_a_newly_published_day_offers_its_seats_to_the_people_waiting(outbox: Outbox) -> None:
    from consult.models import DayStatus
    from tests.factories import create_session

    full_day_with_two_waiting(outbox)
    with outbox.app.app_context():
        day = db.session.get(ConsultationDay, outbox.day)
        draft = create_day(day.location, date=day.date + timedelta(days=7), status=DayStatus.DRAFT)
        create_session(draft, day.sessions[0].agency, load_topics([outbox.topic]), desks=1)
        create_staff(Role.COORDINATOR, email="coord@example.org")
        db.session.commit()
        draft_id = draft.id
    outbox.signed_in("coord@example.org").post(f"/staff/coordination/days/{draft_id}/publish")
    assert entries(outbox) == {"Reza": WaitlistStatus.OFFERED, "Olga": WaitlistStatus.OFFERED}


def test_the_last_word_comes_six_hours_before_or_a_quarter_of_a_short_offer(
    outbox: Outbox,
) -> None:
    from consult.models import Message

    def warning_after(hours: int) -> timedelta:
        outbox.app.config["CONSULT_OFFER_HOURS"] = hours
        with outbox.app.app_context(), atomic():
            db.session.execute(sa.delete(Message))
            for visit in db.session.scalars(
                sa.select(Visit).where(Visit.offer_expires_dt.is_not(None))
            ):
                visit.cancel("test")
                visit.offer_expires_dt = None
            entry = db.session.scalar(sa.select(WaitlistEntry).where(WaitlistEntry.name == "Reza"))
            entry.status, entry.passed_day_ids = WaitlistStatus.WAITING, []
            offer_freed_seats(db.session.get(ConsultationDay, outbox.day), BOOKED_AT)
            due = db.session.scalar(
                sa.select(Message.due_dt).where(Message.kind == MessageKind.OFFER_EXPIRING)
            )
            return due - BOOKED_AT

    visits = full_day_with_two_waiting(outbox)
    with outbox.app.app_context(), atomic():
        for visit_id in visits:
            cancelling.cancel_visit(visit_id, "cancelled by the person")
        db.session.execute(sa.delete(WaitlistEntry).where(WaitlistEntry.name == "Olga"))
    assert warning_after(24) == timedelta(hours=18)
    assert warning_after(4) == timedelta(hours=3)


def test_the_front_desk_sees_that_a_visit_is_only_held(outbox: Outbox) -> None:
    visits = full_day_with_two_waiting(outbox)
    cancel(outbox, visits[1])
    with outbox.app.app_context():
        day = db.session.get(ConsultationDay, outbox.day)
        create_staff(Role.FRONTDESK, email="desk@example.org", locations=[day.location])
        db.session.commit()
        url = f"/staff/desk/{day.location_id}/{day.date.isoformat()}"
    page = outbox.signed_in("desk@example.org").get(url).get_data(as_text=True)
    assert page.count("Offered from the waiting list, not yet accepted") == 1
    assert "Reza" in page
