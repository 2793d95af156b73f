"""Configuration from environment variables, with safe development defaults."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-secret-change-me"
LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr")
RTL_LANGUAGES = frozenset({"ar", "fa"})


class ConfigError(Exception):
    """The configuration cannot run; the message says what to change."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default and meaning (for the README table)."""

    name: str
    default: str
    meaning: str


SETTINGS = (
    Setting("CONSULT_ENV", "development", "`production` refuses a development secret key"),
    Setting(
        "CONSULT_DATABASE_URL",
        f"sqlite:///{ROOT / 'instance' / 'consult.sqlite3'}",
        "SQLAlchemy URL; `postgresql+psycopg://…` in production",
    ),
    Setting("CONSULT_SECRET_KEY", DEV_SECRET_KEY, "signs sessions and CSRF tokens"),
    Setting("CONSULT_TIMEZONE", "Europe/Berlin", "default time zone of new locations"),
    Setting("CONSULT_DEFAULT_LANGUAGE", "de", "language when the person chose none"),
    Setting(
        "CONSULT_RETENTION_DAYS", "180", "days after a visit before its personal data is erased"
    ),
    Setting("CONSULT_CHANGEOVER_MINUTES", "5", "default gap between two appointments of a visit"),
    Setting(
        "CONSULT_RATELIMIT_STORAGE_URL",
        "memory://",
        "rate-limit counters: `redis://127.0.0.1:6379/0` with several workers",
    ),
    Setting(
        "CONSULT_RATELIMIT_BOOKING",
        "20 per hour",
        "booking attempts per client address (API, booking form and waiting list together)",
    ),
    Setting(
        "CONSULT_RATELIMIT_LOOKUP",
        "60 per hour",
        "unknown booking references per client address, on every route that takes one",
    ),
    Setting(
        "CONSULT_LOG_LEVEL",
        "INFO",
        "INFO logs a line per request and per change; WARNING only problems",
    ),
    Setting("CONSULT_SESSION_HOURS", "8", "a staff session ends after this many idle hours"),
    Setting(
        "CONSULT_SESSION_MAX_HOURS", "12", "and after this many hours since sign-in, in any case"
    ),
    Setting(
        "CONSULT_PROXY_COUNT",
        "0",
        "reverse proxies in front whose X-Forwarded-For/-Proto/-Host to trust (1 behind one)",
    ),
    Setting("CONSULT_ROAD_FACTOR", "1.3", "road distance ÷ straight-line distance for tour drives"),
    Setting("CONSULT_DRIVE_SPEED_KMH", "60", "average driving speed between tour stops"),
    Setting(
        "CONSULT_PLANNER_BUDGET_MS",
        "100",
        "CPU time one plan search may take; a search that reaches it shows what it found so far",
    ),
    Setting(
        "CONSULT_BASE_URL",
        "http://127.0.0.1:5000",
        "the address people reach consult at, for the links in messages",
    ),
    Setting(
        "CONSULT_MAIL_URL",
        "",
        "SMTP server: `smtp://host:25`, `smtp+starttls://user:pass@host:587` or "
        "`smtps://user:pass@host:465`; empty: e-mails are printed (development) or wait",
    ),
    Setting("CONSULT_MAIL_FROM", "consult@localhost", "sender address of e-mails"),
    Setting(
        "CONSULT_SMS_URL",
        "",
        "SMS gateway: `https://…` (the JSON contract below) or `twilio://SID:TOKEN@+49…`; "
        "empty: SMS are printed (development) or wait",
    ),
    Setting(
        "CONSULT_REMINDERS",
        "2d@09:00",
        "reminders: days before at a local time (`2d@09:00`) or hours before (`3h`), "
        "comma-separated; empty for none",
    ),
    Setting(
        "CONSULT_OFFER_HOURS",
        "24",
        "hours a seat offered from the waiting list is held for the person to accept",
    ),
    Setting(
        "CONSULT_MESSAGES_PER_DAY",
        "5",
        "at most this many messages to one address or number in 24 hours; more are dropped",
    ),
    Setting(
        "CONSULT_STATS_MIN_CELL",
        "5",
        "statistics show a figure that describes fewer people than this as '< N'",
    ),
)


def _env(name: str, environ: dict[str, str]) -> str:
    default = next(s.default for s in SETTINGS if s.name == name)
    return environ.get(name, default)


def _positive_int(name: str, environ: dict[str, str]) -> int:
    raw = _env(name, environ)
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, not {value}")
    return value


def _number(name: str, environ: dict[str, str], low: float, high: float) -> float:
    text = _env(name, environ)
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # also refuses NaN
        raise ConfigError(f"{name} must be a number from {low:g} to {high:g}, not {text!r}")
    return value


def _log_level(environ: dict[str, str]) -> str:
    level = _env("CONSULT_LOG_LEVEL", environ).upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"CONSULT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}")
    return level


def _messages(environ: dict[str, str]) -> dict[str, object]:
    from consult.messages.mail import MailSettings
    from consult.messages.reminders import parse_reminders
    from consult.messages.sms import gateway_from_url

    mail_url, sms_url = _env("CONSULT_MAIL_URL", environ), _env("CONSULT_SMS_URL", environ)
    try:
        mail = MailSettings.from_url(mail_url) if mail_url else None
        gateway = gateway_from_url(sms_url) if sms_url else None
        reminders = parse_reminders(_env("CONSULT_REMINDERS", environ))
    except ValueError as error:
        raise ConfigError(str(error)) from None
    return {
        "CONSULT_BASE_URL": _env("CONSULT_BASE_URL", environ).rstrip("/"),
        "CONSULT_MAIL": mail,
        "CONSULT_MAIL_FROM": _env("CONSULT_MAIL_FROM", environ),
        "CONSULT_SMS_GATEWAY": gateway,
        "CONSULT_REMINDERS": reminders,
        "CONSULT_MESSAGES_PER_DAY": _positive_int("CONSULT_MESSAGES_PER_DAY", environ),
        "CONSULT_OFFER_HOURS": max(1, _positive_int("CONSULT_OFFER_HOURS", environ)),
        "CONSULT_STATS_MIN_CELL": _positive_int("CONSULT_STATS_MIN_CELL", environ),
    }


def server_workers(argv: Sequence[str], environ: dict[str, str]) -> int:
    """How many worker processes serve the app: gunicorn's `--workers`, else one."""
    if not argv or "gunicorn" not in Path(argv[0]).as_posix():
        return 1
    from gunicorn.config import Config

    options = [*shlex.split(environ.get("GUNICORN_CMD_ARGS", "")), *argv[1:]]
    try:
        workers = Config().parser().parse_known_args(options)[0].workers
    except SystemExit:  # gunicorn itself will say what is wrong with its options
        workers = None
    if workers is None:
        try:
            workers = int(environ.get("WEB_CONCURRENCY") or 1)
        except ValueError:
            workers = 1
    return workers


def _rate_limit_storage(env: str, environ: dict[str, str], argv: Sequence[str]) -> str:
    url = _env("CONSULT_RATELIMIT_STORAGE_URL", environ)
    workers = server_workers(argv, environ)
    if env == "production" and url.startswith("memory://") and workers != 1:
        # Each worker would keep its own counts: four workers let four times the limit through.
        raise ConfigError(
            f"CONSULT_RATELIMIT_STORAGE_URL is memory:// but {workers} workers serve the app; "
            "set it to a shared store such as redis://127.0.0.1:6379/0"
        )
    return url


def from_environ(
    environ: dict[str, str] | None = None, argv: Sequence[str] | None = None
) -> dict[str, object]:
    """Flask configuration read from the environment; raises ConfigError on bad values."""
    environ = dict(os.environ if environ is None else environ)
    argv = sys.argv if argv is None else argv
    env = _env("CONSULT_ENV", environ)
    if env not in ("development", "production", "testing"):
        raise ConfigError(f"CONSULT_ENV must be development, production or testing, not {env!r}")
    secret = _env("CONSULT_SECRET_KEY", environ)
    if env == "production" and (secret == DEV_SECRET_KEY or len(secret) < 32):
        raise ConfigError(
            "CONSULT_SECRET_KEY must be set to a random value of at least 32 characters "
            "in production (for example: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    timezone = _env("CONSULT_TIMEZONE", environ)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"CONSULT_TIMEZONE is not a known time zone: {timezone!r}") from None
    language = _env("CONSULT_DEFAULT_LANGUAGE", environ)
    if language not in LANGUAGES:
        raise ConfigError(f"CONSULT_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    return {
        "CONSULT_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _env("CONSULT_DATABASE_URL", environ),
        "CONSULT_TIMEZONE": timezone,
        "BABEL_DEFAULT_LOCALE": language,
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "CONSULT_RETENTION_DAYS": _positive_int("CONSULT_RETENTION_DAYS", environ),
        "CONSULT_CHANGEOVER_MINUTES": _positive_int("CONSULT_CHANGEOVER_MINUTES", environ),
        "RATELIMIT_STORAGE_URI": _rate_limit_storage(env, environ, argv),
        "CONSULT_RATELIMIT_BOOKING": _env("CONSULT_RATELIMIT_BOOKING", environ),
        "CONSULT_RATELIMIT_LOOKUP": _env("CONSULT_RATELIMIT_LOOKUP", environ),
        "PERMANENT_SESSION_LIFETIME": 3600 * _positive_int("CONSULT_SESSION_HOURS", environ),
        "CONSULT_LOG_LEVEL": _log_level(environ),
        "CONSULT_SESSION_MAX_SECONDS": 3600 * _positive_int("CONSULT_SESSION_MAX_HOURS", environ),
        "CONSULT_PROXY_COUNT": _positive_int("CONSULT_PROXY_COUNT", environ),
        "CONSULT_ROAD_FACTOR": _number("CONSULT_ROAD_FACTOR", environ, 1.0, 3.0),
        "CONSULT_DRIVE_SPEED_KMH": _number("CONSULT_DRIVE_SPEED_KMH", environ, 5.0, 200.0),
        "CONSULT_PLANNER_BUDGET_MS": _number("CONSULT_PLANNER_BUDGET_MS", environ, 0.0, 10_000.0),
        **_messages(environ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "WTF_CSRF_TIME_LIMIT": None,
        # Forms and calendar uploads are small; anything larger is refused with a 413.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "RATELIMIT_HEADERS_ENABLED": True,
    }
