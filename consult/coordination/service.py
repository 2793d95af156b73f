"""Coordination: places, agencies, topics, staff accounts and the joint days they share.

Plain functions over the models; they raise `CoordinationError` with an
untranslated message and leave committing to the caller. They live in one
module per subject -- `places` (locations, agencies, topics), `accounts` (staff
accounts) and `days` (consultation days) -- and are all importable from here.
"""

from __future__ import annotations

from consult.coordination.accounts import (
    StaffFields,
    save_staff,
    staff_accounts,
)
from consult.coordination.days import (
    DAY_CANCELLED,
    MAX_REASON,
    MAX_SERIES_DAYS,
    DayRequest,
    Repeat,
    booked_visits,
    cancel_day,
    cancelled_with_day,
    create_days,
    days_before,
    days_from,
    nth_weekday_of,
    one_year_after,
    parse_exceptions,
    series_dates,
    update_day,
)
from consult.coordination.errors import CoordinationError
from consult.coordination.places import (
    COLOR_PATTERN,
    LOCATION_PRACTICAL,
    PRACTICAL_LIMITS,
    REQUIRED_LANGUAGES,
    SLUG_PATTERN,
    AgencyFields,
    LocationFields,
    TopicFields,
    agencies,
    is_known_zone,
    locations,
    save_agency,
    save_location,
    save_topic,
    slugify,
    topics,
)
from consult.permissions import may_manage_account

__all__ = [
    "COLOR_PATTERN",
    "LOCATION_PRACTICAL",
    "PRACTICAL_LIMITS",
    "DAY_CANCELLED",
    "MAX_REASON",
    "MAX_SERIES_DAYS",
    "REQUIRED_LANGUAGES",
    "SLUG_PATTERN",
    "AgencyFields",
    "CoordinationError",
    "DayRequest",
    "LocationFields",
    "Repeat",
    "StaffFields",
    "TopicFields",
    "agencies",
    "booked_visits",
    "cancel_day",
    "cancelled_with_day",
    "create_days",
    "days_before",
    "days_from",
    "is_known_zone",
    "locations",
    "may_manage_account",
    "nth_weekday_of",
    "one_year_after",
    "parse_exceptions",
    "save_agency",
    "save_location",
    "save_staff",
    "save_topic",
    "series_dates",
    "slugify",
    "staff_accounts",
    "topics",
    "update_day",
]
