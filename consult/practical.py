"""Practical information for people: what a page that shows it must be re-made for.

The texts themselves live on the models (`Location.directions_in`, `Topic.bring_in`,
`Agency.description_in`, each a `Localized`); coordinators change them at any time,
without a new revision of the days that show them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa

from consult.extensions import db
from consult.models import Agency, ConsultationDay, Location, Topic


def stamp(day_id: int, topic_ids: Sequence[int]) -> str:
    """A short digest of the place, topic and agency texts a day's page shows."""
    place = db.session.scalar(
        sa.select(Location.updated_dt)
        .join(ConsultationDay, ConsultationDay.location_id == Location.id)
        .where(ConsultationDay.id == day_id)
    )
    topics = db.session.execute(
        sa.select(Topic.id, Topic.names, Topic.bring)
        .where(Topic.id.in_(list(topic_ids)))
        .order_by(Topic.id)
    ).all()
    agencies = db.session.execute(
        sa.select(Agency.id, Agency.name, Agency.description).order_by(Agency.id)
    ).all()
    text = repr((place, [tuple(r) for r in topics], [tuple(r) for r in agencies]))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
