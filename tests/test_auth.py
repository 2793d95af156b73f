"""Staff sign-in: only correct credentials, throttled, and roles guard pages."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from consult.extensions import db
from consult.models import Role
from tests.factories import PASSWORD, create_staff


@pytest.fixture
def coordinator(app: Flask) -> str:
    with app.app_context():
        user = create_staff(Role.COORDINATOR, email="coord@example.org")
        db.session.commit()
        return user.email


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):
    return client.post("/staff/login", data={"email": email, "password": password})


def test_staff_pages_send_strangers_to_the_sign_in_page(client: FlaskClient) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_sign_in_and_out(client: FlaskClient, coordinator: str) -> None:
    response = sign_in(client, coordinator)
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    client.post("/staff/logout")
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize("email", ["coord@example.org", "nobody@example.org"])
def test_wrong_credentials_get_the_same_answer(client: FlaskClient, coordinator, email) -> None:
    response = sign_in(client, email, "wrong password")
    assert response.status_code == 400
    assert "E-Mail-Adresse oder Passwort" in response.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_disabled_accounts_cannot_sign_in(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        create_staff(Role.FRONTDESK, email="gone@example.org", active=False)
        db.session.commit()
    sign_in(client, "gone@example.org")
    assert client.get("/staff/").status_code == 302


def test_sign_in_attempts_are_throttled(app_factory) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, CONSULT_RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    codes = [sign_in(client, "x@example.org", "nope").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_sign_in_form_is_csrf_protected(app_factory, coordinator) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = sign_in(client, "coord@example.org")
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302
