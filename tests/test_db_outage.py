"""A database that cannot be reached or is busy: 503 with Retry-After, never 500, no lost visit."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from markupsafe import escape
from psycopg import errors as pg_errors
from sqlalchemy import exc as sa_exc
from werkzeug.serving import make_server

from consult.extensions import db
from consult.http_errors import RETRY_AFTER_SECONDS
from consult.models import Appointment, Role, Seat, Visit
from tests.conftest import IN_CI, POSTGRES_URL, booking_bodies, make_app
from tests.factories import PASSWORD, create_staff
from tests.support import count

MESSAGE = "The service is busy or briefly unavailable. Please try again in a moment."


def in_german(app: Flask, message: str) -> str:
    with app.test_request_context(), force_locale("de"):
        return gettext(message)


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)


# --- SQLite whose file cannot be opened --------------------------------------------------


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on SQLite in a folder of its own; a crash answers 500 as in production."""
    folder = tmp_path / "database"
    folder.mkdir()
    app = make_app(f"sqlite:///{folder}/consult.sqlite3", PROPAGATE_EXCEPTIONS=False)
    yield app
    with app.app_context():
        db.engine.dispose()


@contextlib.contextmanager
def database_gone(app: Flask) -> Iterator[None]:
    """No connection to the database can be opened in the block: its folder is moved away."""
    with app.app_context():
        folder = Path(db.engine.url.database).parent
        db.engine.dispose()  # an open connection would keep the moved file
    away = folder.rename(folder.with_name("moved-away"))
    try:
        yield
    finally:
        with app.app_context():
            db.engine.dispose()
        away.rename(folder)


def german_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    return client


def test_the_api_answers_503_in_the_persons_language_and_recovers(sqlite_app: Flask) -> None:
    body = booking_bodies(sqlite_app)[0]
    client = german_client(sqlite_app)
    german = in_german(sqlite_app, MESSAGE)

    with database_gone(sqlite_app):
        answers = [
            client.get("/api/v1/topics"),
            client.get("/api/v1/visits/7KQ2-MX4D-9TPA"),
            client.post("/api/v1/visits", json=body, headers={"Idempotency-Key": "k1"}),
            client.post("/api/v1/visits", json=body),
        ]

    for response in answers:
        assert_unavailable(response)
        assert response.json == {
            "message": german,
            "request_id": response.headers["X-Request-ID"],
        }
    assert client.get("/api/v1/topics").status_code == 200
    assert client.post("/api/v1/visits", json=body).status_code == 201


def test_pages_answer_503_in_the_persons_language(sqlite_app: Flask) -> None:
    client = german_client(sqlite_app)

    with database_gone(sqlite_app):
        page = client.get("/")

    assert_unavailable(page)
    html = page.get_data(as_text=True)
    assert str(escape(in_german(sqlite_app, MESSAGE))) in html
    assert '<html lang="de"' in html


def test_a_signed_in_staff_member_gets_the_503_page(sqlite_app: Flask) -> None:
    with sqlite_app.app_context():
        create_staff(Role.COORDINATOR, email="desk@example.org")
        db.session.commit()
    client = sqlite_app.test_client()
    login = {"email": "desk@example.org", "password": PASSWORD}
    signed_in = client.post("/staff/login", data=login)
    assert signed_in.status_code == 302
    client.get("/lang/de")

    with database_gone(sqlite_app):
        page = client.get("/staff/")

    assert_unavailable(page)
    assert str(escape(in_german(sqlite_app, MESSAGE))) in page.get_data(as_text=True)


# --- which errors mean "try again" -------------------------------------------------------


def sqlite_busy(tmp_path: Path) -> sqlite3.Error:
    """A real "database is locked" from SQLite: another connection holds the write lock."""
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, timeout=0)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(sqlite3.OperationalError, match="database is locked") as caught:
            other.execute("SELECT 1 FROM sqlite_master")
    finally:
        other.close()
        holder.close()
    return caught.value


def sqlite_missing_table() -> sqlite3.Error:
    """SQLite reports a mistake in a statement as OperationalError too."""
    connection = sqlite3.connect(":memory:")
    try:
        with pytest.raises(sqlite3.OperationalError, match="no such table") as caught:
            connection.execute("SELECT * FROM nowhere")
    finally:
        connection.close()
    return caught.value


def wrapped(kind: type[sa_exc.DBAPIError], cause: Exception) -> sa_exc.DBAPIError:
    return kind("SELECT 1", {}, cause)


TRANSIENT: dict[str, Callable[[Path], Exception]] = {
    "sqlite busy": lambda tmp: wrapped(sa_exc.OperationalError, sqlite_busy(tmp)),
    "lock timeout": lambda tmp: wrapped(
        sa_exc.OperationalError,
        pg_errors.LockNotAvailable("canceling statement due to lock timeout"),
    ),
    "statement cancelled": lambda tmp: wrapped(
        sa_exc.OperationalError, pg_errors.QueryCanceled("canceling statement due to timeout")
    ),
    "admin shutdown": lambda tmp: wrapped(
        sa_exc.OperationalError,
        pg_errors.AdminShutdown("terminating connection due to administrator command"),
    ),
    "connection refused": lambda tmp: wrapped(
        sa_exc.OperationalError, psycopg.OperationalError("connection failed: Connection refused")
    ),
    "connection closed": lambda tmp: wrapped(
        sa_exc.InterfaceError, psycopg.InterfaceError("the connection is closed")
    ),
    "pool disconnect": lambda tmp: sa_exc.DisconnectionError("ping failed"),
    "pool exhausted": lambda tmp: sa_exc.TimeoutError("QueuePool limit reached"),
}
FAULTY: dict[str, Callable[[Path], Exception]] = {
    "unique violation": lambda tmp: wrapped(
        sa_exc.IntegrityError, pg_errors.UniqueViolation("duplicate key")
    ),
    "undefined table": lambda tmp: wrapped(
        sa_exc.ProgrammingError, pg_errors.UndefinedTable('relation "x" does not exist')
    ),
    "bad value": lambda tmp: wrapped(
        sa_exc.DataError, pg_errors.InvalidTextRepresentation("invalid input syntax")
    ),
    "sqlite missing table": lambda tmp: wrapped(sa_exc.OperationalError, sqlite_missing_table()),
    "program limit": lambda tmp: wrapped(
        sa_exc.OperationalError, pg_errors.ProgramLimitExceeded("index row size exceeds")
    ),
}
PATHS = ["/api/v1/topics", "/"]  # the API's handlers and the pages'; both load the topics


@pytest.fixture
def answer_when_raising(
    sqlite_app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[[Callable[[Path], Exception], str], Any]:
    """Ask for `path` while loading the topics raises the error that `make_error` makes."""

    def answer(make_error: Callable[[Path], Exception], path: str) -> Any:
        error = make_error(tmp_path)

        def broken() -> list:
            raise error

        monkeypatch.setattr("consult.itineraries.load_active_topics", broken)
        return sqlite_app.test_client().get(path, headers={"Accept-Language": "en"})

    return answer


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("make_error", TRANSIENT.values(), ids=TRANSIENT.keys())
def test_an_unreachable_or_busy_database_is_a_503(answer_when_raising, make_error, path) -> None:
    response = answer_when_raising(make_error, path)

    assert_unavailable(response)
    assert MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("make_error", FAULTY.values(), ids=FAULTY.keys())
def test_a_mistake_in_a_statement_stays_a_500(answer_when_raising, make_error, path) -> None:
    response = answer_when_raising(make_error, path)

    assert response.status_code == 500
    assert "Retry-After" not in response.headers


# --- a booking is answered 201 only once it is stored ------------------------------------


def test_a_booking_whose_commit_fails_is_503_and_stores_nothing(
    app_factory: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = app_factory(PROPAGATE_EXCEPTIONS=False)
    body = booking_bodies(app)[0]
    with app.app_context():
        dialect = db.engine.dialect
    if dialect.name == "sqlite":
        lost = sqlite_busy(tmp_path)
    else:
        lost = psycopg.OperationalError("server closed the connection unexpectedly")

    def failing_commit(dbapi_connection: Any) -> None:
        raise lost

    monkeypatch.setattr(dialect, "do_commit", failing_commit)
    response = app.test_client().post(
        "/api/v1/visits", json=body, headers={"Idempotency-Key": "retry-me"}
    )
    monkeypatch.undo()

    assert_unavailable(response)
    with app.app_context():
        assert (count(Visit), count(Appointment), count(Seat)) == (0, 0, 0)
    retried = app.test_client().post(
        "/api/v1/visits", json=body, headers={"Idempotency-Key": "retry-me"}
    )
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers


def test_nothing_is_asked_of_the_database_after_a_booking_commits(
    app_factory: Callable[..., Flask],
) -> None:
    app = app_factory()
    body = booking_bodies(app)[0]
    committed = threading.Event()
    after_commit: list[str] = []
    with app.app_context():
        engine = db.engine

    def on_commit(connection: Any) -> None:
        committed.set()

    def on_statement(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if committed.is_set():
            after_commit.append(statement)

    sa.event.listen(engine, "commit", on_commit)
    sa.event.listen(engine, "before_cursor_execute", on_statement)
    try:
        response = app.test_client().post("/api/v1/visits", json=body)
    finally:
        sa.event.remove(engine, "commit", on_commit)
        sa.event.remove(engine, "before_cursor_execute", on_statement)

    assert response.status_code == 201
    assert committed.is_set()
    assert after_commit == []
    assert response.json["visit"]["appointments"][0]["status"] == "booked"


# --- PostgreSQL: a lock that is not released ----------------------------------------------

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="needs CONSULT_TEST_POSTGRES_URL")


@pytest.mark.postgres
@needs_postgres
def test_postgres_statements_wait_at_most_5_s_for_a_lock(postgres_schema: str) -> None:
    app = make_app(postgres_schema)
    with app.app_context():
        try:
            assert db.session.scalar(sa.text("SHOW lock_timeout")) == "5s"
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgres
@needs_postgres
def test_a_booking_stuck_behind_a_lock_is_503_until_the_lock_is_gone(
    postgres_schema: str,
) -> None:
    app = make_app(
        postgres_schema,
        PROPAGATE_EXCEPTIONS=False,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": "-c lock_timeout=300ms"}},
    )
    body = booking_bodies(app)[0]
    holder = sa.create_engine(postgres_schema)
    client = app.test_client()
    headers = {"Idempotency-Key": "behind-a-lock"}
    try:
        with holder.begin() as connection:  # a writer stuck while holding the day
            connection.execute(
                sa.text("SELECT id FROM consultation_day WHERE id = :id FOR UPDATE"),
                {"id": body["day_id"]},
            )
            started = clock.monotonic()
            stuck = client.post("/api/v1/visits", json=body, headers=headers)
            waited = clock.monotonic() - started
        booked = client.post("/api/v1/visits", json=body, headers=headers)
    finally:
        holder.dispose()

    assert_unavailable(stuck)
    assert waited < 5
    assert booked.status_code == 201
    assert "Idempotent-Replayed" not in booked.headers
    with app.app_context():
        assert count(Visit) == 1
        db.session.remove()
        db.engine.dispose()


# --- PostgreSQL restarted under load -------------------------------------------------------


def postgres_programs() -> Path | None:
    """The folder of initdb and pg_ctl, newest version first (Debian keeps them off PATH)."""
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    for folder in sorted(versions, key=lambda p: int(p.parent.name), reverse=True):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    """A PostgreSQL cluster of one test: its own folder, port and socket."""

    programs: Path
    folder: Path
    port: int
    as_owner: tuple[str, ...]  # PostgreSQL will not run as root

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, program: str, *args: str) -> None:
        command = [*self.as_owner, str(self.programs / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(command)}: {done.stdout}{done.stderr}\n{tail}")

    def pg_ctl(self, action: str, *args: str) -> None:
        data, log = str(self.folder / "data"), str(self.folder / "server.log")
        self.run("pg_ctl", action, "-D", data, "-l", log, "-w", "-t", "30", *args)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.pg_ctl("start", "-o", options)

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode)


@pytest.fixture
def private_postgres() -> Iterator[Cluster]:
    """A fresh PostgreSQL cluster on a free port, stopped and removed afterwards."""
    programs = postgres_programs()
    if programs is None:
        message = "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="consult-pg-"))
    as_owner: tuple[str, ...] = ()
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_owner = ("runuser", "-u", "postgres", "--")
    cluster = Cluster(programs, folder, free_port(), as_owner)
    try:
        cluster.run(
            "initdb",
            *("-D", str(folder / "data"), "-U", "postgres", "-A", "trust"),
            *("-E", "UTF8", "--no-locale", "--no-sync"),
        )
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Answer:
    key: str
    status: int | None  # None: no HTTP answer at all
    retry_after: str | None = None
    reference: str | None = None
    replayed: bool = False
    detail: str = ""


def post_booking(port: int, body: dict[str, Any], key: str) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/api/v1/visits",
            json.dumps(body),
            {"Content-Type": "application/json", "Idempotency-Key": key},
        )
        response = connection.getresponse()
        payload = response.read()
    except OSError as error:
        return Answer(key, None, detail=repr(error))
    finally:
        connection.close()
    parsed = json.loads(payload) if response.status in (201, 409, 503) else {}
    return Answer(
        key,
        response.status,
        retry_after=response.getheader("Retry-After"),
        reference=parsed.get("reference"),
        replayed=response.getheader("Idempotent-Replayed") == "true",
        detail=payload.decode(errors="replace")[:300],
    )


MAX_REQUESTS = 300
DEADLINE_SECONDS = 45
CLIENTS = 6
RETRY_PAUSE = 0.2  # shorter than Retry-After, to keep the test short
BATCH = 25  # bookings before the first restart and after each


@pytest.mark.postgres
def test_a_postgres_restart_under_load_answers_201_or_503_and_loses_no_booking(
    private_postgres: Cluster,
) -> None:
    url = private_postgres.url
    schema = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    db.metadata.create_all(schema)
    schema.dispose()
    app = make_app(url, PROPAGATE_EXCEPTIONS=False)
    bodies = booking_bodies(app, ends=time(11, 40), desks=50)  # 8 slots of 50 desks
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()

    answers: list[Answer] = []
    lock = threading.Lock()
    done = threading.Event()
    deadline = clock.monotonic() + DEADLINE_SECONDS

    def send(body: dict[str, Any], key: str) -> Answer | None:
        with lock:
            if len(answers) >= MAX_REQUESTS or clock.monotonic() > deadline:
                return None
        answer = post_booking(server.server_port, body, key)
        with lock:
            answers.append(answer)
        return answer

    def client(n: int) -> None:
        for i in range(MAX_REQUESTS):
            if done.is_set():
                return
            body, key = bodies[(n + i) % len(bodies)], f"client-{n}-{i}"
            answer = send(body, key)
            # After a 503 the client asks again with the same key until it hears more.
            while answer is not None and answer.status == 503:
                clock.sleep(RETRY_PAUSE)
                answer = send(body, key)
            if answer is None:
                return

    def when(condition: Callable[[list[Answer]], bool]) -> None:
        while clock.monotonic() < deadline:
            with lock:
                if condition(answers):
                    return
            clock.sleep(0.05)

    def booked(since: int) -> Callable[[list[Answer]], bool]:
        return lambda seen: sum(a.status == 201 for a in seen[since:]) >= BATCH

    clients = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    mark = 0  # where the answers after the last restart begin
    try:
        for thread in clients:
            thread.start()
        when(booked(0))
        private_postgres.restart()
        with lock:
            mark = len(answers)
        when(booked(mark))
        private_postgres.stop()
        clock.sleep(1)  # long enough that requests find nobody listening
        private_postgres.start()
        with lock:
            mark = len(answers)
        when(booked(mark))
    finally:
        done.set()
        for thread in clients:
            thread.join(timeout=60)
        server.shutdown()
        server.server_close()
        serving.join(timeout=10)

    with app.app_context():
        stored = dict(db.session.execute(sa.select(Visit.reference, Visit.idempotency_key)).all())
        visits, appointments, seats = count(Visit), count(Appointment), count(Seat)
        db.session.remove()
        db.engine.dispose()

    unavailable = [a for a in answers if a.status == 503]
    replayed = sum(a.replayed for a in answers)
    print(f"{len(answers)} answers, {len(unavailable)} 503, {replayed} replayed, {visits} stored")
    unexpected = [a for a in answers if a.status not in (201, 409, 503)]
    assert unexpected == [], unexpected[:5]
    assert unavailable, "no request met the restarts: the test proved nothing"
    assert all(a.retry_after == str(RETRY_AFTER_SECONDS) for a in unavailable)
    assert sum(a.status == 201 for a in answers[mark:]) >= BATCH, "no recovery after the restart"
    # Every 201 is stored under its key, whether it booked the visit or found it booked.
    created = {a.reference: a.key for a in answers if a.status == 201}
    assert {reference: stored.get(reference) for reference in created} == created
    # Every stored visit is one that was asked for, once (the key is unique), and whole.
    assert set(stored.values()) <= {a.key for a in answers}
    assert visits == len(stored) == appointments == seats
