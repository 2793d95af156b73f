"""Operations from the command line: accounts and demo data."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from consult.demo import DEMO_PASSWORD, DEMO_STAFF, HISTORY_VISITS
from consult.extensions import db
from consult.models import (
    Agency,
    ConsultationDay,
    DayKind,
    Location,
    Role,
    StaffUser,
    StatVisit,
    Topic,
    TourStop,
    Visit,
    today_in,
    utcnow,
)
from consult.passwords import verify_password
from tests.factories import create_agency


def _counts() -> dict[str, int]:
    models = (Agency, Topic, Location, ConsultationDay, Visit, StaffUser, TourStop)
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models
    }


def test_create_user_stores_only_a_hash(app: Flask) -> None:
    with app.app_context():
        create_agency(slug="jobcenter")
        db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["consult", "create-user", "--email", "Jonas@Example.org", "--name", "Jonas",
              "--role", "advisor", "--agency", "jobcenter", "--password", "a long secret 123"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(StaffUser))
        assert user.email == "jonas@example.org"
        assert user.role is Role.ADVISOR
        assert "a long secret 123" not in user.password_hash
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, "a long secret 123")


def test_create_user_refuses_bad_input(app: Flask) -> None:
    runner = app.test_cli_runner()
    base = ["consult", "create-user", "--email", "a@example.org", "--name", "A"]
    short = runner.invoke(args=[*base, "--role", "coordinator", "--password", "short"])
    assert short.exit_code != 0
    assert "at least 10 characters" in short.output
    advisor = runner.invoke(args=[*base, "--role", "advisor", "--password", "long enough pw"])
    assert advisor.exit_code != 0
    assert "--agency" in advisor.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(StaffUser.id))) == 0


def test_demo_data_is_complete_and_loading_twice_changes_nothing(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["consult", "demo"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        after_first = _counts()
        towns = set(db.session.scalars(sa.select(Location.town)))
        mobile_towns = set(
            db.session.scalars(
                sa.select(Location.town)
                .join(ConsultationDay)
                .where(ConsultationDay.kind == DayKind.MOBILE)
            )
        )
        topics = db.session.scalars(sa.select(Topic)).all()
        roles = set(db.session.scalars(sa.select(StaffUser.role)))
        phases = {t.phase for t in topics}
        # A year of history, already folded for the statistics dashboard.
        folded = sa.select(sa.func.sum(StatVisit.n))
        assert db.session.scalar(folded) >= HISTORY_VISITS
        first_day = db.session.scalar(sa.select(sa.func.min(ConsultationDay.date)))
        assert first_day <= utcnow().date() - timedelta(days=300)
    second = runner.invoke(args=["consult", "demo"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert _counts() == after_first

    assert after_first["Agency"] == 8
    assert after_first["Visit"] >= 3
    assert {"Magdeburg", "Halle (Saale)"} <= towns
    assert mobile_towns == {"Zeitz", "Weißenfels", "Naumburg (Saale)"}
    assert phases == {1, 2, 3, 4, 5}
    assert all(set(t.names) == {"de", "en", "ar", "fa", "uk", "ru", "tr"} for t in topics)
    assert roles == set(Role)


def test_demo_logins_lists_every_demo_account(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["consult", "demo-logins"])
    assert DEMO_PASSWORD in result.output
    for staff in DEMO_STAFF:
        assert staff.email in result.output


def test_demo_logins_link_todays_front_desk_and_display_once_the_demo_is_loaded(
    app: Flask,
) -> None:
    runner = app.test_cli_runner()
    assert "Front desk" not in runner.invoke(args=["consult", "demo-logins"]).output
    assert runner.invoke(args=["consult", "demo"]).exit_code == 0
    with app.app_context():
        location = db.session.scalar(sa.select(Location).where(Location.slug == "magdeburg"))
        desk = f"/staff/desk/{location.id}/{today_in(location.timezone).isoformat()}"
        display = f"/staff/desk/display/{location.id}"

    output = runner.invoke(args=["consult", "demo-logins"]).output

    assert f"Front desk Magdeburg today: http://127.0.0.1:5000{desk}" in output
    assert f"Waiting-room display Magdeburg: http://127.0.0.1:5000{display}" in output
