"""Translated names of enum values, for templates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consult.models import AppointmentStatus, DayKind, Role, VisitStatus

ROLE_LABELS = {
    Role.ADVISOR: _l("advisor"),
    Role.FRONTDESK: _l("front desk"),
    Role.COORDINATOR: _l("coordinator"),
    Role.ADMIN: _l("administrator"),
}

APPOINTMENT_STATUS_LABELS = {
    AppointmentStatus.BOOKED: _l("booked"),
    AppointmentStatus.CHECKED_IN: _l("checked in"),
    AppointmentStatus.IN_CONSULTATION: _l("in consultation"),
    AppointmentStatus.DONE: _l("done"),
    AppointmentStatus.CANCELLED: _l("cancelled"),
    AppointmentStatus.NO_SHOW: _l("did not come"),
}

VISIT_STATUS_LABELS = {
    VisitStatus.BOOKED: _l("booked"),
    VisitStatus.CANCELLED: _l("cancelled"),
}

DAY_KIND_LABELS = {
    DayKind.JOINT: _l("Joint consultation day"),
    DayKind.MOBILE: _l("Mobile advice"),
}

# The staff menu: each entry shows only to the roles its view lets in (see `can_open`).
STAFF_MENU = (
    ("frontdesk.index", _l("Front desk")),
    ("frontdesk.my_day", _l("My day")),
    ("calendar.index", _l("Calendar")),
    ("hours.index", _l("Consultation hours")),
    ("tours.index", _l("Tours")),
    ("feeds.settings", _l("My calendar feed")),
    ("staff.waitlist", _l("Waiting list")),
    ("coordination.index", _l("Coordination")),
    ("notes.audit_log", _l("Audit log")),
)
