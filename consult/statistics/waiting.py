"""Waiting: days from booking to the appointment, the waiting list, towns without a day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.extensions import db
from consult.models import (
    ConsultationDay,
    DayStatus,
    Location,
    VisitOrigin,
    WaitlistEntry,
    WaitlistStatus,
    waitlist_topic,
)
from consult.statistics.query import (
    HELD,
    Counts,
    Filters,
    Section,
    nearest_rank,
    sums,
    tally,
    topic_name,
)
from consult.statistics.tables import Cell, Chart, Table

# --- waiting ------------------------------------------------------------------------------


def _lead_table(
    key: str, title: str, rows: list[Any], owner: Callable[[Any], Any], label: Callable[[Any], str]
) -> Table:
    """Median and 90th percentile of days booked ahead, per owner (agency or topic)."""
    rows = [(owner(r), r.lead_days, r.n) for r in rows if r.status in HELD and not r.walk_in]
    histograms: dict[Any, list[tuple[int, int]]] = defaultdict(list)
    for owner, lead, count in rows:
        histograms[owner].append((int(lead), int(count)))
    table = Table(
        key,
        title,
        _("Whole days from booking to the appointment (walk-ins not counted)."),
        [_("Name"), _("Appointments"), _("Median days"), _("90th percentile days")],
        chart=Chart((2, 3)),
    )
    for owner, histogram in sorted(histograms.items(), key=lambda i: label(i[0])):
        count = sum(c for _l, c in histogram)
        table.rows.append(
            [
                label(owner),
                Cell.count(count),
                Cell(nearest_rank(histogram, 0.5), count),
                Cell(nearest_rank(histogram, 0.9), count),
            ]
        )
    return table


def waiting(c: Counts) -> Section:
    agencies, topics = c.names
    by_agency = _lead_table(
        "lead_agency",
        _("Waiting time by agency"),
        c.appointments,
        lambda r: r.agency_id,
        lambda agency_id: agencies.get(agency_id, "?"),
    )
    by_topic = _lead_table(
        "lead_topic",
        _("Waiting time by topic"),
        c.appointment_topics,
        lambda r: r.topic_id,
        lambda topic_id: topic_name(topics, topic_id),
    )
    f = c.f
    entries = sa.select(sa.func.count(WaitlistEntry.id)).where(
        *_waitlist_where(f),
        sa.func.date(WaitlistEntry.created_dt) >= f.start,
        sa.func.date(WaitlistEntry.created_dt) <= f.end,
    )
    joined = int(db.session.scalar(entries) or 0)
    offer = VisitOrigin.WAITLIST.value
    outcomes = tally(c.visits, lambda r: r.outcome, lambda r: r.origin == offer)
    offered = int(sum(outcomes.values()))
    accepted = int(outcomes.get("booked", 0) + outcomes.get("cancelled", 0))
    waited = tally(
        c.visits,
        lambda r: r.wait_days,
        lambda r: (
            r.origin == offer and r.outcome in ("booked", "cancelled") and r.wait_days is not None
        ),
    )
    histogram = list(waited.items())
    waitlist = Table(
        "waitlist",
        _("Waiting list"),
        _(
            "People who joined the waiting list in the period, and the offers of freed "
            "times for days in the period."
        ),
        [_("Measure"), _("Number")],
    )
    waitlist.rows = [
        [_("Joined the waiting list"), Cell.count(joined)],
        [_("Offers made"), Cell.count(offered)],
        [_("Offers accepted"), Cell.count(accepted)],
        [_("Offers that ran out"), Cell.count(int(outcomes.get("offer_expired", 0)))],
        [_("Offers declined"), Cell.count(int(outcomes.get("offer_declined", 0)))],
        [_("Offers still open"), Cell.count(int(outcomes.get("offer_open", 0)))],
        [_("Median days from joining to the visit"), Cell(nearest_rank(histogram, 0.5), accepted)],
    ]
    return Section(
        "waiting", _("Waiting"), [by_agency, by_topic, waitlist, unserved_towns(f, c.today)]
    )


def _waitlist_where(f: Filters) -> list[sa.ColumnElement[bool]]:
    chosen: list[sa.ColumnElement[bool]] = []
    if f.town:
        chosen.append(WaitlistEntry.town == f.town)
    if f.location_id is not None:
        chosen.append(WaitlistEntry.location_id == f.location_id)
    if f.topic_id is not None:
        chosen.append(
            WaitlistEntry.id.in_(
                sa.select(waitlist_topic.c.entry_id).where(waitlist_topic.c.topic_id == f.topic_id)
            )
        )
    return chosen


def unserved_towns(f: Filters, today: date) -> Table:
    """People waiting now, by the town they asked for, where no day is planned from today on."""
    planned = (
        sa.select(Location.town)
        .join(ConsultationDay, ConsultationDay.location_id == Location.id)
        .where(ConsultationDay.date >= today, ConsultationDay.status == DayStatus.PUBLISHED)
    )
    rows = sums(
        sa.select(WaitlistEntry.town, sa.func.count(WaitlistEntry.id))
        .where(
            *_waitlist_where(f),
            WaitlistEntry.status == WaitlistStatus.WAITING,
            WaitlistEntry.town != "",
            WaitlistEntry.town.not_in(planned),
        )
        .group_by(WaitlistEntry.town)
        .order_by(sa.func.count(WaitlistEntry.id).desc(), WaitlistEntry.town)
    )
    table = Table(
        "unserved_towns",
        _("Demand where no day is planned"),
        _("People on the waiting list now, by town, where no day or stop is planned yet."),
        [_("Town"), _("People waiting")],
    )
    table.rows = [[town, Cell.count(int(count))] for town, count in rows]
    return table
