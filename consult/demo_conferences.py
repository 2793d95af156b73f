"""A case conference for the demo: Jobcenter and immigration office meet about Amina's case.

Arranged as an advisor would: the person's consent to it, in Arabic as she was asked,
then the last time of her joint day when both agencies have a desk free at once (after
the public's busiest hours, so the morning stays bookable); the participants'
invitations wait in the outbox.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from consult.conferences import service
from consult.extensions import db
from consult.models import (
    Agency,
    CaseConference,
    ConsultationDay,
    DayKind,
    Location,
    StaffUser,
    Visit,
)

PERSON = "Amina"
AGENCIES = ("jobcenter", "abh")
MINUTES = 30
# Enough times to reach the end of a joint day of 10-minute slots.
LATEST_OF = 200


def add_conference(advisor: StaffUser) -> CaseConference | None:
    """The demo's conference, proposed by `advisor`; None if Amina's visit is not there."""
    visit = db.session.scalar(
        sa.select(Visit)
        .join(ConsultationDay, ConsultationDay.id == Visit.day_id)
        .join(Location, Location.id == ConsultationDay.location_id)
        .where(Visit.name == PERSON, ConsultationDay.kind == DayKind.JOINT)
        .order_by(ConsultationDay.date, Visit.id)
        .limit(1)
    )
    if visit is None:
        return None
    agencies = list(db.session.scalars(sa.select(Agency).where(Agency.slug.in_(AGENCIES))))
    ids = tuple(sorted(a.id for a in agencies))
    options = service.on_site_options(visit.day, ids, MINUTES, limit=LATEST_OF)
    if not options:
        return None
    names = ", ".join(sorted(a.name for a in agencies))
    with current_app.test_request_context(), force_locale(visit.language):
        wording = _(service.CONFERENCE_QUESTION, agencies=names)
    consent = service.record_consent(advisor, visit, wording, visit.language)
    return service.propose(
        advisor, visit, service.Proposal(ids, MINUTES, options[-1].starts_dt), consent
    )
