"""Fixtures: a fresh database per test, on SQLite and (when configured) on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from consult import create_app
from consult.extensions import db
from tests.factories import create_day, create_session, create_topic

# Log-in, the staff builder and the page and row helpers, shared by every test module.
pytest_plugins = ["tests.support", "tests.servers"]

POSTGRES_URL = os.environ.get("CONSULT_TEST_POSTGRES_URL", "").strip()
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not POSTGRES_URL:
        raise pytest.UsageError(
            "CI runs every database test on PostgreSQL too: set CONSULT_TEST_POSTGRES_URL"
        )
    # Building one app imports every blueprint module now. Some bind `utcnow` by name when
    # first imported; imported inside a test that has set the clock, they would keep that
    # test's clock for the rest of the run, and later tests would depend on the order.
    create_app(_test_config("sqlite://"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"consult database backends: {', '.join(BACKENDS)}"


def _admin_engine() -> sa.Engine:
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database made for this test run and dropped after it."""
    name = f"consult_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_schema(postgres_url: str) -> str:
    """The run's PostgreSQL database with every table created once."""
    app = create_app(_test_config(postgres_url))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return postgres_url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    """The URL of an empty database of each backend under test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/consult.sqlite3"
    return request.getfixturevalue("postgres_schema")


def _test_config(url: str, **overrides: object) -> dict[str, object]:
    config: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "CONSULT_CHECK_DATABASE": False,
    }
    config.update(overrides)
    return config


def make_app(url: str, **overrides: object) -> Flask:
    """An app on `url` whose tables exist and are empty."""
    app = create_app(_test_config(url, **overrides))
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            db.create_all()
        else:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return app


@pytest.fixture
def app_factory(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build apps with other settings on this database; their connections close afterwards."""
    made: list[Flask] = []

    def build(**overrides: object) -> Flask:
        made.append(make_app(database_url, **overrides))
        return made[-1]

    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def rate_limited(app_factory: Callable[..., Flask]) -> Callable[..., Flask]:
    """Build an app with rate limits on: `rate_limited(lookup="2 per minute", booking=...)`."""

    def build(**limits: str) -> Flask:
        settings = {
            f"CONSULT_RATELIMIT_{action.upper()}": limit for action, limit in limits.items()
        }
        return app_factory(RATELIMIT_ENABLED=True, **settings)

    return build


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Flask:
    """A fresh application and database; requests get their own app context."""
    return app_factory()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context for domain tests that work with `db.session` directly."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def booking_bodies(app: Flask, **hours: Any) -> list[dict[str, Any]]:
    """For each slot of a new session (`hours` as for `create_session`), a body that books it."""
    with app.app_context():
        topic = create_topic([], names={"en": "Work"})
        session = create_session(create_day(), topics=[topic], **hours)
        db.session.commit()
        return [
            {
                "day_id": session.day_id,
                "plan": f"{session.id}:{slot.id}",
                "topics": [topic.id],
                "name": "Amina",
            }
            for slot in session.slots
        ]
