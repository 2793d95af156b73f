"""Logs: one line per request and per domain event, with a request id and no personal data."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.test_public import book, booked_reference, joint_day  # noqa: F401  (a fixture)

REQUEST_LINE = re.compile(
    r"request id=(\S+) method=(\S+) route=(\S+) status=(\d+) ms=[\d.]+ db_ms=[\d.]+ queries=(\d+)"
)


def lines(caplog: pytest.LogCaptureFixture, prefix: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(prefix)]


@pytest.fixture
def logs(app: Flask, caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """What `consult` logs at INFO and above once the app is made."""
    with caplog.at_level(logging.INFO, logger="consult"):
        yield caplog


def test_one_line_per_request_with_its_route_never_its_path(
    client: FlaskClient,
    logs: pytest.LogCaptureFixture,
    joint_day,  # noqa: F811
) -> None:
    reference = booked_reference(book(client, joint_day, "residence", name="Amina Secret"))
    logs.clear()
    response = client.get(f"/visit/{reference}")

    (line,) = lines(logs, "request ")
    request_id, method, route, status, queries = REQUEST_LINE.fullmatch(line).groups()
    assert (method, route, status) == ("GET", "/visit/<reference>", "200")
    assert int(queries) > 0
    assert response.headers["X-Request-ID"] == request_id
    assert reference not in logs.text and "Amina" not in logs.text


def test_domain_events_are_logged_once_committed(
    client: FlaskClient,
    logs: pytest.LogCaptureFixture,
    joint_day,  # noqa: F811
) -> None:
    response = book(client, joint_day, "residence", name="Amina Secret")
    reference = booked_reference(response)
    client.post(f"/visit/{reference}/cancel")
    events = lines(logs, "event ")
    assert any("action=visit.book object=visit:" in e and "actor=person" in e for e in events)
    assert any("action=visit.cancelled" in e for e in events)
    # A booking that is refused is logged with its reason, and books nothing.
    logs.clear()
    refused = client.post(
        f"/day/{joint_day['day']}/book",
        query_string={"topic": joint_day["residence"], "plan": "1:99999"},
        data={"plan": "1:99999", "name": "Amina Secret", "language": "de", "consent": "no"},
    )
    assert refused.status_code == 422
    assert lines(logs, "event ") == []
    (refusal,) = lines(logs, "refused ")
    assert "action=visit.book reason=" in refusal
    assert "Amina" not in logs.text


def test_a_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(app: Flask) -> None:
    client = app.test_client()
    kept = client.get("/", headers={"X-Request-ID": "proxy-1234-abcd"})
    assert kept.headers["X-Request-ID"] == "proxy-1234-abcd"
    replaced = client.get("/", headers={"X-Request-ID": "x y\u00e9"})
    assert re.fullmatch(r"[0-9a-f]{16}", replaced.headers["X-Request-ID"])


def test_error_pages_name_the_request_id_to_quote(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("a bug")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    page = client.get("/boom", headers={"Accept-Language": "en"})
    assert page.status_code == 500
    assert page.headers["X-Request-ID"] in page.get_data(as_text=True)
