"""HTTP security headers on every response; HSTS only where HTTPS is promised."""

from __future__ import annotations

import gc

from flask import request
from flask.testing import FlaskClient


def test_pages_forbid_framing_foreign_scripts_and_type_sniffing(client: FlaskClient) -> None:
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline' " not in policy.split("script-src")[1]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    # Development runs on plain http: no HSTS, and the session cookie must not be Secure.
    assert "Strict-Transport-Security" not in response.headers


def test_production_sends_hsts(app_factory) -> None:
    try:
        app = app_factory(CONSULT_ENV="production")
        response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    finally:
        gc.unfreeze()  # production freezes start-up objects; later tests want them collected

    assert response.status_code == 200
    assert "max-age=" in response.headers.get("Strict-Transport-Security", "")


def test_behind_a_proxy_links_use_the_forwarded_scheme_host_and_client(app_factory) -> None:
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "consult.example.org",
        "X-Forwarded-For": "203.0.113.7",
    }

    def seen(app) -> str:
        app.add_url_rule("/_seen", "seen", lambda: f"{request.host_url} {request.remote_addr}")
        return app.test_client().get("/_seen", headers=headers).get_data(as_text=True)

    assert seen(app_factory()) == "http://localhost/ 127.0.0.1"
    assert seen(app_factory(CONSULT_PROXY_COUNT=1)) == "https://consult.example.org/ 203.0.113.7"
