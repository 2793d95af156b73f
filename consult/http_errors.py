"""Error pages in the person's language: HTML for pages, JSON under /api/."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

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
}


def _respond(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    message = str(MESSAGES.get(code, MESSAGES[500]))
    # A 405 names the methods that would work (RFC 9110).
    allowed = getattr(error, "valid_methods", None)
    headers = {"Allow": ", ".join(allowed)} if allowed else {}
    if request.path.startswith("/api/"):
        return jsonify(message=message), code, headers
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
