"""What every figure shares: the filters, the counts tables' filter, labels and ranks.

Every query reads `stat_visit`, `stat_appointment` or `stat_capacity` (never a name,
a contact or a note), filtered by the period and the chosen place, town, agency and
topic, and grouped in the database; Python only turns the groups into rows. Medians
and 90th percentiles are read off a histogram of whole days or minutes (nearest rank).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.extensions import db
from consult.models import (
    Agency,
    Location,
    StatAppointment,
    StatAppointmentTopic,
    StatCapacity,
    StatVisit,
    StatVisitTopic,
    Topic,
    VisitOrigin,
)
from consult.statistics.tables import Cell, Table

# Visits that happened or will: not cancelled, and offers not turned down or run out.
KEPT = ("booked", "offer_open")
# Appointments that were or are to be held (not cancelled, not moved elsewhere).
HELD = ("booked", "checked_in", "in_consultation", "done", "no_show")
SEEN = ("checked_in", "in_consultation", "done")
LEAD_BANDS = ((0, 1), (2, 7), (8, 14), (15, 28), (29, None))
CANCEL_BANDS = ((0, 0), (1, 1), (2, 7), (8, None))
ORIGIN_LABELS = {
    VisitOrigin.BOOKED: _l("Booked ahead"),
    VisitOrigin.WALK_IN: _l("Walk-in"),
    VisitOrigin.REFERRAL: _l("Referral"),
    VisitOrigin.WAITLIST: _l("Waiting-list offer"),
}


@dataclass(frozen=True)
class Filters:
    """What the figures are about: a period and, optionally, one place, town, agency, topic."""

    start: date
    end: date
    location_id: int | None = None
    town: str | None = None
    agency_id: int | None = None
    topic_id: int | None = None


@dataclass(frozen=True)
class Section:
    """A heading and its tables."""

    key: str
    title: str
    tables: list[Table]


def where(model: Any, f: Filters) -> list[sa.ColumnElement[bool]]:
    """The filter of a counts table: the period, and the place, town, agency, topic chosen."""
    chosen = [model.on >= f.start, model.on <= f.end]
    if f.location_id is not None:
        chosen.append(model.location_id == f.location_id)
    if f.town:
        chosen.append(model.location_id.in_(sa.select(Location.id).where(Location.town == f.town)))
    if f.agency_id is not None:
        if hasattr(model, "agencies_key"):
            chosen.append(model.agencies_key.contains(f",{f.agency_id},"))
        else:
            chosen.append(model.agency_id == f.agency_id)
    if f.topic_id is not None and model is not StatCapacity:  # time is offered per agency
        if hasattr(model, "topics_key"):
            chosen.append(model.topics_key.contains(f",{f.topic_id},"))
        else:
            chosen.append(model.topic_id == f.topic_id)
    return chosen


def sums(query: sa.Select[Any]) -> list[sa.Row[Any]]:
    """The rows of a grouped query, read through Core: thousands of small rows, no ORM."""
    return db.session.connection().execute(query).all()


def _grouped(
    model: Any, f: Filters, dims: dict[str, Any], measures: dict[str, Any]
) -> list[sa.Row[Any]]:
    columns = [column.label(name) for name, column in dims.items()]
    columns += [sa.func.sum(column).label(name) for name, column in measures.items()]
    query = sa.select(*columns).where(*where(model, f))
    return sums(query.group_by(*dims.values()))


class Counts:
    """The groups the figures are made of: each counts table read once per dashboard.

    Every figure sums some of these groups (a few thousand at most for a year) instead
    of asking the database again.
    """

    def __init__(self, f: Filters, today: date) -> None:
        self.f, self.today = f, today

    @functools.cached_property
    def visits(self) -> list[sa.Row[Any]]:
        """Visits by place, kind, language, origin, outcome, agencies, waiting, past or not."""
        v = StatVisit
        dims = {
            "location_id": v.location_id,
            "kind": v.kind,
            "language": v.language,
            "interpreter": v.interpreter,
            "mediator": v.mediator,
            "origin": v.origin,
            "outcome": v.outcome,
            "agencies": v.agencies,
            "seen": v.appointments > 0,
            "wait_days": v.wait_days,
            # Whether a mobile stop is over (people served); the other days need not say.
            "past": sa.and_(v.kind == "mobile", v.on < self.today),
        }
        return _grouped(v, self.f, dims, {"n": v.n, "appointments": v.n * v.appointments})

    @functools.cached_property
    def stays(self) -> list[sa.Row[Any]]:
        """Visits kept, by minutes on site."""
        v = StatVisit
        dims = {"minutes": v.site_minutes, "outcome": v.outcome, "seen": v.appointments > 0}
        rows = _grouped(v, self.f, dims, {"n": v.n})
        return [row for row in rows if row.outcome in KEPT and row.seen]

    @functools.cached_property
    def visit_topics(self) -> list[sa.Row[Any]]:
        """Visits by topic (each of a visit's topics) and outcome."""
        v = StatVisitTopic
        return _grouped(v, self.f, {"topic_id": v.topic_id, "outcome": v.outcome}, {"n": v.n})

    @functools.cached_property
    def appointments(self) -> list[sa.Row[Any]]:
        """Appointments by agency, state, walk-in or not, days booked or cancelled ahead."""
        a = StatAppointment
        dims = {
            "agency_id": a.agency_id,
            "status": a.status,
            "walk_in": a.origin == VisitOrigin.WALK_IN.value,
            "lead_days": a.lead_days,
            "cancel_lead_days": a.cancel_lead_days,
        }
        return _grouped(a, self.f, dims, {"n": a.n})

    @functools.cached_property
    def appointment_topics(self) -> list[sa.Row[Any]]:
        """Appointments by topic (each of an appointment's topics), state, walk-in, lead."""
        a = StatAppointmentTopic
        dims = {
            "topic_id": a.topic_id,
            "status": a.status,
            "walk_in": a.origin == VisitOrigin.WALK_IN.value,
            "lead_days": a.lead_days,
        }
        return _grouped(a, self.f, dims, {"n": a.n})

    @functools.cached_property
    def names(self) -> tuple[dict[int, str], dict[int, Topic]]:
        """The agencies' short names and the topics, by id."""
        agencies = {a.id: a.short_name for a in db.session.scalars(sa.select(Agency))}
        topics = db.session.scalars(sa.select(Topic).order_by(Topic.position))
        return agencies, {t.id: t for t in topics}

    @functools.cached_property
    def locations(self) -> dict[int, Location]:
        """Every place by id, by town and name."""
        query = sa.select(Location).order_by(Location.town, Location.name)
        return {location.id: location for location in db.session.scalars(query)}


def tally(
    rows: Iterable[sa.Row[Any]],
    key: Callable[[Any], Any],
    when: Callable[[Any], bool] | None = None,
    value: str = "n",
) -> dict[Any, int]:
    """The sum of `value` over the groups that pass `when`, by `key`."""
    totals: dict[Any, int] = defaultdict(int)
    for row in rows:
        if when is None or when(row):
            totals[key(row)] += int(getattr(row, value))
    return totals


def topic_name(topics: dict[int, Topic], topic_id: int | None) -> str:
    if topic_id is None or topic_id not in topics:
        return _("No topic named")
    return topics[topic_id].name_in(str(get_locale()))


def nearest_rank(histogram: Iterable[tuple[int, int]], share: float) -> int | None:
    """The smallest value with at least `share` of the counts at or below it; None if empty."""
    ordered = sorted(histogram)
    total = sum(count for _value, count in ordered)
    if total == 0:
        return None
    wanted, seen = share * total, 0
    for value, count in ordered:
        seen += count
        if seen >= wanted:
            return value
    return ordered[-1][0]


def percent(part: int, whole: int) -> Cell:
    return Cell(100 * part / whole if whole else None, whole, "%")


def band_labels(bands: Sequence[tuple[int, int | None]]) -> list[str]:
    labels = []
    for low, high in bands:
        if high is None:
            labels.append(_("%(days)d days or more", days=low))
        elif low == high:
            labels.append(_("%(days)d days", days=low) if low != 1 else _("1 day"))
        else:
            labels.append(_("%(low)d–%(high)d days", low=low, high=high))
    return labels


def band_of(days: int, bands: Sequence[tuple[int, int | None]]) -> int:
    for index, (low, high) in enumerate(bands):
        if days >= low and (high is None or days <= high):
            return index
    return len(bands) - 1
