"""A year of past consultation days for the statistics dashboard, written in bulk.

For the demo and the statistics benchmark. Rows go in as Core bulk inserts with ids reserved
beforehand (ORM objects, or RETURNING, would take minutes for 100,000 visits); columns left
out take their defaults, so `updated_dt` is now and the statistics fold every new day.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any

import sqlalchemy as sa
from dateutil.easter import easter
from flask import current_app

from consult.database import begin_write
from consult.extensions import db
from consult.models import (
    Agency,
    ConsultationDay,
    Location,
    Session,
    StaffUser,
    Topic,
    Tour,
    new_reference,
    room_of,
    topic_agency,
    utcnow,
)
from consult.slots import Break, generate_slots, local_to_utc

# The rows hold the values the enums of `consult.models` store; a share is `choices(*share)`.
MARK = " (Verlauf)"  # ends the title of every day the history made: a second call sees them
CHUNK = 5_000
LANGUAGES = (("ar", "uk", "fa", "ru", "tr", "de", "en"), (30, 20, 12, 10, 8, 12, 8))
ORIGINS = (("booked", "walk_in", "referral", "waitlist"), (70, 15, 8, 7))
CANCELLED = {"booked": 0.07, "referral": 0.07, "waitlist": 0.3, "walk_in": 0.0}
LEAD_DAYS = {"booked": (0, 40, 5), "referral": (0, 21, 2), "waitlist": (2, 14, 4)}  # triangular
AGENCY_COUNTS = ((1, 2, 3, 4, 5), (45, 35, 15, 4, 1))
GONE = (("expired", "withdrawn"), (55, 45))  # waiting-list entries that left the line
NAMES = ("Amina", "Olena", "Reza", "Elif", "Anna", "Samuel", "Omar", "Taras", "Maryam")
NAMES += ("Mehmet", "Natalia", "Grace", "Yusuf", "Iryna", "Ali", "Zeynep", "Jonas", "Layla")
# Demand the tour planner shows: towns where no stop is planned.
UNSERVED_TOWNS = ("Hohenmölsen", "Lützen", "Teuchern", "Droyßig")
MOBILE_SLUGS = frozenset({"zeitz", "weissenfels", "naumburg"})
# Fewer visits in the summer holidays and before Christmas, more in autumn and winter.
MONTH_DEMAND = (1.1, 1.05, 1.05, 1.0, 0.95, 0.95, 0.85, 0.85, 1.05, 1.1, 1.1, 0.9)
HOLIDAYS = {(1, 6), (5, 1), (10, 3), (10, 31)}  # fixed ones in Sachsen-Anhalt; Easter below
JOINT_WEEKDAYS = (1, 3, 2, 0, 4)  # Tuesday and Thursday first, as in the demo's series
JOINT_AVERAGE = 215  # visits of an average joint day: the busiest stay near 300
MOBILE_SHARE, MOBILE_PER_STOP = 0.08, 5
SLOTS_PER_VISIT = 2.7  # 1.85 appointments of 1.45 slots of 20 minutes
LOAD = 0.7  # the share of a joint day's desk slots its visits should fill
WAIT_SLOTS = 3  # a person waits at most this many slots between two appointments
OPENS, CLOSES, NOON = time(8, 30), time(15, 30), time(12, 30)
FULL_DAY = (OPENS, CLOSES, (Break(time(12, 30), time(13, 10)),))  # with a lunch break
STOPS = [(2, (OPENS, time(11, 30), ())), (2, (NOON, CLOSES, ())), (4, FULL_DAY)]  # weekday, hours
UNSET = dict.fromkeys(["referred_by_agency_id", "checked_in_dt", "called_dt", "done_dt"])


@dataclass(frozen=True)
class History:
    """How many rows of each kind `add_history()` added."""

    days: int
    visits: int
    appointments: int
    waitlist_entries: int
    tours: int


@dataclass(frozen=True)
class _Hours:  # an agency's usual hours at a place, named as a session's columns
    slot_minutes: int = 20
    desks: int = 1
    interpreter_available: bool = False
    rooms: Sequence[str] = ()
    languages: Sequence[str] = ("de", "en")


@dataclass
class _Session:
    agency_id: int
    hours: _Hours
    topics: list[int]
    window: tuple[time, time, tuple[Break, ...]]
    advisor_id: int | None = None
    starts: list[datetime] = field(default_factory=list)
    ends: list[datetime] = field(default_factory=list)
    run: list[int] = field(default_factory=list)  # per slot: slots that follow without a gap
    used: list[int] = field(default_factory=list)  # per slot: the desks held, as bits
    desks: int = 1
    need: float = 1.0  # slots an appointment takes on average
    id: int = 0


@dataclass
class _Day:
    on: date
    place: sa.Row[Any]  # a location's id, slug, town and timezone
    kind: str
    sessions: list[_Session] = field(default_factory=list)
    visits: int = 0
    id: int = 0


Chain = list[tuple[_Session, list[int], int]]  # session, topics, slots
Spot = tuple[_Session, int, int, int]  # session, first slot, slots, desk
Row = dict[str, Any]


def _closed(on: date) -> bool:
    """Public holidays in Sachsen-Anhalt, and the offices' break around the new year."""
    if (on.month, on.day) in HOLIDAYS or (on.month, on.day) >= (12, 23) or on.timetuple()[7] < 3:
        return True
    # Good Friday, Easter Monday, Ascension Day, Whit Monday
    return on in {easter(on.year) + timedelta(days=d) for d in (-2, 1, 39, 50)}


def _at(on: date, hour: int) -> datetime:
    return datetime.combine(on, time(hour), tzinfo=UTC)


def _insert(name: str, rows: list[Row], ids: bool = False) -> None:
    """Insert into table `name` in chunks; with `ids`, give each row a new `id` first."""
    table = db.metadata.tables[name]
    if ids and rows:
        if db.session.get_bind().dialect.name == "postgresql":
            # Taken from the table's sequence, as an insert would take them.
            query = sa.select(sa.func.nextval(sa.func.pg_get_serial_sequence(name, "id")))
            new = list(db.session.scalars(query.select_from(sa.func.generate_series(1, len(rows)))))
        else:  # SQLite: `begin_write` holds the database's lock, nobody takes these meanwhile
            highest = db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
            new = list(range(highest + 1, highest + len(rows) + 1))
        for row, new_id in zip(rows, new, strict=True):
            row["id"] = new_id
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table), rows[start : start + CHUNK])


def add_history(today: date, visits: int = 6000, seed: int = 7) -> History:
    """Add a year of past consultation days (today-365 .. today-1) with visits, appointments, waiting-list entries and mobile tours; does not commit."""  # noqa: E501
    made = sa.select(ConsultationDay.id).where(ConsultationDay.title.endswith(MARK)).limit(1)
    if db.session.scalar(made) is not None:
        return History(0, 0, 0, 0, 0)
    # Core inserts do not flush, so nothing would tell `begin_write` that this transaction
    # wrote: a later call (the statistics' fold) would roll the history back. Take it now.
    db.session.flush()
    begin_write()
    return _Generator(today, visits, random.Random(seed)).run()


class _Generator:
    """One history: the reference data read once, then days, sessions, visits, waiting list."""

    def __init__(self, today: date, visits: int, rng: random.Random) -> None:
        self.today, self.wanted, self.rng, self.now = today, visits, rng, utcnow()
        self.retention = timedelta(days=int(current_app.config.get("CONSULT_RETENTION_DAYS", 180)))
        self.offer = timedelta(hours=int(current_app.config.get("CONSULT_OFFER_HOURS", 24)))
        self.days: list[_Day] = []
        self.tours: list[tuple[Row, list[_Day]]] = []
        self.visits: list[tuple[Row, list[Row], list[list[int]]]] = []  # appointments, topics
        self.entries: list[tuple[Row, list[int]]] = []
        self.offers: list[tuple[Row, Row]] = []  # a visit offered from the list, its entry
        self._read_references()

    def _read_references(self) -> None:
        execute = db.session.execute
        self.agencies = dict(execute(sa.select(Agency.id, Agency.slug).order_by(Agency.id)).all())
        topics = sa.select(Topic.id, Topic.default_minutes).where(Topic.active).order_by(Topic.id)
        self.minutes: dict[int, int] = dict(execute(topics).all())
        columns = (Location.id, Location.slug, Location.town, Location.timezone)
        places = execute(sa.select(*columns).where(Location.active).order_by(Location.id)).all()
        if not self.agencies or not self.minutes or not places:
            raise ValueError("the history needs agencies, locations and topics: load the demo")
        self.served: dict[int, list[int]] = {agency: [] for agency in self.agencies}
        for topic, agency in execute(sa.select(topic_agency).order_by(topic_agency.c.topic_id)):
            if topic in self.minutes:
                self.served[agency].append(topic)
        self.hours: dict[tuple[int, str], dict[int, _Hours]] = {}
        days = sa.select(ConsultationDay.location_id, ConsultationDay.kind, Session)
        for place, kind, s in execute(days.join(Session.day).order_by(Session.id)):
            usual = _Hours(**{f.name: getattr(s, f.name) for f in fields(_Hours)})
            self.hours.setdefault((place, kind), {})[s.agency_id] = usual
        # The demo's tour goes on; without one, any advisor drives.
        tours = sa.select(Tour.agency_id, Tour.advisor_id).order_by(Tour.id)
        advisors = sa.select(StaffUser.agency_id, StaffUser.id).where(StaffUser.role == "advisor")
        self.tour = execute(tours).first() or execute(advisors.order_by(StaffUser.id)).first()
        # Tour stops where the demo's tour stops, joint days everywhere else.
        touring = {place for place, kind in self.hours if kind == "mobile"}
        mobile = [p for p in places if p.id in touring or p.slug in MOBILE_SLUGS]
        self.joint = [p for p in places if p not in mobile] or places
        self.mobile = mobile if self.tour and len(self.joint) < len(places) else []

    def run(self) -> History:
        first = self.today - timedelta(days=365)
        self._plan_joint_days(first, self.wanted - self._plan_tours(first))
        self.days.sort(key=lambda day: (day.on, day.place.id, day.kind))
        self._write_calendar()
        for day in [each for each in self.days for _ in range(each.visits)]:
            self._add_visit(day)
        self._add_wishes(round(self.wanted * 0.05), first)
        return self._write_people()

    def _plan_tours(self, first: date) -> int:
        """Tours spread over the year, 2-3 stops each (Wednesday, Friday); the visits they take."""
        if not self.mobile or self.tour is None:
            return 0
        agency, advisor = self.tour
        tours = min(52, math.ceil(self.wanted * MOBILE_SHARE / (MOBILE_PER_STOP * 2.5)) or 1)
        monday = first - timedelta(days=first.weekday())
        weeks = sorted({monday + timedelta(weeks=int(i * 53 / tours)) for i in range(tours)})
        usual = self.hours.get((self.mobile[0].id, "mobile"), {}).get(agency)
        usual = usual or _Hours(30, interpreter_available=True, languages=("de",))
        stops, rotation = [], 0
        for week in weeks:
            tour_stops = []
            for offset, window in STOPS[: 3 if self.rng.random() < 0.4 else 2]:
                on, place = week + timedelta(days=offset), self.mobile[rotation % len(self.mobile)]
                rotation += 1
                if first <= on < self.today and not _closed(on):
                    session = _Session(agency, usual, self.served[agency], window, advisor)
                    tour_stops.append(_Day(on, place, "mobile", [session]))
            if tour_stops:
                title = f"Mobile Beratung KW {week.isocalendar().week:02d}{MARK}"
                row = {"agency_id": agency, "advisor_id": advisor, "title": title}
                row |= {"status": "published", "created_dt": _at(week - timedelta(days=28), 8)}
                self.tours.append((row, tour_stops))
                stops += tour_stops
        share = self.wanted * MOBILE_SHARE / max(len(stops), 1)
        for day in stops:
            self._cut_slots(day)
            # One advisor alone: a stop takes what its slots hold, the rest go to joint days.
            room = int(len(day.sessions[0].starts) * day.sessions[0].desks * 0.8)
            day.visits = min(room, round(share * self.rng.uniform(0.6, 1.4)))
        self.days += stops
        return sum(day.visits for day in stops)

    def _plan_joint_days(self, first: date, visits: int) -> None:
        """Joint days on fixed weekdays, as many a week as keep a day near JOINT_AVERAGE."""
        per_week = min(5, max(1, visits / (len(self.joint) * 52 * JOINT_AVERAGE)))
        joint = []
        for index, place in enumerate(self.joint):
            for offset in range(365):
                week, on = offset // 7, first + timedelta(days=offset)
                # The place's weekdays in turn, the last of them in some weeks only.
                rank = (JOINT_WEEKDAYS.index(on.weekday()) - index) % 5 if on.weekday() < 5 else 5
                share = min(1.0, max(0.0, per_week - rank))
                if math.floor((week + 1) * share) > math.floor(week * share) and not _closed(on):
                    joint.append(_Day(on, place, "joint"))
        # Demand follows the seasons and grew by a tenth over the year; days vary.
        trend = [MONTH_DEMAND[d.on.month - 1] * (10 + (d.on - first).days / 365) for d in joint]
        weights = [weight * self.rng.uniform(0.9, 1.1) for weight in trend]
        counts = Counter(self.rng.choices(range(len(joint)), weights=weights, k=max(visits, 0)))
        anywhere = dict.fromkeys(self.agencies, _Hours())
        for index, day in enumerate(joint):
            day.visits = counts[index]
            for agency, hours in self.hours.get((day.place.id, "joint"), anywhere).items():
                # Agencies with one desk come for the morning only now and then.
                half = hours.desks == 1 and self.rng.random() < 0.25
                window = (OPENS, NOON, ()) if half else FULL_DAY
                day.sessions.append(_Session(agency, hours, self.served[agency], window))
            self._cut_slots(day)
            # Desks for the visits the day will have, in the agencies' usual proportions.
            offered = sum(len(s.starts) * s.hours.desks for s in day.sessions)
            factor = day.visits * SLOTS_PER_VISIT / (LOAD * max(offered, 1))
            for session in day.sessions:
                session.desks = max(1, min(50, math.ceil(session.hours.desks * factor)))
        self.days += joint

    def _cut_slots(self, day: _Day) -> None:
        for session in day.sessions:
            opens, closes, breaks = session.window
            minutes, zone = session.hours.slot_minutes, day.place.timezone
            specs = generate_slots(day.on, opens, closes, minutes, 1, breaks, zone)
            session.starts, session.ends = [s.starts_dt for s in specs], [s.ends_dt for s in specs]
            session.used, session.run = [0] * len(specs), [1] * len(specs)
            needs = [math.ceil(self.minutes[t] / minutes) for t in session.topics] or [1]
            session.need = sum(needs) / len(needs)
            for i in range(len(specs) - 2, -1, -1):
                if session.ends[i] == session.starts[i + 1]:
                    session.run[i] = session.run[i + 1] + 1
            session.desks = session.hours.desks

    def _write_calendar(self) -> None:
        titles = {"joint": "Gemeinsamer Sprechtag", "mobile": "Mobile Beratung"}
        rows = []
        for day in self.days:
            made = _at(day.on - timedelta(days=42), 8)
            row = {"location_id": day.place.id, "date": day.on, "kind": day.kind}
            row |= {"status": "published", "created_dt": made, "updated_dt": made}
            rows.append(row | {"title": f"{titles[day.kind]} {day.place.town}{MARK}"})
        _insert("consultation_day", rows, ids=True)
        for day, row in zip(self.days, rows, strict=True):
            day.id = row["id"]
        _insert("tour", [row for row, _ in self.tours], ids=True)
        stops = [
            {"tour_id": row["id"], "day_id": day.id, "position": position}
            for row, days in self.tours
            for position, day in enumerate(days)
        ]
        _insert("tour_stop", stops)
        sessions = [(day, s) for day in self.days for s in day.sessions]
        rows = []
        for day, s in sessions:
            (opens, closes, breaks), zone = s.window, day.place.timezone
            row = asdict(s.hours) | {"day_id": day.id, "agency_id": s.agency_id, "desks": s.desks}
            row |= {"starts_dt": local_to_utc(day.on, opens, zone), "status": "published"}
            row |= {"ends_dt": local_to_utc(day.on, closes, zone), "advisor_id": s.advisor_id}
            rows.append(row | {"breaks": [[f"{b.start:%H:%M}", f"{b.end:%H:%M}"] for b in breaks]})
        _insert("consultation_session", rows, ids=True)
        for (_, session), row in zip(sessions, rows, strict=True):
            session.id = row["id"]
        invited = sorted({(day.id, s.agency_id) for day, s in sessions if day.kind == "joint"})
        _insert("day_invitation", [{"day_id": d, "agency_id": a} for d, a in invited])
        offers = [{"session_id": s.id, "topic_id": t} for _, s in sessions for t in s.topics]
        _insert("session_topic", offers)
        slots = [
            {"session_id": s.id, "starts_dt": starts, "ends_dt": ends, "capacity": s.desks}
            for _, s in sessions
            for starts, ends in zip(s.starts, s.ends, strict=True)
        ]
        _insert("slot", slots)

    def _add_visit(self, day: _Day) -> None:
        rng = self.rng
        origin = rng.choices(*ORIGINS)[0]
        if origin == "referral" and len(day.sessions) < 2:
            origin = "booked"  # a referral comes from another agency of the day
        language = rng.choices(*LANGUAGES)[0]
        chain = self._chain(day, min(rng.choices(*AGENCY_COUNTS)[0], len(day.sessions)))
        walk_in, cancelled = origin == "walk_in", rng.random() < CANCELLED[origin]
        spots = self._place(chain, hold=not cancelled)  # cancelled visits gave their seats back
        start = spots[0][0].starts[spots[0][1]]
        lead = 0 if walk_in else int(rng.triangular(*LEAD_DAYS[origin]))
        ahead = timedelta(days=lead, hours=rng.uniform(1, 10))
        created = start - (timedelta(minutes=rng.randint(5, 50)) if walk_in else ahead)
        reason, cancelled_dt = "", None
        if cancelled and origin == "waitlist":
            expired = rng.random() < 0.6
            reason = "offer expired" if expired else "offer declined"
            held = self.offer if expired else self.offer * rng.uniform(0.05, 0.9)
            cancelled_dt = min(created + held, start - timedelta(hours=1))
        elif cancelled:
            cancelled_dt = created + (start - created) * rng.uniform(0.05, 0.95)
        # People who booked long ahead forget more often.
        no_show = not cancelled and not walk_in and rng.random() < 0.05 + 0.2 * min(lead, 40) / 40
        arrival = created if walk_in else start - timedelta(minutes=rng.uniform(0, 20))
        erased = day.on < self.today - self.retention  # the purge took the names of those days
        row = {"reference": new_reference(), "day_id": day.id, "language": language}
        row |= {"name": None if erased else rng.choice(NAMES), "walk_in": walk_in}
        row |= {"interpreter_wanted": language != "de" and rng.random() < 0.25}
        row |= {"origin": origin, "cancel_reason": reason, "created_dt": created}
        row |= {"status": "cancelled" if cancelled else "booked", "cancelled_dt": cancelled_dt}
        row |= {"erased_dt": min(_at(day.on + self.retention, 2), self.now) if erased else None}
        agencies, appointments = [s.agency_id for s in day.sessions], []
        for index, (session, slot, slots, desk) in enumerate(spots):
            starts, ends = session.starts[slot], session.ends[slot + slots - 1]
            appointment = {"session_id": session.id, "agency_id": session.agency_id, "desk": desk}
            appointment |= {"starts_dt": starts, "ends_dt": ends, "cancel_reason": reason}
            appointment |= {"room": room_of(session.hours.rooms, desk), "cancelled_dt": None}
            appointment |= UNSET | {"status": "done", "sequence": 3}  # checked in, called, done
            if cancelled:
                appointment |= {"status": "cancelled", "sequence": 1, "cancelled_dt": cancelled_dt}
            elif no_show:
                appointment |= {"status": "no_show", "sequence": 1}
            else:
                called = starts + timedelta(minutes=rng.uniform(-5, 12))
                called = max(called, arrival + timedelta(minutes=1))
                length = max((ends - starts) * rng.uniform(0.6, 1.1), timedelta(minutes=5))
                appointment |= {"checked_in_dt": arrival, "called_dt": called}
                appointment["done_dt"] = called + length
            if origin == "referral":
                others = [a for a in agencies if a != session.agency_id]
                appointment["referred_by_agency_id"] = rng.choice(others)
            elif index and origin == "booked" and rng.random() < 0.16:
                # Sent on across the corridor by the advisor just seen.
                appointment["referred_by_agency_id"] = spots[index - 1][0].agency_id
            appointments.append(appointment)
        row["waitlist_entry_id"] = None  # an offer's entry gets its id when written
        self.visits.append((row, appointments, [topics for _, topics, _ in chain]))
        if origin == "waitlist":
            listed = created - timedelta(days=rng.uniform(2, 45))
            status = "booked"
            if cancelled:  # back in line after the offer, and gone since unless lately
                recent = listed > self.now - timedelta(days=30)
                status = "waiting" if recent else rng.choices(*GONE)[0]
            wished = list(dict.fromkeys(t for _, topics, _ in chain for t in topics))
            entry = self._entry(listed, language, day.place, status, wished)
            entry |= {"offered_day_id": None if cancelled else day.id}
            entry["passed_day_ids"] = [day.id] if cancelled else []
            self.offers.append((row, entry))

    def _chain(self, day: _Day, count: int) -> Chain:
        """`count` sessions of the day, roomier ones likelier, each with topics and slots."""
        rng, pool, chain = self.rng, list(day.sessions), []
        for _ in range(count):
            session = rng.choices(pool, [s.desks * len(s.starts) / s.need for s in pool])[0]
            pool.remove(session)
            topics = rng.sample(session.topics, min(1 + (rng.random() < 0.2), len(session.topics)))
            minutes = max((self.minutes[t] for t in topics), default=20) + 10 * (len(topics) - 1)
            need = math.ceil(minutes / session.hours.slot_minutes)
            chain.append((session, topics, min(need, max(session.run))))
        return chain

    def _place(self, chain: Chain, hold: bool) -> list[Spot]:
        """Back-to-back times on free desks from a random start; over a held desk if none fits."""
        starts = chain[0][0].starts
        offset = self.rng.randrange(len(starts))
        tries = (self._fit(chain, at) for at in starts[offset:] + starts[:offset])
        spots = next(filter(None, tries), None) or self._fit(chain, starts[offset], strict=False)
        for session, slot, slots, desk in spots if hold else ():
            for i in range(slot, slot + slots):
                session.used[i] |= 1 << (desk - 1)
        return spots

    def _fit(self, chain: Chain, at: datetime, strict: bool = True) -> list[Spot]:
        spots: list[Spot] = []
        for session, _, need in chain:
            begin, spot = bisect_left(session.starts, at), None
            for k in range(begin, min(begin + WAIT_SLOTS + 1, len(session.starts))):
                held = reduce(or_, session.used[k : k + need]) if session.run[k] >= need else -1
                if free := ~held & ((1 << session.desks) - 1):
                    spot = (session, k, need, (free & -free).bit_length())
                    break
            if spot is None and strict:
                return []
            if spot is None:  # nothing free all day: over a held desk
                k = min(begin, len(session.starts) - 1)
                spot = (session, k, min(need, session.run[k]), self.rng.randint(1, session.desks))
            spots.append(spot)
            at = session.ends[spot[1] + spot[2] - 1]
        return spots

    def _entry(
        self, at: datetime, language: str, where: Any, status: str, topics: list[int]
    ) -> Row:
        """A waiting-list entry for a place or a town's name, kept for writing."""
        erased = at < self.now - self.retention
        place = None if isinstance(where, str) else where
        row = {"language": language, "status": status, "created_dt": at}
        row |= {"town": place.town if place else where, "location_id": place and place.id}
        row |= {"name": None if erased else self.rng.choice(NAMES)}
        # Addresses reserved for examples (RFC 2606): an offer made in the demo reaches nobody.
        row |= {"email": None if erased else f"warteliste-{len(self.entries) + 1}@example.org"}
        row |= {"erased_dt": min(at + self.retention, self.now) if erased else None}
        row |= {"offered_day_id": None, "passed_day_ids": []}
        self.entries.append((row, topics))
        return row

    def _add_wishes(self, count: int, first: date) -> None:
        """Entries without a visit (waiting, expired, withdrawn), many from unserved towns."""
        rng, places = self.rng, self.joint + self.mobile
        shares = {town: 55 / len(UNSERVED_TOWNS) for town in UNSERVED_TOWNS}
        shares |= {place: 45 / len(places) for place in places}
        where = (list(shares), list(shares.values()))
        for _ in range(count):
            listed = _at(first, 7) + timedelta(days=rng.uniform(0, 364.5))
            recent = listed > self.now - timedelta(days=21) or rng.random() < 0.2
            status = "waiting" if recent else rng.choices(*GONE)[0]
            topics = rng.sample(list(self.minutes), min(len(self.minutes), rng.choice((1, 1, 2))))
            self._entry(listed, rng.choices(*LANGUAGES)[0], rng.choices(*where)[0], status, topics)

    def _write_people(self) -> History:
        _insert("waitlist_entry", [row for row, _ in self.entries], ids=True)
        wishes = [{"entry_id": row["id"], "topic_id": t} for row, ts in self.entries for t in ts]
        _insert("waitlist_topic", wishes)
        for visit, entry in self.offers:
            visit["waitlist_entry_id"] = entry["id"]
        _insert("visit", [row for row, _, _ in self.visits], ids=True)
        wanted = [
            {"visit_id": row["id"], "topic_id": topic}
            for row, _, topics in self.visits
            for topic in dict.fromkeys(t for own in topics for t in own)
        ]
        _insert("visit_topic", wanted)
        appointments = [a | {"visit_id": row["id"]} for row, own, _ in self.visits for a in own]
        _insert("appointment", appointments, ids=True)
        topics = (own for _, _, topics in self.visits for own in topics)
        rows = [
            {"appointment_id": appointment["id"], "topic_id": topic}
            for appointment, own in zip(appointments, topics, strict=True)
            for topic in own
        ]
        _insert("appointment_topic", rows)
        counts = len(self.days), len(self.visits), len(appointments), len(self.entries)
        return History(*counts, len(self.tours))
