"""`/healthz`: 200 while the database answers, 503 when it does not."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from consult.config import ConfigError
from consult.extensions import db, limiter

bp = Blueprint("health", __name__)


def check_database() -> None:
    """Connect once; raise ConfigError naming the database when it cannot be reached."""
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        where = db.engine.url.render_as_string(hide_password=True)
        raise ConfigError(f"cannot reach the database {where}: {reason}") from None


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """Report whether this process can reach its database."""
    try:
        check_database()
    except ConfigError:
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
