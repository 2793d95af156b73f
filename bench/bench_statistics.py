"""The statistics dashboard on a year of history; run with `python -m bench.bench_statistics`.

On PostgreSQL (the production database; target: the dashboard for one year with
100,000 visits answers in under 300 ms) and on SQLite for comparison:

1. The demo's reference data and VISITS visits over the last 365 days are generated
   (`consult.demo_history`) and committed; how long that takes is printed, not judged.
2. The first fold of every day into the daily counts, timed once; then ANALYZE on
   PostgreSQL, as autovacuum would do after such a bulk load.
3. The dashboard for the last 365 days as a coordinator sees it (every figure, charts and
   tables rendered, HTTP through the test client), ROUNDS times after WARMUP untimed
   rounds; then the same figures as JSON. Median and 95th percentile are printed.

Log lines are off (WARNING): the event line of each request is not what is measured.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from contextlib import redirect_stderr
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from bench.bench_http import fresh_database, percentile
from bench.bench_messages import postgres_answers
from consult import create_app
from consult.database import atomic
from consult.demo import DEMO_PASSWORD, load_demo
from consult.demo_history import add_history
from consult.extensions import db
from consult.models import StatAppointment, StatVisit, utcnow
from consult.statistics import folding

POSTGRES_URL = os.environ.get(
    "CONSULT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
).strip()
VISITS = int(os.environ.get("CONSULT_BENCH_STATS_VISITS", "100000"))
ROUNDS = 20
WARMUP = 3
COORDINATOR = "koordination@example.org"
YEAR = "/staff/statistics/?period=year"
JSON = "/staff/statistics/figures.json?period=year"


def bench_app(url: str) -> Flask:
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "CONSULT_CHECK_DATABASE": False,
            "CONSULT_LOG_LEVEL": "WARNING",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def build(app: Flask) -> tuple[float, float, int, int]:
    """Schema, demo, history and the first fold: (seconds to generate, to fold, rows)."""
    with app.app_context():
        with redirect_stderr(io.StringIO()):  # Alembic's progress lines
            upgrade()
        with atomic():
            load_demo(history=0)
        started = time.perf_counter()
        with atomic():
            made = add_history(utcnow().date(), visits=VISITS)
        assert made.visits == VISITS, made
        generated = time.perf_counter() - started
        started = time.perf_counter()
        with atomic():
            folding.refresh()
        folded = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            # As autovacuum would soon after a bulk load: without fresh statistics the
            # planner takes the new tables for empty and picks slow plans.
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
        rows = [
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (StatVisit, StatAppointment)
        ]
    return generated, folded, rows[0], rows[1]


def measure(app: Flask, url: str) -> list[float]:
    client = app.test_client()
    signed_in = client.post("/staff/login", data={"email": COORDINATOR, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302, "the coordinator could not sign in"
    times = []
    for round_ in range(WARMUP + ROUNDS):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if round_ >= WARMUP:
            times.append(elapsed)
    return times


def run(database: str, url: str) -> None:
    app = bench_app(url)
    generated, folded, visit_rows, appointment_rows = build(app)
    print(
        f"statistics, {database}: {VISITS:,} visits generated in {generated:.1f} s, "
        f"first fold {folded:.1f} s ({visit_rows:,} visit and {appointment_rows:,} "
        f"appointment count rows)",
        flush=True,
    )
    for label, path in (("dashboard (HTML, charts)", YEAR), ("figures as JSON", JSON)):
        times = measure(app, path)
        print(
            f"statistics, {database}, one year, {label}: median {statistics.median(times):.0f} ms, "
            f"p95 {percentile(times, 95):.0f} ms ({ROUNDS} requests)",
            flush=True,
        )
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    """Print how long the year's dashboard takes with VISITS visits."""
    with tempfile.TemporaryDirectory() as folder:
        if postgres_answers(POSTGRES_URL):
            with fresh_database(Path(folder), postgres_url=POSTGRES_URL) as url:
                run("PostgreSQL", url)
        else:
            print(f"statistics on PostgreSQL: no server at {POSTGRES_URL}")
        with fresh_database(Path(folder), postgres_url="") as url:
            run("SQLite", url)


if __name__ == "__main__":
    main()
