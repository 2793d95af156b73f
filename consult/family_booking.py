"""Booking one visit for a family: everybody's appointments in one transaction, all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from consult.booking_errors import GROUP_STAYS, BookingError
from consult.family_visits import Person, checked_party, family_topic_ids
from consult.models import Visit
from consult.visits import BookingRequest, book_visit


def book_family(request: BookingRequest, people: Sequence[Person]) -> Visit:
    """Book one visit for a family, all or nothing; return the lead's visit.

    `request` names the day, the plan and the lead's contact; `people` are everybody,
    the lead first, each with their topics and their own answer to the consent question.
    The plan is checked and booked as one person's visit for everybody's topics, then
    shared out among the people in the same savepoint (`consult.family_visits`).
    """
    party = checked_party(people)
    if request.visit_id or request.add_to_visit_id:
        raise BookingError(GROUP_STAYS)
    return book_visit(
        replace(
            request,
            topic_ids=family_topic_ids(party),
            consent_wording=party[0].consent_wording,
            party=party,
        )
    )
