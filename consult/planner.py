"""Plan one visit on a consultation day: one appointment at each needed agency, back to back.

Each agency session is cut into slots with a few parallel desks. An appointment
takes enough consecutive slots of one session on one desk that is free in all of
them. A visit needs one appointment per agency, in some chronological order,
with a changeover gap between them. Plans are ranked by language issues, then
time on site, then start; the search is exact (it never misses a better plan).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count, islice

DEFAULT_GAP = timedelta(minutes=5)

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


@dataclass(frozen=True, slots=True)
class _View:
    """Openings sorted by start, as integers, with minima over each suffix."""

    starts: list[int]
    min_end_from: list[int]
    min_length_from: list[int]


def _view(rows: Sequence[tuple[int, int]]) -> _View:
    size = len(rows)
    # One extra entry so that "nothing starts late enough" reads as _NEVER.
    min_end, min_length = [_NEVER] * (size + 1), [_NEVER] * (size + 1)
    for index in range(size - 1, -1, -1):
        start, end = rows[index]
        min_end[index] = min(min_end[index + 1], end)
        min_length[index] = min(min_length[index + 1], end - start)
    return _View(
        starts=[start for start, _ in rows], min_end_from=min_end, min_length_from=min_length
    )


@dataclass(frozen=True, slots=True)
class _Track:
    """One agency's usable openings, prepared for the search."""

    agency_id: int
    openings: tuple[Opening, ...]
    ends: list[int]
    issues: list[int]
    min_issues_from: list[int]
    every: _View
    served: _View  # only the openings in the person's language
    mixed: bool  # some openings are in the person's language and some are not


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
    issues = [row[2] for row in rows]
    min_issues = [1] * (len(rows) + 1)
    for index in range(len(rows) - 1, -1, -1):
        min_issues[index] = min(min_issues[index + 1], issues[index])
    every = _view([(start, end) for start, end, _, _ in rows])
    mixed = 0 < sum(issues) < len(rows)
    return _Track(
        agency_id=agency_id,
        openings=tuple(row[3] for row in rows),
        ends=[row[1] for row in rows],
        issues=issues,
        min_issues_from=min_issues,
        every=every,
        served=_view([(start, end) for start, end, bad, _ in rows if not bad]) if mixed else every,
        mixed=mixed,
    )


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


_Bound = tuple[int, int, int, tuple[int, ...], tuple[int, ...]]
_Entry = tuple[_Bound, int, _Partial | None, int, int]


def _search(tracks: Sequence[_Track], gap: int, latest: int) -> Iterator[Plan]:
    """Yield feasible plans best first (A* over chronological prefixes)."""
    members_cache: dict[int, tuple[int, ...]] = {}

    def members(remaining: int) -> tuple[int, ...]:
        found = members_cache.get(remaining)
        if found is None:
            found = tuple(i for i in range(len(tracks)) if remaining >> i & 1)
            members_cache[remaining] = found
        return found

    def outlook(end: int, remaining: int) -> tuple[int, int, int] | None:
        """Bound the completions after `end`: (issues, last end, time after `end`).

        The last two only bound completions with exactly that many issues, which
        is all the ranking needs, and keeps the bound tight when the language is
        only served late in the day. None means no completion fits at all.
        """
        chosen = members(remaining)
        if not chosen:
            return 0, end, 0
        ready = end + gap
        issues = 0
        # "every": any opening may be used; "kept": only ones that add no issue
        # beyond the minimum.
        every_first = kept_first = _NEVER
        every_last = kept_last = end
        every_busy = kept_busy = 0
        for i in chosen:
            track = tracks[i]
            view = track.every
            index = bisect_left(view.starts, ready)
            if index == len(view.starts):
                return None
            first, last, busy = (
                view.starts[index],
                view.min_end_from[index],
                view.min_length_from[index],
            )
            if first < every_first:
                every_first = first
            if last > every_last:
                every_last = last
            every_busy += busy
            if track.min_issues_from[index]:
                issues += 1
            elif track.mixed:
                view = track.served
                index = bisect_left(view.starts, ready)
                first, last = view.starts[index], view.min_end_from[index]
                busy = view.min_length_from[index]
            if first < kept_first:
                kept_first = first
            if last > kept_last:
                kept_last = last
            kept_busy += busy
        changeovers = gap * (len(chosen) - 1)
        every_finish = max(every_last, every_first + every_busy + changeovers)
        if every_finish > latest:
            return None
        kept_finish = max(kept_last, kept_first + kept_busy + changeovers)
        if kept_finish > latest:
            # No completion with the fewest issues fits, so each has one more.
            return issues + 1, every_finish, every_busy + changeovers + gap
        return issues, kept_finish, kept_busy + changeovers + gap

    # Heap entries: (bound, tie, partial, track, index). With track < 0 the entry is
    # the partial itself; otherwise it stands for partial + each of the track's
    # openings from `index` on, so a node never pushes all its children at once.
    # A bound is shaped like Plan.key and never above the key of any plan the entry
    # leads to (a prefix of start times sorts before the full tuple), so the first
    # complete plan popped is the best one left. Runs bound with suffix minima,
    # which lower-bound each member's bound because outlook grows with `end`.
    heap: list[_Entry] = []
    tie = count()
    everyone = (1 << len(tracks)) - 1

    def push_run(parent: _Partial | None, t: int, index: int) -> None:
        track = tracks[t]
        view = track.every
        if index >= len(view.starts):
            return
        remaining = (everyone if parent is None else parent.remaining) & ~(1 << t)
        rest = outlook(view.min_end_from[index], remaining)
        if rest is None:
            return
        issues, finish, after = rest
        issues += track.min_issues_from[index]
        start = view.starts[index]
        if parent is None:
            # The first start is not fixed yet; only lengths bound the time on site.
            bound = (
                issues,
                view.min_length_from[index] + after,
                start,
                (start,),
                (track.agency_id,),
            )
        else:
            bound = (
                parent.issues + issues,
                finish - parent.first_start,
                parent.first_start,
                (*parent.starts, start),
                (*parent.agency_ids, track.agency_id),
            )
        heapq.heappush(heap, (bound, next(tie), parent, t, index))

    def push_pick(parent: _Partial | None, t: int, index: int) -> None:
        track = tracks[t]
        remaining = (everyone if parent is None else parent.remaining) & ~(1 << t)
        end = track.ends[index]
        rest = outlook(end, remaining)
        if rest is None:
            return
        start = track.every.starts[index]
        if parent is None:
            partial = _Partial(
                remaining=remaining,
                first_start=start,
                last_end=end,
                issues=track.issues[index],
                starts=(start,),
                agency_ids=(track.agency_id,),
                picks=(track.openings[index],),
            )
        else:
            partial = _Partial(
                remaining=remaining,
                first_start=parent.first_start,
                last_end=end,
                issues=parent.issues + track.issues[index],
                starts=(*parent.starts, start),
                agency_ids=(*parent.agency_ids, track.agency_id),
                picks=(*parent.picks, track.openings[index]),
            )
        bound = (
            partial.issues + rest[0],
            rest[1] - partial.first_start,
            partial.first_start,
            partial.starts,
            partial.agency_ids,
        )
        heapq.heappush(heap, (bound, next(tie), partial, -1, 0))

    for t in range(len(tracks)):
        push_run(None, t, 0)
    seen: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
    while heap:
        _, _, partial, t, index = heapq.heappop(heap)
        if t >= 0:
            push_pick(partial, t, index)
            push_run(partial, t, index + 1)
            continue
        assert partial is not None
        if partial.remaining:
            ready = partial.last_end + gap
            for t in members(partial.remaining):
                push_run(partial, t, bisect_left(tracks[t].every.starts, ready))
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
) -> list[Plan]:
    """Return the best `limit` plans with one opening per agency, best first."""
    if gap < timedelta(0):
        raise ValueError(f"the gap between appointments cannot be negative, got {gap}")
    if limit <= 0 or not openings:
        return []
    low = None if earliest is None else _micros(earliest)
    high = None if latest is None else _micros(latest)
    tracks = [_track(agency_id, openings[agency_id], low, high) for agency_id in sorted(openings)]
    if any(not track.openings for track in tracks):
        return []
    search = _search(tracks, gap // _MICROSECOND, _NEVER - 1 if high is None else high)
    return list(islice(search, limit))


def plan_day(
    slots: Iterable[SlotState],
    needs: Sequence[Need],
    *,
    language: str | None = None,
    gap: timedelta = DEFAULT_GAP,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 5,
) -> list[Plan]:
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
    return plan_visit(openings, gap=gap, earliest=earliest, latest=latest, limit=limit)
