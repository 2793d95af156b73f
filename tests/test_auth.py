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


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Bitte melden Sie sich an, um diese Seite zu öffnen."),
        ("ar", "يُرجى تسجيل الدخول لفتح هذه الصفحة."),
        ("en", "Please sign in to open this page."),
    ],
)
def test_the_sign_in_request_speaks_the_readers_language(
    client: FlaskClient, language: str, message: str
) -> None:
    client.get(f"/lang/{language}")
    page = client.get("/staff/calendar/", follow_redirects=True)
    assert page.request.path == "/staff/login"
    assert message in page.get_data(as_text=True)


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


def test_sign_in_attempts_are_throttled(rate_limited) -> None:
    app = rate_limited(login="3 per minute")
    client = app.test_client()
    codes = [sign_in(client, "x@example.org", "nope").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_sign_in_form_is_csrf_protected(app_factory, coordinator) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = sign_in(client, "coord@example.org")
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


# --- sessions that end -------------------------------------------------------------------


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app: Flask, coordinator: str) -> None:
    client, thief = app.test_client(), app.test_client()
    sign_in(client, coordinator)
    thief.set_cookie("session", session_cookie(client))
    assert thief.get("/staff/").status_code == 200  # the copy works while the session lives

    client.post("/staff/logout")

    assert thief.get("/staff/").status_code == 302
    # A new sign-in starts a new session; the old copy stays dead.
    sign_in(client, coordinator)
    assert client.get("/staff/").status_code == 200
    assert thief.get("/staff/").status_code == 302


def test_signing_out_ends_the_sessions_on_other_devices(app: Flask, coordinator: str) -> None:
    phone, desk = app.test_client(), app.test_client()
    sign_in(phone, coordinator)
    sign_in(desk, coordinator)
    desk.post("/staff/logout")
    assert phone.get("/staff/").status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_even_when_used(
    app: Flask, coordinator: str
) -> None:
    from consult.permissions import SIGNED_IN_AT

    client = app.test_client()
    sign_in(client, coordinator)
    max_age = app.config["CONSULT_SESSION_MAX_SECONDS"]
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] -= max_age - 60  # a minute left
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] -= 120  # busy all day: the minute has passed
    assert client.get("/staff/").status_code == 302


def test_a_session_without_its_version_is_refused(app: Flask, coordinator: str) -> None:
    from consult.permissions import SESSION_VERSION

    client = app.test_client()
    sign_in(client, coordinator)
    with client.session_transaction() as session:
        del session[SESSION_VERSION]
    assert client.get("/staff/").status_code == 302


def test_the_session_cookie_expires_after_the_idle_hours(app: Flask, coordinator: str) -> None:
    from datetime import UTC, datetime

    client = app.test_client()
    sign_in(client, coordinator)
    expires = client.get_cookie("session").expires
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    left = (expires - datetime.now(UTC)).total_seconds()
    assert idle - 60 < left <= idle
