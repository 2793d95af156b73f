"""What every model module shares: the clock, references, column types, the transition error.

Every instant is stored as UTC (`*_dt` columns, aware `datetime` in Python);
calendar dates of a day (`ConsultationDay.date`) are local to its location.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from consult.errors import DomainError

# Crockford's base32: no I, L, O, U, so a reference read aloud is unambiguous.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 12  # 12 symbols of 5 bits: 60 bits of randomness


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def clock() -> datetime:
    """The models' current instant: `consult.models.utcnow()`, looked up at each call."""
    # Tests set the clock by replacing `consult.models.utcnow`, the name the services
    # read too; model methods ask the package, not this module, so the patch reaches them.
    from consult import models

    return models.utcnow()


def today_in(zone: str) -> date:
    """Today's calendar date in a time zone."""
    return clock().astimezone(ZoneInfo(zone)).date()


def new_reference() -> str:
    """A fresh booking reference such as `7KQ2-MX4D-9TPA` (60 random bits)."""
    symbols = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return "-".join(symbols[i : i + 4] for i in range(0, REFERENCE_LENGTH, 4))


def normalise_reference(text: str) -> str:
    """The canonical form of a reference typed by a person (case, spaces, O/0, I/L/1)."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(cleaned) != REFERENCE_LENGTH:
        return cleaned
    return "-".join(cleaned[i : i + 4] for i in range(0, REFERENCE_LENGTH, 4))


def new_feed_token() -> str:
    """A secret token for a personal calendar feed (192 random bits)."""
    return secrets.token_urlsafe(24)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite keeps no zone, so we add it back)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC instant is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_class: type[enum.Enum], length: int = 20) -> sa.Enum:
    """A portable enum column: a short string with a CHECK constraint, no native type."""
    return sa.Enum(
        enum_class,
        name=enum_class.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class TransitionError(DomainError):
    """A state change that the current state does not allow."""


@dataclass(frozen=True)
class Localized:
    """A text picked from a per-language mapping, and the language it is really in."""

    text: str
    language: str
    # True when the reader's language was missing and another language stands in.
    fell_back: bool = False

    def __bool__(self) -> bool:
        return bool(self.text)

    def __str__(self) -> str:
        return self.text


def localized_text(
    values: dict[str, str] | None, locale: str, fallbacks: tuple[str, ...] = ("de",)
) -> Localized:
    """The text for `locale`, else the first of `fallbacks` that has one, saying which it is."""
    values = values or {}
    if values.get(locale):
        return Localized(values[locale], locale)
    for language in fallbacks:
        if values.get(language):
            return Localized(values[language], language, fell_back=True)
    return Localized("", locale)


def localized(values: dict[str, str] | None, locale: str, fallback: str = "") -> str:
    """The text for `locale` from a per-language mapping, falling back to English, then German."""
    return localized_text(values, locale, ("en", "de")).text or fallback
