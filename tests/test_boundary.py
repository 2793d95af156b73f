"""Bad bytes never reach a 500: every route of the URL map, swept with nasty values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from consult.boundary import number_or_none
from consult.extensions import db
from consult.models import Role
from tests.factories import Team
from tests.support import Login

# Values for path segments: numbers beyond any column, signs, non-ASCII digits,
# control characters, a long string.
IN_PATHS = ["99999999999999999999", "²", "%00%0d%0a" + "A" * 3000]
# Values for query strings and forms.
IN_FIELDS = ["a\x00b", "99999999999999999999", "-5", "²", "/\r\nX: y", "x" * 10_000]
# The names that routes read; a sweep that names them all reaches every parser.
FIELDS = [
    "next",
    "topic",
    "day",
    "page",
    "q",
    "search",
    "lang",
    "speak",
    "town",
    "arrive",
    "leave",
    "move",
    "plan",
    "from",
    "to",
    "limit",
    "date",
    "location",
    "agency",
    "session",
    "name",
    "phone",
    "email",
    "body",
    "text",
    "reference",
    "language",
    "consent",
    "interpreter",
    "hours",
    "starts",
    "ends",
    "desks",
    "slot_minutes",
    "rooms",
    "languages",
    "topics",
    "title",
    "kind",
    "status",
    "stop",
    "position",
    "minutes",
    "reason",
    "events-0-location",
    "events-0-import",
    "file",
    "user",
    "role",
    "password",
    "days",
    "weekday",
    "interval",
    "count",
    "until",
]
LONG_FIELDS = ["q", "search", "name", "body", "text", "town", "next", "plan", "reason"]
PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")


def routes(app: Flask) -> Iterator[tuple[str, str]]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.rule, method


def paths(rule: str) -> Iterator[str]:
    if not PLACEHOLDER.search(rule):
        yield rule
        return
    for value in IN_PATHS:
        yield PLACEHOLDER.sub(quote(value, safe="%"), rule)


def sweep(client: FlaskClient, *, skip: str | None = None) -> list[str]:
    failures = []
    for rule, method in routes(client.application):
        if skip and rule.startswith(skip):
            continue
        for path in paths(rule):
            for value in IN_FIELDS:
                # A long value in every field would only time the form parser.
                fields = dict.fromkeys(FIELDS if len(value) < 100 else LONG_FIELDS, value)
                if method == "GET":
                    response = client.get(path, query_string=fields)
                else:
                    response = client.open(path, method=method, data=fields)
                if response.status_code >= 500:
                    failures.append(f"{method} {rule} {path[:60]!r} {value[:20]!r}")
                    break
    return failures


@pytest.fixture
def admin_client(app: Flask, staff: Team, login: Login) -> FlaskClient:
    with app.app_context():
        staff.add("admin", Role.ADMIN)
        db.session.commit()
    return login("admin")


def test_no_public_route_answers_5xx(client: FlaskClient) -> None:
    # Staff routes only send an anonymous caller to the log-in page.
    assert sweep(client, skip="/staff") == []


def test_no_route_answers_5xx_to_an_admin(admin_client: FlaskClient) -> None:
    assert sweep(admin_client) == []


def test_a_nul_byte_is_refused_in_the_persons_language(client: FlaskClient) -> None:
    page = client.get("/find", query_string={"topic": "1", "town": "a\x00b"})
    api = client.post("/api/v1/visits", json={"day_id": 1, "name": "x\u0000y"})

    assert page.status_code == 400 and "<html" in page.get_data(as_text=True)
    assert api.status_code == 400 and "message" in api.get_json()


def test_ids_beyond_any_column_are_not_found(client: FlaskClient) -> None:
    assert client.get("/day/99999999999999999999").status_code == 404
    assert client.get("/api/v1/days/2147483648/plans?topic=1").status_code == 404


def test_a_wrong_method_names_the_right_ones(client: FlaskClient) -> None:
    response = client.delete("/find")

    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("²", None),
        ("١٢", None),
        ("-1", None),
        ("2147483648", None),
        ("", None),
    ],
)
def test_numbers_are_ascii_digits_within_the_columns(text: str, number: int | None) -> None:
    assert number_or_none(text) == number


def test_pages_with_personal_data_are_kept_out_of_caches(
    admin_client: FlaskClient, client: FlaskClient
) -> None:
    staff_page = admin_client.get("/staff/")
    visit_page = client.get("/visit/ABCD-EFGH-JKLM")
    notes_page = admin_client.get("/staff/notes/audit")
    waitlist = client.post("/waitlist", data={"name": "Amina", "phone": "0345 1"})
    public_page = client.get("/find")

    for private in (staff_page, visit_page, notes_page, waitlist):
        assert private.headers["Cache-Control"] == "no-store"
    assert public_page.headers.get("Cache-Control") != "no-store"


def test_the_api_refuses_a_language_it_does_not_offer(client: FlaskClient) -> None:
    junk = client.get("/api/v1/topics?lang=junk")
    arabic = client.get("/api/v1/topics?lang=ar")

    assert junk.status_code == 422
    assert "lang" in junk.get_json()["errors"]
    assert arabic.status_code == 200
