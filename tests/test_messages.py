"""Messages to people: written with their change, delivered by the worker through a real
SMTP server and a local HTTP server standing in for the SMS gateway."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import sqlalchemy as sa

from consult import cancelling
from consult.database import atomic
from consult.extensions import db
from consult.messages.delivery import deliver_due
from consult.messages.sms import count_segments
from consult.models import Message, MessageKind, MessageStatus, Visit
from consult.visits import BookingRequest, Contact, book_visit
from tests.servers import BOOKED_AT, PHONE, Outbox


def test_a_booking_is_confirmed_by_mail_and_sms_in_the_persons_language_and_german(
    outbox: Outbox,
) -> None:
    visit_id = outbox.book(phone="0151 12345678")
    assert outbox.messages() == [
        (MessageKind.BOOKED, "email", MessageStatus.PENDING),
        (MessageKind.BOOKED, "sms", MessageStatus.PENDING),
        (MessageKind.REMINDER, "email", MessageStatus.PENDING),
        (MessageKind.REMINDER, "sms", MessageStatus.PENDING),
    ]
    outbox.deliver()

    (mail,) = outbox.smtp.inbox.received
    message = mail.message
    assert mail.rcpt_tos == ["amina@example.org"]
    assert message["Content-Language"] == "ar"
    text = message.get_body(("plain",)).get_content()
    arabic, german = text.split("— Deutsch —")
    assert "Ihr Besuch am Dienstag, 12. März 2030 ist gebucht" in german
    assert "Besuch" not in arabic and "09:00" in arabic.replace("٠", "0").replace("٩", "9")
    with outbox.app.app_context():
        reference = db.session.get(Visit, visit_id).reference
    assert f"https://termine.example.org/visit/{reference}" in text
    invite = next(p for p in message.iter_attachments() if p.get_filename() == "invite.ics")
    calendar = icalendar.Calendar.from_ical(invite.get_content())
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].dt.astimezone(UTC) == datetime(2030, 3, 12, 8, 0, tzinfo=UTC)

    (sms,) = outbox.gateway.requests
    assert b'"to": "+4915112345678"' in sms.body
    assert reference.encode() in sms.body
    assert outbox.messages()[:2] == [
        (MessageKind.BOOKED, "email", MessageStatus.SENT),
        (MessageKind.BOOKED, "sms", MessageStatus.SENT),
    ]


def test_a_cancellation_cancels_the_same_events_in_the_calendar(outbox: Outbox) -> None:
    visit_id = outbox.book(language="uk")
    outbox.deliver()
    with outbox.app.app_context(), atomic():
        cancelling.cancel_visit(visit_id, "cancelled by the person")
    outbox.deliver()

    booked, cancelled = (r.message for r in outbox.smtp.inbox.received)
    assert "скасовано" in cancelled["Subject"].lower()

    def uids(message, filename):
        part = next(p for p in message.iter_attachments() if p.get_filename() == filename)
        calendar = icalendar.Calendar.from_ical(part.get_content())
        return calendar["METHOD"], [str(e["UID"]) for e in calendar.walk("VEVENT")]

    method, invited = uids(booked, "invite.ics")
    assert uids(cancelled, "cancel.ics") == ("CANCEL", invited)


def test_the_same_change_told_twice_is_one_message(outbox: Outbox) -> None:
    from consult.messages.outbox import tell

    visit_id = outbox.book()
    with outbox.app.app_context(), atomic():
        tell(db.session.get(Visit, visit_id), MessageKind.BOOKED)
    assert [kind for kind, _, _ in outbox.messages()].count(MessageKind.BOOKED) == 1


def test_a_gateway_that_fails_three_times_gets_the_sms_through_once(outbox: Outbox) -> None:
    outbox.book(email="", phone=PHONE)
    outbox.gateway.first = [500, 503, 500]
    now = BOOKED_AT
    for minutes in (0, 1, 4, 16, 64):  # each retry waits four times as long as the last
        now += timedelta(minutes=minutes, seconds=1)
        outbox.deliver(now)
    assert len(outbox.gateway.requests) == 4
    with outbox.app.app_context():
        sms = db.session.scalar(sa.select(Message).where(Message.kind == MessageKind.BOOKED))
        assert (sms.status, sms.attempts, sms.last_error) == (MessageStatus.SENT, 3, "")


def test_a_refused_address_fails_at_once_with_the_reason(outbox: Outbox) -> None:
    outbox.smtp.inbox.refuse_with = "550 No such user"
    outbox.book()
    outbox.deliver()
    with outbox.app.app_context():
        mail = db.session.scalar(sa.select(Message).where(Message.kind == MessageKind.BOOKED))
        assert mail.status is MessageStatus.FAILED and mail.attempts == 1
        assert "550" in mail.last_error


def test_a_reminder_due_after_the_appointment_began_is_not_sent(outbox: Outbox) -> None:
    outbox.book()
    outbox.deliver()
    outbox.deliver(datetime(2030, 3, 12, 8, 5, tzinfo=UTC))  # the worker was down until 09:05
    assert [m.message["Subject"] for m in outbox.smtp.inbox.received][1:] == []
    assert outbox.messages()[-1] == (MessageKind.REMINDER, "email", MessageStatus.DROPPED)


def test_a_reminder_goes_out_two_days_before_at_nine(outbox: Outbox) -> None:
    outbox.book(language="tr")
    outbox.deliver()
    outbox.deliver(datetime(2030, 3, 10, 7, 59, tzinfo=UTC))  # 08:59 in Berlin
    assert len(outbox.smtp.inbox.received) == 1
    outbox.deliver(datetime(2030, 3, 10, 8, 0, tzinfo=UTC))
    assert "Hatırlatma" in outbox.smtp.inbox.received[1].message["Subject"]


def test_a_moved_visit_is_reminded_of_its_new_time_only(outbox: Outbox) -> None:
    visit_id = outbox.book()
    with outbox.app.app_context(), atomic():
        book_visit(
            BookingRequest(
                outbox.day,
                [outbox.openings[2]],
                Contact(name="Amina", email="amina@example.org", language="ar"),
                visit_id=visit_id,
            )
        )
    outbox.deliver(datetime(2030, 3, 10, 8, 0, tzinfo=UTC))
    kinds = [(kind, status) for kind, _, status in outbox.messages()]
    assert kinds == [
        (MessageKind.BOOKED, MessageStatus.DROPPED),  # the visit changed before it went out
        (MessageKind.REMINDER, MessageStatus.DROPPED),
        (MessageKind.MOVED, MessageStatus.SENT),
        (MessageKind.REMINDER, MessageStatus.SENT),
    ]


def test_no_one_gets_more_than_the_daily_limit(outbox: Outbox) -> None:
    for n in range(3):
        visit_id = outbox.book(n)
        outbox.deliver()
        with outbox.app.app_context(), atomic():
            cancelling.cancel_visit(visit_id, "cancelled by the person")
        outbox.deliver()
    statuses = [status for kind, _, status in outbox.messages() if kind is not MessageKind.REMINDER]
    assert statuses.count(MessageStatus.SENT) == 5
    assert len(outbox.smtp.inbox.received) == 5


def test_every_sms_fits_two_segments_in_every_language(outbox: Outbox) -> None:
    from consult.config import LANGUAGES

    for n, language in enumerate(LANGUAGES):
        visit_id = outbox.book(0, language, email="", phone=f"+49151123456{n:02d}")
        outbox.deliver()
        with outbox.app.app_context(), atomic():
            cancelling.cancel_visit(visit_id, "cancelled by the person")
        outbox.deliver()

    texts = [json.loads(r.body)["text"] for r in outbox.gateway.requests]
    assert len(texts) == 2 * len(LANGUAGES)
    assert all(count_segments(text).count <= 2 for text in texts), texts


def test_two_workers_never_send_a_message_twice(outbox: Outbox) -> None:
    from consult.messages.outbox import tell

    outbox.app.config["CONSULT_MESSAGES_PER_DAY"] = 100
    visits = [outbox.book(n, email=f"person{n}@example.org") for n in range(3)]
    with outbox.app.app_context(), atomic():
        for visit_id in visits:
            for k in range(10):
                params = {"appointment": k, "reason": f"test {k}"}
                tell(
                    db.session.get(Visit, visit_id),
                    MessageKind.APPOINTMENT_CANCELLED,
                    params=params,
                )
    barrier = threading.Barrier(2)

    def worker() -> None:
        transports = outbox.transports()
        with outbox.app.app_context():
            barrier.wait()
            deliver_due(transports, now=BOOKED_AT)
            db.session.remove()
        transports.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sent = [m for m in outbox.messages() if m[2] is MessageStatus.SENT]
    assert len(sent) == 33
    received = [(r.rcpt_tos[0], r.message["Subject"], r.message.get_body(("plain",)).get_content())
                for r in outbox.smtp.inbox.received]  # fmt: skip
    assert len(received) == len(set(received)) == 33


def test_the_visit_page_lists_what_was_sent_and_stops_what_is_to_come(outbox: Outbox) -> None:
    visit_id = outbox.book(language="en")
    outbox.deliver()
    with outbox.app.app_context():
        reference = db.session.get(Visit, visit_id).reference
    client = outbox.app.test_client()
    page = client.get(f"/visit/{reference}?lang=en").get_data(as_text=True)
    sent = page[page.index('id="messages"') : page.index("</section>", page.index('id="messages"'))]
    assert "Booking confirmed · E-mail · " in sent and "09:00" in sent  # 08:00 UTC
    assert "No more messages" in sent

    client.post(f"/visit/{reference}/messages", data={"messages": "stop"})
    outbox.deliver(datetime(2030, 3, 10, 8, 0, tzinfo=UTC))  # the reminder is due
    assert len(outbox.smtp.inbox.received) == 1
    with outbox.app.app_context():
        reminder = db.session.scalar(sa.select(Message).where(Message.kind == MessageKind.REMINDER))
        assert reminder.status is MessageStatus.DROPPED
        assert reminder.last_error == "The person asked for no more messages."


def test_staff_see_the_outbox_and_send_a_failed_message_again(outbox: Outbox) -> None:
    from consult.models import Role
    from tests.factories import create_staff

    outbox.smtp.inbox.refuse_with = "550 No such user"
    outbox.book(email="wrong@example.org")
    outbox.deliver()
    with outbox.app.app_context():
        create_staff(Role.COORDINATOR, email="coord@example.org")
        db.session.commit()
        failed = db.session.scalar(sa.select(Message).where(Message.status == MessageStatus.FAILED))
        failed_id = failed.id
    staff = outbox.signed_in("coord@example.org")
    page = staff.get("/staff/outbox?status=failed").get_data(as_text=True)
    assert "wrong@example.org" in page and "550" in page

    outbox.smtp.inbox.refuse_with = None
    staff.post(f"/staff/outbox/{failed_id}/send-again")
    outbox.deliver()
    with outbox.app.app_context():
        assert db.session.get(Message, failed_id).status is MessageStatus.SENT
    assert [r.rcpt_tos for r in outbox.smtp.inbox.received] == [["wrong@example.org"]]


@pytest.mark.parametrize("language", ["de", "en", "ar", "fa", "uk", "ru", "tr"])
def test_every_kind_of_message_speaks_the_persons_language_with_german_below(
    outbox: Outbox, language: str
) -> None:
    from consult.messages.texts import render
    from consult.models import Channel

    visit_id = outbox.book(language=language)
    with outbox.app.test_request_context(base_url="https://termine.example.org"):
        visit = db.session.get(Visit, visit_id)
        visit.offer_expires_dt = BOOKED_AT + timedelta(hours=24)  # for the offers' texts
        params = {"reason": "Krankheit", "appointment": visit.appointments[0].id}

        def rendered(kind: MessageKind, lang: str):
            message = Message(kind=kind, channel=Channel.EMAIL, language=lang, params=params)
            return render(message, visit, sender="consult@example.org")

        conference_kinds = {MessageKind.CONFERENCE_INVITED, MessageKind.CONFERENCE_CANCELLED}
        for kind in set(MessageKind) - conference_kinds:  # those are to advisors, not the visit
            mine, english, german = (rendered(kind, lang) for lang in (language, "en", "de"))
            if language != "en":
                assert mine.subject != english.subject, (kind, language)  # translated
            if language != "de":
                assert f"— Deutsch —\n\n{german.subject}" in mine.text, kind
            assert count_segments(mine.sms).count <= 2, (kind, mine.sms)
            for attachment in mine.attachments:
                calendar = icalendar.Calendar.from_ical(attachment.data)
                assert calendar["METHOD"] in ("REQUEST", "CANCEL")
        db.session.rollback()


def test_the_front_desk_sees_only_the_messages_of_its_locations(outbox: Outbox) -> None:
    from consult.models import Role
    from tests.factories import create_location, create_staff

    outbox.book(email="amina@example.org")
    with outbox.app.app_context():
        create_staff(Role.FRONTDESK, email="far@example.org", locations=[create_location()])
        db.session.commit()
        message_id = db.session.scalar(sa.select(Message.id).limit(1))
        db.session.get(Message, message_id).status = MessageStatus.FAILED
        db.session.commit()
    far_desk = outbox.signed_in("far@example.org")
    assert "amina@example.org" not in far_desk.get("/staff/outbox").get_data(as_text=True)
    assert far_desk.post(f"/staff/outbox/{message_id}/send-again").status_code == 404
    with outbox.app.app_context():
        assert db.session.get(Message, message_id).status is MessageStatus.FAILED


def test_a_message_that_cannot_be_rendered_fails_alone(
    outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consult.messages import delivery

    first, second = outbox.book(0), outbox.book(1, email="reza@example.org")
    render = delivery.render

    def render_or_break(message, visit, **options):
        if visit.id == first:
            raise KeyError("a text that is missing")
        return render(message, visit, **options)

    monkeypatch.setattr(delivery, "render", render_or_break)
    outbox.deliver()
    with outbox.app.app_context():
        booked = sa.select(Message).where(Message.kind == MessageKind.BOOKED)
        status = {m.visit_id: (m.status, m.last_error) for m in db.session.scalars(booked)}
    assert status[first] == (MessageStatus.FAILED, "internal error: KeyError")
    assert status[second][0] is MessageStatus.SENT
