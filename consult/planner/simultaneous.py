"""When can several agencies meet at once? A simultaneous search for case conferences.

The visit planner chains one agency after the other; a case conference needs
every chosen agency at the same time. A meeting at `t` for `length` is possible
when each agency has one desk free in consecutive slots of one of its sessions
that together cover [t, t + length]. The free sets of each agency are unions of
intervals whose left ends are slot starts, so the meeting times worth offering
are the slot starts of the chosen agencies; the search tries them all, earliest
first, and is exact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from consult.planner.values import SlotState


@dataclass(frozen=True)
class Attendance:
    """Where one agency sits during the meeting: a desk held over consecutive slots."""

    agency_id: int
    session_id: int
    slot_ids: tuple[int, ...]
    desk: int
    room: str = ""


@dataclass(frozen=True)
class Meeting:
    """A time at which every chosen agency has a desk free; one attendance per agency."""

    starts_dt: datetime
    ends_dt: datetime
    attendances: tuple[Attendance, ...]  # by agency id

    def attendance_of(self, agency_id: int) -> Attendance:
        return next(a for a in self.attendances if a.agency_id == agency_id)


def _room_of(rooms: Sequence[str], desk: int) -> str:
    # As `consult.models.room_of`: the planner stays free of the database layer.
    if not rooms:
        return ""
    return rooms[desk - 1] if desk <= len(rooms) else rooms[0]


def _sessions_of(slots: Iterable[SlotState]) -> dict[int, dict[int, list[SlotState]]]:
    """agency → session → its slots in time order."""
    found: dict[int, dict[int, list[SlotState]]] = defaultdict(lambda: defaultdict(list))
    for slot in slots:
        found[slot.agency_id][slot.session_id].append(slot)
    for sessions in found.values():
        for session in sessions.values():
            session.sort(key=lambda slot: (slot.starts_dt, slot.slot_id))
    return found


def _attend(
    session: Sequence[SlotState],
    starts: datetime,
    ends: datetime,
    rooms: Mapping[int, Sequence[str]] | None,
) -> Attendance | None:
    """The lowest desk free in the consecutive slots of `session` that cover [starts, ends]."""
    first = next((i for i, s in enumerate(session) if s.starts_dt <= starts < s.ends_dt), None)
    if first is None:
        return None
    desks = session[first].free_desks
    last = first
    while desks and session[last].ends_dt < ends:
        if last + 1 == len(session) or session[last + 1].starts_dt != session[last].ends_dt:
            return None
        last += 1
        desks = desks & session[last].free_desks
    if not desks:
        return None
    desk = min(desks)
    start = session[first]
    if rooms is not None and start.session_id in rooms:
        room = _room_of(rooms[start.session_id], desk)
    else:
        room = start.room if desk == min(start.free_desks) else ""
    return Attendance(
        agency_id=start.agency_id,
        session_id=start.session_id,
        slot_ids=tuple(s.slot_id for s in session[first : last + 1]),
        desk=desk,
        room=room,
    )


def meeting_times(
    slots: Iterable[SlotState],
    agency_ids: Iterable[int],
    minutes: int,
    *,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 8,
    rooms: Mapping[int, Sequence[str]] | None = None,
) -> list[Meeting]:
    """The first `limit` times, earliest first, at which all agencies can meet for `minutes`.

    A meeting starts at or after `earliest` and ends by `latest`. Among several
    sessions of one agency the one with the lowest id that fits is taken.
    `rooms` (session id → its rooms) names the room of the desk chosen.
    """
    if minutes <= 0:
        raise ValueError(f"a meeting needs a positive length, got {minutes}")
    wanted = sorted(set(agency_ids))
    if not wanted or limit <= 0:
        return []
    sessions = _sessions_of(s for s in slots if s.agency_id in set(wanted))
    if any(agency_id not in sessions for agency_id in wanted):
        return []
    length = timedelta(minutes=minutes)
    starts = sorted(
        {
            slot.starts_dt
            for agency_id in wanted
            for session in sessions[agency_id].values()
            for slot in session
        }
    )
    found: list[Meeting] = []
    for start in starts:
        end = start + length
        if (earliest is not None and start < earliest) or (latest is not None and end > latest):
            continue
        attendances = []
        for agency_id in wanted:
            attendance = next(
                (
                    found_here
                    for session_id in sorted(sessions[agency_id])
                    if (found_here := _attend(sessions[agency_id][session_id], start, end, rooms))
                ),
                None,
            )
            if attendance is None:
                break
            attendances.append(attendance)
        else:
            found.append(Meeting(start, end, tuple(attendances)))
            if len(found) >= limit:
                break
    return found
