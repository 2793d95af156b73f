"""Alembic migrations build the same schema as the models, and can go down and up again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from consult import create_app
from consult.extensions import db
from tests.conftest import BACKENDS, POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A database with no tables at all (its own PostgreSQL database, dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/migrated.sqlite3"
        return
    name = f"consult_migrate_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_matches_the_models_and_round_trips(empty_database_url: str) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "CONSULT_CHECK_DATABASE": False,
        }
    )
    with app.app_context():
        upgrade()
        assert _differences() == []
        expected = {t.name for t in db.metadata.sorted_tables}
        assert expected <= _tables()

        downgrade(revision="base")
        assert _tables() <= {"alembic_version"}

        upgrade()
        assert _differences() == []
        db.session.remove()
        db.engine.dispose()
