"""Capacity: time offered and booked, unused slots, cancellations and no-shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.models import (
    StatCapacity,
)
from consult.statistics.query import (
    CANCEL_BANDS,
    HELD,
    LEAD_BANDS,
    Counts,
    Filters,
    Section,
    band_labels,
    band_of,
    percent,
    sums,
    tally,
    topic_name,
    where,
)
from consult.statistics.tables import Cell, Chart, Table

# A period shorter than this shows utilisation day by day, a longer one month by month.
DAILY_UP_TO = 62

# --- capacity -----------------------------------------------------------------------------


def _utilisation(
    f: Filters, key: str, title: str, group: Any, label: Callable[[Any], str]
) -> Table:
    c = StatCapacity
    rows = sums(
        sa.select(
            *group,
            sa.func.sum(c.offered_minutes),
            sa.func.sum(c.booked_minutes),
            sa.func.sum(c.unused_slots),
            sa.func.sum(c.slots),
        )
        .where(*where(c, f))
        .group_by(*group)
        .order_by(*group)
    )
    table = Table(
        key,
        title,
        _("Hours offered and booked (no-shows count as booked), and desk slots nobody booked."),
        [_("Name"), _("Hours offered"), _("Hours booked"), _("Utilisation"), _("Unused slots")],
        chart=Chart((3,)),
    )
    for *owner, offered, booked, unused, _slots in rows:
        table.rows.append(
            [
                label(owner[0] if len(owner) == 1 else tuple(owner)),
                Cell(round(int(offered) / 60, 1)),
                Cell(round(int(booked) / 60, 1)),
                Cell(100 * int(booked) / int(offered) if offered else None, None, "%"),
                Cell(int(unused)),
            ]
        )
    return table


def capacity(c: Counts) -> Section:
    agencies, topics = c.names
    locations = c.locations
    f, offered = c.f, StatCapacity
    by_agency = _utilisation(
        f, "utilisation_agency", _("Utilisation by agency"), [offered.agency_id], agencies.get
    )
    by_place = _utilisation(
        f,
        "utilisation_place",
        _("Utilisation by place"),
        [offered.location_id],
        lambda location_id: locations[location_id].name,
    )
    if (f.end - f.start).days < DAILY_UP_TO:
        by_time = _utilisation(
            f, "utilisation_time", _("Utilisation by day"), [offered.on], _iso_date
        )
    else:
        by_time = _utilisation(
            f,
            "utilisation_time",
            _("Utilisation by month"),
            [sa.extract("year", offered.on), sa.extract("month", offered.on)],
            lambda ym: f"{int(ym[0]):04d}-{int(ym[1]):02d}",
        )
    cancelled = [0] * len(CANCEL_BANDS)
    ahead = tally(
        c.appointments,
        lambda r: r.cancel_lead_days,
        lambda r: r.status == "cancelled" and r.cancel_lead_days is not None,
    )
    for lead, count in ahead.items():
        cancelled[band_of(int(lead), CANCEL_BANDS)] += count
    booked = sum(
        tally(c.appointments, lambda r: 0, lambda r: r.status in (*HELD, "cancelled")).values()
    )
    cancellations = Table(
        "cancellations",
        _("Cancellations"),
        _("Appointments cancelled, by how long before the appointment (moves not counted)."),
        [_("Cancelled before the appointment"), _("Appointments"), _("Share of all booked")],
        chart=Chart((1,)),
        totals=1,
    )
    for label, count in zip(band_labels(CANCEL_BANDS), cancelled, strict=True):
        cancellations.rows.append([label, Cell.count(count), percent(count, booked)])
    cancellations.rows.append(
        [_("All"), Cell.count(sum(cancelled)), percent(sum(cancelled), booked)]
    )
    no_shows = [
        _no_show_table(
            "no_show_agency",
            _("No-shows by agency"),
            _no_show_rows(c.appointments, lambda r: r.agency_id),
            agencies.get,
        ),
        _no_show_table(
            "no_show_topic",
            _("No-shows by topic"),
            _no_show_rows(c.appointment_topics, lambda r: r.topic_id),
            lambda topic_id: topic_name(topics, topic_id),
        ),
        _no_show_by_lead(_no_show_rows(c.appointments, lambda r: r.lead_days)),
    ]
    return Section(
        "capacity", _("Capacity"), [by_agency, by_place, by_time, cancellations, *no_shows]
    )


def _iso_date(on: date | str) -> str:
    return on if isinstance(on, str) else on.isoformat()  # SQLite may hand back text


def _no_show_rows(rows: list[Any], owner: Callable[[Any], Any]) -> dict[Any, list[int]]:
    """(appointments over, missed) per owner: done or missed, nothing cancelled or ahead."""
    counts: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row.status in ("done", "no_show"):
            counts[owner(row)][0] += int(row.n)
            if row.status == "no_show":
                counts[owner(row)][1] += int(row.n)
    return counts


def _no_show_header() -> list[str]:
    return [_("Name"), _("Appointments past"), _("Did not come"), _("No-show rate")]


def _no_show_table(
    key: str, title: str, counts: dict[Any, list[int]], label: Callable[[Any], str | None]
) -> Table:
    table = Table(
        key,
        title,
        _("Of the appointments that are over (held or missed), the share the person missed."),
        _no_show_header(),
        chart=Chart((3,)),
    )
    for owner, (total, missed) in sorted(counts.items(), key=lambda i: str(label(i[0]))):
        table.rows.append(
            [str(label(owner)), Cell.count(total), Cell.count(missed), percent(missed, total)]
        )
    return table


def _no_show_by_lead(counts: dict[Any, list[int]]) -> Table:
    bands = [[0, 0] for _band in LEAD_BANDS]
    for lead, (total, missed) in counts.items():
        band = bands[band_of(int(lead), LEAD_BANDS)]
        band[0] += total
        band[1] += missed
    table = Table(
        "no_show_lead",
        _("No-shows by time booked ahead"),
        _("The longer ahead an appointment is booked, the more often it is missed."),
        _no_show_header(),
        chart=Chart((3,)),
    )
    for label, (total, missed) in zip(band_labels(LEAD_BANDS), bands, strict=True):
        table.rows.append([label, Cell.count(total), Cell.count(missed), percent(missed, total)])
    return table
