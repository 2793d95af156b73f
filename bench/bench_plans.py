"""`plans_for_day` end to end on the peer's busy day; run with `python -m bench.bench_plans`.

The day of bench_http (8 agencies, one desk each, 10-minute slots 08:00–18:00, 60 %
booked) is seeded on SQLite and, when a server answers, on PostgreSQL. Each request
asks for 4 of the 8 topics (all 70 combinations in turn). "cold" empties the
availability cache before every request, so it measures the two queries and the
planner; "warm" is what an unchanged day costs.
"""

from __future__ import annotations

import itertools
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.bench_http import fresh_database, regenerated_plan, seed_consult
from consult import create_app
from consult.extensions import db
from consult.itineraries import load_topics, plans_for_day
from consult.models import ConsultationDay

POSTGRES_URL = os.environ.get(
    "CONSULT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
).strip()
REQUESTS = 140  # two passes over the 70 combinations


def _percentile_95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def measure(url: str) -> dict[str, list[float]]:
    """Milliseconds per plans_for_day call, with the cache emptied each time and kept."""
    seeded = seed_consult(url, regenerated_plan(datetime.now(UTC).date()))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CONSULT_CHECK_DATABASE": False})
    combinations = list(itertools.combinations(seeded.topic_ids, 4))
    timings: dict[str, list[float]] = {"cold": [], "warm": []}
    with app.test_request_context():
        for kind in ("cold", "warm"):
            for n in range(REQUESTS):
                if kind == "cold":
                    app.extensions.pop("consult.cache.availability", None)
                began = time.perf_counter()
                day = db.session.get_one(ConsultationDay, seeded.day_id)
                topics = load_topics(combinations[n % len(combinations)])
                result = plans_for_day(day, topics, language="de")
                timings[kind].append((time.perf_counter() - began) * 1000)
                assert result.plans, "the busy day must have plans for four topics"
                db.session.rollback()  # a new request starts a new transaction
        db.session.remove()
        db.engine.dispose()
    return timings


def main() -> None:
    """Print median and p95 of plans_for_day per database, cold and warm."""
    with tempfile.TemporaryDirectory() as folder:
        with fresh_database(Path(folder), postgres_url="") as url:
            report("SQLite", measure(url))
        try:
            with fresh_database(Path(folder), postgres_url=POSTGRES_URL) as url:
                report("PostgreSQL", measure(url))
        except sa.exc.OperationalError:
            print(f"plans_for_day on PostgreSQL: no server at {POSTGRES_URL}")


def report(database: str, timings: dict[str, list[float]]) -> None:
    for kind, values in timings.items():
        print(
            f"plans_for_day, 4 of 8 agencies, {database}, {kind}: "
            f"median {statistics.median(values):.2f} ms, p95 {_percentile_95(values):.2f} ms "
            f"({len(values)} requests)"
        )


if __name__ == "__main__":
    main()
