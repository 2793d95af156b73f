"""Front desk operations: arrivals, search, check-in with tickets, walk-ins, the queue, calls.

The public names of the front desk modules, in one place for the views:

- `consult.frontdesk.arrivals`: what the desk and the advisors see, and the hall display;
- `consult.frontdesk.desk`: check-in, corrections, walk-ins and calls;
- `consult.frontdesk.moving`: moving one appointment to another time;
- `consult.frontdesk.transactions`: the write transaction and lock order they all share.
"""

from __future__ import annotations

from consult.frontdesk.arrivals import (
    DISPLAY_CALLED_FOR,
    DISPLAY_CALLED_MAX,
    DISPLAY_WAITING_MAX,
    MAX_SEARCH,
    Arrival,
    Board,
    Call,
    QueuedWalkIn,
    agency_sessions,
    arrivals,
    days_at,
    display_board,
    find_reference,
    queue,
    queue_for,
    session_appointments,
    ticket_label,
    upcoming_days,
)
from consult.frontdesk.desk import (
    ADVISOR_ACTIONS,
    CALL_AHEAD,
    FRONT_DESK_ACTIONS,
    MAX_REASON,
    DeskAction,
    WalkInFit,
    act,
    book_walk_in,
    call_next,
    check_in_visit,
    fit_walk_in,
    leave_queue,
    queue_walk_in,
)
from consult.frontdesk.moving import move_appointment, move_options, parse_opening
from consult.frontdesk.transactions import (
    TICKET_ATTEMPTS,
    FrontDeskError,
    current_time,
    today_at,
)

__all__ = [
    "ADVISOR_ACTIONS",
    "CALL_AHEAD",
    "DISPLAY_CALLED_FOR",
    "DISPLAY_CALLED_MAX",
    "DISPLAY_WAITING_MAX",
    "FRONT_DESK_ACTIONS",
    "MAX_REASON",
    "MAX_SEARCH",
    "TICKET_ATTEMPTS",
    "Arrival",
    "Board",
    "Call",
    "DeskAction",
    "FrontDeskError",
    "QueuedWalkIn",
    "WalkInFit",
    "act",
    "agency_sessions",
    "arrivals",
    "book_walk_in",
    "call_next",
    "check_in_visit",
    "current_time",
    "days_at",
    "display_board",
    "find_reference",
    "fit_walk_in",
    "leave_queue",
    "move_appointment",
    "move_options",
    "parse_opening",
    "queue",
    "queue_for",
    "queue_walk_in",
    "session_appointments",
    "ticket_label",
    "today_at",
    "upcoming_days",
]
