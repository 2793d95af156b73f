"""The family planner against brute force: people who come together walk one chain."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.planner import Need, Opening, Plan, openings_for
from consult.planner.family import attendees_by_agency, plan_family
from tests.test_planner import PROPERTY_SETTINGS, at, days, session

TOPIC_MINUTES = (5, 10, 15, 20, 30)


def apart(openings: Sequence[Opening], gap: timedelta) -> bool:
    ordered = sorted(openings, key=lambda o: o.starts_dt)
    return all(b.starts_dt >= a.ends_dt + gap for a, b in pairwise(ordered))


def brute_force(day: dict, agency_topics: dict, minutes: dict, people: list) -> list[Plan]:
    """Every plan with one appointment per needed agency, best first, by enumeration.

    A shared appointment is one opening (booked once, at one desk); each person's own
    appointments never overlap and keep the gap; and the group stays together, so no
    two appointments of the visit overlap either.
    """
    lengths = {a: sum(minutes[t] for t in topics) for a, topics in agency_topics.items()}
    options = {
        a: [
            o
            for o in openings_for(day["slots"], Need(a, lengths[a]), day["language"])
            if (day["earliest"] is None or o.starts_dt >= day["earliest"])
            and (day["latest"] is None or o.ends_dt <= day["latest"])
        ]
        for a in sorted(agency_topics)
    }
    found: dict[tuple, Plan] = {}
    for chosen in itertools.product(*options.values()):
        mine = [[o for o in chosen if set(agency_topics[o.agency_id]) & set(p)] for p in people]
        if not all(apart(own, day["gap"]) for own in mine):
            continue
        if not apart(chosen, day["gap"]):
            continue
        plan = Plan(tuple(sorted(chosen, key=lambda o: o.starts_dt)))
        signature = tuple((o.agency_id, o.starts_dt) for o in plan.appointments)
        if signature not in found or plan.key() < found[signature].key():
            found[signature] = plan
    return sorted(found.values(), key=Plan.key)


@st.composite
def families(draw: st.DrawFn) -> tuple[dict, dict, dict, list]:
    """A random small day, two topics per agency present and 2–4 people with their topics."""
    day = draw(days(needed=(1, 4), slots_per_session=(1, 6), minutes=(5,)))
    present = sorted({s.agency_id for s in day["slots"]})
    topics = {10 * a + k: a for a in present for k in (1, 2)}
    minutes = {t: draw(st.sampled_from(TOPIC_MINUTES)) for t in topics}
    people = draw(
        st.lists(
            st.frozensets(st.sampled_from(sorted(topics)), min_size=1, max_size=3),
            min_size=2,
            max_size=4,
        )
    )
    agency_topics: dict[int, set[int]] = {}
    for topic_id in sorted(set().union(*people)):
        agency_topics.setdefault(topics[topic_id], set()).add(topic_id)
    return day, agency_topics, minutes, people


@settings(PROPERTY_SETTINGS, max_examples=150)
@given(families())
def test_family_plans_match_brute_force(family: tuple) -> None:
    day, agency_topics, minutes, people = family
    limits = {k: day[k] for k in ("language", "gap", "earliest", "latest", "limit")}

    plans = plan_family(day["slots"], agency_topics, minutes, people, **limits)

    expected = brute_force(day, agency_topics, minutes, people)
    assert [p.plan.key() for p in plans] == [p.key() for p in expected[: day["limit"]]]
    for found in plans:
        # Each agency once: a shared appointment is booked once, at one desk.
        assert sorted(found.plan.agency_ids) == sorted(agency_topics)
        for person, wanted in enumerate(people):
            own = found.appointments_of(person)
            assert {o.agency_id for o in own} == {
                a for a, topics in agency_topics.items() if topics & wanted
            }
            assert apart(own, day["gap"])


def test_a_shared_appointment_is_as_long_as_the_distinct_topics_and_said_for_whom() -> None:
    slots = session(1, 1, at(9), [{1}] * 6) + session(2, 2, at(9), [{1}] * 6, first_id=100)
    # Topic 11 (Jobcenter, 20 min) for both, 12 (Jobcenter, 10 min) for Leyla, 21 for Amir.
    agency_topics = {1: {11, 12}, 2: {21}}
    minutes = {11: 20, 12: 10, 21: 10}

    (best, *_) = plan_family(slots, agency_topics, minutes, [{11, 21}, {11, 12}], gap=timedelta(0))

    jobcenter = next(o for o in best.plan.appointments if o.agency_id == 1)
    assert jobcenter.ends_dt - jobcenter.starts_dt == timedelta(minutes=30)
    assert dict(zip(best.plan.agency_ids, best.attendees, strict=True)) == {1: (0, 1), 2: (0,)}
    assert best.plan.time_on_site == timedelta(minutes=40)


def test_attendees_are_the_people_with_a_topic_at_the_agency() -> None:
    found = attendees_by_agency({1: {11}, 2: {21, 22}}, [{11}, {11, 22}, {21}])
    assert found == {1: (0, 1), 2: (1, 2)}


def test_more_than_four_people_are_refused() -> None:
    with pytest.raises(ValueError, match="1 to 4 people"):
        plan_family([], {1: {11}}, {11: 10}, [{11}] * 5)


def test_an_agency_nobody_needs_is_refused() -> None:
    with pytest.raises(ValueError, match="needed by someone"):
        plan_family([], {1: {11}, 2: {21}}, {11: 10, 21: 10}, [{11}, {11}])
