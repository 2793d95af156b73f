"""Lay out a day's appointments as a table: one column per agency desk, one row per start time.

Plain Python (no Flask): the view gives sessions and appointments, this module
decides which cell each appointment fills and how many rows it spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class SessionLike(Protocol):
    id: int
    agency_id: int
    desks: int
    starts_dt: datetime
    ends_dt: datetime

    def room_for(self, desk: int) -> str: ...


class AppointmentLike(Protocol):
    id: int
    visit_id: int
    session_id: int
    desk: int
    starts_dt: datetime
    ends_dt: datetime


@dataclass(frozen=True)
class Column:
    """One desk of one agency's session."""

    session: SessionLike
    desk: int

    @property
    def room(self) -> str:
        return self.session.room_for(self.desk)


@dataclass(frozen=True)
class Cell:
    """An appointment placed in the table, spanning `rows` rows."""

    appointment: AppointmentLike
    rows: int


# A row's entry per column: a Cell that starts here, COVERED by one above, or None (free).
COVERED = "covered"


@dataclass
class Row:
    starts_dt: datetime
    cells: list[Cell | str | None] = field(default_factory=list)


@dataclass
class DayGrid:
    columns: list[Column]
    rows: list[Row]
    # Visits with more than one appointment get a small number, so staff see one path.
    visit_marks: dict[int, int]


def build_day_grid(
    sessions: Sequence[SessionLike],
    appointments: Iterable[AppointmentLike],
    slot_starts: Iterable[datetime],
) -> DayGrid:
    """Place appointments in desk columns and time rows (rows = every slot start and end)."""
    columns = [
        Column(session, desk)
        for session in sorted(sessions, key=lambda s: (s.agency_id, s.starts_dt, s.id))
        for desk in range(1, session.desks + 1)
    ]
    appointments = sorted(appointments, key=lambda a: (a.starts_dt, a.id))
    times = sorted(set(slot_starts) | {a.starts_dt for a in appointments})
    index = {(c.session.id, c.desk): i for i, c in enumerate(columns)}
    rows = [Row(at, [None] * len(columns)) for at in times]
    position = {at: i for i, at in enumerate(times)}
    for appointment in appointments:
        column = index.get((appointment.session_id, appointment.desk))
        if column is None:
            continue
        first = position[appointment.starts_dt]
        last = first
        while last + 1 < len(times) and times[last + 1] < appointment.ends_dt:
            last += 1
        rows[first].cells[column] = Cell(appointment, last - first + 1)
        for covered in range(first + 1, last + 1):
            rows[covered].cells[column] = COVERED
    per_visit: dict[int, int] = {}
    for appointment in appointments:
        per_visit[appointment.visit_id] = per_visit.get(appointment.visit_id, 0) + 1
    marks = {}
    for appointment in appointments:
        if per_visit[appointment.visit_id] > 1 and appointment.visit_id not in marks:
            marks[appointment.visit_id] = len(marks) + 1
    return DayGrid(columns, rows, marks)
