"""Every staff route × every role: the route table itself generates the matrix.

A new staff route that does not declare who may use it (with `role_required`)
fails `test_every_staff_route_declares_its_roles`; each declared rule is then
checked for every role and for a stranger.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from consult import create_app
from consult.extensions import db
from consult.models import Role
from tests.factories import Team, create_location
from tests.support import Login

# Staff pages anyone may open: the way in and out.
OPEN_ENDPOINTS = {"staff.login", "staff.logout"}
ROLES = [None, *Role]


def staff_rules(app: Flask) -> list:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.rule.startswith("/staff")),
        key=lambda r: r.rule,
    )


def _route_app() -> Flask:
    return create_app({"TESTING": True, "CONSULT_CHECK_DATABASE": False})


ROUTES = [
    (rule.endpoint, rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
    for rule in staff_rules(_route_app())
    if rule.endpoint not in OPEN_ENDPOINTS
]


def test_every_staff_route_declares_its_roles() -> None:
    app = _route_app()
    undeclared = [
        rule.rule
        for rule in staff_rules(app)
        if rule.endpoint not in OPEN_ENDPOINTS
        and not hasattr(app.view_functions[rule.endpoint], "allowed_roles")
    ]
    assert undeclared == []
    assert len(ROUTES) >= 5


def _fill(rule: str) -> str:
    """A URL for the rule with harmless values: ids that exist nowhere, valid dates."""

    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "", match.group(2)
        if converter.startswith("int"):
            return "987654"
        if name in {"on", "day", "date"}:
            return "2030-01-07"
        if name == "reference":
            return "AAAA-BBBB-CCCC"
        return "nothing"

    return re.sub(r"<(?:(\w+(?:\([^)]*\))?):)?(\w+)>", value, rule)


@pytest.fixture
def clients(app: Flask, staff: Team, login: Login) -> dict[Role | None, FlaskClient]:
    """A client signed in as each role, and one of a stranger (`None`)."""
    with app.app_context():
        location = create_location()
        for role in Role:
            places = [location] if role is Role.FRONTDESK else []
            staff.add(role.value, role, locations=places)
        db.session.commit()
    result: dict[Role | None, FlaskClient] = {None: app.test_client()}
    result.update({role: login(role.value) for role in Role})
    return result


@pytest.mark.parametrize(("endpoint", "rule", "methods"), ROUTES, ids=[r[1] for r in ROUTES])
def test_each_role_gets_what_the_route_declares(app: Flask, clients, endpoint, rule, methods):
    allowed = app.view_functions[endpoint].allowed_roles
    url = _fill(rule)
    for method in methods:
        for role in ROLES:
            response = clients[role].open(url, method=method, data={})
            where = f"{method} {url} as {role}"
            if role is None:
                assert response.status_code in (302, 401), where
                assert "/staff/login" in response.headers.get("Location", ""), where
            elif role in allowed:
                assert response.status_code != 403, where
                assert "/staff/login" not in response.headers.get("Location", ""), where
                assert response.status_code < 500, where
            else:
                assert response.status_code == 403, where
