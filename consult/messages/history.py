"""What a person was sent, and their wish to be sent nothing more."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.models import ConsultationDay, Message, MessageStatus, Visit, utcnow


def sent_about(visit: Visit) -> list[Message]:
    """The messages about this visit that went out, newest first."""
    return list(
        db.session.scalars(
            sa.select(Message)
            .where(Message.visit_id == visit.id, Message.status == MessageStatus.SENT)
            .order_by(Message.sent_dt.desc(), Message.id.desc())
        )
    )


def stop_messages(visit: Visit, stopped: bool) -> None:
    """Send nothing more about this visit (`stopped`), or send again what is still to come."""
    visit.messages_stopped = stopped


OUTBOX_ROWS = 200


def outbox(location_ids: set[int] | None, status: MessageStatus | None) -> list[Message]:
    """The newest messages of these locations (every location for None), by status if given."""
    query = (
        sa.select(Message)
        .options(selectinload(Message.visit))  # the page names each message's visit
        .order_by(Message.created_dt.desc(), Message.id.desc())
    )
    if status is not None:
        query = query.where(Message.status == status)
    if location_ids is not None:
        query = query.join(ConsultationDay, ConsultationDay.id == Message.day_id).where(
            ConsultationDay.location_id.in_(location_ids)
        )
    return list(db.session.scalars(query.limit(OUTBOX_ROWS)))


def send_again(message_id: int, location_ids: set[int] | None) -> Message | None:
    """Put a failed or unsent message back in line, due now; None if it is not to be seen."""
    message = db.session.get(Message, message_id)
    if message is None or message.status not in (MessageStatus.FAILED, MessageStatus.DROPPED):
        return None
    if location_ids is not None and (
        message.day is None or message.day.location_id not in location_ids
    ):
        return None
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.last_error = ""
    message.due_dt = utcnow()
    return message
