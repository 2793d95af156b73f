"""Shared fixtures and helpers: the staff of a test's world, signing in, reading pages and rows.

Registered as a plugin by `tests/conftest.py`; test modules import the helpers from here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any, overload

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from consult.extensions import db
from consult.models import Visit
from tests.factories import PASSWORD, Team

Login = Callable[..., FlaskClient]


@pytest.fixture
def staff() -> Team:
    """The staff of the test's world: a world adds them with `staff.add("desk", Role.FRONTDESK)`."""
    return Team()


@pytest.fixture
def login(app: Flask, staff: Team) -> Login:
    """Sign in, in English: `login("desk")` (a member of `staff`) or `login("ada@example.org")`.

    Each call signs in a new client, or the one given as `login(who, client)`.
    """

    def sign_in(who: str, client: FlaskClient | None = None) -> FlaskClient:
        client = app.test_client() if client is None else client
        email = who if "@" in who else staff.emails[who]
        response = client.post("/staff/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, f"{who} could not sign in"
        client.get("/lang/en")
        return client

    return sign_in


def html_of(response: TestResponse) -> str:
    """A page's markup with entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def text_of(response: TestResponse) -> str:
    """The words of a page, without tags, spaces collapsed."""
    page = re.sub(r"<style>.*?</style>", " ", html_of(response), flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split()).replace(" – ", "–")


@overload
def count(model: type, /) -> int: ...
@overload
def count(app: Flask, model: type, /) -> int: ...
def count(app_or_model: Flask | type, model: type | None = None, /) -> int:
    """The rows of a model: `count(Visit)` in the current app context, or `count(app, Visit)`."""
    if isinstance(app_or_model, Flask):
        with app_or_model.app_context():
            return count(model)
    return db.session.scalar(sa.select(sa.func.count()).select_from(app_or_model)) or 0


def visit_snapshot(app: Flask, reference: str, **more: Callable[[Visit], Any]) -> dict[str, Any]:
    """The id, day, status and cancel reason of the visit with this reference, and `more` of it.

    `visit_snapshot(app, reference, active=lambda visit: ...)` adds what the function reads.
    """
    with app.app_context():
        visit = db.session.scalar(sa.select(Visit).where(Visit.reference == reference))
        found = {
            "id": visit.id,
            "day": visit.day_id,
            "status": visit.status,
            "reason": visit.cancel_reason,
        }
        return found | {key: read(visit) for key, read in more.items()}
