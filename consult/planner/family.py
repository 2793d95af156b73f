"""Plan one visit for a family: up to four people who come together, each with their topics.

Each agency is seen once, at one desk, by everyone who has a topic there (a
Jobcenter household appointment is shared), for as long as the distinct topics at
that agency need. By default the group stays together, so it walks one chain, which
the chained planner plans exactly. People who say so may be seen apart: then only
each person's own appointments form a chain, and `plan_apart` plans that exactly.
This module builds the needs and tells for each appointment of a plan whom it is for.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import thread_time

from consult.planner import (
    DEFAULT_BUDGET,
    DEFAULT_GAP,
    Need,
    Opening,
    Plan,
    Plans,
    SlotState,
    checked_tracks,
    plan_day,
    plan_visit,
)
from consult.planner.openings import openings_by_need
from consult.planner.search import MICROSECOND, OutOfTime, Track

MAX_PEOPLE = 4
# Larger than any instant in microseconds since the epoch; marks "no opening".
_NEVER = 1 << 62

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FamilyPlan:
    """A plan for the group and, for each of its appointments, the people it is for."""

    plan: Plan
    # Indices into the group's people, one tuple per appointment of the plan, in order.
    attendees: tuple[tuple[int, ...], ...]

    def appointments_of(self, person: int) -> tuple[Opening, ...]:
        """The appointments one person attends, in time order."""
        return tuple(
            opening
            for opening, who in zip(self.plan.appointments, self.attendees, strict=True)
            if person in who
        )


def attendees_by_agency(
    agency_topics: Mapping[int, Iterable[int]], people: Sequence[Iterable[int]]
) -> dict[int, tuple[int, ...]]:
    """For each agency, the people (by index) with at least one of its topics."""
    wanted = [set(topic_ids) for topic_ids in people]
    return {
        agency_id: tuple(i for i, mine in enumerate(wanted) if mine & set(topic_ids))
        for agency_id, topic_ids in agency_topics.items()
    }


def family_needs(
    agency_topics: Mapping[int, Iterable[int]], minutes: Mapping[int, int]
) -> list[Need]:
    """One need per agency, as long as the distinct topics assigned to it take together."""
    return [
        Need(agency_id, sum(minutes[t] for t in set(topic_ids)))
        for agency_id, topic_ids in sorted(agency_topics.items())
    ]


def shares_of(plan: Plan, attendees: Mapping[int, tuple[int, ...]]) -> FamilyPlan:
    """The plan with, for each appointment, the people it is for."""
    return FamilyPlan(plan, tuple(attendees[o.agency_id] for o in plan.appointments))


def plan_family(
    slots: Iterable[SlotState],
    agency_topics: Mapping[int, Iterable[int]],
    minutes: Mapping[int, int],
    people: Sequence[Iterable[int]],
    *,
    language: str | None = None,
    gap: timedelta = DEFAULT_GAP,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 5,
    budget: timedelta = DEFAULT_BUDGET,
    apart: bool = False,
) -> list[FamilyPlan]:
    """The best `limit` family plans, best first.

    `agency_topics` is how the union of everybody's topics is shared among the
    agencies (fewest agencies, `consult.itineraries.assign_topics`), `minutes` each
    topic's length and `people` each person's topics. With `apart`, people may be
    seen at different desks at the same time.
    """
    if not 1 <= len(people) <= MAX_PEOPLE:
        raise ValueError(f"a family visit is for 1 to {MAX_PEOPLE} people, got {len(people)}")
    attendees = attendees_by_agency(agency_topics, people)
    if any(not who for who in attendees.values()):
        raise ValueError("every agency of a family visit must be needed by someone")
    limits = {"gap": gap, "earliest": earliest, "latest": latest, "limit": limit, "budget": budget}
    needs = family_needs(agency_topics, minutes)
    if apart:
        plans = plan_day_apart(slots, needs, attendees, language=language, **limits)
    else:
        plans = plan_day(slots, needs, language=language, **limits)
    return [shares_of(plan, attendees) for plan in plans]


def plan_day_apart(
    slots: Iterable[SlotState],
    needs: Sequence[Need],
    attendees: Mapping[int, Iterable[int]],
    *,
    language: str | None = None,
    gap: timedelta = DEFAULT_GAP,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 5,
    budget: timedelta = DEFAULT_BUDGET,
) -> Plans:
    """Return the best `limit` visits covering all needs, each person's kept apart, best first.

    `attendees` names, for each needed agency, the people it sees.
    """
    agency_ids = [need.agency_id for need in needs]
    if len(set(agency_ids)) != len(agency_ids):
        raise ValueError(f"each agency can be needed only once, got {agency_ids}")
    openings = openings_by_need(slots, needs, language)
    limits = {"gap": gap, "earliest": earliest, "latest": latest, "limit": limit, "budget": budget}
    who = {agency_id: attendees[agency_id] for agency_id in agency_ids}
    if seen_together(who):
        # Nobody can be apart: that is the chain, which the chained search plans faster.
        return plan_visit(openings, **limits)
    return plan_apart(openings, who, **limits)


# --- seen apart -----------------------------------------------------------------------
#
# People who said they may be seen at different desks at the same time: only each
# person's own appointments (shared ones included) must not overlap and must keep the
# gap; the appointments of two agencies that see nobody in common may run side by side.


def plan_apart(
    openings: Mapping[int, Sequence[Opening]],
    attendees: Mapping[int, Iterable[int]],
    *,
    gap: timedelta = DEFAULT_GAP,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 5,
    budget: timedelta = DEFAULT_BUDGET,
) -> Plans:
    """Return the best `limit` plans with one opening per agency, each person's kept apart.

    `attendees` names, for each agency, the people (any ids) it sees. Plans rank as
    `Plan.key`: language issues, then the group's time on site, then start. When the
    CPU `budget` runs out, the best plans found so far are returned, marked incomplete;
    unlike the chained search's, they are not proven best.
    """
    tracks = checked_tracks(openings, gap, earliest, latest)
    if limit <= 0 or not tracks or any(not track.openings for track in tracks):
        return Plans()
    deadline = thread_time() + budget.total_seconds()
    agency_ids = sorted(openings)
    seen = [set(attendees[agency_id]) for agency_id in agency_ids]
    clashes = [
        [u for u in range(len(tracks)) if u != t and seen[t] & seen[u]] for t in range(len(tracks))
    ]
    chains = [[t for t, who in enumerate(seen) if person in who] for person in set().union(*seen)]
    search = _ApartSearch(tracks, clashes, chains, gap // MICROSECOND, limit, deadline)
    try:
        search.run()
    except OutOfTime:
        log.warning(
            "planner budget of %.0f ms spent apart: %d of %d plans for %d agencies",
            budget / timedelta(milliseconds=1),
            len(search.best),
            limit,
            len(tracks),
        )
        return Plans(search.plans(), complete=False)
    return Plans(search.plans())


def seen_together(attendees: Mapping[int, Iterable[int]]) -> bool:
    """True when every two agencies see somebody in common: the group cannot split."""
    seen = [set(who) for who in attendees.values()]
    return all(a & b for i, a in enumerate(seen) for b in seen[i + 1 :])


class _ApartSearch:
    """Branch and bound over the group's first start, exact for `Plan.key`.

    Times are whole microseconds. For each opening taken as the plan's first (the
    anchor, at start s; ties go to the lowest track, so each plan is met once), the
    other agencies are chosen depth first, fewest openings first, each in order of
    end, among those starting at or after s (after the anchor and the gap, for those
    that see someone of the anchor's) that keep apart from the openings chosen for
    agencies that see someone in common. A partial plan is cut off when its bound
    (issues so far plus the fewest each remaining agency can add; and for the time on
    site, the latest of the ends so far and the earliest end each remaining agency can
    reach, less s, but no less than the earliest any one person's chain can end)
    ranks after the worst of the best `limit` plans found.
    """

    def __init__(
        self,
        tracks: Sequence[Track],
        clashes: Sequence[Sequence[int]],
        chains: Sequence[Sequence[int]],
        gap: int,
        limit: int,
        deadline: float,
    ) -> None:
        self.tracks = tracks
        self.clashes = clashes
        self.gap = gap
        self.limit = limit
        self.deadline = deadline
        self.nodes = 0
        # For each track: each person's other agencies, and whether the track is theirs.
        self.chains = [
            [(tuple(u for u in chain if u != t), t in chain) for chain in chains]
            for t in range(len(tracks))
        ]
        self.shortest = [min(e - b for b, e in zip(t.starts, t.ends, strict=True)) for t in tracks]
        self.chain_ends: dict[tuple[tuple[int, ...], int], int] = {}
        # Each track's openings in order of end, and their ends, for the depth first walk.
        self.by_end = [
            sorted(range(len(t.starts)), key=lambda i, t=t: (t.ends[i], t.starts[i]))
            for t in tracks
        ]
        self.sorted_ends = [
            [t.ends[i] for i in order] for t, order in zip(tracks, self.by_end, strict=True)
        ]
        # From index i on (by start): the earliest end and the fewest issues.
        self.soonest_end: list[list[int]] = []
        self.fewest_issues: list[list[int]] = []
        for track in tracks:
            ends, issues = [_NEVER], [len(tracks) + 1]
            for i in range(len(track.starts) - 1, -1, -1):
                ends.append(min(ends[-1], track.ends[i]))
                issues.append(min(issues[-1], track.issues[i]))
            self.soonest_end.append(ends[::-1])
            self.fewest_issues.append(issues[::-1])
        # The best plans so far, best first: (key, picks); keys are Plan.key in integers.
        self.best: list[tuple[tuple, tuple[Opening, ...]]] = []
        self.worst: tuple | None = None  # the first three of the last key, once full

    def plans(self) -> list[Plan]:
        return [Plan(picks) for _, picks in self.best]

    def run(self) -> None:
        tracks = self.tracks
        anchors = []
        for a, track in enumerate(tracks):
            for i, s in enumerate(track.starts):
                # Tracks before the anchor's start after s, so that each plan has one anchor.
                firsts = [
                    (bisect_right if u < a else bisect_left)(other.starts, s)
                    for u, other in enumerate(tracks)
                ]
                # Who sees someone of the first appointment starts after it, with the gap.
                ready = track.ends[i] + self.gap
                for u in self.clashes[a]:
                    firsts[u] = bisect_left(tracks[u].starts, ready)
                firsts[a] = i
                rest = [u for u in range(len(tracks)) if u != a]
                if any(firsts[u] == len(tracks[u].starts) for u in rest):
                    continue
                issues = track.issues[i] + sum(self.fewest_issues[u][firsts[u]] for u in rest)
                end = max([track.ends[i], *(self.soonest_end[u][firsts[u]] for u in rest)])
                end = max(end, self._people_end(a, i, s))
                if end < _NEVER:
                    anchors.append(((issues, end - s, s), a, i, firsts))
        anchors.sort(key=lambda anchor: anchor[:3])
        for bound, a, i, firsts in anchors:
            if self.worst is not None and bound > self.worst:
                break  # the anchors come best bound first
            if thread_time() > self.deadline:
                raise OutOfTime
            self._from_anchor(a, i, firsts)

    def _from_anchor(self, a: int, i: int, firsts: list[int]) -> None:
        tracks, gap, clashes = self.tracks, self.gap, self.clashes
        anchor = tracks[a]
        s = anchor.starts[i]
        order = sorted(
            (u for u in range(len(tracks)) if u != a),
            key=lambda u: (len(tracks[u].starts) - firsts[u], u),
        )
        depth_count = len(order)
        # What the agencies from each depth on add at the least: issues, and a latest end.
        rest_issues = [0] * (depth_count + 1)
        rest_end = [0] * (depth_count + 1)
        for d in range(depth_count - 1, -1, -1):
            u = order[d]
            rest_issues[d] = rest_issues[d + 1] + self.fewest_issues[u][firsts[u]]
            rest_end[d] = max(rest_end[d + 1], self.soonest_end[u][firsts[u]])
        chosen: list[int] = [-1] * len(tracks)
        chosen[a] = i
        least_end = self._people_end(a, i, s)

        def walk(depth: int, issues: int, last_end: int) -> None:
            self.nodes += 1
            if not self.nodes & 255 and thread_time() > self.deadline:
                raise OutOfTime
            if depth == depth_count:
                self._found(chosen, issues, last_end - s, s)
                return
            u = order[depth]
            track = tracks[u]
            starts, ends, own_issues = track.starts, track.ends, track.issues
            fewest = self.fewest_issues[u][firsts[u]]
            later_issues, later_end = rest_issues[depth + 1], rest_end[depth + 1]
            near = [
                (tracks[v].starts[chosen[v]], tracks[v].ends[chosen[v]])
                for v in clashes[u]
                if chosen[v] >= 0
            ]
            floor = starts[firsts[u]]  # the first usable start (firsts holds no past-the-end)
            order_u = self.by_end[u]
            for position in range(bisect_right(self.sorted_ends[u], floor), len(order_u)):
                j = order_u[position]
                start = starts[j]
                if start < floor:
                    continue
                end = ends[j]
                span = max(last_end, end, later_end, least_end) - s
                worst = self.worst
                if worst is not None:
                    if (issues + fewest + later_issues, span, s) > worst:
                        break  # later openings end later still
                    if (issues + own_issues[j] + later_issues, span, s) > worst:
                        continue
                if any(not (start >= e + gap or b >= end + gap) for b, e in near):
                    continue
                chosen[u] = j
                walk(depth + 1, issues + own_issues[j], max(last_end, end))
            chosen[u] = -1

        walk(0, anchor.issues[i], anchor.ends[i])

    def _people_end(self, a: int, i: int, s: int) -> int:
        """The earliest everybody can be done when the plan starts with opening i of track a.

        Each person's appointments follow one another from s on; a person of the first
        appointment sees their other agencies after it.
        """
        end = self.tracks[a].ends[i]
        latest, after = end, end + self.gap
        for chain, theirs in self.chains[a]:
            found = self._chain_end(chain, after if theirs else s)
            if found > latest:
                latest = found
        return latest

    def _chain_end(self, chain: tuple[int, ...], after: int) -> int:
        """The earliest the chain's agencies can all be seen, one after another, from `after`.

        The earliest ready time after each set of them (a subset table) is exact, since
        an opening that ends sooner never leaves less to choose from; longer chains fall
        back to their shortest openings laid end to end.
        """
        if not chain:
            return 0
        found = self.chain_ends.get((chain, after))
        if found is not None:
            return found
        gap = self.gap
        if len(chain) > 4:
            found = after + sum(self.shortest[t] for t in chain) + (len(chain) - 1) * gap
        else:
            ready = [_NEVER] * (1 << len(chain))
            ready[0] = after
            for mask in range(1, len(ready)):
                for bit, t in enumerate(chain):
                    if mask >> bit & 1 and (before := ready[mask & ~(1 << bit)]) < _NEVER:
                        track = self.tracks[t]
                        end = self.soonest_end[t][bisect_left(track.starts, before)]
                        if end < _NEVER:
                            ready[mask] = min(ready[mask], end + gap)
            found = ready[-1] - gap if ready[-1] < _NEVER else _NEVER
        self.chain_ends[(chain, after)] = found
        return found

    def _found(self, chosen: list[int], issues: int, span: int, s: int) -> None:
        tracks = self.tracks
        rows = sorted(
            (tracks[t].starts[j], tracks[t].agency_id, t, j) for t, j in enumerate(chosen)
        )
        key = (
            issues,
            span,
            s,
            tuple(row[0] for row in rows),
            tuple(row[1] for row in rows),
        )
        best = self.best
        # Equal openings given twice make the same plan twice: keep the better one.
        for index, (other, _) in enumerate(best):
            if other[3:] == key[3:]:
                if other <= key:
                    return
                del best[index]
                break
        else:
            if len(best) == self.limit and key >= best[-1][0]:
                return
        picks = tuple(tracks[t].openings[j] for _, _, t, j in rows)
        insort(best, (key, picks), key=lambda entry: entry[0])
        del best[self.limit :]
        self.worst = best[-1][0][:3] if len(best) == self.limit else None
