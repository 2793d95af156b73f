"""Translated names of enum values, for templates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consult.models import (
    AppointmentStatus,
    Channel,
    DayKind,
    MessageKind,
    MessageStatus,
    Role,
    VisitStatus,
)

# The five phases of the process chain a topic belongs to.
PHASE_LABELS = {
    1: _l("1 · Access and information"),
    2: _l("2 · Vocational orientation and planning (incl. recognition)"),
    3: _l("3 · Qualification and language courses"),
    4: _l("4 · Entry into work"),
    5: _l("5 · Securing and developing employment"),
}

ROLE_LABELS = {
    Role.ADVISOR: _l("advisor"),
    Role.FRONTDESK: _l("front desk"),
    Role.COORDINATOR: _l("coordinator"),
    Role.ADMIN: _l("administrator"),
    Role.MEDIATOR: _l("language mediator"),
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

MESSAGE_KIND_LABELS = {
    MessageKind.BOOKED: _l("Booking confirmed"),
    MessageKind.MOVED: _l("Visit moved"),
    MessageKind.CANCELLED: _l("Visit cancelled"),
    MessageKind.APPOINTMENT_CANCELLED: _l("Appointment cancelled"),
    MessageKind.DAY_CANCELLED: _l("Day cancelled"),
    MessageKind.REPLANNED: _l("New times"),
    MessageKind.REFERRAL: _l("New appointment by referral"),
    MessageKind.REMINDER: _l("Reminder"),
    MessageKind.OFFER: _l("Offer from the waiting list"),
    MessageKind.OFFER_EXPIRING: _l("Offer about to expire"),
    MessageKind.CONFERENCE_INVITED: _l("Case conference"),
    MessageKind.CONFERENCE_CANCELLED: _l("Case conference cancelled"),
}

CHANNEL_LABELS = {Channel.EMAIL: _l("E-mail"), Channel.SMS: _l("SMS")}

MESSAGE_STATUS_LABELS = {
    MessageStatus.PENDING: _l("waiting"),
    MessageStatus.SENT: _l("sent"),
    MessageStatus.FAILED: _l("failed"),
    MessageStatus.DROPPED: _l("not sent"),
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
    ("staff.outbox", _l("Messages")),
    ("coordination.index", _l("Coordination")),
    ("statistics.dashboard", _l("Statistics")),
    ("notes.audit_log", _l("Audit log")),
)
