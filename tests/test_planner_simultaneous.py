"""The simultaneous search: times when every chosen agency has a desk free at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.planner import SlotState
from consult.planner.simultaneous import meeting_times

DAY = datetime(2025, 3, 12, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


def run(
    agency_id: int, session_id: int, starts: datetime, free: list[set[int]], minutes: int = 15
) -> list[SlotState]:
    step = timedelta(minutes=minutes)
    return [
        SlotState(
            slot_id=session_id * 100 + i,
            session_id=session_id,
            agency_id=agency_id,
            starts_dt=starts + i * step,
            ends_dt=starts + (i + 1) * step,
            free_desks=frozenset(desks),
            room=f"R{session_id}",
        )
        for i, desks in enumerate(free)
    ]


def test_the_first_time_all_agencies_are_free_at_once() -> None:
    slots = [
        *run(1, 1, at(9), [{1}, set(), {1}, {1}]),
        *run(2, 2, at(9), [{1}, {1}, set(), {2}]),
    ]
    found = meeting_times(slots, [1, 2], 15)
    assert [m.starts_dt for m in found] == [at(9), at(9, 45)]
    late = found[1]
    assert late.attendance_of(2).desk == 2
    assert late.attendance_of(1).slot_ids == (103,)


def test_a_meeting_longer_than_a_slot_needs_one_desk_over_consecutive_slots() -> None:
    slots = [
        *run(1, 1, at(9), [{1}, {2}, {2}, {2}]),
        *run(2, 2, at(9), [{1}, {1}, {1}, {1}]),
    ]
    found = meeting_times(slots, [1, 2], 30)
    assert [m.starts_dt for m in found] == [at(9, 15), at(9, 30)]
    assert found[0].attendance_of(1).slot_ids == (101, 102)
    assert found[0].ends_dt == at(9, 45)


def test_slots_of_different_lengths_and_a_gap_in_a_session() -> None:
    slots = [
        *run(1, 1, at(9), [{1}] * 4, minutes=20),  # 9:00-10:20
        *run(2, 2, at(9, 10), [{1}], minutes=10),  # 9:10-9:20
        *run(2, 3, at(9, 30), [{1}, {1}], minutes=10),  # 9:30-9:50
    ]
    found = meeting_times(slots, [1, 2], 20)
    assert [m.starts_dt for m in found] == [at(9, 30)]
    assert found[0].attendance_of(1).slot_ids == (101, 102)  # 9:20-9:40, 9:40-10:00


def test_bounds_limit_and_a_missing_agency() -> None:
    slots = [*run(1, 1, at(9), [{1}] * 4), *run(2, 2, at(9), [{1}] * 4)]
    assert [m.starts_dt for m in meeting_times(slots, [1, 2], 15, limit=2)] == [at(9), at(9, 15)]
    assert [
        m.starts_dt for m in meeting_times(slots, [1, 2], 30, earliest=at(9, 10), latest=at(10))
    ] == [at(9, 15), at(9, 30)]
    assert meeting_times(slots, [1, 2, 3], 15) == []
    with pytest.raises(ValueError):
        meeting_times(slots, [1, 2], 0)


def test_the_room_is_the_room_of_the_desk_chosen() -> None:
    slots = [*run(1, 1, at(9), [{2}]), *run(2, 2, at(9), [{1}])]
    found = meeting_times(slots, [1, 2], 15, rooms={1: ["A", "B"], 2: ["C"]})
    assert [(a.agency_id, a.desk, a.room) for a in found[0].attendances] == [
        (1, 2, "B"),
        (2, 1, "C"),
    ]


# ---------------------------------------------------------------- against brute force


def covers(run_slots: list[SlotState], starts: datetime, ends: datetime) -> bool:
    return run_slots[0].starts_dt <= starts and run_slots[-1].ends_dt >= ends


def brute_force(slots: list[SlotState], agencies: list[int], minutes: int) -> list[datetime]:
    """Every slot start at which each agency has some run of consecutive slots and a desk."""
    length = timedelta(minutes=minutes)
    starts = sorted({s.starts_dt for s in slots if s.agency_id in agencies})
    found = []
    for start in starts:
        ok = True
        for agency in agencies:
            by_session: dict[int, list[SlotState]] = {}
            for s in slots:
                if s.agency_id == agency:
                    by_session.setdefault(s.session_id, []).append(s)
            possible = False
            for session in by_session.values():
                session.sort(key=lambda s: s.starts_dt)
                for i in range(len(session)):
                    for j in range(i, len(session)):
                        chain = session[i : j + 1]
                        contiguous = all(
                            a.ends_dt == b.starts_dt for a, b in zip(chain, chain[1:], strict=False)
                        )
                        desks = frozenset.intersection(*(s.free_desks for s in chain))
                        if contiguous and desks and covers(chain, start, start + length):
                            possible = True
            ok = ok and possible
        if ok:
            found.append(start)
    return found


@st.composite
def days(draw: st.DrawFn) -> tuple[list[SlotState], list[int], int]:
    agencies = draw(st.integers(2, 4))
    ids = count(1)
    slots = []
    for agency in range(1, agencies + 1):
        for session_id in range(draw(st.integers(1, 2))):
            minutes = draw(st.sampled_from([10, 15, 20]))
            begin = at(9) + timedelta(minutes=draw(st.integers(0, 6)) * 10)
            n = draw(st.integers(1, 8))
            step = timedelta(minutes=minutes)
            for i in range(n):
                slots.append(
                    SlotState(
                        slot_id=next(ids),
                        session_id=agency * 10 + session_id,
                        agency_id=agency,
                        starts_dt=begin + i * step,
                        ends_dt=begin + (i + 1) * step,
                        free_desks=frozenset(draw(st.sets(st.integers(1, 2), max_size=2))),
                    )
                )
    chosen = sorted(draw(st.sets(st.integers(1, agencies), min_size=2, max_size=agencies)))
    return slots, chosen, draw(st.sampled_from([10, 15, 30, 45]))


@given(days())
@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
def test_the_search_finds_exactly_what_brute_force_finds(
    day: tuple[list[SlotState], list[int], int],
) -> None:
    slots, agencies, minutes = day
    found = meeting_times(slots, agencies, minutes, limit=1000)
    assert [m.starts_dt for m in found] == brute_force(slots, agencies, minutes)
    by_id = {s.slot_id: s for s in slots}
    for meeting in found:
        assert [a.agency_id for a in meeting.attendances] == agencies
        for attendance in meeting.attendances:
            chain = [by_id[i] for i in attendance.slot_ids]
            assert all(s.agency_id == attendance.agency_id for s in chain)
            assert all(s.session_id == attendance.session_id for s in chain)
            assert all(attendance.desk in s.free_desks for s in chain)
            assert covers(chain, meeting.starts_dt, meeting.ends_dt)
            assert all(a.ends_dt == b.starts_dt for a, b in zip(chain, chain[1:], strict=False))
