"""Browser tests: the app served on 127.0.0.1 and driven by Playwright in Debian's chromium."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from werkzeug.serving import make_server

from consult.demo import DEMO_PASSWORD, load_demo
from consult.extensions import db
from tests.conftest import IN_CI, make_app

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


@contextmanager
def demo_server(database_url: str, history: int = 0) -> Iterator[LiveServer]:
    """The demo, with `history` past visits, served on 127.0.0.1 until the block ends."""
    app = make_app(database_url)
    with app.app_context():
        load_demo(history=history)
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
