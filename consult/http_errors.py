"""Error pages in the person's language: HTML for pages, JSON under /api/."""

from __future__ import annotations

import contextlib
import sqlite3

from flask import Flask, current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from consult.logs import request_id

MESSAGES = {
    400: _l("The request could not be understood. Please check what you entered."),
    403: _l("You are not allowed to open this page."),
    404: _l("We could not find this page. Please check the address or booking reference."),
    405: _l("This action is not possible here."),
    409: _l("This could not be done because something changed meanwhile. Please try again."),
    413: _l("The file or form is too large."),
    422: _l("Some of the information is not valid. Please check the form."),
    429: _l("Too many attempts. Please wait a little and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
    503: _l("The service is busy or briefly unavailable. Please try again in a moment."),
}

# What SQLAlchemy raises when the database cannot be reached or does not answer in time;
# `database_unavailable` tells these apart from mistakes in a statement.
DATABASE_ERRORS = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)
RETRY_AFTER_SECONDS = 5
# SQLSTATEs that mean "not now" rather than "never": connection exception (08), transaction
# rollback such as a deadlock (40), insufficient resources (53), lock not available, as after
# lock_timeout (55P03), operator intervention such as a shutdown or a cancelled query (57),
# system error (58).
_TRANSIENT_SQLSTATES = ("08", "40", "53", "55P03", "57", "58")
_TRANSIENT_SQLITE_CODES = frozenset(
    {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN}
)


def error_headers(error: HTTPException) -> dict[str, str]:
    """A 405 names the methods that would work, a 429 or 503 when to try again (RFC 9110)."""
    headers = {}
    allowed = getattr(error, "valid_methods", None)
    if allowed:
        headers["Allow"] = ", ".join(allowed)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return headers


def is_transient(error: BaseException) -> bool:
    """True if the database could not be reached or was busy; false for a faulty statement."""
    if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True
    if not isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        return False
    if error.connection_invalidated:
        return True
    cause = error.orig
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(_TRANSIENT_SQLSTATES)
    if isinstance(cause, sqlite3.Error):
        # SQLite also reports "no such table" and syntax errors as OperationalError.
        code = getattr(cause, "sqlite_errorcode", 0) & 0xFF
        return code in _TRANSIENT_SQLITE_CODES
    # A driver error without a SQLSTATE comes from the client: the connection failed.
    return True


def database_unavailable(error: Exception) -> ServiceUnavailable:
    """Roll back and answer 503 for an unreachable or busy database; re-raise anything else."""
    if not is_transient(error):
        raise error
    from consult.extensions import db

    with contextlib.suppress(*DATABASE_ERRORS):
        # Fails only if the connection is gone; the pool discards it when the session ends.
        db.session.rollback()
    current_app.logger.warning(
        "database unavailable, answering 503: %s: %s",
        type(error).__name__,
        getattr(error, "orig", None) or error,
    )
    # Rendering the answer must not ask the database who is signed in (their language,
    # their name in the menu): the page is shown as to someone not signed in.
    g._login_user = current_app.login_manager.anonymous_user()
    return ServiceUnavailable(retry_after=RETRY_AFTER_SECONDS)


def _respond(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    message = str(MESSAGES.get(code, MESSAGES[500]))
    headers = error_headers(error)
    if request.path.startswith("/api/"):
        body = {"message": message}
        if code >= 500:
            body["request_id"] = request_id()
        return jsonify(body), code, headers
    return render_template("errors.html", code=code, message=message), code, headers


def register_error_pages(app: Flask) -> None:
    """Answer every HTTP error with a translated message."""
    for code in MESSAGES:
        if code != 500:
            app.register_error_handler(code, _respond)

    @app.errorhandler(500)
    def internal_error(error: Exception) -> ResponseReturnValue:
        from consult.extensions import db

        db.session.rollback()
        return _respond(InternalServerError())

    def unavailable(error: Exception) -> ResponseReturnValue:
        return _respond(database_unavailable(error))

    for error_class in DATABASE_ERRORS:
        app.register_error_handler(error_class, unavailable)
