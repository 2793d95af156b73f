"""What a visit takes along when it moves to another day: the appointments of its referrals.

An advisor may add an appointment with another agency to a person's visit (a
referral). When the person moves the visit, that appointment moves with it, to the
same agency for the same topics, and keeps who referred it; the person's own
topics are planned afresh. A day without that agency cannot take it along.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from consult.models import Agency, AppointmentStatus, Topic, Visit


@dataclass(frozen=True)
class Carried:
    """A referral appointment that a move takes to the new day."""

    agency: Agency
    topics: tuple[Topic, ...]
    referred_by_agency_id: int

    @property
    def agency_id(self) -> int:
        return self.agency.id

    @property
    def topic_ids(self) -> frozenset[int]:
        return frozenset(t.id for t in self.topics)

    @property
    def minutes(self) -> int:
        """As long as its topics need; 0 for none, which is one slot of the new session."""
        return sum(t.default_minutes for t in self.topics)


def carried_of(visit: Visit) -> list[Carried]:
    """The visit's referral appointments still booked, when the visit has its own ones too.

    A visit left with referral appointments only is planned from its topics as a whole.
    """
    booked = [a for a in visit.appointments if a.status is AppointmentStatus.BOOKED]
    referred = [a for a in booked if a.referred_by_agency_id is not None]
    if len(referred) == len(booked):
        return []
    return [
        Carried(a.agency, tuple(a.topics), a.referred_by_agency_id)
        for a in sorted(referred, key=lambda a: (a.starts_dt, a.id))
        if a.referred_by_agency_id is not None
    ]


def own_topics(visit: Visit, carried: Sequence[Carried]) -> list[Topic]:
    """The visit's topics without those that only its carried referrals handle."""
    own_ids = {
        t.id
        for a in visit.appointments
        if a.status is AppointmentStatus.BOOKED and a.referred_by_agency_id is None
        for t in a.topics
    }
    only_carried = {t.id for c in carried for t in c.topics} - own_ids
    return [t for t in visit.topics if t.id not in only_carried]


def left_behind(carried: Sequence[Carried], agency_ids: Sequence[int]) -> list[Carried]:
    """The carried appointments that a plan with these agencies does not take along."""
    return [c for c in carried if c.agency_id not in set(agency_ids)]
