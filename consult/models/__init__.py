"""The domain model: agencies, places, days, sessions, slots, visits and the people around them.

Every instant is stored as UTC (`*_dt` columns, aware `datetime` in Python);
calendar dates of a day (`ConsultationDay.date`) are local to its location.

One module per aggregate; import from here. Tests set the clock by replacing
`consult.models.utcnow`: model methods read it through `base.clock()`, so the
replacement reaches them as it reaches the services.
"""

from __future__ import annotations

from consult.models.base import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    Localized,
    TransitionError,
    UTCDateTime,
    enum_type,
    localized,
    localized_text,
    new_feed_token,
    new_reference,
    normalise_reference,
    today_in,
    utcnow,
)
from consult.models.conferences import (
    CaseConference,
    ConferenceMode,
    ConferenceStatus,
    conference_agency,
)
from consult.models.days import ConsultationDay, DayKind, DaySeries, DayStatus, day_invitation
from consult.models.mediators import MediatorShift
from consult.models.messages import Channel, Message, MessageKind, MessageStatus
from consult.models.notes import CONFERENCE, SHARE, CaseNote, Consent
from consult.models.places import Agency, Location, Topic, topic_agency
from consult.models.sessions import Seat, Session, SessionStatus, Slot, room_of, session_topic
from consult.models.staff import AuditLog, Role, StaffUser, staff_location
from consult.models.statistics import (
    StatAppointment,
    StatAppointmentTopic,
    StatCapacity,
    StatFold,
    StatStaleDay,
    StatVisit,
    StatVisitTopic,
)
from consult.models.tours import Tour, TourStatus, TourStop
from consult.models.visits import (
    ACTIVE_APPOINTMENT_STATES,
    APPOINTMENT_TRANSITIONS,
    Appointment,
    AppointmentStatus,
    Client,
    Visit,
    VisitOrigin,
    VisitStatus,
    appointment_topic,
    visit_topic,
)
from consult.models.waitlist import WaitlistEntry, WaitlistStatus, waitlist_topic

__all__ = [
    "ACTIVE_APPOINTMENT_STATES",
    "APPOINTMENT_TRANSITIONS",
    "REFERENCE_ALPHABET",
    "REFERENCE_LENGTH",
    "CONFERENCE",
    "SHARE",
    "Agency",
    "Appointment",
    "AppointmentStatus",
    "AuditLog",
    "CaseConference",
    "CaseNote",
    "Channel",
    "Client",
    "ConferenceMode",
    "ConferenceStatus",
    "Consent",
    "ConsultationDay",
    "DayKind",
    "DaySeries",
    "DayStatus",
    "MediatorShift",
    "Message",
    "MessageKind",
    "MessageStatus",
    "Localized",
    "Location",
    "Role",
    "Seat",
    "Session",
    "SessionStatus",
    "Slot",
    "StaffUser",
    "StatAppointment",
    "StatAppointmentTopic",
    "StatCapacity",
    "StatFold",
    "StatStaleDay",
    "StatVisit",
    "StatVisitTopic",
    "Topic",
    "Tour",
    "TourStatus",
    "TourStop",
    "TransitionError",
    "UTCDateTime",
    "Visit",
    "VisitOrigin",
    "VisitStatus",
    "WaitlistEntry",
    "WaitlistStatus",
    "appointment_topic",
    "conference_agency",
    "day_invitation",
    "enum_type",
    "localized",
    "localized_text",
    "new_feed_token",
    "new_reference",
    "normalise_reference",
    "room_of",
    "session_topic",
    "staff_location",
    "today_in",
    "topic_agency",
    "utcnow",
    "visit_topic",
    "waitlist_topic",
]
