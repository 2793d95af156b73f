"""Language choice: the person's pick, then the browser's Accept-Language, then the default."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, request, session
from flask_babel import format_date, format_decimal, format_time
from flask_login import current_user
from markupsafe import Markup

from consult.config import LANGUAGES, RTL_LANGUAGES

# Each language named in its own script, so a person finds theirs without reading German.
LANGUAGE_NAMES = {
    "de": "Deutsch",
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی",
    "uk": "Українська",
    "ru": "Русский",
    "tr": "Türkçe",
}


# The language a person chose, kept for a year on their device: a phone's browser
# ends the session when it closes, and the person would have to find their language again.
LANGUAGE_COOKIE = "consult_lang"
LANGUAGE_COOKIE_DAYS = 365


def select_locale() -> str:
    """The locale for this request."""
    chosen = request.args.get("lang") or session.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        return current_user.language
    return (
        request.accept_languages.best_match(LANGUAGES) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def text_direction(locale: str) -> str:
    """`rtl` for Arabic and Persian, else `ltr`."""
    return "rtl" if locale in RTL_LANGUAGES else "ltr"


def format_day(day: date, format: str = "full") -> str:
    """A calendar date in the active locale, e.g. "Dienstag, 24. November 2026"."""
    return format_date(day, format=format)


def format_number(value: float, format: str = "#,##0.0") -> str:
    """A number with the locale's decimal sign and digits, e.g. "33,5" in German."""
    return format_decimal(value, format=format)


def format_local_time(instant: datetime, zone: str = "Europe/Berlin", format: str = "HH:mm") -> str:
    """A UTC instant as 24-hour wall-clock time in `zone`, with the locale's digits.

    24-hour times read the same in every shipped language and do not reorder
    around AM/PM marks in right-to-left text.
    """
    return format_time(instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None), format=format)


def format_time_range(starts: datetime, ends: datetime, zone: str = "Europe/Berlin") -> Markup:
    """A time range such as 09:00–09:20 in `zone`, isolated to read left to right in Arabic too."""
    return Markup('<bdi dir="ltr">{}–{}</bdi>').format(
        format_local_time(starts, zone), format_local_time(ends, zone)
    )


def format_local_moment(instant: datetime, zone: str = "Europe/Berlin") -> str:
    """A UTC instant as its local date and time in `zone`, e.g. "05.12.2026 14:30"."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{format_day(local.date(), 'medium')} {format_local_time(instant, zone)}"
