"""Time the visit planner on busy consultation days; run with `python -m bench.bench_planner`."""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from consult.planner import Need, SlotState, plan_day

AGENCIES = 8
DESKS = 2
SLOT_MINUTES = 10
OPENS = datetime(2025, 3, 12, 8, 0, tzinfo=UTC)
CLOSES = datetime(2025, 3, 12, 18, 0, tzinfo=UTC)
BOOKED_SHARE = 0.6
RUNS = 200
TIME_BUDGET_SECONDS = 30.0


@dataclass(frozen=True)
class Case:
    """One request to time."""

    name: str
    needs: tuple[Need, ...]
    limit: int = 5


CASES = (
    Case("4 agencies", (Need(1, 20), Need(3, 30), Need(5, 20), Need(7, 10))),
    Case(
        "6 agencies",
        (Need(1, 20), Need(2, 30), Need(3, 20), Need(5, 10), Need(6, 20), Need(8, 15)),
    ),
)


def busy_day(seed: int) -> list[SlotState]:
    """Return a day where each desk-slot is already booked with BOOKED_SHARE probability."""
    rng = random.Random(seed)
    slots = []
    slot_id = 0
    step = timedelta(minutes=SLOT_MINUTES)
    for agency_id in range(1, AGENCIES + 1):
        starts = OPENS
        while starts < CLOSES:
            slot_id += 1
            free = frozenset(d for d in range(1, DESKS + 1) if rng.random() >= BOOKED_SHARE)
            slots.append(
                SlotState(
                    slot_id=slot_id,
                    session_id=agency_id,
                    agency_id=agency_id,
                    starts_dt=starts,
                    ends_dt=starts + step,
                    free_desks=free,
                    languages=frozenset({"de"}),
                )
            )
            starts += step
    return slots


def run_case(case: Case, budget: float) -> tuple[list[float], int]:
    """Time plan_day on freshly seeded days; return durations in ms and plans found."""
    durations: list[float] = []
    found = 0
    deadline = time.perf_counter() + budget
    for seed in range(RUNS):
        slots = busy_day(seed)
        began = time.perf_counter()
        plans = plan_day(slots, case.needs, language="de", limit=case.limit)
        durations.append((time.perf_counter() - began) * 1000)
        found += len(plans)
        if time.perf_counter() > deadline:
            break
    return durations, found


def main() -> None:
    """Print median and p95 planning time per case."""
    for case in CASES:
        durations, found = run_case(case, TIME_BUDGET_SECONDS / len(CASES))
        runs = len(durations)
        p95 = statistics.quantiles(durations, n=20, method="inclusive")[-1] if runs > 1 else 0.0
        print(
            f"planner {case.name}: median {statistics.median(durations):.2f} ms, "
            f"p95 {p95:.2f} ms ({runs} runs), {found / runs:.1f} plans on average"
        )


if __name__ == "__main__":
    main()
