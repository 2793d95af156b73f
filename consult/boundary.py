"""The input boundary: what every request must satisfy before a view sees it.

Identifiers in URLs are whole numbers that fit the database's integer columns;
text in query strings, forms and JSON bodies carries no control characters (a NUL
byte is refused by PostgreSQL and means nothing in a name or a note). A request
that breaks either gets 400 or 404 in the person's language, never a 500. On the
way out, pages with personal data are marked `no-store`.
"""

from __future__ import annotations

import re

from flask import Flask, Response, abort, request
from werkzeug.routing import IntegerConverter

# PostgreSQL's `integer`: larger ids cannot exist.
MAX_ID = 2**31 - 1
# C0 controls other than tab, line feed and carriage return, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same inside a JSON text, raw or escaped.
_JSON_CONTROL = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])"
)


class IdConverter(IntegerConverter):
    """`<int:…>` in a URL: ASCII digits only, at most MAX_ID; anything else is a 404."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def number_or_none(text: str | None, *, largest: int = MAX_ID) -> int | None:
    """A whole number written in ASCII digits and not above `largest`, else None."""
    text = (text or "").strip()
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= largest else None


def json_has_control_characters(raw: bytes) -> bool:
    """Whether a JSON text carries a control character, raw or escaped (the API refuses it)."""
    return _JSON_CONTROL.search(raw) is not None


def _refuse_control_characters() -> None:
    if _CONTROL.search(request.path):
        abort(404)
    # Only forms are parsed here: reading another body would fix its size limit
    # before the view can set its own (the API allows less than forms).
    is_form = request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}
    for values in (request.args, request.form) if is_form else (request.args,):
        for _, value in values.items(multi=True):
            if _CONTROL.search(value):
                abort(400)


# Pages that show a person's visit or a staff member's work: no cache may keep them.
PRIVATE_PREFIXES = ("/staff/", "/visit/", "/manage", "/api/v1/visits")
# Forms that show back what the person entered (or, moving a visit, their name and phone).
PRIVATE_ENDPOINTS = frozenset({"public.book", "public.waitlist"})


def _keep_private_pages_out_of_caches(response: Response) -> Response:
    if request.path.startswith(PRIVATE_PREFIXES) or request.endpoint in PRIVATE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def guard(app: Flask) -> None:
    """Install the boundary on an app: before its blueprints, so their URLs use it."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_control_characters)
    app.after_request(_keep_private_pages_out_of_caches)
