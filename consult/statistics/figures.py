"""The dashboard's figures, section by section: SQL sums over the anonymous daily counts."""

from __future__ import annotations

from datetime import date

from consult.statistics.capacity import capacity
from consult.statistics.demand import demand, one_visit
from consult.statistics.paths import mobile, referrals
from consult.statistics.query import Counts, Filters, Section
from consult.statistics.waiting import waiting

__all__ = ["Filters", "Section", "dashboard"]


def dashboard(f: Filters, today: date) -> list[Section]:
    """Every section of the dashboard for these filters."""
    counts = Counts(f, today)
    return [
        demand(counts),
        one_visit(counts),
        waiting(counts),
        capacity(counts),
        referrals(counts),
        mobile(counts),
    ]
