"""Need to know: who may open which case notes, under the person's consent to share.

Plain functions over plain values (no Flask, no database), so the rules can be
read and tested on their own; `consult.notes.service` hands them the facts.

Only advisors read case notes, and only as members of their agency. Front
desk, coordinators and administrators never read them (administrators see the
audit log instead).

Visit notes
    A note on a visit is readable by the agency that wrote it. An advisor of
    another agency reads it only while (a) their agency has an active (not
    cancelled) appointment in that visit and (b) the visit's consent to share
    is recorded and not withdrawn. Handover notes of a referral follow the
    same rule. Withdrawing the consent hides the shared notes at once.

Client notes
    A note on a client record is readable by the agency that wrote it. An
    advisor of another agency reads it only when some visit of that client has
    an active consent to share *and* active appointments with both the writing
    and the reading agency: the person agreed, on that visit, that exactly
    these agencies may talk about their case.

Case conferences
    On the agenda of a case conference a participant reads what their agency may
    read anyway, and beyond that the notes of the other participating agencies
    while the person's consent to share and their consent to this conference are
    both in force: the person agreed that exactly these agencies talk about the case.

Pages
    An advisor opens a visit's notes page when their agency has an appointment
    in the visit (a cancelled one included, so that their own notes stay in
    reach), and a client's page when their agency saw one of the client's visits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from consult.errors import N_

ADVISOR = "advisor"

# The question read out to the person; the same msgid as on the public booking page,
# so the stored wording is exactly what the person was shown.
CONSENT_QUESTION = N_("May the advisors of this visit talk to each other about your case?")


class Reader(Protocol):
    """A staff member as the rules see them (a `StaffUser` fits)."""

    @property
    def role(self) -> str: ...

    @property
    def agency_id(self) -> int | None: ...


@dataclass(frozen=True)
class VisitFacts:
    """What the rules need to know about one visit."""

    # Agencies with an active (not cancelled) appointment in the visit.
    agency_ids: frozenset[int]
    # Agencies with any appointment in the visit, cancelled ones included.
    seen_by: frozenset[int]
    # The person's consent to share is recorded and not withdrawn.
    consent: bool


def reads_notes(reader: Reader) -> bool:
    """Only advisors of an agency ever read or write case notes."""
    return reader.role == ADVISOR and reader.agency_id is not None


def may_open_visit(reader: Reader, visit: VisitFacts) -> bool:
    """The advisor's agency has (or had) an appointment in the visit."""
    return reads_notes(reader) and reader.agency_id in visit.seen_by


def may_read_visit_note(reader: Reader, note_agency_id: int, visit: VisitFacts) -> bool:
    """Own agency always; another agency of the visit only under active consent."""
    if not reads_notes(reader):
        return False
    if reader.agency_id == note_agency_id:
        return True
    return visit.consent and reader.agency_id in visit.agency_ids


def may_open_client(reader: Reader, visits: Iterable[VisitFacts]) -> bool:
    """The advisor's agency saw one of the client's visits."""
    return reads_notes(reader) and any(reader.agency_id in v.seen_by for v in visits)


def may_read_client_note(reader: Reader, note_agency_id: int, visits: Iterable[VisitFacts]) -> bool:
    """Own agency always; another agency only if a consented visit joined both agencies."""
    if not reads_notes(reader):
        return False
    if reader.agency_id == note_agency_id:
        return True
    both = {reader.agency_id, note_agency_id}
    return any(v.consent and both <= v.agency_ids for v in visits)


def may_read_for_conference(
    reader: Reader,
    note_agency_id: int,
    visit: VisitFacts,
    participants: frozenset[int],
    conference_consent: bool,
) -> bool:
    """The visit's rule, or a participating agency's note under both consents."""
    if may_read_visit_note(reader, note_agency_id, visit):
        return True
    return (
        reads_notes(reader)
        and visit.consent
        and conference_consent
        and reader.agency_id in participants
        and note_agency_id in participants
    )
