"""Checking that a wished plan is one the planner would offer: slots, topics, gaps."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from consult import models
from consult.booking_errors import UnfitPlanError
from consult.carrying import Carried
from consult.errors import N_
from consult.itineraries import Assignment, assign_topics
from consult.models import Appointment, ConsultationDay, Session, SessionStatus, Slot, Topic


class Bookable(Protocol):
    """What the booking needs of a planned appointment (a planner `Opening` fits)."""

    @property
    def session_id(self) -> int: ...

    @property
    def slot_ids(self) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class FittedAppointment:
    """A wish that is what the planner would offer: its session, slots and topics."""

    session: Session
    slots: tuple[Slot, ...]
    topics: tuple[Topic, ...]
    # A referral appointment taken along by a move keeps who referred it.
    referred_by_agency_id: int | None = None


def fit_plan(
    day: ConsultationDay,
    wishes: Sequence[Bookable],
    topics: Sequence[Topic],
    slots: dict[int, Slot],
    *,
    language: str | None,
    keep: Sequence[Appointment] = (),
    seen_now: bool = False,
    carried: Sequence[Carried] = (),
    apart: Sequence[Collection[int]] = (),
) -> list[FittedAppointment]:
    """Check that the wishes are a plan the planner would offer for the topics, or UnfitPlanError.

    This is the one check of a plan that every booking path runs inside its
    write transaction, with `slots` locked. Each wish must be consecutive slots of
    one published session of this published day that has not started (with
    `seen_now`: not ended); the visit keeps one appointment per agency and the
    changeover gap, also to the appointments it `keep`s. The topics are shared
    among the wishes' agencies as the planner shares them (`assign_topics`):
    every topic goes to exactly one appointment and every appointment gets at
    least one. An appointment is exactly as long as its topics need on its
    session's slot grid, as the planner cuts it (`openings_for`): its last slot
    is the first at which that length is reached. Without topics (a referral
    that names none) each appointment is one slot. A wish with the agency of a
    `carried` referral appointment is that appointment: its own topics, which its
    session must serve; the topics are shared among the other wishes. A family who
    may be seen `apart` names each person's topic ids: then the changeover gap is kept
    between each person's own appointments (shared ones included), and appointments of
    people who share none may run at the same time.
    """
    if not day.is_bookable:
        raise UnfitPlanError(N_("This consultation day is not open for booking."))
    if not wishes:
        raise UnfitPlanError(N_("Please choose at least one appointment."))
    now = models.utcnow()
    chosen = [_check_slots(day, wish, slots, now, seen_now) for wish in wishes]
    intervals = [(s.agency_id, run[0].starts_dt, run[-1].ends_dt) for s, run in chosen]
    intervals += [(a.agency_id, a.starts_dt, a.ends_dt) for a in keep]
    gap = timedelta(minutes=day.location.changeover_minutes)
    if not apart:
        check_no_clashes(intervals, gap)
    along = {c.agency_id: c for c in carried}
    shares = _share_topics(
        [session for session, _ in chosen if session.agency_id not in along], topics, language
    )
    if apart:
        check_each_person(intervals, _agencies_of_each(shares, apart), gap)
    fitted = []
    for session, run in chosen:
        share = shares.get(session.agency_id)
        taken = along.get(session.agency_id)
        if taken is not None and not taken.topic_ids <= {t.id for t in session.topics}:
            raise UnfitPlanError(
                N_("This plan does not fit what you chose. Please choose a plan again.")
            )
        minutes = share.minutes if share else taken.minutes if taken else 0
        length = timedelta(minutes=minutes) if minutes else run[0].ends_dt - run[0].starts_dt
        start = run[0].starts_dt
        if not run[-1].ends_dt - start >= length > run[-1].starts_dt - start:
            raise UnfitPlanError(
                N_("This plan does not fit what you chose. Please choose a plan again.")
            )
        if taken is not None:
            fit = FittedAppointment(session, tuple(run), taken.topics, taken.referred_by_agency_id)
        else:
            fit = FittedAppointment(session, tuple(run), share.topics if share else ())
        fitted.append(fit)
    return fitted


def _share_topics(
    sessions: Sequence[Session], topics: Sequence[Topic], language: str | None
) -> dict[int, Assignment]:
    """The topics of each agency of the plan, shared as the planner shares them."""
    if not topics:
        return {}
    assignments, unserved = assign_topics(sessions, topics, language)
    if unserved or len(assignments) != len(sessions):
        raise UnfitPlanError(
            N_("This plan does not fit what you chose. Please choose a plan again.")
        )
    return {assignment.agency.id: assignment for assignment in assignments}


def _check_slots(
    day: ConsultationDay, wish: Bookable, slots: dict[int, Slot], now: datetime, seen_now: bool
) -> tuple[Session, list[Slot]]:
    chosen = [slots.get(sid) for sid in wish.slot_ids]
    if not chosen or any(slot is None for slot in chosen):
        raise UnfitPlanError(N_("This time is no longer offered. Please choose another one."))
    ordered = sorted((s for s in chosen if s is not None), key=lambda s: s.starts_dt)
    session = ordered[0].session
    first = ordered[0]
    if (
        session.id != wish.session_id
        or session.day_id != day.id
        or session.status is not SessionStatus.PUBLISHED
        or any(s.session_id != session.id for s in ordered)
        or any(a.ends_dt != b.starts_dt for a, b in zip(ordered, ordered[1:], strict=False))
        or (first.ends_dt <= now if seen_now else first.starts_dt < now)
    ):
        raise UnfitPlanError(N_("This time is no longer offered. Please choose another one."))
    return session, ordered


def _agencies_of_each(
    shares: dict[int, Assignment], people: Sequence[Collection[int]]
) -> list[set[int]]:
    """For each person (by topic ids), the agencies whose shared-out topics include theirs."""
    return [
        {agency_id for agency_id, a in shares.items() if any(t.id in mine for t in a.topics)}
        for mine in people
    ]


def check_each_person(
    intervals: list[tuple[int, datetime, datetime]],
    people: Sequence[Collection[int]],
    gap: timedelta,
) -> None:
    """UnfitPlanError unless each agency is seen once and each person's appointments keep apart.

    `people` names each person's agencies; an appointment with an agency that no one is
    named for (one kept or carried along) counts as everybody's.
    """
    agencies = [agency_id for agency_id, _, _ in intervals]
    if len(set(agencies)) != len(agencies):
        raise UnfitPlanError(N_("A visit has at most one appointment with each service."))
    anyone = set().union(*people)
    for mine in people:
        check_no_clashes([i for i in intervals if i[0] in mine or i[0] not in anyone], gap)


def check_no_clashes(intervals: list[tuple[int, datetime, datetime]], gap: timedelta) -> None:
    """UnfitPlanError unless each agency is seen once and the changeover gap is kept."""
    agencies = [agency_id for agency_id, _, _ in intervals]
    if len(set(agencies)) != len(agencies):
        raise UnfitPlanError(N_("A visit has at most one appointment with each service."))
    ordered = sorted(intervals, key=lambda interval: interval[1:])
    for (_, _, end), (_, start, _) in zip(ordered, ordered[1:], strict=False):
        if start < end + gap:
            raise UnfitPlanError(
                N_("These appointments overlap or are less than %(minutes)d minutes apart."),
                minutes=int(gap.total_seconds() // 60),
            )
