"""Demand, and how many trips one visit with several agencies saved."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _

from consult.i18n import LANGUAGE_NAMES
from consult.labels import PHASE_LABELS
from consult.statistics.query import (
    HELD,
    KEPT,
    ORIGIN_LABELS,
    Counts,
    Section,
    nearest_rank,
    percent,
    tally,
    topic_name,
)
from consult.statistics.tables import Cell, Chart, Table

# --- demand -------------------------------------------------------------------------------


def demand(c: Counts) -> Section:
    agencies, topics = c.names
    visits = tally(c.visit_topics, lambda r: r.topic_id, lambda r: r.outcome in KEPT)
    appointments = tally(c.appointment_topics, lambda r: r.topic_id, lambda r: r.status in HELD)
    by_topic = Table(
        "topics",
        _("Demand by topic"),
        _("Visits asking for each topic and appointments held for it."),
        [_("Topic"), _("Phase"), _("Visits"), _("Appointments")],
        chart=Chart((2, 3)),
        note=_("A visit or appointment for two topics counts for each."),
    )
    ordered = sorted(
        visits.keys() | appointments.keys(),
        key=lambda t: (-visits.get(t, 0), topic_name(topics, t)),
    )
    for topic_id in ordered:
        phase = topics[topic_id].phase if topic_id in topics else None
        by_topic.rows.append(
            [
                topic_name(topics, topic_id),
                phase,
                Cell.count(int(visits.get(topic_id, 0))),
                Cell.count(int(appointments.get(topic_id, 0))),
            ]
        )
    by_phase = Table(
        "phases",
        _("Topics asked for, by phase of the process chain"),
        _("How many of the topics asked for belong to each phase of the process chain."),
        [_("Phase"), _("Topics asked for")],
    )
    phases: dict[int, int] = defaultdict(int)
    for topic_id, count in visits.items():
        if topic_id in topics:
            phases[topics[topic_id].phase] += int(count)
    for phase in range(1, 6):
        by_phase.rows.append([str(PHASE_LABELS[phase]), Cell.count(phases[phase])])

    languages = Table(
        "languages",
        _("Demand by language"),
        _("Visits by the language the person asked for, and how many wished an interpreter."),
        [_("Language"), _("Visits"), _("Interpreter wished"), _("Share with interpreter")],
        chart=Chart((1, 2)),
    )
    rows = [(r.language, r.interpreter, r.n) for r in c.visits if r.outcome in KEPT]
    per_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for language, interpreter, count in rows:
        per_language[language][0] += int(count)
        if interpreter:
            per_language[language][1] += int(count)
    for language, (total, wished) in sorted(per_language.items(), key=lambda i: (-i[1][0], i[0])):
        languages.rows.append(
            [
                LANGUAGE_NAMES.get(language, language),
                Cell.count(total),
                Cell.count(wished),
                percent(wished, total),
            ]
        )

    places = Table(
        "places",
        _("Demand by place"),
        _("Visits and appointments held at each place."),
        [_("Town"), _("Location"), _("Visits"), _("Appointments")],
        chart=Chart((2,)),
    )
    place_visits = tally(c.visits, lambda r: r.location_id, lambda r: r.outcome in KEPT)
    # The appointments that kept visits hold: the appointments held.
    place_appointments = tally(
        c.visits, lambda r: r.location_id, lambda r: r.outcome in KEPT, value="appointments"
    )
    for location in c.locations.values():
        if location.id in place_visits or location.id in place_appointments:
            places.rows.append(
                [
                    location.town,
                    location.name,
                    Cell.count(int(place_visits.get(location.id, 0))),
                    Cell.count(int(place_appointments.get(location.id, 0))),
                ]
            )

    origins = Table(
        "origins",
        _("How visits came about"),
        _("Booked ahead, walk-in, referral by an advisor, or an offer from the waiting list."),
        [_("Origin"), _("Visits")],
    )
    by_origin = tally(c.visits, lambda r: r.origin, lambda r: r.outcome in KEPT)
    for origin, label in ORIGIN_LABELS.items():
        origins.rows.append([str(label), Cell.count(int(by_origin.get(origin.value, 0)))])
    return Section(
        "demand", _("Demand"), [by_topic, by_phase, languages, mediated(c), places, origins]
    )


def mediated(c: Counts) -> Table:
    """Visits a volunteer language mediator accompanied, by the person's language."""
    table = Table(
        "mediators",
        _("Visits with a language mediator"),
        _("Visits kept that a volunteer language mediator accompanied, by language."),
        [_("Language"), _("Visits with a language mediator"), _("Share of the language's visits")],
        totals=1,
    )
    per_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in c.visits:
        if row.outcome in KEPT:
            per_language[row.language][0] += int(row.n)
            per_language[row.language][1] += int(row.n) if row.mediator else 0
    total = [0, 0]
    for language, (visits, with_mediator) in sorted(per_language.items()):
        if with_mediator:
            label = LANGUAGE_NAMES.get(language, language)
            table.rows.append([label, Cell.count(with_mediator), percent(with_mediator, visits)])
        total = [total[0] + visits, total[1] + with_mediator]
    table.rows.append([_("All"), Cell.count(total[1]), percent(total[1], total[0])])
    return table


# --- one visit instead of many ------------------------------------------------------------


def one_visit(c: Counts) -> Section:
    buckets: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in c.visits:
        if row.outcome in KEPT and row.seen:
            bucket = buckets[min(int(row.agencies), 4)]
            bucket[0] += int(row.n)
            bucket[1] += int(row.appointments)
    chained = Table(
        "agencies_per_visit",
        _("Agencies per visit and trips saved"),
        _(
            "Visits by how many agencies the person saw, and the trips to an office that "
            "saved: every appointment beyond the first in a visit is a trip not made."
        ),
        [_("Agencies in the visit"), _("Visits"), _("Appointments"), _("Trips saved")],
        chart=Chart((1,)),
        totals=1,
    )
    total = [0, 0]
    for agencies in (1, 2, 3, 4):
        visits, appointments = buckets[agencies]
        total[0] += visits
        total[1] += appointments
        label = "4+" if agencies == 4 else str(agencies)
        chained.rows.append(
            [
                label,
                Cell.count(visits),
                Cell(appointments, visits),
                Cell(appointments - visits, visits),
            ]
        )
    chained.rows.append(
        [
            _("All"),
            Cell.count(total[0]),
            Cell(total[1], total[0]),
            Cell(total[1] - total[0], total[0]),
        ]
    )
    histogram = [(int(row.minutes), int(row.n)) for row in c.stays]
    counted = sum(count for _m, count in histogram)
    on_site = Table(
        "time_on_site",
        _("Time on site per visit"),
        _("From the start of the first appointment to the end of the last, as booked."),
        [_("Measure"), _("Minutes")],
        chart=None,
    )
    on_site.rows = [
        [_("Median"), Cell(nearest_rank(histogram, 0.5), counted)],
        [_("90th percentile"), Cell(nearest_rank(histogram, 0.9), counted)],
        [_("Visits counted"), Cell.count(counted)],
    ]
    return Section("one_visit", _("One visit instead of many"), [chained, on_site])
