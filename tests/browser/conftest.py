"""Browser tests: the app served on 127.0.0.1 and driven by Playwright in Debian's chromium."""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from consult import create_app
from consult.demo import DEMO_PASSWORD, load_demo
from consult.extensions import db
from tests.conftest import IN_CI, POSTGRES_URL, _test_config, make_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the run; in CI a missing browser fails instead of skipping."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        if IN_CI:
            pytest.fail("Playwright is not installed")
        pytest.skip("Playwright is not installed")
    if not shutil.which(CHROMIUM):
        if IN_CI:
            pytest.fail(f"chromium not found at {CHROMIUM}: apt-get install -y chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    """The app on a free port of 127.0.0.1, in a background thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def text(self, message: str, locale: str, **params: object) -> str:
        """What the person sees for `message` in `locale` (from the shipped catalogs)."""
        with self.app.test_request_context(), force_locale(locale):
            return gettext(message, **params)


# Loading the demo takes seconds; copying a loaded one takes a fraction of one. Each kind
# of database gets one loaded demo per run (a file, or a PostgreSQL template database),
# and every demo server starts from a copy of it.
_TEMPLATES: dict[str, str] = {}


def _loaded_demo(kind: str) -> str:
    """The run's template with the demo loaded: a SQLite file or a PostgreSQL database."""
    if kind not in _TEMPLATES:
        if kind == "sqlite":
            path = Path(tempfile.mkdtemp(prefix="consult-demo-")) / "demo.sqlite3"
            url = f"sqlite:///{path}"
            _TEMPLATES[kind] = str(path)
        else:
            name = f"consult_demo_{uuid.uuid4().hex[:12]}"
            with _admin().connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            url = _postgres(name)
            _TEMPLATES[kind] = name
        app = create_app(_test_config(url))
        with app.app_context():
            db.create_all()
            load_demo(history=0)
            db.session.remove()
            db.engine.dispose()
    return _TEMPLATES[kind]


def _admin() -> sa.Engine:
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _postgres(name: str) -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


@contextmanager
def _demo_copy(database_url: str) -> Iterator[str]:
    """A database of its own holding the loaded demo, for as long as the block runs."""
    if database_url.startswith("sqlite"):
        copy = make_url(database_url).database
        assert copy is not None
        shutil.copyfile(_loaded_demo("sqlite"), copy)
        yield database_url
        return
    template = _loaded_demo("postgres")
    name = f"consult_demo_copy_{uuid.uuid4().hex[:12]}"
    with _admin().connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _postgres(name)
    finally:
        with _admin().connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
def _drop_demo_templates() -> Iterator[None]:
    yield
    if "postgres" in _TEMPLATES:
        with _admin().connect() as connection:
            connection.exec_driver_sql(
                f'DROP DATABASE IF EXISTS "{_TEMPLATES["postgres"]}" WITH (FORCE)'
            )
    if "sqlite" in _TEMPLATES:
        shutil.rmtree(Path(_TEMPLATES["sqlite"]).parent, ignore_errors=True)


@contextmanager
def demo_server(database_url: str, history: int = 0, fresh: bool = False) -> Iterator[LiveServer]:
    """The demo, with `history` past visits, served on 127.0.0.1 until the block ends.

    Without history it is a copy of the run's loaded demo, unless `fresh`: a test that
    depends on when the demo was loaded (today's day, the calls of the last minutes)
    loads its own.
    """
    with ExitStack() as stack:
        if history or fresh:
            app = make_app(database_url)
            with app.app_context():
                load_demo(history=history)
        else:
            app = create_app(_test_config(stack.enter_context(_demo_copy(database_url))))
        server = LiveServer(app)
        server.thread.start()
        try:
            yield server
        finally:
            server.server.shutdown()
            server.thread.join(timeout=10)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    with demo_server(database_url) as server:
        yield server


def signed_in(browser, server: LiveServer, email: str, language: str, width: int = 390):
    """A new page of a demo staff member signed in, reading `language`, `width` px wide."""
    context = browser.new_context(viewport={"width": width, "height": 844}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{server.url}/staff/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form [type=submit]").click()
    page.goto(f"{server.url}/lang/{language}")
    return page


@pytest.fixture
def page(browser, live_server: LiveServer):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
