"""Rate limits: one budget per client address and action, whatever route it comes by.

- Bookings: every attempt to book a visit or join the waiting list, through the JSON API
  or the forms, counts against `CONSULT_RATELIMIT_BOOKING`.
- Look-ups by booking reference: only *misses* (a reference nobody holds) count against
  `CONSULT_RATELIMIT_LOOKUP`, on every route that takes a reference, the move form's
  included. Many people behind one address (a shelter's Wi-Fi) never lock each other out
  of their own visits, while guessing is refused with 429 once the budget is spent.
"""

from __future__ import annotations

import math
import time
from functools import cache
from typing import TypeVar

from flask import current_app
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from consult.extensions import client_address, limiter

T = TypeVar("T")

BOOKING_SCOPE = "booking"
LOOKUP_SCOPE = "reference-miss"


def _booking_limit() -> str:
    return current_app.config["CONSULT_RATELIMIT_BOOKING"]


# Decorates every route that books or puts someone on the waiting list.
booking = limiter.shared_limit(_booking_limit, scope=BOOKING_SCOPE, methods=["POST"])


def _lookup_items() -> list[RateLimitItem]:
    return _parsed(current_app.config["CONSULT_RATELIMIT_LOOKUP"])


@cache
def _parsed(limits: str) -> list[RateLimitItem]:
    # Parsed once per setting, not on every look-up.
    return parse_many(limits)


def counted_lookup(found: T | None) -> T | None:
    """Pass on what a reference look-up found; refuse with 429 once the misses are spent.

    Whether this look-up hit or missed, an address that has missed too often gets 429,
    so that the answer tells a guesser nothing. A miss is then counted.
    """
    if not limiter.enabled:
        return found
    strategy = limiter.limiter
    key = (LOOKUP_SCOPE, client_address())
    items = _lookup_items()
    for item in items:
        if not strategy.test(item, *key):
            reset_at = strategy.get_window_stats(item, *key).reset_time
            raise TooManyRequests(retry_after=max(1, math.ceil(reset_at - time.time())))
    if found is None:
        for item in items:
            strategy.hit(item, *key)
    return found
