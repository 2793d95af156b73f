"""Sending what is due: each message claimed by one worker, retried with backoff, sent once.

A worker claims a batch of due messages by setting `claimed_until` in one short
transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so that several workers take
different rows; SQLite has one writer at a time anyway). For each message it then
decides in a transaction whether it may still go (a reminder for a visit that has begun
or changed, a visit cancelled meanwhile, the daily limit), renders it and marks it as
being sent; it sends outside any transaction and records the outcome. A worker that dies
while sending leaves the claim to expire, and the message is tried again: delivery is at
least once, and never twice while the worker lives.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from consult.database import atomic, begin_write
from consult.errors import N_
from consult.extensions import db
from consult.messages import conference_texts
from consult.messages.errors import DeliveryError
from consult.messages.mail import ConsoleTransport, Mail, SmtpTransport
from consult.messages.outbox import SCHEDULING, times_key
from consult.messages.sms import ConsoleGateway, Gateway
from consult.messages.texts import Rendered, render
from consult.models import Channel, Message, MessageKind, MessageStatus, VisitStatus, utcnow

log = logging.getLogger("consult.messages")

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)  # then 4, 16, 64 and 256 minutes
LEASE = timedelta(minutes=5)
BATCH = 50
DAY = timedelta(hours=24)


@dataclass
class Transports:
    """How each channel is sent; a channel without one waits (production, not configured)."""

    mail: SmtpTransport | ConsoleTransport | None = None
    sms: Gateway | None = None

    @property
    def channels(self) -> list[Channel]:
        return [c for c, t in ((Channel.EMAIL, self.mail), (Channel.SMS, self.sms)) if t]

    def close(self) -> None:
        if isinstance(self.mail, SmtpTransport):
            self.mail.close()


def configured_transports() -> Transports:
    """The transports the configuration names; printing ones in development if none."""
    config = current_app.config
    printing = config["CONSULT_ENV"] != "production"
    mail = SmtpTransport(config["CONSULT_MAIL"]) if config["CONSULT_MAIL"] else None
    return Transports(
        mail=mail or (ConsoleTransport(sys.stdout) if printing else None),
        sms=config["CONSULT_SMS_GATEWAY"] or (ConsoleGateway(sys.stdout) if printing else None),
    )


@dataclass
class Report:
    """What one round of delivery did, by outcome."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    dropped: int = 0
    reasons: list[str] = field(default_factory=list)


def deliver_due(transports: Transports, *, now: datetime | None = None) -> Report:
    """Send every message that is due, batch by batch, until none is left."""
    report = Report()
    channels = transports.channels
    while channels:
        ids = _claim(now or utcnow(), channels)
        if not ids:
            break
        for message_id in ids:
            try:
                _deliver(message_id, transports, now or utcnow(), report)
            except sa.exc.SQLAlchemyError:
                raise  # the database is gone: the next round tries again
            except Exception as error:  # a fault with one message must not stop the others
                log.exception("message %s could not be sent", message_id)
                failure = DeliveryError(f"internal error: {type(error).__name__}", permanent=True)
                _failed(message_id, failure, now or utcnow(), report)
    return report


def _claim(now: datetime, channels: list[Channel]) -> list[int]:
    with atomic():
        begin_write()
        ids = list(
            db.session.scalars(
                sa.select(Message.id)
                .where(
                    Message.status == MessageStatus.PENDING,
                    Message.due_dt <= now,
                    Message.channel.in_(channels),
                    sa.or_(Message.claimed_until.is_(None), Message.claimed_until < now),
                )
                .order_by(Message.due_dt, Message.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            db.session.execute(
                sa.update(Message).where(Message.id.in_(ids)).values(claimed_until=now + LEASE)
            )
    return ids


def _deliver(message_id: int, transports: Transports, now: datetime, report: Report) -> None:
    with atomic():
        begin_write()
        message = db.session.get(Message, message_id)
        if message is None or message.status is not MessageStatus.PENDING:
            return
        reason = _why_not(message, now)
        if reason:
            _finish(message, MessageStatus.DROPPED, reason)
            report.dropped += 1
            report.reasons.append(reason)
            log.info("message dropped id=%s kind=%s reason=%s", message.id, message.kind, reason)
            return
        rendered = _rendered(message)
        message.sent_dt = now  # counts towards the daily limit while it is being sent
        kind, channel, recipient = message.kind, message.channel, message.recipient
    try:
        provider_id = _send(transports, channel, recipient or "", rendered, message_id)
    except DeliveryError as error:
        _failed(message_id, error, now, report)
        return
    with atomic():
        begin_write()  # a read first would make SQLite refuse the write to a second worker
        message = db.session.get(Message, message_id)
        assert message is not None
        message.subject = rendered.subject if channel is Channel.EMAIL else None
        message.body = rendered.text if channel is Channel.EMAIL else rendered.sms
        _finish(message, MessageStatus.SENT, "")
    report.sent += 1
    log.info("message sent id=%s kind=%s channel=%s ref=%s", message_id, kind, channel,
             provider_id)  # fmt: skip


def _why_not(message: Message, now: datetime) -> str:
    """Why this message must not go out (any more), or "" if it may."""
    if message.conference_id is not None:  # to an advisor, about a case conference
        return conference_texts.why_not(message)
    visit = message.visit
    if message.recipient is None or visit is None or visit.erased_dt is not None:
        return N_("The personal data was erased.")
    if (visit.group_lead or visit).messages_stopped:
        return N_("The person asked for no more messages.")
    if message.kind in (MessageKind.OFFER, MessageKind.OFFER_EXPIRING):
        held = visit.offer_expires_dt
        if visit.status is VisitStatus.CANCELLED or held is None or held <= now:
            return N_("The offer is no longer open.")
    elif message.kind is MessageKind.REMINDER:
        starts = visit.starts_dt
        if visit.status is VisitStatus.CANCELLED or starts is None:
            return N_("The visit was cancelled.")
        if starts.isoformat() != message.params.get("starts"):
            return N_("The visit has changed since the reminder was written.")
        if starts <= now:
            return N_("The appointment has begun.")
    elif message.kind in SCHEDULING:
        if visit.status is VisitStatus.CANCELLED:
            return N_("The visit was cancelled meanwhile.")
        if message.params.get("times") != times_key(visit):
            return N_("The visit has changed since; a later message tells of it.")
    if _sent_lately(message, now) >= current_app.config["CONSULT_MESSAGES_PER_DAY"]:
        return N_("Daily limit reached.")
    return ""


def _sent_lately(message: Message, now: datetime) -> int:
    """Messages to the same recipient sent, or being sent, in the last 24 hours."""
    if db.session.get_bind().dialect.name == "postgresql":
        # Two workers must not both let the last message of a day through.
        db.session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(message.recipient)))
        )
    return (
        db.session.scalar(
            sa.select(sa.func.count(Message.id)).where(
                Message.recipient == message.recipient,
                Message.sent_dt > now - DAY,
                Message.id != message.id,
            )
        )
        or 0
    )


def _rendered(message: Message) -> Rendered:
    config = current_app.config
    with current_app.test_request_context(base_url=config["CONSULT_BASE_URL"]):
        if message.conference is not None:
            return conference_texts.render_conference(
                message, message.conference, sender=config["CONSULT_MAIL_FROM"]
            )
        assert message.visit is not None
        return render(message, message.visit, sender=config["CONSULT_MAIL_FROM"])


def _send(
    transports: Transports, channel: Channel, recipient: str, rendered: Rendered, message_id: int
) -> str:
    if channel is Channel.SMS:
        assert transports.sms is not None
        return transports.sms.send(recipient, rendered.sms, str(message_id))
    assert transports.mail is not None
    transports.mail.send(
        Mail(
            sender=current_app.config["CONSULT_MAIL_FROM"],
            recipient=recipient,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            attachments=rendered.attachments,
            language=rendered.language,
        )
    )
    return str(message_id)


def _failed(message_id: int, error: DeliveryError, now: datetime, report: Report) -> None:
    with atomic():
        begin_write()
        message = db.session.get(Message, message_id)
        assert message is not None
        message.attempts += 1
        message.sent_dt = None
        if error.permanent or message.attempts >= MAX_ATTEMPTS:
            _finish(message, MessageStatus.FAILED, error.reason)
            report.failed += 1
        else:
            message.due_dt = now + FIRST_RETRY * 4 ** (message.attempts - 1)
            message.last_error = error.reason[:300]
            message.claimed_until = None
            report.retrying += 1
        attempts = message.attempts
    log.warning("message not sent id=%s attempt=%s reason=%s", message_id, attempts,
                error.reason)  # fmt: skip


def _finish(message: Message, status: MessageStatus, reason: str) -> None:
    message.status = status
    message.last_error = reason[:300]
    message.claimed_until = None
    if status is not MessageStatus.SENT:
        message.sent_dt = None
