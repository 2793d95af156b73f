"""Plans over HTTP under gunicorn, beside the peer app; run with `python -m bench.bench_http`.

The peer is django-appointment with its own harness in ../shared/peers/django-appointment
(see its README.md). Both apps get the peer's busy day: 8 agencies with one desk each,
10-minute slots 08:00–18:00, the same 60 % of the slots booked (seed_plan.json of the
peer's seed.py). consult books them through `book_visit`, one visit per booked slot.

Each round runs the peer's own HTTP benchmark (its gunicorn, its available-slots AJAX
endpoint, one agency's day per request), then consult under gunicorn (2 sync workers,
production settings) driven by the peer's client in external mode: the plans API with
4 of the 8 topics per request (all 70 combinations, in turn) and the public day page
with the same topics. Peer and consult alternate (A/B/A/B). Without the peer's venv,
consult alone is measured with the small client below, which works the same way:
closed loop, N threads, a new connection per request, bounded in time and count.

Knobs: CONSULT_BENCH_HTTP_ROUNDS (2), CONSULT_BENCH_HTTP_DURATION (seconds per level, 10),
CONSULT_BENCH_HTTP_LEVELS (1,8,32); CONSULT_BENCH_POSTGRES_URL runs consult on a fresh
PostgreSQL database made next to the one named (the peer follows its own PEER_DB_URL).
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as clock
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from consult import create_app
from consult.days import Hours, add_session
from consult.extensions import db
from consult.models import (
    Agency,
    ConsultationDay,
    DayStatus,
    Location,
    Seat,
    Session,
    Slot,
    Topic,
    today_in,
)
from consult.visits import BookingRequest, Contact, book_visit

ROOT = Path(__file__).resolve().parent.parent
PEER_DIR = ROOT.parent / "shared" / "peers" / "django-appointment"
PEER_PYTHON = Path("/tmp/peer-venv/bin/python")
PEER_STATE = Path(os.environ.get("PEER_STATE_DIR", "/tmp/peer-django-appointment"))
# The peer's migrations are generated, not shipped; its folder may be read-only, so they
# are generated here instead and its settings are pointed at them.
PEER_OVERLAY = PEER_STATE / "overlay"
PEER_NOISE = "django-q is not in INSTALLED_APPS"

ROUNDS = int(os.environ.get("CONSULT_BENCH_HTTP_ROUNDS", "2"))
DURATION = float(os.environ.get("CONSULT_BENCH_HTTP_DURATION", "10"))
LEVELS = tuple(int(n) for n in os.environ.get("CONSULT_BENCH_HTTP_LEVELS", "1,8,32").split(","))
POSTGRES_URL = os.environ.get("CONSULT_BENCH_POSTGRES_URL", "").strip()
REDIS = ("127.0.0.1", 6379, 15)

WARMUP_SECONDS = 2.0  # at 2 threads before the levels, discarded (as the peer's client does)
MAX_REQUESTS = 200_000  # per level
REQUEST_TIMEOUT = 30.0
WORKERS = 2
TOPICS_PER_REQUEST = 4
SEED = 20240521
SLOT_MINUTES = 10
OPENS, CLOSES = clock(8, 0), clock(18, 0)
STAFF = 8
BOOKED_PER_STAFF = 36
# A response counts only with HTTP 200 and at least one plan in it.
API_OK = '"token"'
PAGE_OK = 'class="card plan"'
PEER_LABEL = "peer available slots, 1 agency"
API_LABEL = "consult plans API, 4 agencies"
PAGE_LABEL = "consult day page, 4 agencies"
NOT_MODIFIED_LABEL = "consult plans API 304"


class BenchStopped(Exception):
    """The benchmark cannot go on; the message says why."""


@dataclass(frozen=True)
class SeedPlan:
    """The peer's busy day: its date and, per staff member, the booked local start times."""

    day: date
    booked: dict[str, list[str]]
    source: str

    @property
    def digest(self) -> str:
        """The peer's fingerprint of the booked times (seed.py: sha256_12)."""
        text = json.dumps(self.booked, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Level:
    """What one level of concurrent clients achieved."""

    threads: int
    rps: float
    median_ms: float | None
    p95_ms: float | None
    ok: int
    errors: int
    busy_pct: float | None = None
    samples: tuple[str, ...] = ()


@dataclass
class Results:
    """Levels per round for each thing measured, in the order measured."""

    runs: dict[str, list[list[Level]]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, levels: list[Level]) -> None:
        self.runs.setdefault(label, []).append(levels)


@dataclass(frozen=True)
class Seeded:
    day_id: int
    topic_ids: tuple[int, ...]
    seconds: float


@dataclass(frozen=True)
class _Wish:
    session_id: int
    slot_ids: tuple[int, ...]


# ---------------------------------------------------------------- the peer


def peer_installed() -> bool:
    return PEER_PYTHON.exists() and (PEER_DIR / "bench_http.py").exists()


def _peer_env() -> dict[str, str]:
    """The environment for the peer's scripts; generates its migrations when it has none."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")  # no __pycache__ in the peer's folder
    if (PEER_DIR / "peer_migrations" / "appointment" / "0001_initial.py").exists():
        return env
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PEER_OVERLAY), env.get("PYTHONPATH")]))
    env["DJANGO_SETTINGS_MODULE"] = "peer_overlay_settings"
    package = PEER_OVERLAY / "peer_overlay_migrations"
    if (package / "appointment" / "0001_initial.py").exists():
        return env
    (package / "appointment").mkdir(parents=True, exist_ok=True)
    for init in (package / "__init__.py", package / "appointment" / "__init__.py"):
        init.touch()
    (PEER_OVERLAY / "peer_overlay_settings.py").write_text(
        "# The peer's settings, with its generated migrations kept outside its folder.\n"
        "from peerproj.settings import *  # noqa: F401,F403\n\n"
        'MIGRATION_MODULES = {"appointment": "peer_overlay_migrations.appointment"}\n'
    )
    print(f"peer: no generated migrations in its folder; making them under {PEER_OVERLAY}")
    _run_peer(["manage.py", "makemigrations", "appointment"], env, timeout=120, quiet=True)
    return env


def _run_peer(args: list[str], env: dict[str, str], timeout: float, quiet: bool = False) -> str:
    """Run one of the peer's scripts with its venv; stream its lines; return its output."""
    command = [str(PEER_PYTHON), *args]
    process = subprocess.Popen(
        command,
        cwd=PEER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    # SIGINT lets the peer's script stop the gunicorn it started; SIGKILL if it hangs.
    interrupt = threading.Timer(timeout, process.send_signal, (signal.SIGINT,))
    kill = threading.Timer(timeout + 20, process.kill)
    interrupt.start()
    kill.start()
    lines = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if PEER_NOISE in line:
                continue
            lines.append(line)
            if not quiet:
                print(f"    | {line.rstrip()}", flush=True)
        process.wait(timeout=30)
    finally:
        interrupt.cancel()
        kill.cancel()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    output = "".join(lines)
    if process.returncode != 0:
        tail = "".join(lines[-5:]).strip()
        raise BenchStopped(f"peer {' '.join(args)} exited with {process.returncode}: {tail}")
    return output


def _saved_json(output: str) -> dict:
    """The results file the peer's bench_http.py names on its last `saved …` line."""
    saved = [line.split(" ", 1)[1] for line in output.splitlines() if line.startswith("saved ")]
    if not saved:
        raise BenchStopped("the peer's bench_http.py saved no results")
    return json.loads(Path(saved[-1].strip()).read_text())


def _levels_from_peer(results: dict) -> list[Level]:
    return [
        Level(
            threads=item["threads"],
            rps=item["rps"],
            median_ms=item["median_ms"],
            p95_ms=item["p95_ms"],
            ok=item["ok"],
            errors=item["errors"],
            busy_pct=item.get("machine_busy_pct"),
            samples=tuple(item.get("error_samples", ())),
        )
        for item in results["levels"]
    ]


def _client_timeout() -> float:
    return WARMUP_SECONDS + len(LEVELS) * (DURATION + REQUEST_TIMEOUT + 5) + 60


def run_peer(env: dict[str, str]) -> tuple[list[Level], str]:
    """The peer's own benchmark: its gunicorn, its endpoint; returns levels and its database."""
    args = ["bench_http.py", "--levels", ",".join(map(str, LEVELS)), "--duration", str(DURATION)]
    results = _saved_json(_run_peer(args, env, _client_timeout()))
    return _levels_from_peer(results), results.get("db", "?")


def run_peer_client(
    env: dict[str, str], port: int, paths_file: Path, ok: str, label: str, folder: Path
) -> list[Level]:
    """The peer's client in external mode against consult; its results go to `folder`."""
    args = [
        "bench_http.py",
        *("--port", str(port), "--paths-file", str(paths_file), "--ok-substring", ok),
        *("--label", label, "--levels", ",".join(map(str, LEVELS)), "--duration", str(DURATION)),
    ]
    env = dict(env, PEER_STATE_DIR=str(folder))
    return _levels_from_peer(_saved_json(_run_peer(args, env, _client_timeout())))


def _default_day(today: date) -> date:
    """The peer's default: the first Tuesday at least 7 days ahead."""
    day = today + timedelta(days=7)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def regenerated_plan(today: date) -> SeedPlan:
    """The plan the peer's seed.py makes, computed the same way."""
    rng = random.Random(SEED)
    start = OPENS.hour * 60 + OPENS.minute
    booked = {}
    for n in range(1, STAFF + 1):
        indexes = sorted(rng.sample(range(60), BOOKED_PER_STAFF))
        minutes = [start + SLOT_MINUTES * k for k in indexes]
        booked[f"agency{n:02d}"] = [f"{m // 60:02d}:{m % 60:02d}" for m in minutes]
    return SeedPlan(_default_day(today), booked, "regenerated with random.Random(20240521)")


def _read_plan(path: Path) -> SeedPlan | None:
    try:
        data = json.loads(path.read_text())
        return SeedPlan(date.fromisoformat(data["date"]), data["booked"], f"from {path}")
    except (OSError, ValueError, KeyError):
        return None


def seed_plan(today: date, env: dict[str, str] | None) -> SeedPlan:
    """The busy day to seed: the peer's seed_plan.json, seeding the peer first if needed."""
    path = PEER_STATE / "seed_plan.json"
    plan = _read_plan(path)
    if env is not None and (plan is None or plan.day <= today):
        print("peer: seeding its busy day (seed.py)", flush=True)
        _run_peer(["seed.py"], env, timeout=300)
        plan = _read_plan(path)
    if plan is None:
        plan = regenerated_plan(today)
        print(f"no {path}: plan {plan.source}, as the peer's README describes")
    elif plan.day <= today:
        weeks = (today - plan.day).days // 7 + 1
        shifted = plan.day + timedelta(weeks=weeks)
        print(f"{path} is for {plan.day}, in the past: same booked times on {shifted}")
        plan = SeedPlan(shifted, plan.booked, plan.source)
    return plan


# ---------------------------------------------------------------- consult's database


@contextmanager
def fresh_database(folder: Path, postgres_url: str = POSTGRES_URL) -> Iterator[str]:
    """A new empty database, dropped afterwards: SQLite in `folder`, or PostgreSQL."""
    if not postgres_url:
        yield f"sqlite:///{folder / 'consult.sqlite3'}"
        return
    name = f"consult_bench_{uuid.uuid4().hex[:12]}"
    admin_url = make_url(postgres_url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _schema() -> str:
    """Run the migrations; if they fail (a migration being written), fall back to create_all."""
    from flask_migrate import upgrade

    log = io.StringIO()  # Alembic's progress lines; shown only when the migrations fail
    try:
        with redirect_stderr(log):
            upgrade()
        return "migrations"
    # Flask-Migrate turns its own errors into SystemExit; any failure means: start over.
    except (Exception, SystemExit) as error:
        print(log.getvalue(), end="")
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        db.session.rollback()
        everything = sa.MetaData()
        everything.reflect(db.engine)
        everything.drop_all(db.engine)
        db.create_all()
        return f"db.create_all() (the migrations failed: {reason})"


def seed_consult(url: str, plan: SeedPlan) -> Seeded:
    """Create the schema and the peer's busy day; book each booked slot as its own visit."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "CONSULT_CHECK_DATABASE": False, "TESTING": False}
    )
    began = time.perf_counter()
    with app.app_context():
        schema = _schema()
        location = Location(
            slug="bench-hall",
            name="Haus der Beratung",
            street="Breiter Weg 1",
            postcode="39104",
            town="Magdeburg",
            latitude=52.12,
            longitude=11.63,
        )
        day = ConsultationDay(
            location=location, date=plan.day, status=DayStatus.PUBLISHED, title="Busy day"
        )
        db.session.add_all([location, day])
        db.session.flush()
        hours = Hours(OPENS, CLOSES, slot_minutes=SLOT_MINUTES, desks=1)
        topics = {}
        for n, staff in enumerate(sorted(plan.booked), 1):
            agency = Agency(slug=staff, name=f"Agency {n:02d}", short_name=f"A{n:02d}")
            topics[staff] = Topic(
                slug=f"topic-{n:02d}",
                phase=1,
                default_minutes=SLOT_MINUTES,
                position=n,
                names={"en": f"Topic {n:02d}", "de": f"Anliegen {n:02d}"},
                agencies=[agency],
            )
            db.session.add_all([agency, topics[staff]])
            add_session(day, agency, hours, [topics[staff]])
        db.session.commit()

        zone = ZoneInfo(location.timezone)
        rows = db.session.execute(
            sa.select(Agency.slug, Session.id, Slot.id, Slot.starts_dt)
            .join(Session, Session.agency_id == Agency.id)
            .join(Slot, Slot.session_id == Session.id)
            .where(Session.day_id == day.id)
        )
        slots = {
            (slug, starts.astimezone(zone).strftime("%H:%M")): (sid, lid)
            for slug, sid, lid, starts in rows
        }
        day_id = day.id
        topic_ids = {staff: topic.id for staff, topic in topics.items()}
        visits = 0
        for staff, times in sorted(plan.booked.items()):
            for hhmm in times:
                session_id, slot_id = slots[staff, hhmm]
                visits += 1
                contact = Contact(name=f"Client {visits:04d}", language="de")
                wish = _Wish(session_id, (slot_id,))
                book_visit(BookingRequest(day_id, [wish], contact, topic_ids=[topic_ids[staff]]))
        seats = db.session.scalar(sa.select(sa.func.count()).select_from(Seat))
        total = sum(len(times) for times in plan.booked.values())
        if seats != total:
            raise BenchStopped(f"seeding booked {seats} seats, the plan has {total}")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
        db.session.remove()
        db.engine.dispose()
    seconds = time.perf_counter() - began
    print(
        f"consult: {len(slots)} slots of {len(topics)} agencies on {plan.day} ({plan.day:%A}), "
        f"{seats} booked through book_visit, schema by {schema}, in {seconds:.1f} s"
    )
    return Seeded(day_id, tuple(topic_ids[s] for s in sorted(topic_ids)), seconds)


# ---------------------------------------------------------------- consult under gunicorn


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers() -> bool:
    """True when the Redis server for the rate-limit counters answers a PING."""
    try:
        with socket.create_connection(REDIS[:2], timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def rate_limit_storage() -> str:
    if redis_answers():
        return f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS[2]}"
    return "memory://"


def _gunicorn() -> str:
    beside = Path(sys.executable).parent / "gunicorn"
    return str(beside if beside.exists() else ROOT / ".venv" / "bin" / "gunicorn")


@contextmanager
def consult_server(url: str, log_path: Path, limits: str) -> Iterator[int]:
    """consult under gunicorn on 127.0.0.1 with production settings; yields its port."""
    port = free_port()
    env = dict(
        os.environ,
        # Production refuses per-worker (memory://) counters with several workers; the
        # fallback without Redis runs the development settings instead.
        CONSULT_ENV="production" if limits.startswith("redis") else "development",
        CONSULT_SECRET_KEY=secrets.token_hex(32),
        CONSULT_DATABASE_URL=url,
        CONSULT_RATELIMIT_STORAGE_URL=limits,
        PYTHONDONTWRITEBYTECODE="1",
    )
    command = [
        _gunicorn(),
        "consult:create_app()",
        *("--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}"),
        *("--log-level", "warning", "--timeout", "60"),
    ]
    with open(log_path, "ab") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_ready(server, port, log_path)
            yield port
        finally:
            server.send_signal(signal.SIGTERM)  # the master stops its workers
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)  # its own process group
                server.wait(timeout=5)


def _wait_ready(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchStopped(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchStopped(f"consult did not answer within 60 s; see {log_path}")


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    """One GET on a new connection: status, headers (lower-case names), body."""
    connection = HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


# ---------------------------------------------------------------- the fallback client


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks, as the peer's client computes it."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) over all cores from /proc/stat; (0, 0) where there is none."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    total = sum(values[:8])
    return total - values[3] - (values[4] if len(values) > 4 else 0), total


Request = tuple[str, dict[str, str]]


def run_level(
    port: int, requests: Sequence[Request], threads: int, seconds: float, ok: Callable
) -> Level:
    """Closed loop: each thread sends its next request when the last one is answered."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    samples: list[str] = []
    budget = [MAX_REQUESTS]
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def worker(n: int) -> None:
        mine, index = latencies[n], n
        start.wait()
        while time.perf_counter() < stop_at[0]:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            path, headers = requests[index % len(requests)]
            index += threads
            began = time.perf_counter()
            try:
                status, _, body = get(port, path, headers)
                good = ok(status, body)
            except OSError as error:
                good, status, body = False, 0, repr(error).encode()
            if good:
                mine.append((time.perf_counter() - began) * 1000)
            else:
                errors[n] += 1
                if len(samples) < 3:
                    samples.append(f"HTTP {status}: {body[:200].decode('utf-8', 'replace')}")

    pool = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(threads)]
    for thread in pool:
        thread.start()
    cpu_before = _cpu_jiffies()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in pool:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    elapsed = time.perf_counter() - began
    cpu_after = _cpu_jiffies()
    done = [ms for mine in latencies for ms in mine]
    total = cpu_after[1] - cpu_before[1]
    return Level(
        threads=threads,
        rps=round(len(done) / elapsed, 1),
        median_ms=round(statistics.median(done), 2) if done else None,
        p95_ms=round(percentile(done, 95), 2) if done else None,
        ok=len(done),
        errors=sum(errors),
        busy_pct=round(100 * (cpu_after[0] - cpu_before[0]) / total, 1) if total else None,
        samples=tuple(samples),
    )


def run_own_client(port: int, requests: Sequence[Request], ok: Callable) -> list[Level]:
    """Warm up, then every level in turn, printing each as it ends."""
    run_level(port, requests, 2, WARMUP_SECONDS, ok)
    levels = []
    for threads in LEVELS:
        level = run_level(port, requests, threads, DURATION, ok)
        print(f"    | {_figures(level)}", flush=True)
        levels.append(level)
    return levels


def _figures(level: Level) -> str:
    busy = f", machine busy {level.busy_pct:.0f} %" if level.busy_pct is not None else ""
    return (
        f"N={level.threads:>3}: {level.rps:7.1f} req/s  median {_ms(level.median_ms)}  "
        f"p95 {_ms(level.p95_ms)}  ({level.ok} ok, {level.errors} errors{busy})"
    )


def _ms(value: float | None) -> str:
    return f"{value:8.1f} ms" if value is not None else "       - ms"


# ---------------------------------------------------------------- one round of consult


def _paths(seeded: Seeded) -> tuple[list[str], list[str]]:
    """Plans API and day page paths, one per combination of 4 of the 8 topics."""
    combinations = list(itertools.combinations(seeded.topic_ids, TOPICS_PER_REQUEST))
    random.Random(SEED).shuffle(combinations)
    queries = [urlencode([("topic", t) for t in combo]) for combo in combinations]
    api = [f"/api/v1/days/{seeded.day_id}/plans?{q}" for q in queries]
    pages = [f"/day/{seeded.day_id}?{q}" for q in queries]
    return api, pages


def probe(port: int, api: list[str], pages: list[str]) -> dict[str, str]:
    """Check each API path and the first page answer with plans; return ETags by path."""
    etags, bodies = {}, []
    for path in api:
        status, headers, body = get(port, path)
        if status != 200 or API_OK.encode() not in body:
            raise BenchStopped(f"GET {path}: HTTP {status}, no plan: {body[:300]!r}")
        if "etag" in headers:
            etags[path] = headers["etag"]
        bodies.append(body)
    status, _, page = get(port, pages[0])
    if status != 200 or PAGE_OK.encode() not in page:
        raise BenchStopped(f"GET {pages[0]}: HTTP {status}, no plan: {page[:300]!r}")
    print(
        f"  probe: {len(api)} plans API paths answer 200 with plans "
        f"({len(json.loads(bodies[0])['plans'])} plans, {len(bodies[0])} bytes for the first); "
        f"day page {len(page)} bytes; ETag: {'yes' if etags else 'no'}",
        flush=True,
    )
    return etags if len(etags) == len(api) else {}


def consult_round(
    url: str,
    seeded: Seeded,
    folder: Path,
    limits: str,
    env: dict[str, str] | None,
    results: Results,
    round_no: int,
    with_304: bool,
) -> None:
    """Start consult, measure the plans API, the day page and (once) the 304, stop it."""
    api, pages = _paths(seeded)
    files = {}
    for name, paths in (("api", api), ("page", pages)):
        files[name] = folder / f"paths-{name}.txt"
        files[name].write_text("\n".join(paths) + "\n")
    with consult_server(url, folder / "gunicorn.log", limits) as port:
        etags = probe(port, api, pages)
        for label, name, ok in ((API_LABEL, "api", API_OK), (PAGE_LABEL, "page", PAGE_OK)):
            print(f"  {label}, round {round_no} (ok: HTTP 200 with {ok!r})", flush=True)
            if env is not None:
                tag = f"consult-{name}-r{round_no}"
                levels = run_peer_client(env, port, files[name], ok, tag, folder)
            else:
                mark = ok.encode()
                requests = [(p, {}) for p in (api if name == "api" else pages)]
                levels = run_own_client(port, requests, lambda s, b, m=mark: s == 200 and m in b)
            results.add(label, levels)
        if not with_304:
            return
        if not etags:
            print("  plans API 304: no ETag")
            results.notes[NOT_MODIFIED_LABEL] = "no ETag"
            return
        print(f"  {NOT_MODIFIED_LABEL} (If-None-Match: the path's ETag; ok: HTTP 304)")
        requests = [(p, {"If-None-Match": etags[p]}) for p in api]
        results.add(NOT_MODIFIED_LABEL, run_own_client(port, requests, lambda s, b: s == 304))


# ---------------------------------------------------------------- the report


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _summary(rounds: list[list[Level]], threads: int) -> tuple[float, float | None, float | None]:
    chosen = [level for levels in rounds for level in levels if level.threads == threads]
    return (
        _median([level.rps for level in chosen]) or 0.0,
        _median([level.median_ms for level in chosen]),
        _median([level.p95_ms for level in chosen]),
    )


def _ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:5.2f}" if ours is not None and theirs else "    -"


def report(results: Results, database: str, peer_database: str | None) -> None:
    """Per level: req/s, median and p95 for peer and consult, and consult ÷ peer."""
    print(
        f"\nhttp summary: median over rounds; consult on {database}"
        + (f", peer on {peer_database}" if peer_database else ", peer not measured")
        + (
            " (PEER_DB_URL puts it on PostgreSQL)"
            if POSTGRES_URL and peer_database == "sqlite"
            else ""
        )
    )
    peer = results.runs.get(PEER_LABEL)
    for label, rounds in results.runs.items():
        if label == PEER_LABEL:
            continue
        print(f"{label} (rounds: {len(rounds)})" + (f" vs {PEER_LABEL}" if peer else ""))
        for threads in LEVELS:
            rps, median, p95 = _summary(rounds, threads)
            each = " / ".join(f"{lv.rps:.1f}" for r in rounds for lv in r if lv.threads == threads)
            line = (
                f"  N={threads:>3}  consult {rps:7.1f} req/s  median {_ms(median)}  p95 {_ms(p95)}"
            )
            print(f"{line}  (rounds: {each})")
            if peer and label != NOT_MODIFIED_LABEL:
                p_rps, p_median, p_p95 = _summary(peer, threads)
                p_each = " / ".join(
                    f"{lv.rps:.1f}" for r in peer for lv in r if lv.threads == threads
                )
                print(
                    f"         peer    {p_rps:7.1f} req/s  median {_ms(p_median)}  "
                    f"p95 {_ms(p_p95)}  (rounds: {p_each})"
                )
                print(
                    f"         consult/peer: req/s {_ratio(rps, p_rps)}, "
                    f"median {_ratio(median, p_median)}, p95 {_ratio(p95, p_p95)}"
                )
        errors = sum(lv.errors for r in rounds for lv in r)
        if errors:
            first = next((lv.samples for r in rounds for lv in r if lv.samples), ())
            print(f"  {errors} requests not ok, e.g. {first[:1]}")
    if peer:
        errors = sum(lv.errors for r in peer for lv in r)
        if errors:
            print(f"{PEER_LABEL}: {errors} requests not ok")
    for label, note in results.notes.items():
        print(f"{label}: {note}")


def _check_knobs() -> None:
    if not 1 <= ROUNDS <= 10:
        raise BenchStopped("CONSULT_BENCH_HTTP_ROUNDS must be from 1 to 10")
    if not 0.5 <= DURATION <= 120:
        raise BenchStopped("CONSULT_BENCH_HTTP_DURATION must be from 0.5 to 120 seconds")
    if not LEVELS or min(LEVELS) < 1 or max(LEVELS) > 256:
        raise BenchStopped("CONSULT_BENCH_HTTP_LEVELS must be thread counts from 1 to 256")


def run() -> None:
    _check_knobs()
    database = "PostgreSQL" if POSTGRES_URL else "SQLite"
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(
        f"http: plans over gunicorn ({WORKERS} sync workers), {ROUNDS} rounds × levels "
        f"{','.join(map(str, LEVELS))} × {DURATION:g} s, consult on {database}; "
        f"load average {load} before the start"
    )
    env = None
    if peer_installed():
        env = _peer_env()
    else:
        readme = os.path.relpath(PEER_DIR / "README.md", ROOT)
        print(
            f"peer not installed ({PEER_PYTHON} or {PEER_DIR} missing): measuring consult alone "
            f"with bench/bench_http.py's own client; to compare, set the peer up as {readme} says"
        )
    plan = seed_plan(today_in("Europe/Berlin"), env)
    booked = sum(len(times) for times in plan.booked.values())
    print(f"busy day: {plan.day}, {booked} booked slots, plan {plan.digest} {plan.source}")
    limits = rate_limit_storage()
    print(
        f"rate-limit counters: {limits}"
        + (
            ""
            if limits.startswith("redis")
            else " (Redis on 127.0.0.1:6379 does not answer: development settings)"
        )
    )
    results = Results()
    peer_database = None
    with tempfile.TemporaryDirectory(prefix="consult-bench-http-") as name:
        folder = Path(name)
        with fresh_database(folder) as url:
            seeded = seed_consult(url, plan)
            for round_no in range(1, ROUNDS + 1):
                if env is not None:
                    print(f"[round {round_no}/{ROUNDS}] {PEER_LABEL} (its bench_http.py)")
                    levels, peer_database = run_peer(env)
                    results.add(PEER_LABEL, levels)
                print(f"[round {round_no}/{ROUNDS}] consult", flush=True)
                consult_round(
                    url, seeded, folder, limits, env, results, round_no, round_no == ROUNDS
                )
    report(results, database, peer_database)


def main() -> None:
    """Measure the peer and consult over HTTP, alternating, and print the comparison."""
    try:
        run()
    except BenchStopped as error:
        print(f"http bench stopped: {error}")


if __name__ == "__main__":
    main()
