"""The planner's exact search: an A* over chronological plans with an exact completion table.

Times are whole microseconds since the epoch, so the search compares integers.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from time import thread_time

from consult.planner.values import Opening, Plan

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# Larger than any instant in microseconds since the epoch; marks "no opening".
_NEVER = 1 << 62


def micros(at: datetime) -> int:
    """An instant as whole microseconds since the epoch."""
    return (at - _EPOCH) // MICROSECOND


@dataclass(frozen=True, slots=True)
class Track:
    """One agency's usable openings, sorted by start, as integers for the search."""

    agency_id: int
    openings: tuple[Opening, ...]
    starts: list[int]
    ends: list[int]
    issues: list[int]


def track_of(
    agency_id: int, openings: Sequence[Opening], earliest: int | None, latest: int | None
) -> Track:
    """The agency's openings within `earliest`..`latest` (microseconds), as a track."""
    rows = []
    for opening in openings:
        if opening.agency_id != agency_id:
            raise ValueError(f"opening of agency {opening.agency_id} listed under {agency_id}")
        start, end = micros(opening.starts_dt), micros(opening.ends_dt)
        if end <= start:
            raise ValueError(f"opening of agency {agency_id} at {opening.starts_dt} is empty")
        if (earliest is None or start >= earliest) and (latest is None or end <= latest):
            rows.append((start, end, int(not opening.language_ok), opening))
    rows.sort(key=lambda row: row[:3])
    return Track(
        agency_id=agency_id,
        openings=tuple(row[3] for row in rows),
        starts=[row[0] for row in rows],
        ends=[row[1] for row in rows],
        issues=[row[2] for row in rows],
    )


class OutOfTime(Exception):
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


class Search:
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

    def __init__(self, tracks: Sequence[Track], gap: int, deadline: float) -> None:
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
                raise OutOfTime
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
        """Yield feasible plans best first; raise OutOfTime when the budget is spent."""
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
                raise OutOfTime
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
