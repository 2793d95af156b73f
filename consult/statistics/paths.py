"""Paths between agencies (referrals) and to the towns (mobile advice)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.models import (
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    StatAppointment,
    Tour,
    TourStop,
)
from consult.statistics.query import (
    HELD,
    KEPT,
    SEEN,
    Counts,
    Filters,
    Section,
    percent,
    sums,
    tally,
    where,
)
from consult.statistics.tables import Cell, Chart, Table
from consult.tours.routing import DriveSettings, distance_km

# --- referrals ----------------------------------------------------------------------------


def referrals(c: Counts) -> Section:
    f = c.f
    agencies, _topics = c.names
    a = StatAppointment
    chosen = where(a, f)
    if f.agency_id is not None:  # an agency sees referrals it made as well as received
        chosen = where(a, Filters(f.start, f.end, f.location_id, f.town, None, f.topic_id))
        chosen.append(sa.or_(a.agency_id == f.agency_id, a.referred_by_agency_id == f.agency_id))
    rows = sums(
        sa.select(a.referred_by_agency_id, a.agency_id, a.status, sa.func.sum(a.n))
        .where(*chosen, a.referred_by_agency_id.is_not(None), a.status.in_((*HELD, "cancelled")))
        .group_by(a.referred_by_agency_id, a.agency_id, a.status)
    )
    pairs: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for source, target, status, count in rows:
        pairs[(source, target)][0] += int(count)
        if status in SEEN:
            pairs[(source, target)][1] += int(count)
    sources = sorted({s for s, _t in pairs}, key=lambda i: agencies.get(i, ""))
    targets = sorted({t for _s, t in pairs}, key=lambda i: agencies.get(i, ""))
    matrix = Table(
        "referrals",
        _("Referrals between agencies"),
        _("Rows: the agency that referred the person; columns: the agency referred to."),
        [_("From / to"), *(agencies.get(t, "?") for t in targets), _("All")],
        chart=None,
    )
    for source in sources:
        counts = [pairs[(source, t)][0] if (source, t) in pairs else 0 for t in targets]
        matrix.rows.append(
            [agencies.get(source, "?"), *(Cell.count(n) for n in counts), Cell.count(sum(counts))]
        )
    kept = Table(
        "referrals_kept",
        _("Referrals kept"),
        _("Referral appointments the person came to (checked in or seen)."),
        [_("From"), _("To"), _("Referred"), _("Kept"), _("Share kept")],
        chart=Chart((2, 3)),
    )
    for (source, target), (referred, came) in sorted(
        pairs.items(), key=lambda i: (agencies.get(i[0][0], ""), agencies.get(i[0][1], ""))
    ):
        kept.rows.append(
            [
                agencies.get(source, "?"),
                agencies.get(target, "?"),
                Cell.count(referred),
                Cell.count(came),
                percent(came, referred),
            ]
        )
    return Section("referrals", _("Referrals"), [matrix, kept])


# --- mobile advice ------------------------------------------------------------------------


def mobile(c: Counts) -> Section:
    f = c.f
    mobile_days = (
        sa.select(ConsultationDay.date, ConsultationDay.location_id, Tour.id.label("tour_id"))
        .join(TourStop, TourStop.day_id == ConsultationDay.id)
        .join(Tour, Tour.id == TourStop.tour_id)
        .where(
            ConsultationDay.kind == DayKind.MOBILE,
            ConsultationDay.status == DayStatus.PUBLISHED,
            ConsultationDay.date >= f.start,
            ConsultationDay.date <= f.end,
        )
    )
    if f.agency_id is not None:
        mobile_days = mobile_days.where(Tour.agency_id == f.agency_id)
    if f.location_id is not None:
        mobile_days = mobile_days.where(ConsultationDay.location_id == f.location_id)
    if f.town:
        mobile_days = mobile_days.where(
            ConsultationDay.location_id.in_(sa.select(Location.id).where(Location.town == f.town))
        )
    stops = sums(mobile_days)
    locations = c.locations

    def kept_on_a_stop(row: Any) -> bool:
        return row.kind == DayKind.MOBILE.value and row.outcome in KEPT

    booked = tally(c.visits, lambda r: r.location_id, kept_on_a_stop)
    past = tally(c.visits, lambda r: r.location_id, lambda r: kept_on_a_stop(r) and r.past)
    visits = {location_id: (booked[location_id], past[location_id]) for location_id in booked}
    per_town: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for location_id in {stop.location_id for stop in stops} | visits.keys():
        town = per_town[locations[location_id].town]
        booked, served = visits.get(location_id, (0, 0))
        town[1] += booked
        town[2] += served
    for stop in stops:
        per_town[locations[stop.location_id].town][0] += 1
    towns = Table(
        "mobile_towns",
        _("Mobile advice by town"),
        _("Stops made, visits booked at them, and people served on days already past."),
        [_("Town"), _("Stops"), _("Visits"), _("Visits per stop"), _("People served")],
        chart=Chart((2,)),
    )
    for town, (count, booked, served) in sorted(per_town.items()):
        towns.rows.append(
            [
                town,
                Cell(count),
                Cell.count(booked),
                Cell(booked / count if count else None, booked),
                Cell.count(served),
            ]
        )
    km = _tour_km(stops, locations)
    served = sum(served for _booked, served in visits.values())
    driving = Table(
        "mobile_km",
        _("Kilometres driven per person served"),
        _("Road kilometres between the stops of each tour (estimated), per person served."),
        [_("Measure"), _("Number")],
        chart=None,
    )
    driving.rows = [
        [_("Stops"), Cell(len(stops))],
        [_("Kilometres driven"), Cell(round(km, 1))],
        [_("People served"), Cell.count(served)],
        [_("Kilometres per person served"), Cell(km / served if served else None, served)],
    ]
    return Section("mobile", _("Mobile advice"), [towns, driving])


def _tour_km(stops: Sequence[sa.Row[Any]], locations: dict[int, Location]) -> float:
    """Road km between consecutive stops of each tour, in the order of their days."""
    tours: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for stop in stops:
        tours[stop.tour_id].append((stop.date, stop.location_id))
    road = DriveSettings().road_factor
    total = 0.0
    for visits in tours.values():
        points = [locations[loc] for _on, loc in sorted(visits)]
        for before, after in pairwise(points):
            total += road * distance_km(
                (before.latitude, before.longitude), (after.latitude, after.longitude)
            )
    return total
