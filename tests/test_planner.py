"""Tests for the visit planner: unit cases and an exact comparison with brute force."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import count, pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.planner import (
    Need,
    Opening,
    Plan,
    SlotState,
    openings_for,
    plan_day,
    plan_visit,
)

DAY = datetime(2025, 3, 12, tzinfo=UTC)
LANGUAGES = ("ar", "de", "fa", "uk")
PROPERTY_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


def session(
    agency_id: int,
    session_id: int,
    starts: datetime,
    free: Sequence[set[int]],
    *,
    minutes: int = 10,
    languages: frozenset[str] = frozenset(),
    interpreter: bool = False,
    first_id: int = 1,
) -> list[SlotState]:
    step = timedelta(minutes=minutes)
    return [
        SlotState(
            slot_id=first_id + i,
            session_id=session_id,
            agency_id=agency_id,
            starts_dt=starts + i * step,
            ends_dt=starts + (i + 1) * step,
            free_desks=frozenset(desks),
            languages=languages,
            interpreter=interpreter,
            room=f"room {session_id}",
        )
        for i, desks in enumerate(free)
    ]


def opening(
    agency_id: int, starts: datetime, minutes: int = 20, *, language_ok: bool = True
) -> Opening:
    return Opening(
        agency_id=agency_id,
        session_id=agency_id,
        starts_dt=starts,
        ends_dt=starts + timedelta(minutes=minutes),
        slot_ids=(),
        desk=1,
        language_ok=language_ok,
    )


def starts_of(plan: Plan) -> list[tuple[int, datetime]]:
    return [(o.agency_id, o.starts_dt) for o in plan.appointments]


# --- openings_for -------------------------------------------------------------


def test_openings_span_consecutive_slots_on_the_lowest_common_desk() -> None:
    slots = session(1, 1, at(9), [{1, 2, 3}, {2, 3}, {1, 3}])

    found = openings_for(slots, Need(1, 20))

    assert [(o.starts_dt, o.ends_dt, o.slot_ids, o.desk) for o in found] == [
        (at(9), at(9, 20), (1, 2), 2),
        (at(9, 10), at(9, 30), (2, 3), 3),
    ]
    assert found[0].room == "room 1"


def test_openings_round_up_to_whole_slots() -> None:
    slots = session(1, 1, at(9), [{1}, {1}, {1}])

    found = openings_for(slots, Need(1, 15))

    assert [(o.starts_dt, o.ends_dt) for o in found] == [(at(9), at(9, 20)), (at(9, 10), at(9, 30))]


def test_no_opening_when_no_single_desk_is_free_throughout() -> None:
    slots = session(1, 1, at(9), [{1}, {2}, {1}])

    assert openings_for(slots, Need(1, 20)) == []
    assert [o.desk for o in openings_for(slots, Need(1, 10))] == [1, 2, 1]


def test_slots_across_a_break_are_not_joined() -> None:
    slots = session(1, 1, at(9), [{1}]) + session(1, 1, at(9, 20), [{1}], first_id=2)

    assert openings_for(slots, Need(1, 20)) == []
    assert len(openings_for(slots, Need(1, 10))) == 2


def test_openings_only_for_the_needed_agency() -> None:
    slots = session(1, 1, at(9), [{1}]) + session(2, 2, at(9), [{1}], first_id=2)

    assert [o.agency_id for o in openings_for(slots, Need(2, 10))] == [2]


def test_language_ok_with_language_interpreter_or_no_language() -> None:
    speaks = session(1, 1, at(9), [{1}], languages=frozenset({"ar"}))
    interprets = session(1, 1, at(9), [{1}], interpreter=True)
    neither = session(1, 1, at(9), [{1}], languages=frozenset({"de"}))

    assert openings_for(speaks, Need(1, 10), "ar")[0].language_ok
    assert openings_for(interprets, Need(1, 10), "ar")[0].language_ok
    assert openings_for(neither, Need(1, 10))[0].language_ok
    assert not openings_for(neither, Need(1, 10), "ar")[0].language_ok


def test_one_opening_per_start_prefers_the_language() -> None:
    german = session(1, 1, at(9), [{1}], languages=frozenset({"de"}))
    arabic = session(1, 2, at(9), [{2}], languages=frozenset({"ar"}), first_id=2)

    found = openings_for(german + arabic, Need(1, 10), "ar")

    assert [(o.session_id, o.desk, o.language_ok) for o in found] == [(2, 2, True)]


def test_need_must_have_a_length() -> None:
    with pytest.raises(ValueError):
        Need(1, 0)


# --- plan_visit ---------------------------------------------------------------


def test_two_agencies_back_to_back_with_the_gap() -> None:
    openings = {
        1: [opening(1, at(9))],
        2: [opening(2, at(9, 20)), opening(2, at(9, 25)), opening(2, at(9, 30))],
    }

    best = plan_visit(openings, gap=timedelta(minutes=5))[0]
    assert starts_of(best) == [(1, at(9)), (2, at(9, 25))]
    assert (best.starts_dt, best.ends_dt, best.minutes_on_site) == (at(9), at(9, 45), 45)
    assert best.agency_ids == (1, 2)
    assert starts_of(plan_visit(openings, gap=timedelta(0))[0]) == [(1, at(9)), (2, at(9, 20))]


def test_finds_plans_a_greedy_order_would_miss() -> None:
    openings = {
        1: [opening(1, at(9)), opening(1, at(10))],
        2: [opening(2, at(9, 25)), opening(2, at(10, 25))],
    }

    plans = plan_visit(openings, limit=10)

    assert [starts_of(p) for p in plans] == [
        [(1, at(9)), (2, at(9, 25))],
        [(1, at(10)), (2, at(10, 25))],
        [(2, at(9, 25)), (1, at(10))],
        [(1, at(9)), (2, at(10, 25))],
    ]


def test_earliest_and_latest_bound_the_visit() -> None:
    openings = {
        1: [opening(1, at(8, 50)), opening(1, at(9)), opening(1, at(11))],
        2: [opening(2, at(9, 30)), opening(2, at(11, 30))],
    }

    plans = plan_visit(openings, earliest=at(9), latest=at(11, 30), limit=10)

    assert [starts_of(p) for p in plans] == [
        [(1, at(9)), (2, at(9, 30))],
        [(2, at(9, 30)), (1, at(11))],
    ]
    assert plan_visit(openings, earliest=at(11, 30)) == []
    assert plan_visit(openings, latest=at(9, 45)) == []


def test_impossible_visits_give_no_plans() -> None:
    clash = {1: [opening(1, at(9))], 2: [opening(2, at(9, 10))]}

    assert plan_visit(clash) == []
    assert plan_visit({1: [opening(1, at(9))], 2: []}) == []
    assert plan_visit({}) == []
    assert plan_day(session(1, 1, at(9), [{1}]), [Need(1, 10), Need(2, 10)]) == []


def test_language_issues_rank_after_plans_without() -> None:
    openings = {
        1: [opening(1, at(9), language_ok=False), opening(1, at(12))],
        2: [opening(2, at(9, 25))],
    }

    plans = plan_visit(openings)

    assert [(starts_of(p), p.language_issues) for p in plans] == [
        ([(2, at(9, 25)), (1, at(12))], 0),
        ([(1, at(9)), (2, at(9, 25))], 1),
    ]


def test_ties_are_broken_deterministically() -> None:
    openings = {
        1: [opening(1, at(9)), opening(1, at(9, 30))],
        2: [opening(2, at(9)), opening(2, at(9, 30))],
    }
    backwards = {agency: list(reversed(o)) for agency, o in reversed(openings.items())}

    plans = plan_visit(openings)

    assert [starts_of(p) for p in plans] == [
        [(1, at(9)), (2, at(9, 30))],
        [(2, at(9)), (1, at(9, 30))],
    ]
    assert plan_visit(backwards) == plans


def test_limit_is_respected() -> None:
    openings = {1: [opening(1, at(9, 10 * i)) for i in range(6)]}

    assert len(plan_visit(openings, limit=3)) == 3
    assert len(plan_visit(openings, limit=10)) == 6
    assert plan_visit(openings, limit=0) == []


def test_duplicate_needs_are_refused() -> None:
    with pytest.raises(ValueError):
        plan_day([], [Need(1, 10), Need(1, 20)])


def test_negative_gap_is_refused() -> None:
    with pytest.raises(ValueError):
        plan_visit({1: [opening(1, at(9))]}, gap=timedelta(minutes=-1))


def test_plan_day_uses_the_language() -> None:
    slots = (
        session(1, 1, at(9), [{1}, {1}], languages=frozenset({"de"}))
        + session(1, 2, at(10), [{1}, {1}], interpreter=True, first_id=3)
        + session(2, 3, at(9, 25), [{1}, {1}], languages=frozenset({"de"}), first_id=5)
    )

    plans = plan_day(slots, [Need(1, 20), Need(2, 20)], language="fa", limit=10)

    assert [(starts_of(p), p.language_issues) for p in plans] == [
        ([(2, at(9, 25)), (1, at(10))], 1),
        ([(1, at(9)), (2, at(9, 25))], 2),
    ]


# --- exactness against brute force ------------------------------------------------


def brute_force(
    openings: Mapping[int, Sequence[Opening]],
    gap: timedelta,
    earliest: datetime | None,
    latest: datetime | None,
) -> list[Plan]:
    """Every feasible plan, best first, by exhaustive enumeration."""
    # Same as itertools.product + filter, but openings outside the limits are dropped
    # first and a branch stops at its first clash, so six agencies stay cheap.
    usable = [
        [
            o
            for o in options
            if (earliest is None or o.starts_dt >= earliest)
            and (latest is None or o.ends_dt <= latest)
        ]
        for options in openings.values()
    ]
    usable.sort(key=len)
    found: list[Plan] = []

    def clash(a: Opening, b: Opening) -> bool:
        return not (b.starts_dt >= a.ends_dt + gap or a.starts_dt >= b.ends_dt + gap)

    def extend(chosen: list[Opening]) -> None:
        if len(chosen) == len(usable):
            ordered = tuple(sorted(chosen, key=lambda o: o.starts_dt))
            if is_feasible(ordered, gap, earliest, latest):
                found.append(Plan(ordered))
            return
        for candidate in usable[len(chosen)]:
            if not any(clash(candidate, other) for other in chosen):
                extend([*chosen, candidate])

    if usable:
        extend([])
    found.sort(key=Plan.key)
    distinct: list[Plan] = []
    seen: set[tuple[tuple[int, datetime], ...]] = set()
    for plan in found:
        signature = tuple(starts_of(plan))
        if signature not in seen:
            seen.add(signature)
            distinct.append(plan)
    return distinct


def is_feasible(
    appointments: Sequence[Opening],
    gap: timedelta,
    earliest: datetime | None,
    latest: datetime | None,
) -> bool:
    if earliest is not None and appointments[0].starts_dt < earliest:
        return False
    if latest is not None and appointments[-1].ends_dt > latest:
        return False
    return all(b.starts_dt >= a.ends_dt + gap for a, b in pairwise(appointments))


def check_opening(
    found: Opening, need: Need, slots: Mapping[int, SlotState], language: str | None
) -> None:
    used = [slots[slot_id] for slot_id in found.slot_ids]
    assert {(s.agency_id, s.session_id) for s in used} == {(found.agency_id, found.session_id)}
    assert all(a.ends_dt == b.starts_dt for a, b in pairwise(used))
    assert (used[0].starts_dt, used[-1].ends_dt) == (found.starts_dt, found.ends_dt)
    length = timedelta(minutes=need.minutes)
    assert found.ends_dt - found.starts_dt >= length > used[-1].starts_dt - found.starts_dt
    common = frozenset.intersection(*(s.free_desks for s in used))
    assert found.desk == min(common)
    assert found.language_ok == all(
        language is None or s.interpreter or language in s.languages for s in used
    )


def days(
    needed: tuple[int, int] = (1, 5),
    slots_per_session: tuple[int, int] = (1, 8),
    minutes: tuple[int, ...] = (5, 10, 15, 20, 25, 30, 45),
) -> st.SearchStrategy[dict]:
    """Random small days with a request; strategies are built once since that is slow.

    Desks 1–3 per session, 0–90 % of desk-slots booked, gaps 0–15 minutes, arrival
    and leaving limits, and sessions that speak some languages or have an interpreter.
    """
    sessions = st.integers(1, 2)
    steps = st.sampled_from([10, 15, 20, 30]).map(lambda m: timedelta(minutes=m))
    session_starts = st.integers(0, 12).map(lambda m: at(8) + timedelta(minutes=5 * m))
    capacities = st.integers(1, 3)
    languages = st.frozensets(st.sampled_from(LANGUAGES), max_size=2)
    interpreters = st.integers(0, 3).map(lambda n: n == 0)
    fills = st.integers(0, 9)  # tenths of the desk-slots already booked
    # One number per slot keeps generation fast: decimal digit d-1 below the fill
    # means desk d is taken; a 9 in the fourth digit means a break before the slot.
    cells = st.lists(
        st.integers(0, 9999), min_size=slots_per_session[0], max_size=slots_per_session[1]
    )
    lengths = st.sampled_from(minutes)
    person_languages = st.none() | st.sampled_from(LANGUAGES)
    gaps = st.integers(0, 15).map(lambda m: timedelta(minutes=m))
    # Hypothesis favours small integers: count `earliest` up from 08:00, `latest` down from 12:00.
    earliest = st.none() | st.integers(0, 30).map(lambda m: at(8) + timedelta(minutes=5 * m))
    latest = st.none() | st.integers(0, 30).map(lambda m: at(12) - timedelta(minutes=5 * m))
    limits = st.integers(1, 8)

    @st.composite
    def draw_day(draw: st.DrawFn) -> dict:
        present = draw(st.integers(needed[0], max(6, needed[1])))
        fill = draw(fills)
        ids = count(1)
        slots: list[SlotState] = []
        for agency_id in range(1, present + 1):
            for session_no in range(draw(sessions)):
                step, starts, capacity = draw(steps), draw(session_starts), draw(capacities)
                spoken, interpreter = draw(languages), draw(interpreters)
                for index, cell in enumerate(draw(cells)):
                    if index and cell // 1000 == 9:
                        starts += step
                    free = frozenset(
                        d for d in range(1, capacity + 1) if cell // 10 ** (d - 1) % 10 >= fill
                    )
                    slots.append(
                        SlotState(
                            slot_id=next(ids),
                            session_id=10 * agency_id + session_no,
                            agency_id=agency_id,
                            starts_dt=starts,
                            ends_dt=starts + step,
                            free_desks=free,
                            languages=spoken,
                            interpreter=interpreter,
                        )
                    )
                    starts += step
        size = draw(st.integers(needed[0], min(needed[1], present)))
        chosen = draw(st.permutations(range(1, present + 1)))[:size]
        return {
            "slots": slots,
            "needs": [Need(agency_id, draw(lengths)) for agency_id in chosen],
            "language": draw(person_languages),
            "gap": draw(gaps),
            "earliest": draw(earliest),
            "latest": draw(latest),
            "limit": draw(limits),
        }

    return draw_day()


def assert_matches_brute_force(day: dict) -> None:
    slots = {s.slot_id: s for s in day["slots"]}
    openings = {
        need.agency_id: openings_for(day["slots"], need, day["language"]) for need in day["needs"]
    }
    for need in day["needs"]:
        for found in openings[need.agency_id]:
            check_opening(found, need, slots, day["language"])
    limits = {k: day[k] for k in ("gap", "earliest", "latest", "limit")}

    plans = plan_day(day["slots"], day["needs"], language=day["language"], **limits)

    expected = brute_force(openings, day["gap"], day["earliest"], day["latest"])
    assert [p.key() for p in plans] == [p.key() for p in expected[: day["limit"]]]
    for plan in plans:
        assert sorted(plan.agency_ids) == sorted(n.agency_id for n in day["needs"])
        assert is_feasible(plan.appointments, day["gap"], day["earliest"], day["latest"])
        for found in plan.appointments:
            assert found in openings[found.agency_id]


@PROPERTY_SETTINGS
@given(days())
def test_plan_day_matches_brute_force(day: dict) -> None:
    assert_matches_brute_force(day)


@settings(PROPERTY_SETTINGS, max_examples=100)
@given(days(needed=(6, 6), slots_per_session=(4, 10), minutes=(5, 10, 15, 20)))
def test_plan_day_matches_brute_force_for_six_agencies(day: dict) -> None:
    assert_matches_brute_force(day)


@settings(PROPERTY_SETTINGS, max_examples=60)
@given(days(needed=(8, 8), slots_per_session=(3, 6), minutes=(5, 10, 15)))
def test_plan_day_matches_brute_force_for_eight_agencies(day: dict) -> None:
    assert_matches_brute_force(day)


# Openings of varied length and language, in any order and with repeats, so that a
# later start can end sooner; openings cut from a day rarely do that.
LOOSE_OPENING = st.tuples(st.integers(0, 24), st.integers(1, 8), st.booleans())
LOOSE_AGENCIES = st.lists(st.lists(LOOSE_OPENING, max_size=6), min_size=1, max_size=5)


@st.composite
def loose_openings(draw: st.DrawFn) -> dict[int, list[Opening]]:
    return {
        agency_id: [
            opening(agency_id, at(9) + timedelta(minutes=5 * start), 5 * length, language_ok=ok)
            for start, length, ok in rows
        ]
        for agency_id, rows in enumerate(draw(LOOSE_AGENCIES), 1)
    }


@PROPERTY_SETTINGS
@given(
    loose_openings(),
    st.integers(0, 10).map(lambda m: timedelta(minutes=m)),
    st.integers(1, 8),
)
def test_plan_visit_matches_brute_force_on_loose_openings(
    openings: dict[int, list[Opening]], gap: timedelta, limit: int
) -> None:
    plans = plan_visit(openings, gap=gap, limit=limit)

    expected = brute_force(openings, gap, None, None)
    assert [p.key() for p in plans] == [p.key() for p in expected[:limit]]
