"""Moving a visit to another day (registers on `public.bp`): what it takes along, what not."""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from consult import carrying, itineraries
from consult.carrying import Carried
from consult.itineraries import PlanningError
from consult.models import ConsultationDay, Visit
from consult.public.forms import BookingForm
from consult.public.views import Journey, bp, visit_or_404


@bp.get("/visit/<reference>/move")
def move_visit(reference: str) -> ResponseReturnValue:
    """Start again from the day search, keeping the topics, to move the visit."""
    found = visit_or_404(reference)
    query = {
        # Referral appointments move along with their own topics (see `book`).
        "topic": [t.id for t in carrying.own_topics(found, carrying.carried_of(found))],
        "speak": found.language,
        "move": found.reference,
        # A person who asked for a language mediator keeps asking for one.
        **({"mediator": "1"} if found.mediator_wanted else {}),
    }
    return redirect(url_for("public.find_days", **query))


def moving(journey: Journey) -> tuple[Visit | None, list[Carried]]:
    """The visit being moved, if any, and the referral appointments it takes along."""
    if not journey.move:
        return None, []
    found = visit_or_404(journey.move)
    return found, carrying.carried_of(found)


def left_behind(carried: list[Carried], token: str) -> list[Carried]:
    """The referral appointments the chosen plan cannot take to its day."""
    if not carried or not token:
        return []
    try:
        wanted = itineraries.parse_plan_token(token)
    except PlanningError:
        return []
    return carrying.left_behind(carried, itineraries.agencies_of(wanted))


def dropping_confirmed(form: BookingForm, dropped: list[Carried]) -> bool:
    """True unless appointments would be cancelled that the person did not agree to lose."""
    if not dropped or form.drop_referrals.data:
        return True
    form.drop_referrals.errors = [
        _("Please confirm that this appointment will be cancelled, or choose another day.")
    ]
    return False


def next_best_plan(
    day: ConsultationDay, journey: Journey, topics: list, carried: list[Carried]
) -> str:
    """The token of the best plan left on the day, taking the carried appointments along."""
    result = itineraries.plans_for_day(
        day,
        topics,
        language=journey.speak,
        arrive=journey.arrive,
        leave=journey.leave,
        limit=1,
        carried=carried,
        mediator=journey.mediator,
    )
    # A person booking with a mediator goes back to the plans when none is free any more.
    if not result.plans or (journey.mediator and result.mediator_language is None):
        return ""
    return itineraries.plan_token(result.plans[0])
