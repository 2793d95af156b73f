"""Every `next` stays on this site: one helper decides, and the routes that take one use it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from consult.extensions import db
from consult.models import Role
from consult.web import local_target
from tests.factories import PASSWORD, create_staff

LEAVING = [
    "//evil.example",
    "/\t/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\r\nSet-Cookie: x=1",
    "/\n/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    " /evil",
    "/ /evil.example",
    "/\x00",
    "evil.example",
]
STAYING = ["/", "/day/3?topic=1&topic=2", "/staff/front-desk", "/visit/ABCD-EFGH"]


@pytest.mark.parametrize("target", LEAVING)
def test_targets_that_could_leave_the_site_are_refused(target: str) -> None:
    assert local_target(target) is None


@pytest.mark.parametrize("target", STAYING)
def test_paths_on_this_site_are_kept(target: str) -> None:
    assert local_target(target) == target


def assert_stays_here(location: str) -> None:
    # A browser drops tabs and line breaks and reads a backslash as a slash.
    cleaned = "".join(ch for ch in location if ch not in "\t\r\n").replace("\\", "/")
    parts = urlsplit(cleaned)
    assert parts.netloc in {"", "localhost"}, location
    assert not cleaned.startswith("//"), location


def assert_refused_or_stays_here(response: TestResponse) -> None:
    # A control character is refused at the input boundary (400); the rest redirect home.
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert_stays_here(response.headers["Location"])


@pytest.mark.parametrize("target", LEAVING)
def test_the_language_switch_never_leaves_the_site(client: FlaskClient, target: str) -> None:
    response = client.get("/lang/ar", query_string={"next": target})

    assert_refused_or_stays_here(response)


@pytest.mark.parametrize("target", LEAVING)
def test_signing_in_never_leaves_the_site(app: Flask, client: FlaskClient, target: str) -> None:
    with app.app_context():
        create_staff(Role.FRONTDESK, email="desk@example.org")
        db.session.commit()

    response = client.post(
        "/staff/login",
        query_string={"next": target},
        data={"email": "desk@example.org", "password": PASSWORD},
    )

    assert_refused_or_stays_here(response)


def test_a_local_next_is_followed(client: FlaskClient) -> None:
    response = client.get("/lang/de", query_string={"next": "/day/3?topic=1"})

    assert response.headers["Location"] == "/day/3?topic=1"
