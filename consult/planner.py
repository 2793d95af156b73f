"""Plan one visit on a consultation day: one appointment at each needed agency, back to back.

Each agency session is cut into slots with a few parallel desks. An appointment
takes enough consecutive slots of one session on one desk that is free in all of
them. A visit needs one appointment per agency, in some chronological order,
with a changeover gap between them. Plans are ranked by language issues, then
time on site, then start; the search is exact (it never misses a better plan).
"""

from __future__ import annotations

import heapq
import logging
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from time import thread_time

DEFAULT_GAP = timedelta(minutes=5)
# The search is exact and, measured on real days, far inside this; the budget is a
# safety net against a pathological day, not a limit that shapes answers. Eight
# agencies take up to about 35 ms at the 95th percentile on a 2-core machine and a
# garbage collection or a busy neighbour can double one call, hence 100 ms; the
# six agencies the public can ask for stay under 15 ms.
DEFAULT_BUDGET = timedelta(milliseconds=100)
# The completion table has 2^agencies rows; eight keeps it under 2 MB and 100 ms.
MAX_AGENCIES = 8

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Larger than any instant in microseconds since the epoch; marks "no opening".
_NEVER = 1 << 62


@dataclass(frozen=True)
class SlotState:
    """One slot of an agency session and the desks still free in it."""

    slot_id: int
    session_id: int
    agency_id: int
    starts_dt: datetime
    ends_dt: datetime
    free_desks: frozenset[int]
    languages: frozenset[str] = frozenset()
    interpreter: bool = False
    room: str = ""


@dataclass(frozen=True)
class Need:
    """One agency the person has to see, and for how long."""

    agency_id: int
    minutes: int

    def __post_init__(self) -> None:
        if self.minutes <= 0:
            raise ValueError(f"an appointment needs a positive length, got {self.minutes}")


@dataclass(frozen=True)
class Opening:
    """A time at which one agency can take the person for the needed length."""

    agency_id: int
    session_id: int
    starts_dt: datetime
    ends_dt: datetime
    slot_ids: tuple[int, ...]
    desk: int
    language_ok: bool
    room: str = ""


PlanKey = tuple[int, timedelta, datetime, tuple[datetime, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Plan:
    """One visit: an opening at each needed agency, in chronological order."""

    appointments: tuple[Opening, ...]

    @property
    def starts_dt(self) -> datetime:
        """Return when the first appointment starts."""
        return self.appointments[0].starts_dt

    @property
    def ends_dt(self) -> datetime:
        """Return when the last appointment ends."""
        return self.appointments[-1].ends_dt

    @property
    def time_on_site(self) -> timedelta:
        """Return the time from the first start to the last end."""
        return self.ends_dt - self.starts_dt

    @property
    def minutes_on_site(self) -> int:
        """Return the time on site in whole minutes."""
        return self.time_on_site // timedelta(minutes=1)

    @property
    def language_issues(self) -> int:
        """Return how many appointments cannot be held in the person's language."""
        return sum(not opening.language_ok for opening in self.appointments)

    @property
    def agency_ids(self) -> tuple[int, ...]:
        """Return the agencies in the order they are visited."""
        return tuple(opening.agency_id for opening in self.appointments)

    def key(self) -> PlanKey:
        """Return the ranking key; smaller is better."""
        return (
            self.language_issues,
            self.time_on_site,
            self.starts_dt,
            tuple(opening.starts_dt for opening in self.appointments),
            self.agency_ids,
        )


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // _MICROSECOND


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


class Plans(list[Plan]):
    """Plans best first; `complete` is False when the search ran out of its budget.

    An incomplete list is still exact as far as it goes: every plan in it is one
    of the best, in order, but better-ranked plans may be missing after them.
    """

    def __init__(self, plans: Iterable[Plan] = (), *, complete: bool = True) -> None:
        super().__init__(plans)
        self.complete = complete


@dataclass(frozen=True, slots=True)
class _Track:
    """One agency's usable openings, sorted by start, as integers for the search."""

    agency_id: int
    openings: tuple[Opening, ...]
    starts: list[int]
    ends: list[int]
    issues: list[int]


def _track(
    agency_id: int, openings: Sequence[Opening], earliest: int | None, latest: int | None
) -> _Track:
    rows = []
    for opening in openings:
        if opening.agency_id != agency_id:
            raise ValueError(f"opening of agency {opening.agency_id} listed under {agency_id}")
        start, end = _micros(opening.starts_dt), _micros(opening.ends_dt)
        if end <= start:
            raise ValueError(f"opening of agency {agency_id} at {opening.starts_dt} is empty")
        if (earliest is None or start >= earliest) and (latest is None or end <= latest):
            rows.append((start, end, int(not opening.language_ok), opening))
    rows.sort(key=lambda row: row[:3])
    return _Track(
        agency_id=agency_id,
        openings=tuple(row[3] for row in rows),
        starts=[row[0] for row in rows],
        ends=[row[1] for row in rows],
        issues=[row[2] for row in rows],
    )


class _OutOfTime(Exception):
    """The search used up its CPU budget."""


@dataclass(frozen=True, slots=True)
class _Partial:
    """The openings chosen so far, in chronological order."""

    remaining: int  # bit mask of track indices still to visit
    first_start: int
    last_end: int
    issues: int
    starts: tuple[int, ...]
    agency_ids: tuple[int, ...]
    picks: tuple[Opening, ...]


class _Search:
    """Exact best-first search over chronological plans, with an exact completion table.

    Times are whole microseconds. A "ready point" is an opening's end plus the gap:
    the earliest the person can start the next appointment. For every set of agencies
    still to visit and every ready point, `table` holds the best completion as one
    number, issues * `scale` + the end of the last appointment (`infinite` when none
    fits). The best completion after time t is a minimum over the agency visited next
    and over that agency's openings starting at or after t; since completions only get
    worse as t grows, the opening that ends first (one per language state) dominates
    the others, so each entry takes O(agencies) steps: 2^k * k * |ready points| in all.
    That table is the exact heuristic of an A* search, which therefore walks almost
    straight to each of the best plans.
    """

    def __init__(self, tracks: Sequence[_Track], gap: int, deadline: float) -> None:
        self.tracks = tracks
        self.gap = gap
        self.deadline = deadline
        points = sorted({end + gap for track in tracks for end in track.ends})
        self.position = {point: index for index, point in enumerate(points)}
        none = len(points)  # the index of the extra "nothing fits" entry
        self.scale = (points[-1] if points else 0) + 1
        self.infinite = self.scale * (len(tracks) + 2)
        # ready[t][c][i]: the ready point after the earliest-ending opening of track t
        # from index i on that adds c language issues (or `none`).
        self.ready: list[list[tuple[int, list[int]]]] = []
        # jumps[t]: (c, the same as a function of the ready point's index).
        self.jumps: list[list[tuple[int, list[int]]]] = []
        self.next_start: list[list[int]] = []
        for track in tracks:
            by_issue: dict[int, list[int]] = {}
            for level in sorted(set(track.issues)):
                column = [none] * (len(track.ends) + 1)
                earliest_end = _NEVER
                for i in range(len(track.ends) - 1, -1, -1):
                    if track.issues[i] == level and track.ends[i] < earliest_end:
                        earliest_end = track.ends[i]
                        column[i] = self.position[earliest_end + gap]
                    else:
                        column[i] = column[i + 1]
                by_issue[level] = column
            self.ready.append(list(by_issue.items()))
            firsts = [bisect_left(track.starts, point) for point in points]
            self.jumps.append(
                [(level, [column[i] for i in firsts]) for level, column in by_issue.items()]
            )
            # next_start[t][p]: the first start of track t at or after ready point p.
            self.next_start.append([[*track.starts, _NEVER][i] for i in firsts])
        self.table = self._completions([point - gap for point in points])

    def _completions(self, finished: list[int]) -> list[list[int]]:
        everyone = 1 << len(self.tracks)
        table: list[list[int]] = [[*finished, self.infinite]]
        raised: dict[int, list[int]] = {}  # table rows plus one language issue
        for mask in range(1, everyone):
            if thread_time() > self.deadline:
                raise _OutOfTime
            candidates = []
            for t, jumps in enumerate(self.jumps):
                if not mask >> t & 1:
                    continue
                rest = mask & ~(1 << t)
                for level, jump in jumps:
                    source = table[rest]
                    if level:
                        if rest not in raised:
                            raised[rest] = list(map(self.scale.__add__, source))
                        source = raised[rest]
                    candidates.append(map(source.__getitem__, jump))
            # One min over all candidates at each point: the builtin's call costs
            # more than its comparisons.
            best = list(map(min, *candidates)) if len(candidates) > 1 else list(candidates[0])
            best.append(self.infinite)
            table.append(best)
        return table

    def plans(self) -> Iterator[Plan]:
        """Yield feasible plans best first; raise _OutOfTime when the budget is spent."""
        tracks, gap, scale, position = self.tracks, self.gap, self.scale, self.position
        # Entries: (bound, tie, parent, track, index, is_pick). A pick is the parent plus
        # one opening, made into a _Partial only when popped; a run stands for the parent
        # plus each of the track's openings from `index` on, so that a node never pushes
        # all its children at once. A bound is shaped like Plan.key and never above the
        # key of any plan the entry leads to (a prefix of start times sorts before the
        # full tuple), so the first complete plan popped is the best one left.
        heap: list[tuple[tuple, int, _Partial, int, int, bool]] = []
        tie = count()
        root = _Partial((1 << len(tracks)) - 1, 0, 0, 0, (), (), ())
        members = [
            tuple(t for t in range(len(tracks)) if mask >> t & 1)
            for mask in range(root.remaining + 1)
        ]

        def pick(parent: _Partial, t: int, index: int) -> tuple | None:
            track = tracks[t]
            remaining = parent.remaining & ~(1 << t)
            point = position[track.ends[index] + gap]
            issues = parent.issues + track.issues[index]
            value = self.table[remaining][point] + issues * scale
            if value >= self.infinite:
                return None
            start = track.starts[index]
            first = start if parent is root else parent.first_start
            least, finish = divmod(value, scale)
            if remaining:
                # The next start is one of the remaining agencies' first starts after
                # the gap; the ranking ties on starts, and bounding the next one saves
                # expanding every tied prefix before going deeper.
                soonest = min(self.next_start[u][point] for u in members[remaining])
                starts = (*parent.starts, start, soonest)
            else:
                starts = (*parent.starts, start)
            bound = (least, finish - first, first, starts, (*parent.agency_ids, track.agency_id))
            return (bound, next(tie), parent, t, index, True)

        def run(parent: _Partial, t: int, index: int) -> None:
            # The bound is the best member's, since `ready` names the best per issue.
            track = tracks[t]
            if index >= len(track.starts):
                return
            row = self.table[parent.remaining & ~(1 << t)]
            value = parent.issues * scale + min(
                level * scale + row[column[index]] for level, column in self.ready[t]
            )
            if value >= self.infinite:
                return
            least, finish = divmod(value, scale)
            bound = (
                least,
                finish - parent.first_start,
                parent.first_start,
                (*parent.starts, track.starts[index]),
                (*parent.agency_ids, track.agency_id),
            )
            heapq.heappush(heap, (bound, next(tie), parent, t, index, False))

        # The first appointment fixes the first start, so every first opening gets an
        # exact bound of its own rather than a run.
        heap.extend(
            entry
            for t, track in enumerate(tracks)
            for index in range(len(track.starts))
            if (entry := pick(root, t, index)) is not None
        )
        heapq.heapify(heap)
        seen: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
        popped = 0
        while heap:
            popped += 1
            if not popped & 63 and thread_time() > self.deadline:
                raise _OutOfTime
            _, _, parent, t, index, is_pick = heapq.heappop(heap)
            if not is_pick:
                entry = pick(parent, t, index)
                if entry is not None:
                    heapq.heappush(heap, entry)
                run(parent, t, index + 1)
                continue
            track = tracks[t]
            partial = _Partial(
                remaining=parent.remaining & ~(1 << t),
                first_start=track.starts[index] if parent is root else parent.first_start,
                last_end=track.ends[index],
                issues=parent.issues + track.issues[index],
                starts=(*parent.starts, track.starts[index]),
                agency_ids=(*parent.agency_ids, track.agency_id),
                picks=(*parent.picks, track.openings[index]),
            )
            if partial.remaining:
                ready = partial.last_end + gap
                for u in members[partial.remaining]:
                    run(partial, u, bisect_left(tracks[u].starts, ready))
                continue
            # Equal openings given twice would make the same plan twice.
            signature = (partial.starts, partial.agency_ids)
            if signature not in seen:
                seen.add(signature)
                yield Plan(appointments=partial.picks)


def plan_visit(
    openings: Mapping[int, Sequence[Opening]],
    *,
    gap: timedelta = DEFAULT_GAP,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 5,
    budget: timedelta = DEFAULT_BUDGET,
) -> Plans:
    """Return the best `limit` plans with one opening per agency, best first.

    `budget` bounds the CPU time of this call; a search that reaches it is logged
    and returns the plans proven best so far, marked incomplete.
    """
    if gap < timedelta(0):
        raise ValueError(f"the gap between appointments cannot be negative, got {gap}")
    if len(openings) > MAX_AGENCIES:
        raise ValueError(f"a visit can need at most {MAX_AGENCIES} agencies, got {len(openings)}")
    if limit <= 0 or not openings:
        return Plans()
    deadline = thread_time() + budget.total_seconds()
    low = None if earliest is None else _micros(earliest)
    high = None if latest is None else _micros(latest)
    tracks = [_track(agency_id, openings[agency_id], low, high) for agency_id in sorted(openings)]
    if any(not track.openings for track in tracks):
        return Plans()
    found: list[Plan] = []
    try:
        search = _Search(tracks, gap // _MICROSECOND, deadline)
        for plan in search.plans():
            found.append(plan)
            if len(found) == limit:
                break
    except _OutOfTime:
        log.warning(
            "planner budget of %.0f ms spent: %d of %d plans for %d agencies",
            budget / timedelta(milliseconds=1),
            len(found),
            limit,
            len(tracks),
        )
        return Plans(found, complete=False)
    return Plans(found)


def plan_day(
    slots: Iterable[SlotState],
    needs: Sequence[Need],
    *,
    language: str | None = None,
    gap: timedelta = DEFAULT_GAP,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 5,
    budget: timedelta = DEFAULT_BUDGET,
) -> Plans:
    """Return the best `limit` visits covering all needs on a day, best first."""
    agency_ids = [need.agency_id for need in needs]
    if len(set(agency_ids)) != len(agency_ids):
        raise ValueError(f"each agency can be needed only once, got {agency_ids}")
    by_agency: dict[int, list[SlotState]] = defaultdict(list)
    for slot in slots:
        by_agency[slot.agency_id].append(slot)
    openings = {
        need.agency_id: openings_for(by_agency[need.agency_id], need, language) for need in needs
    }
    return plan_visit(
        openings, gap=gap, earliest=earliest, latest=latest, limit=limit, budget=budget
    )
