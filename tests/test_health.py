"""`/healthz` tells a load balancer whether this process can reach its database."""

from __future__ import annotations

from flask.testing import FlaskClient

from consult import create_app
from consult.extensions import db


def test_healthy_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_unavailable_when_the_database_is_unreachable(tmp_path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no-such-folder/consult.sqlite3",
            "CONSULT_CHECK_DATABASE": False,
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}
    with app.app_context():
        db.engine.dispose()
