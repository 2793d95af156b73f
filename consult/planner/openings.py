"""Where one agency can take the person: openings cut from an agency's free slots."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from consult.planner.values import Need, Opening, SlotState


def _language_ok(slot: SlotState, language: str | None) -> bool:
    return language is None or slot.interpreter or language in slot.languages


def _opening_at(
    session: Sequence[SlotState], first: int, length: timedelta, language: str | None
) -> Opening | None:
    start = session[first]
    desks = start.free_desks
    last = first
    while desks and session[last].ends_dt - start.starts_dt < length:
        if last + 1 == len(session) or session[last + 1].starts_dt != session[last].ends_dt:
            return None
        last += 1
        desks = desks & session[last].free_desks
    if not desks:
        return None
    used = session[first : last + 1]
    return Opening(
        agency_id=start.agency_id,
        session_id=start.session_id,
        starts_dt=start.starts_dt,
        ends_dt=session[last].ends_dt,
        slot_ids=tuple(slot.slot_id for slot in used),
        desk=min(desks),
        language_ok=all(_language_ok(slot, language) for slot in used),
        room=start.room,
    )


def _preference(opening: Opening) -> tuple[bool, datetime, int, int]:
    return (not opening.language_ok, opening.ends_dt, opening.session_id, opening.desk)


def openings_for(
    slots: Iterable[SlotState], need: Need, language: str | None = None
) -> list[Opening]:
    """Return every start at which the agency can take the person, sorted by start."""
    sessions: dict[int, list[SlotState]] = defaultdict(list)
    for slot in slots:
        if slot.agency_id == need.agency_id:
            sessions[slot.session_id].append(slot)
    length = timedelta(minutes=need.minutes)
    best: dict[datetime, Opening] = {}
    for session in sessions.values():
        session.sort(key=lambda slot: (slot.starts_dt, slot.slot_id))
        for first in range(len(session)):
            opening = _opening_at(session, first, length, language)
            if opening is None:
                continue
            # Two sessions of one agency may start at the same time; keep the one
            # that serves the language and frees the person soonest.
            current = best.get(opening.starts_dt)
            if current is None or _preference(opening) < _preference(current):
                best[opening.starts_dt] = opening
    return sorted(best.values(), key=lambda opening: opening.starts_dt)


def openings_by_need(
    slots: Iterable[SlotState], needs: Sequence[Need], language: str | None = None
) -> dict[int, list[Opening]]:
    """Every need's openings among the day's slots, by agency."""
    by_agency: dict[int, list[SlotState]] = defaultdict(list)
    for slot in slots:
        by_agency[slot.agency_id].append(slot)
    return {
        need.agency_id: openings_for(by_agency[need.agency_id], need, language) for need in needs
    }
