"""Coordination of places, agencies and topics: what a coordinator enters, checked and saved.

Plain functions over the models; they raise `CoordinationError` with an
untranslated message and leave committing to the caller.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import available_timezones

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.config import LANGUAGES
from consult.coordination.errors import CoordinationError
from consult.errors import N_
from consult.extensions import db
from consult.models import Agency, ConsultationDay, Location, Session, Topic

REQUIRED_LANGUAGES = ("de", "en")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")

# The longest text per language for each kind of practical information.
PRACTICAL_LIMITS = {
    "directions": 600,
    "parking": 300,
    "accessibility": 500,
    "opening": 200,
    "description": 500,
    "bring": 400,
}
# A location's kinds of practical information and the columns that hold them.
LOCATION_PRACTICAL = {
    "directions": "directions",
    "parking": "parking",
    "accessibility": "accessibility_notes",
    "opening": "opening",
}


def practical_texts(values: Mapping[str, str], kind: str) -> dict[str, str]:
    """The non-empty texts of known languages; CoordinationError when one is too long."""
    limit = PRACTICAL_LIMITS[kind]
    kept = {code: text.strip() for code, text in values.items() if code in LANGUAGES}
    if any(len(text) > limit for text in kept.values()):
        raise CoordinationError(
            N_("Please use at most %(max)d characters in each language."), max=limit
        )
    return {code: text for code, text in kept.items() if text}


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_known_zone(name: str) -> bool:
    """True for an IANA time zone name such as Europe/Berlin."""
    return name in _known_zones()


def slugify(text: str, fallback: str = "item") -> str:
    """A lower-case ASCII slug of a name (umlauts lose their dots, other marks their accents)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:40].strip("-") or fallback


def _unique_slug(model: type[Location] | type[Topic], base: str, limit: int) -> str:
    base = base[: limit - 4].strip("-") or "item"
    taken = set(db.session.scalars(sa.select(model.slug).where(model.slug.like(f"{base}%"))))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# --- locations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LocationFields:
    """What a coordinator enters for a location."""

    name: str
    street: str
    postcode: str
    town: str
    latitude: float
    longitude: float
    timezone: str
    changeover_minutes: int
    # Practical information by kind (LOCATION_PRACTICAL) and language; a kind left out
    # stays as it is.
    practical: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    active: bool = True


def save_location(location: Location | None, fields: LocationFields) -> Location:
    """Create a location (`location` None) or change one; CoordinationError on bad values."""
    if not -90 <= fields.latitude <= 90:
        raise CoordinationError(N_("The latitude must be between -90 and 90."))
    if not -180 <= fields.longitude <= 180:
        raise CoordinationError(N_("The longitude must be between -180 and 180."))
    if not 0 <= fields.changeover_minutes <= 60:
        raise CoordinationError(N_("The changeover time must be between 0 and 60 minutes."))
    if not is_known_zone(fields.timezone):
        raise CoordinationError(
            N_("The time zone %(zone)s is not known. Please use a name like Europe/Berlin."),
            zone=fields.timezone,
        )
    texts = {kind: practical_texts(v, kind) for kind, v in fields.practical.items()}
    if location is None:
        location = Location(slug=_unique_slug(Location, slugify(fields.name, "location"), 60))
        db.session.add(location)
    elif location.timezone != fields.timezone and _has_sessions(location):
        # Sessions are stored as UTC instants planned in the old zone's wall-clock time.
        raise CoordinationError(
            N_(
                "The time zone cannot be changed because consultation hours are already "
                "planned at this location."
            )
        )
    location.name = fields.name
    location.street = fields.street
    location.postcode = fields.postcode
    location.town = fields.town
    location.latitude = fields.latitude
    location.longitude = fields.longitude
    location.timezone = fields.timezone
    location.changeover_minutes = fields.changeover_minutes
    for kind, kept in texts.items():
        setattr(location, LOCATION_PRACTICAL[kind], kept)
    location.active = fields.active
    return location


def _has_sessions(location: Location) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(Session.id))
            .join(ConsultationDay, Session.day_id == ConsultationDay.id)
            .where(ConsultationDay.location_id == location.id)
        )
    )


def locations(*, active_only: bool = False) -> list[Location]:
    """Locations by town and name."""
    query = sa.select(Location).order_by(Location.town, Location.name)
    if active_only:
        query = query.where(Location.active)
    return list(db.session.scalars(query))


# --- agencies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyFields:
    """What a coordinator enters for an agency."""

    slug: str
    name: str
    short_name: str
    color: str
    description: Mapping[str, str] | None = None  # by language; None leaves it as it is


def save_agency(agency: Agency | None, fields: AgencyFields) -> Agency:
    """Create or change an agency; the slug must be unique."""
    slug = fields.slug.strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise CoordinationError(
            N_("The short code may contain only small letters, digits and hyphens.")
        )
    if not COLOR_PATTERN.match(fields.color):
        raise CoordinationError(N_("Please choose a colour like #3b5b92."))
    clash = db.session.scalar(sa.select(Agency).where(Agency.slug == slug))
    if clash is not None and clash is not agency:
        raise CoordinationError(N_("The short code %(slug)s is already used."), slug=slug)
    description = None
    if fields.description is not None:
        description = practical_texts(fields.description, "description")
    if agency is None:
        agency = Agency()
        db.session.add(agency)
    agency.slug = slug
    agency.name = fields.name
    agency.short_name = fields.short_name
    agency.color = fields.color.lower()
    if description is not None:
        agency.description = description
    return agency


def agencies() -> list[Agency]:
    """Agencies by name."""
    return list(db.session.scalars(sa.select(Agency).order_by(Agency.name)))


# --- topics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicFields:
    """What a coordinator enters for a topic: texts per language, phase, length, agencies."""

    names: dict[str, str]
    explanations: dict[str, str]
    icon: str
    phase: int
    default_minutes: int
    agency_ids: Sequence[int]
    active: bool = True
    bring: Mapping[str, str] = field(default_factory=dict)  # what to bring, by language


def save_topic(topic: Topic | None, fields: TopicFields) -> Topic:
    """Create or change a topic; German and English names are required."""
    names = {code: text for code, text in fields.names.items() if code in LANGUAGES and text}
    explanations = {
        code: text for code, text in fields.explanations.items() if code in LANGUAGES and text
    }
    missing = [code for code in REQUIRED_LANGUAGES if not names.get(code)]
    if missing:
        raise CoordinationError(N_("Please give the topic a name in German and in English."))
    if not 1 <= fields.phase <= 5:
        raise CoordinationError(N_("Please choose a phase between 1 and 5."))
    if not 5 <= fields.default_minutes <= 240:
        raise CoordinationError(N_("The usual length must be between 5 and 240 minutes."))
    bring = practical_texts(fields.bring, "bring")
    chosen = _load_agencies(fields.agency_ids)
    if topic is None:
        position = db.session.scalar(sa.select(sa.func.max(Topic.position))) or 0
        topic = Topic(
            slug=_unique_slug(Topic, slugify(names["en"], "topic"), 40), position=position + 1
        )
        db.session.add(topic)
    topic.names = names
    topic.explanations = explanations
    topic.bring = bring
    topic.icon = fields.icon
    topic.phase = fields.phase
    topic.default_minutes = fields.default_minutes
    topic.agencies = chosen
    topic.active = fields.active
    return topic


def topics() -> list[Topic]:
    """Every topic in display order."""
    return list(
        db.session.scalars(
            sa.select(Topic)
            .options(selectinload(Topic.agencies))
            .order_by(Topic.position, Topic.id)
        )
    )


def _load_agencies(agency_ids: Iterable[int]) -> list[Agency]:
    wanted = set(agency_ids)
    found = list(
        db.session.scalars(sa.select(Agency).where(Agency.id.in_(wanted)).order_by(Agency.name))
    )
    if len(found) != len(wanted):
        raise CoordinationError(N_("One of the chosen agencies does not exist."))
    return found
