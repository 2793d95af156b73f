"""Calendar feeds: a staff member's secret feed, a location's public feed, the feed settings."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from consult.config import LANGUAGES
from consult.feeds import service
from consult.feeds.forms import HideNamesForm, RegenerateForm, ShowNamesForm
from consult.feeds.service import FeedVersion
from consult.models import Role, today_in
from consult.permissions import current_staff, role_required
from consult.web import staff_locations

bp = Blueprint("feeds", __name__)

STAFF = (Role.ADVISOR, Role.FRONTDESK, Role.COORDINATOR)
CALENDAR_TYPE = "text/calendar; charset=utf-8"
PRIVATE_CACHE = "private, max-age=300"
PUBLIC_CACHE = "public, max-age=300"


def _not_modified(version: FeedVersion) -> bool:
    """True when the client already holds this version of the feed."""
    # If-None-Match, when sent, decides alone (RFC 9110, 13.2.2); the weak comparison
    # also matches the W/ tag a compressing proxy may have turned our ETag into.
    if request.if_none_match:
        return request.if_none_match.contains_weak(version.etag)
    since = request.if_modified_since
    return since is not None and version.last_modified <= since


def _validators(response: Response, version: FeedVersion, cache_control: str) -> Response:
    response.set_etag(version.etag)
    response.last_modified = version.last_modified
    response.headers["Cache-Control"] = cache_control
    return response


def _conditional_feed(
    version: FeedVersion, build: Callable[[], bytes], cache_control: str
) -> Response:
    """304 when the client's copy is current; else build the feed (only then)."""
    if _not_modified(version):
        return _validators(Response(status=304), version, cache_control)
    response = Response(build(), content_type=CALENDAR_TYPE)
    return _validators(response, version, cache_control)


@bp.get("/feeds/staff/<token>.ics")
def staff_feed(token: str) -> ResponseReturnValue:
    """A staff member's personal feed; the secret token in the URL is the only key."""
    user = service.agency_staff_by_token(token)
    if user is None:
        abort(404)
    zone = current_app.config["CONSULT_TIMEZONE"]
    today = today_in(zone)
    # The version is read before the feed is built: a change in between makes the
    # next poll fetch again, instead of pinning an old ETag on newer data.
    version = service.staff_feed_version(user, today, zone, request.host_url)
    return _conditional_feed(
        version, lambda: service.staff_feed(user, today, zone, version), PRIVATE_CACHE
    )


@bp.get("/feeds/location/<slug>.ics")
def location_feed(slug: str) -> ResponseReturnValue:
    """A location's public feed: published days and mobile stops, no personal data."""
    location = service.public_location(slug)
    if location is None:
        abort(404)
    chosen = request.args.get("lang", "")
    language = chosen if chosen in LANGUAGES else current_app.config["BABEL_DEFAULT_LOCALE"]
    today = today_in(location.timezone)
    version = service.location_feed_version(location, today, language, request.host_url)
    return _conditional_feed(
        version,
        lambda: service.location_feed(location, today, language, version),
        PUBLIC_CACHE,
    )


# ---------------------------------------------------------------- settings


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


@bp.get("/staff/feed")
@role_required(*STAFF)
def settings() -> ResponseReturnValue:
    """The staff member's feed address (https and webcal), a new address, names or not."""
    return _settings_page()


def _settings_page(show_form: ShowNamesForm | None = None, status: int = 200) -> Response:
    me = current_staff()
    feed_url = url_for("feeds.staff_feed", token=me.feed_token, _external=True)
    public_feeds = [
        (location, url_for("feeds.location_feed", slug=location.slug, _external=True))
        for location in staff_locations()
    ]
    page = render_template(
        "feeds/settings.html",
        feed_url=feed_url,
        webcal_url=_webcal(feed_url),
        public_feeds=[(location, url, _webcal(url)) for location, url in public_feeds],
        lists_appointments=service.lists_appointments(me),
        shows_names=me.feed_shows_names,
        # Prefixes keep the three forms' field ids apart on one page.
        regenerate_form=RegenerateForm(prefix="token"),
        show_form=show_form or ShowNamesForm(formdata=None, prefix="show"),
        hide_form=HideNamesForm(prefix="hide"),
        days_back=service.DAYS_BACK,
    )
    # The page shows a secret: keep it out of shared and back-button caches.
    return Response(page, status=status, headers={"Cache-Control": "no-store"})


@bp.post("/staff/feed/token")
@role_required(*STAFF)
def regenerate() -> ResponseReturnValue:
    """Replace the feed's secret address; the old one stops working at once."""
    if RegenerateForm(prefix="token").validate_on_submit():
        service.regenerate_token(current_staff())
        flash(
            _(
                "Your feed has a new address. The old address no longer works: "
                "subscribe your calendar app to the new one."
            ),
            "success",
        )
    return redirect(url_for("feeds.settings"))


@bp.post("/staff/feed/names")
@role_required(*STAFF)
def show_names() -> ResponseReturnValue:
    """Opt in to names and contacts in one's own feed, after confirming the warning."""
    form = ShowNamesForm(prefix="show")
    if not form.validate_on_submit():
        return _settings_page(show_form=form, status=400)
    service.set_names_shown(current_staff(), True)
    flash(_("Your feed now shows names and contact details."), "success")
    return redirect(url_for("feeds.settings"))


@bp.post("/staff/feed/names/hide")
@role_required(*STAFF)
def hide_names() -> ResponseReturnValue:
    """Opt out again: the feed shows booking references only."""
    if HideNamesForm(prefix="hide").validate_on_submit():
        service.set_names_shown(current_staff(), False)
        flash(_("Your feed no longer shows names or contact details."), "success")
    return redirect(url_for("feeds.settings"))
