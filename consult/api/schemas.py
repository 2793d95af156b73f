"""What API clients send, checked field by field before the domain sees it.

Every problem is an English msgid with its parameters (as in `consult.errors`),
collected per field, so that one answer names everything that is wrong; the
views translate them into the person's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from werkzeug.datastructures import MultiDict

from consult.config import LANGUAGES
from consult.contacts import MAX_EMAIL, MAX_NAME, MAX_PHONE
from consult.errors import N_
from consult.itineraries import MAX_TOPICS, PlannedOpening, PlanningError, parse_plan_token

MAX_ID = 2**31 - 1  # the largest primary key; larger numbers are refused, not sent to SQL
MAX_TOWN = 80
MAX_PLAN_TOKEN = 600
MAX_TOPIC_ITEMS = 20  # load_topics refuses more than MAX_TOPICS; this only bounds the work
MAX_RANGE_DAYS = 366
MIN_PLANS, MAX_PLANS, DEFAULT_PLANS = 1, 10, 5
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()/\-]{5,40}$")
_ID = re.compile(r"^[1-9][0-9]{0,9}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

BOOKING_FIELDS = frozenset(
    {
        "day_id",
        "plan",
        "topics",
        "name",
        "phone",
        "email",
        "language",
        "interpreter",
        "consent",
        "mediator",
    }
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field: an untranslated msgid and its parameters."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)


class Invalid(Exception):
    """The input cannot be used; `errors` maps each field to its problems."""

    def __init__(self, errors: Mapping[str, Sequence[Problem]]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = {name: list(problems) for name, problems in errors.items()}

    @classmethod
    def one(cls, name: str, message: str, **params: object) -> Invalid:
        return cls({name: [Problem(message, params)]})


class _Problems:
    """Collects problems while a whole request is checked."""

    def __init__(self) -> None:
        self.errors: dict[str, list[Problem]] = {}

    def add(self, name: str, message: str, **params: object) -> None:
        self.errors.setdefault(name, []).append(Problem(message, params))

    def __contains__(self, name: str) -> bool:
        return name in self.errors

    def raise_any(self) -> None:
        if self.errors:
            raise Invalid(self.errors)


@dataclass(frozen=True)
class DaysQuery:
    topic_ids: tuple[int, ...]
    town: str | None
    start: date | None
    end: date | None


@dataclass(frozen=True)
class PlansQuery:
    topic_ids: tuple[int, ...]
    language: str | None
    arrive: time | None
    leave: time | None
    limit: int
    mediator: bool = False


@dataclass(frozen=True)
class BookingInput:
    day_id: int
    plan: tuple[PlannedOpening, ...]
    topic_ids: tuple[int, ...]
    name: str
    phone: str | None
    email: str | None
    language: str
    interpreter: bool
    consent: bool
    mediator: bool = False


def _topic_ids(args: MultiDict[str, str], problems: _Problems) -> tuple[int, ...]:
    raw = args.getlist("topic")
    if len(raw) > MAX_TOPIC_ITEMS:
        problems.add(
            "topic", N_("Please choose at most %(max)d topics for one visit."), max=MAX_TOPICS
        )
        return ()
    if any(not _ID.fullmatch(value) or int(value) > MAX_ID for value in raw):
        problems.add("topic", N_("One of the chosen topics is not offered."))
        return ()
    return tuple(int(value) for value in raw)


def _date(args: MultiDict[str, str], name: str, problems: _Problems) -> date | None:
    text = args.get(name, "").strip()
    if not text:
        return None
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        problems.add(name, N_("Please enter a date like 2026-12-01."))
        return None


def _clock(args: MultiDict[str, str], name: str, problems: _Problems) -> time | None:
    text = args.get(name, "").strip()
    if not text:
        return None
    if not _CLOCK.fullmatch(text):
        problems.add(name, N_("Please enter a time like 09:30."))
        return None
    return time.fromisoformat(text)


def days_query(args: MultiDict[str, str], today: date) -> DaysQuery:
    """`?topic=&town=&from=&to=`: dates before `today` count as today."""
    problems = _Problems()
    topic_ids = _topic_ids(args, problems)
    town = " ".join(args.get("town", "").split())
    if len(town) > MAX_TOWN:
        problems.add("town", N_("Please use at most %(max)d characters."), max=MAX_TOWN)
    start = _date(args, "from", problems)
    end = _date(args, "to", problems)
    if start and end:
        if end < start:
            problems.add("to", N_("The end date must not be before the start date."))
        elif (end - start).days > MAX_RANGE_DAYS:
            problems.add(
                "to", N_("Please choose a period of at most %(max)d days."), max=MAX_RANGE_DAYS
            )
    problems.raise_any()
    if start and start < today:
        start = today
    if end and not start and end > today + timedelta(days=MAX_RANGE_DAYS):
        raise Invalid.one(
            "to", N_("Please choose a period of at most %(max)d days."), max=MAX_RANGE_DAYS
        )
    return DaysQuery(topic_ids, town or None, start, end)


def plans_query(args: MultiDict[str, str]) -> PlansQuery:
    """`?topic=&language=&arrive=&leave=&limit=`."""
    problems = _Problems()
    topic_ids = _topic_ids(args, problems)
    if not topic_ids and "topic" not in problems:
        problems.add("topic", N_("Please choose at least one thing you need help with."))
    language = args.get("language", "").strip() or None
    if language is not None and language not in LANGUAGES:
        problems.add("language", N_("Please choose one of the offered languages."))
    arrive = _clock(args, "arrive", problems)
    leave = _clock(args, "leave", problems)
    if arrive and leave and leave <= arrive:
        problems.add("leave", N_("The time you must leave has to be after the time you arrive."))
    limit = DEFAULT_PLANS
    raw_limit = args.get("limit", "").strip()
    if raw_limit:
        if raw_limit.isascii() and raw_limit.isdigit() and MIN_PLANS <= int(raw_limit) <= MAX_PLANS:
            limit = int(raw_limit)
        else:
            problems.add(
                "limit",
                N_("Please give a whole number from %(min)d to %(max)d."),
                min=MIN_PLANS,
                max=MAX_PLANS,
            )
    mediator = args.get("mediator", "false").strip().lower()
    if mediator not in ("true", "false", "1", "0"):
        problems.add("mediator", N_("Please give true or false here."))
    problems.raise_any()
    return PlansQuery(topic_ids, language, arrive, leave, limit, mediator in ("true", "1"))


def _optional_text(body: Mapping[str, Any], name: str, problems: _Problems) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(name, N_("Please give text here."))
        return None
    return value.strip() or None


def _flag(body: Mapping[str, Any], name: str, problems: _Problems) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        problems.add(name, N_("Please give true or false here."))
        return False
    return value


def _booking_day(body: Mapping[str, Any], problems: _Problems) -> int:
    value = body.get("day_id")
    if value is None:
        problems.add("day_id", N_("Please choose a consultation day."))
    elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        problems.add("day_id", N_("This consultation day is not open for booking."))
    else:
        return value
    return 0


def _booking_plan(body: Mapping[str, Any], problems: _Problems) -> tuple[PlannedOpening, ...]:
    value = body.get("plan")
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_PLAN_TOKEN:
        problems.add("plan", N_("This plan is not valid any more. Please choose a plan again."))
        return ()
    try:
        return tuple(parse_plan_token(value.strip()))
    except PlanningError as error:
        problems.add("plan", error.message, **error.params)
        return ()


def _booking_topics(body: Mapping[str, Any], problems: _Problems) -> tuple[int, ...]:
    value = body.get("topics")
    if not isinstance(value, list) or not value:
        problems.add("topics", N_("Please choose at least one thing you need help with."))
        return ()
    if len(value) > MAX_TOPIC_ITEMS:
        problems.add(
            "topics", N_("Please choose at most %(max)d topics for one visit."), max=MAX_TOPICS
        )
        return ()
    if any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_ID for v in value):
        problems.add("topics", N_("One of the chosen topics is not offered."))
        return ()
    return tuple(value)


def _contact(body: Mapping[str, Any], problems: _Problems) -> tuple[str, str | None, str | None]:
    raw_name = body.get("name")
    name = " ".join(raw_name.split()) if isinstance(raw_name, str) else ""
    if raw_name is not None and not isinstance(raw_name, str):
        problems.add("name", N_("Please give text here."))
    elif not name:
        problems.add("name", N_("Please give a name. A first name or a nickname is enough."))
    elif len(name) > MAX_NAME:
        problems.add("name", N_("Please use at most %(max)d characters."), max=MAX_NAME)

    phone = _optional_text(body, "phone", problems)
    if phone is not None:
        if len(phone) > MAX_PHONE:
            problems.add("phone", N_("Please use at most %(max)d characters."), max=MAX_PHONE)
        elif not PHONE_PATTERN.fullmatch(phone):
            problems.add("phone", N_("This does not look like a phone number."))

    email = _optional_text(body, "email", problems)
    if email is not None:
        if len(email) > MAX_EMAIL:
            problems.add("email", N_("Please use at most %(max)d characters."), max=MAX_EMAIL)
        else:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                problems.add("email", N_("This does not look like an e-mail address."))
    return name, phone, email


def booking(body: Mapping[str, Any], default_language: str) -> BookingInput:
    """The body of `POST /visits`; `Invalid` names every field that is wrong."""
    problems = _Problems()
    for unknown in sorted(set(body) - BOOKING_FIELDS):
        problems.add(unknown, N_("This field is not known."))
    day_id = _booking_day(body, problems)
    plan = _booking_plan(body, problems)
    topic_ids = _booking_topics(body, problems)
    name, phone, email = _contact(body, problems)
    language = body.get("language")
    if language is None:
        language = default_language
    elif language not in LANGUAGES:
        problems.add("language", N_("Please choose one of the offered languages."))
    interpreter = _flag(body, "interpreter", problems)
    consent = _flag(body, "consent", problems)
    mediator = _flag(body, "mediator", problems)
    problems.raise_any()
    return BookingInput(
        day_id=day_id,
        plan=plan,
        topic_ids=topic_ids,
        name=name,
        phone=phone,
        email=email,
        language=language,
        interpreter=interpreter,
        consent=consent,
        mediator=mediator,
    )
