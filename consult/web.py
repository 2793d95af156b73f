"""Small helpers that every feature's views share: domain errors as flashes, one commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Response, abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from consult.errors import DomainError
from consult.extensions import db
from consult.lru import LRU, app_cache
from consult.models import Location
from consult.permissions import can_view_location, location_scope

T = TypeVar("T")
CACHED_RESPONSES = 512


def local_target(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None: the one check for every `next`.

    Browsers drop tabs and line breaks inside a URL and read a backslash as a
    slash, so "/\t/evil.example" would leave the site; anything with a control
    character, a backslash, a scheme or a host is refused.
    """
    if not target or not target.startswith("/") or "\\" in target:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch.isspace() for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def domain_message(error: DomainError) -> str:
    """A domain error's message in the person's language."""
    return _(error.message, **error.params)


def flash_form_errors(form: FlaskForm) -> None:
    """Every validation message of a form that is answered with a redirect, not re-rendered."""
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


def get_or_404(model: type[Any], object_id: int) -> Any:
    """The row with this primary key, or a 404 page."""
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def done_or_flash(work: Callable[[], T]) -> T | None:
    """Run `work`; on a domain error roll back, flash why, and return None.

    What `work` changed is committed with the rest of the request (see `unit_of_work`).
    """
    try:
        result = work()
        db.session.flush()  # new rows get their ids, for the links that follow
        return result
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return None


def date_or_400(text: str | None, default: date | None = None) -> date:
    """An ISO date from a URL or query string; `default` when empty, else a 400 page."""
    if not text and default is not None:
        return default
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        abort(400)


def staff_locations() -> list[Location]:
    """The active locations the signed-in staff member works at, by town."""
    query = sa.select(Location).where(Location.active).order_by(Location.town, Location.name)
    scope = location_scope(current_user)
    if scope is not None:
        query = query.where(Location.id.in_(scope))
    return list(db.session.scalars(query))


def staff_location_or_abort(location_id: int) -> Location:
    """A location the signed-in staff member works at: 404 when unknown, 403 when not theirs."""
    location = get_or_404(Location, location_id)
    if not can_view_location(current_user, location.id):
        abort(403)
    return location


def _revalidated(etag: str) -> Response | None:
    """A 304 answer when the client already holds this entity tag, else None."""
    if etag not in request.if_none_match:
        return None
    return _fresh_each_time(Response(status=304), etag)


def tagged(etag: str, build: Callable[[], Response]) -> Response:
    """The response for `etag`: 304 when the client holds it, else built once per process.

    The tag must name everything the body depends on; a response that is not a
    200 is sent but not kept.
    """
    if (unchanged := _revalidated(etag)) is not None:
        return unchanged
    cache: LRU[tuple[bytes, str]] = app_cache("responses", CACHED_RESPONSES)
    found = cache.get(etag)
    if found is None:
        response = build()
        if response.status_code != 200 or response.direct_passthrough:
            return response
        found = (response.get_data(), response.mimetype or "text/html")
        cache.put(etag, found)
    body, mimetype = found
    return _fresh_each_time(Response(body, mimetype=mimetype), etag)


def _fresh_each_time(response: Response, etag: str) -> Response:
    """Tag a response and make caches ask again before every reuse."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response
