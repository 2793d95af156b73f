"""Time the visit planner over a matrix of day sizes; run with `python -m bench.bench_planner`.

Agencies needed 2, 4, 6, 8 × desks 1, 2, 3 × share booked 0, 20, 60, 80 %, on a day
of 10-minute slots 08:00–18:00 with the default 5-minute changeover gap. Each cell
plans on freshly seeded days; the budget must never be reached. The same matrix then
times the simultaneous search of a case conference (30 minutes, the first 8 times at
which every agency has a desk free at once), with the same targets.

The family case: 2, 3, 4 people who share a Jobcenter appointment (two topics, one of
them for everybody) and each see one agency of their own, planned as one chain
(`consult.planner.family`), with the targets of as many agencies; then the same
people seen apart (`plan_family(apart=True)`: each person's own chain, side by side).

The mediator case: the visit matrix again with a language mediator
(`plan_day_accompanied`) whose free windows are those of three mediators, one of them
already accompanying a visit.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from consult.planner import Need, SlotState, plan_day
from consult.planner.accompanied import Window, free_windows, plan_day_accompanied
from consult.planner.family import plan_family
from consult.planner.simultaneous import meeting_times

SLOT_MINUTES = 10
OPENS = datetime(2025, 3, 12, 8, 0, tzinfo=UTC)
CLOSES = datetime(2025, 3, 12, 18, 0, tzinfo=UTC)
AGENCIES = (2, 4, 6, 8)
DESKS = (1, 2, 3)
BOOKED = (0.0, 0.2, 0.6, 0.8)
# Lengths in minutes of the appointments asked for, agency by agency.
LENGTHS = (20, 30, 20, 10, 20, 15, 30, 10)
RUNS = int(os.environ.get("CONSULT_BENCH_PLANNER_RUNS", "40"))
SECONDS_PER_CELL = 3.0
# Targets (p95, ms) by agencies needed.
TARGETS = {2: 5.0, 4: 5.0, 6: 20.0, 8: 100.0}
PEOPLE = (2, 3, 4)


def target_for(agencies: int) -> float:
    """The target of the smallest matrix row with at least this many agencies."""
    return TARGETS[min(a for a in TARGETS if a >= agencies)]


def at(hour: int, minute: int = 0) -> datetime:
    return OPENS.replace(hour=hour, minute=minute)


# Three mediators: 09:00-13:00 with a visit 10:00-11:00, 12:00-17:00, 08:00-18:00 with two.
GAP = timedelta(minutes=5)
MEDIATOR_WINDOWS: list[Window] = [
    *free_windows((at(9), at(13)), [(at(10), at(11))], GAP),
    (at(12), at(17)),
    *free_windows((at(8), at(18)), [(at(9), at(10, 30)), (at(14), at(15))], GAP),
]


@dataclass(frozen=True)
class Cell:
    """One point of the matrix."""

    agencies: int
    desks: int
    booked: float

    @property
    def needs(self) -> tuple[Need, ...]:
        return tuple(Need(a, LENGTHS[a - 1]) for a in range(1, self.agencies + 1))


def busy_day(cell: Cell, seed: int) -> list[SlotState]:
    """Return a day where each desk-slot is already booked with the cell's probability.

    Odd agencies speak Arabic as well, so some plans carry language issues.
    """
    rng = random.Random(seed)
    slots = []
    slot_id = 0
    step = timedelta(minutes=SLOT_MINUTES)
    for agency_id in range(1, max(AGENCIES) + 1):
        languages = frozenset({"de", "ar"} if agency_id % 2 else {"de"})
        starts = OPENS
        while starts < CLOSES:
            slot_id += 1
            free = frozenset(d for d in range(1, cell.desks + 1) if rng.random() >= cell.booked)
            slots.append(
                SlotState(
                    slot_id=slot_id,
                    session_id=agency_id,
                    agency_id=agency_id,
                    starts_dt=starts,
                    ends_dt=starts + step,
                    free_desks=free,
                    languages=languages,
                )
            )
            starts += step
    return slots


def percentile_95(durations: list[float]) -> float:
    """The 95th percentile, or the one value there is."""
    if len(durations) < 2:
        return durations[0]
    return statistics.quantiles(durations, n=20, method="inclusive")[-1]


def run_cell(
    cell: Cell, language: str, windows: list[Window] | None = None
) -> tuple[list[float], int, int]:
    """Time plan_day (with `windows`: accompanied) on freshly seeded days.

    Returns the durations in ms, the plans found and the budget hits.
    """
    durations: list[float] = []
    found = incomplete = 0
    deadline = time.perf_counter() + SECONDS_PER_CELL
    for seed in range(RUNS):
        slots = busy_day(cell, seed)
        began = time.perf_counter()
        if windows is None:
            plans = plan_day(slots, cell.needs, language=language, limit=5)
        else:
            plans = plan_day_accompanied(slots, cell.needs, windows, language=language, limit=5)
        durations.append((time.perf_counter() - began) * 1000)
        found += len(plans)
        incomplete += not plans.complete
        if time.perf_counter() > deadline:
            break
    return durations, found, incomplete


def run_accompanied_cell(cell: Cell, language: str) -> tuple[list[float], int, int]:
    """Time planning with a language mediator on freshly seeded days."""
    return run_cell(cell, language, MEDIATOR_WINDOWS)


CONFERENCE_MINUTES = 30
CONFERENCE_TIMES = 8


def run_simultaneous_cell(cell: Cell, _language: str) -> tuple[list[float], int, int]:
    """Time the simultaneous search on freshly seeded days; durations in ms, times found."""
    durations: list[float] = []
    found = 0
    agency_ids = [need.agency_id for need in cell.needs]
    deadline = time.perf_counter() + SECONDS_PER_CELL
    for seed in range(RUNS):
        slots = busy_day(cell, seed)
        began = time.perf_counter()
        meetings = meeting_times(slots, agency_ids, CONFERENCE_MINUTES, limit=CONFERENCE_TIMES)
        durations.append((time.perf_counter() - began) * 1000)
        found += len(meetings)
        if time.perf_counter() > deadline:
            break
    return durations, found, 0


def family_of(people: int) -> tuple[dict[int, set[int]], dict[int, int], list[set[int]]]:
    """Agency 1 sees everybody (topic 10, and topic 11 for the first person only); agency
    p + 1 sees person p alone (topic 10 * (p + 1)); topic lengths as the matrix's."""
    agency_topics = {1: {10, 11}} | {p + 1: {10 * (p + 1)} for p in range(1, people + 1)}
    minutes = {
        t: LENGTHS[(t // 10 - 1) % len(LENGTHS)] for ts in agency_topics.values() for t in ts
    }
    each = [{10, 10 * (p + 1)} | ({11} if p == 1 else set()) for p in range(1, people + 1)]
    return agency_topics, minutes, each


def run_family_cell(people: int, cell: Cell, apart: bool = False) -> tuple[list[float], int]:
    """Time plan_family on freshly seeded days; durations in ms and plans found."""
    agency_topics, minutes, each = family_of(people)
    durations: list[float] = []
    found = 0
    deadline = time.perf_counter() + SECONDS_PER_CELL
    for seed in range(RUNS):
        slots = busy_day(cell, seed)
        began = time.perf_counter()
        plans = plan_family(
            slots, agency_topics, minutes, each, language="ar", limit=5, apart=apart
        )
        durations.append((time.perf_counter() - began) * 1000)
        found += len(plans)
        if time.perf_counter() > deadline:
            break
    return durations, found


def family_rows(apart: bool = False) -> int:
    """Print the family case (seen `apart`, or together); how many cells missed their target."""
    how = "seen apart" if apart else "together"
    print(f"family case {how} (ms; a shared Jobcenter appointment and one agency each)")
    print("  people desks booked   median      p95  runs  plans  target p95")
    misses = 0
    for people in PEOPLE:
        for desks in DESKS:
            for booked in BOOKED:
                cell = Cell(people + 1, desks, booked)
                durations, found = run_family_cell(people, cell, apart)
                p95, target = percentile_95(durations), target_for(people + 1)
                misses += p95 > target
                print(
                    f"{people:8d} {desks:5d} {booked:5.0%} {statistics.median(durations):8.2f} "
                    f"{p95:8.2f} {len(durations):5d} {found / len(durations):6.1f} "
                    f"{'ok' if p95 <= target else 'MISSED'} (<{target:.0f})"
                )
    return misses


def main() -> None:
    """Print median and p95 time per cell of the matrix, for visits, then for conferences."""
    misses = matrix("planner matrix (ms; language ar, every other agency speaks it)", run_cell)
    misses += matrix(
        "planner matrix with a language mediator (ms; three mediators' free windows)",
        run_accompanied_cell,
    )
    misses += matrix(
        f"simultaneous search matrix (ms; case conference of {CONFERENCE_MINUTES} minutes, "
        f"first {CONFERENCE_TIMES} times)",
        run_simultaneous_cell,
    )
    misses += family_rows()
    misses += family_rows(apart=True)
    print(f"planner matrices: {misses} cells over target or out of budget")


def matrix(title: str, run: Callable[[Cell, str], tuple[list[float], int, int]]) -> int:
    """Print one matrix; the number of cells over their target."""
    print(title)
    print("agencies desks booked   median      p95  runs  found  budget hit  target p95")
    misses = 0
    for agencies in AGENCIES:
        for desks in DESKS:
            for booked in BOOKED:
                cell = Cell(agencies, desks, booked)
                durations, found, incomplete = run(cell, "ar")
                runs = len(durations)
                p95 = percentile_95(durations)
                target = TARGETS[agencies]
                misses += p95 > target or incomplete > 0
                print(
                    f"{agencies:8d} {desks:5d} {booked:5.0%} {statistics.median(durations):8.2f} "
                    f"{p95:8.2f} {runs:5d} {found / runs:6.1f} {incomplete:11d} "
                    f"{'ok' if p95 <= target else 'MISSED'} (<{target:.0f})"
                )
    print(f"{title.split(' (')[0]}: {misses} cells over target or out of budget")
    return misses


if __name__ == "__main__":
    main()
