"""Plan a visit that a language mediator accompanies: the whole chain inside their free time.

A mediator goes with the person from the first appointment to the last, so a plan
with a mediator must fit wholly inside one of the mediator's free windows (their
hours at the day, less the visits they already accompany, with the changeover gap).
Several mediators give several windows, which may overlap; a plan is offered when
it fits one of them. The search stays exact: the best plans of the union are among
the best plans of each window, so one exact search per window and a merge suffice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from time import thread_time

from consult.planner import DEFAULT_BUDGET, DEFAULT_GAP, plan_visit
from consult.planner.openings import openings_by_need
from consult.planner.values import Need, Opening, Plan, PlanKey, Plans, SlotState

Window = tuple[datetime, datetime]


def plan_accompanied(
    openings: Mapping[int, Sequence[Opening]],
    windows: Iterable[Window],
    *,
    gap: timedelta = DEFAULT_GAP,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 5,
    budget: timedelta = DEFAULT_BUDGET,
) -> Plans:
    """Return the best `limit` plans that each fit wholly inside one of the `windows`."""
    found: dict[PlanKey, Plan] = {}
    complete = True
    began = thread_time()
    for start, end in _widest(windows):
        low = start if earliest is None else max(start, earliest)
        high = end if latest is None else min(end, latest)
        if high <= low:
            continue
        # One budget for the whole call, shared by the windows' searches.
        left = budget - timedelta(seconds=thread_time() - began)
        if left <= timedelta(0):
            complete = False
            break
        plans = plan_visit(openings, gap=gap, earliest=low, latest=high, limit=limit, budget=left)
        complete &= plans.complete
        for plan in plans:
            found.setdefault(plan.key(), plan)
    # The same plan fits overlapping windows of two mediators: offer it once. As in one
    # search, plans with the same starts at the same agencies are one (the better kept).
    best: dict[tuple, Plan] = {}
    for key in sorted(found):
        best.setdefault((key[3], key[4]), found[key])
    return Plans(list(best.values())[:limit], complete=complete)


def _widest(windows: Iterable[Window]) -> list[Window]:
    """The windows that no other window contains: a contained one adds no plan."""
    ordered = sorted(set(windows), key=lambda w: (w[0], -w[1].timestamp()))
    kept: list[Window] = []
    for window in ordered:
        if not kept or window[1] > max(end for _, end in kept):
            kept.append(window)
    return kept


def plan_day_accompanied(
    slots: Iterable[SlotState],
    needs: Sequence[Need],
    windows: Iterable[Window],
    *,
    language: str | None = None,
    gap: timedelta = DEFAULT_GAP,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    limit: int = 5,
    budget: timedelta = DEFAULT_BUDGET,
) -> Plans:
    """Like `plan_day`, for a visit a mediator accompanies within one of the `windows`."""
    openings = openings_by_need(slots, needs, language)
    return plan_accompanied(
        openings, windows, gap=gap, earliest=earliest, latest=latest, limit=limit, budget=budget
    )


def free_windows(
    shift: Window, busy: Iterable[Window], gap: timedelta = DEFAULT_GAP
) -> list[Window]:
    """The parts of a mediator's `shift` left free by the visits they accompany (`busy`).

    Another visit may start no sooner than `gap` after one ends and end no later than
    `gap` before one starts, as between the appointments of one visit.
    """
    free: list[Window] = []
    cursor, end = shift
    for busy_start, busy_end in sorted(busy):
        if busy_start - gap > cursor:
            free.append((cursor, min(busy_start - gap, end)))
        cursor = max(cursor, busy_end + gap)
        if cursor >= end:
            break
    if cursor < end:
        free.append((cursor, end))
    return [(a, b) for a, b in free if b > a]


def fits_shift(
    shift: Window, busy: Iterable[Window], visit: Window, gap: timedelta = DEFAULT_GAP
) -> bool:
    """Whether a visit from `visit[0]` to `visit[1]` fits one of the mediator's free windows."""
    return any(a <= visit[0] and visit[1] <= b for a, b in free_windows(shift, busy, gap))
