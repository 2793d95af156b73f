"""The family planner against brute force: together one chain, apart each person's own."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.planner import Need, Opening, Plan, openings_for, plan_visit
from consult.planner.family import attendees_by_agency, plan_apart, plan_family
from tests.test_planner import PROPERTY_SETTINGS, at, days, loose_openings, opening, session

TOPIC_MINUTES = (5, 10, 15, 20, 30)


def apart(openings: Sequence[Opening], gap: timedelta) -> bool:
    ordered = sorted(openings, key=lambda o: o.starts_dt)
    return all(b.starts_dt >= a.ends_dt + gap for a, b in pairwise(ordered))


def brute_force(
    day: dict, agency_topics: dict, minutes: dict, people: list, *, together: bool = True
) -> list[Plan]:
    """Every plan with one appointment per needed agency, best first, by enumeration.

    A shared appointment is one opening (booked once, at one desk); each person's own
    appointments never overlap and keep the gap; and when the group stays `together`,
    no two appointments of the visit overlap either.
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
    return every_plan(options, attendees_by_agency(agency_topics, people), day["gap"], together)


def every_plan(
    options: Mapping[int, Sequence[Opening]],
    attendees: Mapping[int, Sequence[int]],
    gap: timedelta,
    together: bool,
) -> list[Plan]:
    """Every plan of one opening per agency (in key order), each person's kept apart."""
    people = set().union(*attendees.values())
    found: dict[tuple, Plan] = {}
    for chosen in itertools.product(*(options[a] for a in sorted(options))):
        mine = [[o for o in chosen if p in attendees[o.agency_id]] for p in people]
        if not all(apart(own, gap) for own in mine):
            continue
        if together and not apart(chosen, gap):
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


# --- seen apart -------------------------------------------------------------------------


@settings(PROPERTY_SETTINGS, max_examples=100)
@given(families())
def test_family_plans_apart_match_brute_force_without_the_together_rule(family: tuple) -> None:
    day, agency_topics, minutes, people = family
    limits = {k: day[k] for k in ("language", "gap", "earliest", "latest", "limit")}

    plans = plan_family(day["slots"], agency_topics, minutes, people, apart=True, **limits)

    expected = brute_force(day, agency_topics, minutes, people, together=False)
    assert [p.plan.key() for p in plans] == [p.key() for p in expected[: day["limit"]]]
    for found in plans:
        assert sorted(found.plan.agency_ids) == sorted(agency_topics)
        for person in range(len(people)):
            assert apart(found.appointments_of(person), day["gap"])


# Who each agency sees: people 0-2, at least one each.
SEEN = st.frozensets(st.integers(0, 2), min_size=1)


@settings(PROPERTY_SETTINGS, max_examples=100)
@given(
    loose_openings(),
    st.lists(SEEN, min_size=5, max_size=5),
    st.integers(0, 10).map(lambda m: timedelta(minutes=m)),
    st.integers(1, 8),
)
def test_plan_apart_matches_brute_force_on_loose_openings(
    openings: dict[int, list[Opening]], seen: list, gap: timedelta, limit: int
) -> None:
    # Loose openings repeat, overlap and end out of order, which days rarely do.
    attendees = {a: tuple(seen[a - 1]) for a in openings}

    plans = plan_apart(openings, attendees, gap=gap, limit=limit)

    expected = every_plan(openings, attendees, gap, together=False)
    assert [p.key() for p in plans] == [p.key() for p in expected[:limit]]
    assert plans.complete


@settings(PROPERTY_SETTINGS, max_examples=60)
@given(loose_openings(), st.integers(0, 10).map(lambda m: timedelta(minutes=m)), st.integers(1, 8))
def test_plan_apart_is_the_chain_when_every_two_agencies_share_a_person(
    openings: dict[int, list[Opening]], gap: timedelta, limit: int
) -> None:
    # Person 0 sees every agency: nobody can be apart from anyone.
    attendees = {a: (0, a) for a in openings}

    apart_plans = plan_apart(openings, attendees, gap=gap, limit=limit)

    assert [p.key() for p in apart_plans] == [
        p.key() for p in plan_visit(openings, gap=gap, limit=limit)
    ]


def couple_day() -> tuple[list, dict[int, set[int]], dict[int, int], list[set[int]]]:
    """Jobcenter (1) for both, the immigration office (2) for Amir, IQ advice (3) for Leyla."""
    slots = [
        slot
        for agency_id in (1, 2, 3)
        for slot in session(agency_id, agency_id, at(9), [{1}] * 12, first_id=100 * agency_id)
    ]
    return slots, {1: {11}, 2: {21}, 3: {31}}, {11: 20, 21: 20, 31: 20}, [{11, 21}, {11, 31}]


def test_seen_apart_the_couple_leaves_sooner_than_together() -> None:
    slots, agency_topics, minutes, people = couple_day()

    (together, *_) = plan_family(slots, agency_topics, minutes, people, gap=timedelta(0))
    (best, *_) = plan_family(slots, agency_topics, minutes, people, gap=timedelta(0), apart=True)

    assert together.plan.time_on_site == timedelta(minutes=60)
    assert best.plan.time_on_site == timedelta(minutes=40)
    amir, leyla = best.appointments_of(0), best.appointments_of(1)
    # The immigration office and IQ advice at once (the earlier starts rank first), then
    # the Jobcenter together.
    assert [o.agency_id for o in amir] == [2, 1] and [o.agency_id for o in leyla] == [3, 1]
    assert amir[0].starts_dt == leyla[0].starts_dt == at(9)
    assert amir[1] == leyla[1] and best.plan.ends_dt == at(9, 40)


def test_a_plan_apart_out_of_budget_is_logged_and_marked(caplog: pytest.LogCaptureFixture) -> None:
    openings = {
        a: [opening(a, at(9) + timedelta(minutes=30 * i)) for i in range(8)] for a in (1, 2)
    }

    with caplog.at_level(logging.WARNING, logger="consult.planner"):
        cut = plan_apart(openings, {1: (0,), 2: (1,)}, limit=5, budget=timedelta(0))

    assert not cut.complete
    assert "planner budget" in caplog.text
