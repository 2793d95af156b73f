"""Retention: erase personal data some time after the visit; anonymous counts survive.

What is erased once a visit's day is more than the retention period ago:
the visit's name, phone and e-mail (`erased_dt` is set), its case notes, and
client records whose visits are all that old (their notes too). Waiting-list
entries older than the period lose their name and reach. Messages about erased visits
and entries lose their recipient, text and parameters (a reason may name the person);
their kind, channel, times and status stay. Everything else stays, so the staff
calendar still shows how busy a past day was. Consent records stay: their wording is
the question, not personal data.

Before erasing, the statistics fold those days into anonymous daily counts and seal
them (`consult.statistics.folding`): a period's figures read the same before and after
the purge, and would even if the remaining rows of those days were removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from consult import audit
from consult.database import commit
from consult.extensions import db
from consult.models import (
    CaseConference,
    CaseNote,
    Client,
    ConsultationDay,
    Message,
    Visit,
    WaitlistEntry,
    utcnow,
)
from consult.statistics.folding import seal_before

# Bulk statements: the session's objects are expired by the commit that follows.
_BULK = {"synchronize_session": False}


@dataclass(frozen=True)
class PurgeResult:
    """How much one run erased."""

    cutoff: date
    retention_days: int
    visits: int
    clients: int
    notes: int
    waitlist_entries: int

    def summary(self) -> str:
        """One line for the operator."""
        return (
            f"Erased personal data of {self.visits} visits, {self.clients} client records "
            f"and {self.waitlist_entries} waiting-list entries; deleted {self.notes} case notes "
            f"(days before {self.cutoff.isoformat()}, retention {self.retention_days} days)."
        )


def purge_personal_data(now: datetime, retention_days: int) -> PurgeResult:
    """Erase personal data older than the retention period and commit; safe to run again."""
    cutoff = now.date() - timedelta(days=retention_days)
    cutoff_dt = now - timedelta(days=retention_days)
    seal_before(cutoff)
    old_days = sa.select(ConsultationDay.id).where(ConsultationDay.date < cutoff)
    recent_visit = sa.exists().where(Visit.client_id == Client.id, Visit.day_id.not_in(old_days))
    erased = {"name": None, "phone": None, "email": None, "erased_dt": now}

    clients = db.session.execute(
        sa.update(Client)
        .where(Client.erased_dt.is_(None), Client.created_dt < cutoff_dt, ~recent_visit)
        .values(**erased),
        execution_options=_BULK,
    ).rowcount
    notes = db.session.execute(
        sa.delete(CaseNote).where(
            sa.or_(
                CaseNote.visit_id.in_(sa.select(Visit.id).where(Visit.day_id.in_(old_days))),
                CaseNote.client_id.in_(sa.select(Client.id).where(Client.erased_dt.is_not(None))),
            )
        ),
        execution_options=_BULK,
    ).rowcount
    visits = db.session.execute(
        sa.update(Visit)
        .where(Visit.erased_dt.is_(None), Visit.day_id.in_(old_days))
        .values(**erased),
        execution_options=_BULK,
    ).rowcount
    # A case conference's outcome and reason are free text about the person's case.
    db.session.execute(
        sa.update(CaseConference)
        .where(CaseConference.visit_id.in_(sa.select(Visit.id).where(Visit.day_id.in_(old_days))))
        .values(
            outcome=sa.case((CaseConference.outcome.is_(None), None), else_=""), cancel_reason=""
        ),
        execution_options=_BULK,
    )
    waitlist_entries = db.session.execute(
        sa.update(WaitlistEntry)
        .where(WaitlistEntry.erased_dt.is_(None), WaitlistEntry.created_dt < cutoff_dt)
        .values(**erased),
        execution_options=_BULK,
    ).rowcount

    db.session.execute(
        sa.update(Message)
        .where(
            Message.recipient.is_not(None),
            sa.or_(
                Message.visit_id.in_(sa.select(Visit.id).where(Visit.erased_dt.is_not(None))),
                Message.waitlist_entry_id.in_(
                    sa.select(WaitlistEntry.id).where(WaitlistEntry.erased_dt.is_not(None))
                ),
            ),
        )
        .values(recipient=None, subject=None, body=None, params={}),
        execution_options=_BULK,
    )

    result = PurgeResult(cutoff, retention_days, visits, clients, notes, waitlist_entries)
    audit.record(
        None,
        "purge",
        "retention",
        None,
        cutoff=cutoff.isoformat(),
        retention_days=retention_days,
        visits=visits,
        clients=clients,
        notes=notes,
        waitlist_entries=waitlist_entries,
    )
    commit()
    return result


def purge_as_configured() -> PurgeResult:
    """Run the purge now with the app's CONSULT_RETENTION_DAYS (for `flask consult purge`)."""
    return purge_personal_data(utcnow(), current_app.config["CONSULT_RETENTION_DAYS"])
