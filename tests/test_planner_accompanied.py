"""Visits with a language mediator: the whole chain inside one of the mediators' free windows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise, product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.planner import Opening, Plan, plan_visit
from consult.planner.accompanied import fits_shift, free_windows, plan_accompanied

DAY = datetime(2030, 3, 12, 8, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def at(minutes: int) -> datetime:
    return DAY + minutes * MINUTE


def opening(agency_id: int, start: int, length: int, language_ok: bool = True) -> Opening:
    return Opening(agency_id, agency_id, at(start), at(start + length), (start,), 1, language_ok)


def brute_force(
    openings: Mapping[int, Sequence[Opening]],
    windows: Sequence[tuple[datetime, datetime]],
    gap: timedelta,
    earliest: datetime | None,
) -> list[Plan]:
    """Every combination of one opening per agency that keeps the gap and fits a window.

    As the planner, two plans with the same starts at the same agencies count as one
    (the better is kept).
    """
    found: dict[tuple, Plan] = {}
    for choice in product(*openings.values()):
        ordered = tuple(sorted(choice, key=lambda o: (o.starts_dt, o.agency_id)))
        if any(b.starts_dt < a.ends_dt + gap for a, b in pairwise(ordered)):
            continue
        if earliest is not None and ordered[0].starts_dt < earliest:
            continue
        plan = Plan(ordered)
        if any(a <= plan.starts_dt and plan.ends_dt <= b for a, b in windows):
            found.setdefault(plan.key(), plan)
    distinct: dict[tuple, Plan] = {}
    for key in sorted(found):
        distinct.setdefault((key[3], key[4]), found[key])
    return list(distinct.values())


agency_openings = st.lists(
    st.tuples(st.integers(0, 300), st.sampled_from([10, 20, 30, 45]), st.booleans()),
    min_size=1,
    max_size=6,
)
windows_strategy = st.lists(
    st.tuples(st.integers(0, 360), st.integers(20, 240)).map(lambda w: (at(w[0]), at(w[0] + w[1]))),
    max_size=4,
)


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    agencies=st.lists(agency_openings, min_size=1, max_size=3),
    windows=windows_strategy,
    gap=st.sampled_from([0, 5, 10]),
    earliest=st.one_of(st.none(), st.integers(0, 200)),
    limit=st.integers(1, 6),
)
def test_plans_with_a_mediator_are_the_best_that_fit_a_window(
    agencies, windows, gap, earliest, limit
) -> None:
    openings = {
        agency_id: [opening(agency_id, start, length, ok) for start, length, ok in rows]
        for agency_id, rows in enumerate(agencies, start=1)
    }
    low = None if earliest is None else at(earliest)
    expected = brute_force(openings, windows, gap * MINUTE, low)

    plans = plan_accompanied(openings, windows, gap=gap * MINUTE, earliest=low, limit=limit)

    assert plans.complete
    assert [p.key() for p in plans] == [p.key() for p in expected[:limit]]
    for plan in plans:
        assert any(a <= plan.starts_dt and plan.ends_dt <= b for a, b in windows)


def test_without_windows_nothing_fits_and_one_whole_day_window_changes_nothing() -> None:
    openings = {1: [opening(1, 0, 30), opening(1, 60, 30)], 2: [opening(2, 40, 20)]}
    assert plan_accompanied(openings, []) == []
    whole = [(at(0), at(600))]
    assert [p.key() for p in plan_accompanied(openings, whole)] == [
        p.key() for p in plan_visit(openings)
    ]


def test_a_mediator_is_free_around_the_visits_they_accompany_with_the_gap() -> None:
    shift = (at(0), at(240))
    busy = [(at(60), at(120)), (at(200), at(250))]
    gap = 5 * MINUTE
    assert free_windows(shift, busy, gap) == [(at(0), at(55)), (at(125), at(195))]
    assert fits_shift(shift, busy, (at(125), at(195)), gap)
    assert not fits_shift(shift, busy, (at(120), at(150)), gap)
    assert not fits_shift(shift, busy, (at(190), at(200)), gap)
    assert free_windows(shift, [], gap) == [shift]
    assert free_windows(shift, [(at(-30), at(300))], gap) == []
