"""consult: joint consultation days for migrants."""

from __future__ import annotations

import gc
import importlib
from pathlib import Path
from typing import Any, NoReturn

from flask import Flask, g
from flask_babel import get_locale, gettext
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from consult.config import ROOT, ConfigError, from_environ
from consult.errors import N_
from consult.extensions import (
    CONTENT_SECURITY_POLICY,
    babel,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
    talisman,
)
from consult.health import check_database


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application; `test_config` overrides the environment."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "consult" / "static"),
        instance_path=str(ROOT / "instance"),
    )
    try:
        app.config.update(from_environ())
    except ConfigError as error:
        _refuse_to_start(error)
    if test_config:
        app.config.update(test_config)

    proxies = app.config.get("CONSULT_PROXY_COUNT", 0)
    if proxies:
        # Client address (rate limits), scheme and host (feed and QR links) come from the
        # proxy's headers, trusted only as far as the number of proxies configured.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    from consult import models  # noqa: F401  (every table known to Alembic and create_all)
    from consult.audit import watch_changes
    from consult.database import watch_commits
    from consult.revisions import watch_day_revisions
    from consult.statistics.changes import watch_stale_days

    _init_database(app)
    watch_commits()
    watch_day_revisions()
    watch_changes()
    watch_stale_days()
    if app.config.get("CONSULT_CHECK_DATABASE", True):
        with app.app_context():
            try:
                check_database()
            except ConfigError as error:
                _refuse_to_start(error)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)

    from consult.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    production = app.config["CONSULT_ENV"] == "production"
    # HTTPS itself is the reverse proxy's job; HSTS and Secure cookies only in production,
    # so that development on http://127.0.0.1 keeps working.
    talisman.init_app(
        app,
        force_https=False,
        strict_transport_security=production,
        session_cookie_secure=production,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
    )
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    # Flask-Login's own text is English: ours is translated when it is flashed.
    login_manager.login_message = N_("Please sign in to open this page.")
    login_manager.localize_callback = gettext
    login_manager.session_protection = "strong"
    from consult import logs, permissions  # noqa: F401  (permissions: the user loader)
    from consult.boundary import guard

    logs.install(app)
    guard(app)
    _register_blueprints(app)
    from consult.database import unit_of_work

    unit_of_work(app)
    _register_template_helpers(app)
    from consult.http_errors import register_error_pages

    register_error_pages(app)

    from consult.cli import register_cli

    register_cli(app)
    if production:
        # What start-up made lives as long as the worker: keeping it out of the
        # collector's full passes spares every fourth large feed about 90 ms.
        gc.freeze()
    return app


def _refuse_to_start(error: ConfigError) -> NoReturn:
    # One clear line on stderr and exit status 1, instead of a wall of traceback.
    raise SystemExit(f"consult: configuration error: {error}")


def _init_database(app: Flask) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30})
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    else:
        options.setdefault("pool_pre_ping", True)
        # A statement waiting longer than 5 s for a lock (a writer stuck on a day) gives up,
        # and the person is asked to try again (503) instead of waiting without end.
        options.setdefault("connect_args", {"connect_timeout": 5, "options": "-c lock_timeout=5s"})
    db.init_app(app)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Make SQLite enforce foreign keys and let us decide how transactions begin."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy, not pysqlite, emit BEGIN, so a booking can ask for BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    if connection.dialect.name != "sqlite":
        return
    # A writer that starts with BEGIN IMMEDIATE takes the write lock up front and
    # queues behind other writers instead of failing with "database is locked".
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# Feature blueprints, by audience: the public journey, its API, and the staff side.
BLUEPRINTS = (
    "consult.health",
    "consult.public.views",
    "consult.api.views",
    "consult.staff.views",
    "consult.calendar.views",
    "consult.frontdesk.views",
    "consult.notes.views",
    "consult.conferences.views",
    "consult.hours.views",
    "consult.coordination.views",
    "consult.tours.views",
    "consult.feeds.views",
    "consult.statistics.views",
    "consult.mediators.views",
)


def _register_blueprints(app: Flask) -> None:
    for module in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module).bp)


def _register_template_helpers(app: Flask) -> None:
    from consult import labels
    from consult.i18n import (
        LANGUAGE_NAMES,
        format_day,
        format_local_moment,
        format_local_time,
        format_number,
        format_time_range,
        text_direction,
    )
    from consult.messages.sms import format_phone
    from consult.models import Role
    from consult.permissions import can_open, can_see_reference

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["can_open"] = can_open
    app.jinja_env.globals["can_see_reference"] = can_see_reference
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.add_template_filter(format_day)
    app.add_template_filter(format_local_time)
    app.add_template_filter(format_time_range, "time_range")
    app.add_template_filter(format_local_moment)
    app.add_template_filter(format_number)
    app.add_template_filter(format_phone)

    @app.context_processor
    def inject_language() -> dict[str, Any]:
        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        g.locale = locale
        return {
            "current_locale": locale,
            "text_direction": text_direction(locale),
            "language_names": LANGUAGE_NAMES,
            "Role": Role,
            "role_labels": labels.ROLE_LABELS,
            "appointment_status_labels": labels.APPOINTMENT_STATUS_LABELS,
            "visit_status_labels": labels.VISIT_STATUS_LABELS,
            "day_kind_labels": labels.DAY_KIND_LABELS,
            "message_kind_labels": labels.MESSAGE_KIND_LABELS,
            "channel_labels": labels.CHANNEL_LABELS,
            "message_status_labels": labels.MESSAGE_STATUS_LABELS,
            "staff_menu": labels.STAFF_MENU,
        }


__all__ = ["ConfigError", "create_app"]
