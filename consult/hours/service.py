"""An agency's consultation hours on a day: publish, change and withdraw without losing a booking.

The public names of the hours modules, in one place for the views and other features:

- `consult.hours.overview`: who has which hours on which day, and who may change them;
- `consult.hours.editing`: reading and checking new hours, adding them to a day;
- `consult.hours.changes`: previewing and applying a change (see its docstring);
- `consult.hours.replanning`: moving or cancelling the bookings a change affects.
"""

from __future__ import annotations

from consult.hours.changes import (
    HOLDING_STATES,
    ChangePreview,
    Placement,
    apply_change,
    preview_change,
)
from consult.hours.editing import (
    MAX_ROOM,
    HoursChange,
    HoursError,
    check_changeable,
    create_hours,
    local_clock,
    parse_breaks,
    parse_rooms,
)
from consult.hours.overview import (
    AgencyHours,
    booked_counts,
    hours_on,
    upcoming_hours,
)
from consult.hours.replanning import (
    MAX_REASON,
    REPLAN_CHECK_LIMIT,
    REPLAN_CHOICES,
    can_move,
    cancel_affected,
    replan_options,
    replan_visit,
)
from consult.permissions import may_act_for, may_add_hours

__all__ = [
    "HOLDING_STATES",
    "MAX_REASON",
    "MAX_ROOM",
    "REPLAN_CHECK_LIMIT",
    "REPLAN_CHOICES",
    "AgencyHours",
    "ChangePreview",
    "HoursChange",
    "HoursError",
    "Placement",
    "apply_change",
    "booked_counts",
    "can_move",
    "cancel_affected",
    "check_changeable",
    "create_hours",
    "hours_on",
    "local_clock",
    "may_act_for",
    "may_add_hours",
    "parse_breaks",
    "parse_rooms",
    "preview_change",
    "replan_options",
    "replan_visit",
    "upcoming_hours",
]
