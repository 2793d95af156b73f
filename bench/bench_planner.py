"""Time the visit planner over a matrix of day sizes; run with `python -m bench.bench_planner`.

Agencies needed 2, 4, 6, 8 × desks 1, 2, 3 × share booked 0, 20, 60, 80 %, on a day
of 10-minute slots 08:00–18:00 with the default 5-minute changeover gap. Each cell
plans on freshly seeded days; the budget must never be reached. Each cell is timed
twice: alone, and with a language mediator (`plan_day_accompanied`) whose free windows
are those of three mediators, one of them already accompanying a visit.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from consult.planner import Need, SlotState, plan_day
from consult.planner.accompanied import Window, free_windows, plan_day_accompanied

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


def main() -> None:
    """Print median and p95 planning time per cell of the matrix."""
    print("planner matrix (ms; language ar, every other agency speaks it)")
    print("agencies desks booked mediator   median      p95  runs  plans  budget hit  target p95")
    misses = 0
    for agencies in AGENCIES:
        for desks in DESKS:
            for booked in BOOKED:
                cell = Cell(agencies, desks, booked)
                for windows in (None, MEDIATOR_WINDOWS):
                    durations, found, incomplete = run_cell(cell, "ar", windows)
                    runs = len(durations)
                    p95 = percentile_95(durations)
                    target = TARGETS[agencies]
                    misses += p95 > target or incomplete > 0
                    print(
                        f"{agencies:8d} {desks:5d} {booked:5.0%} {'yes' if windows else 'no':>8} "
                        f"{statistics.median(durations):8.2f} {p95:8.2f} {runs:5d} "
                        f"{found / runs:6.1f} {incomplete:11d} "
                        f"{'ok' if p95 <= target else 'MISSED'} (<{target:.0f})"
                    )
    print(f"planner matrix: {misses} cells over target or out of budget")


if __name__ == "__main__":
    main()
