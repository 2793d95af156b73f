"""The values the visit planner takes and gives: slots, needs, openings and plans."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SlotState:
    """One slot of an agency session and the desks still free in it."""

    slot_id: int
    session_id: int
    agency_id: int
    starts_dt: datetime
    ends_dt: datetime
    free_desks: frozenset[int]
    languages: frozenset[str] = frozenset()
    interpreter: bool = False
    room: str = ""


@dataclass(frozen=True)
class Need:
    """One agency the person has to see, and for how long."""

    agency_id: int
    minutes: int

    def __post_init__(self) -> None:
        if self.minutes <= 0:
            raise ValueError(f"an appointment needs a positive length, got {self.minutes}")


@dataclass(frozen=True)
class Opening:
    """A time at which one agency can take the person for the needed length."""

    agency_id: int
    session_id: int
    starts_dt: datetime
    ends_dt: datetime
    slot_ids: tuple[int, ...]
    desk: int
    language_ok: bool
    room: str = ""


PlanKey = tuple[int, timedelta, datetime, tuple[datetime, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Plan:
    """One visit: an opening at each needed agency, in order of start (then agency)."""

    appointments: tuple[Opening, ...]

    @property
    def starts_dt(self) -> datetime:
        """Return when the first appointment starts."""
        return self.appointments[0].starts_dt

    @property
    def ends_dt(self) -> datetime:
        """Return when the last appointment ends (the latest, when people are seen apart)."""
        return max(opening.ends_dt for opening in self.appointments)

    @property
    def time_on_site(self) -> timedelta:
        """Return the time from the first start to the last end."""
        return self.ends_dt - self.starts_dt

    @property
    def minutes_on_site(self) -> int:
        """Return the time on site in whole minutes."""
        return self.time_on_site // timedelta(minutes=1)

    @property
    def language_issues(self) -> int:
        """Return how many appointments cannot be held in the person's language."""
        return sum(not opening.language_ok for opening in self.appointments)

    @property
    def agency_ids(self) -> tuple[int, ...]:
        """Return the agencies in the order they are visited."""
        return tuple(opening.agency_id for opening in self.appointments)

    def key(self) -> PlanKey:
        """Return the ranking key; smaller is better."""
        return (
            self.language_issues,
            self.time_on_site,
            self.starts_dt,
            tuple(opening.starts_dt for opening in self.appointments),
            self.agency_ids,
        )


class Plans(list[Plan]):
    """Plans best first; `complete` is False when the search ran out of its budget.

    An incomplete list is still exact as far as it goes: every plan in it is one
    of the best, in order, but better-ranked plans may be missing after them.
    """

    def __init__(self, plans: Iterable[Plan] = (), *, complete: bool = True) -> None:
        super().__init__(plans)
        self.complete = complete
