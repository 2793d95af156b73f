"""Who may do what: one vocabulary for views and templates."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
from flask import abort, current_app, session
from flask_login import current_user, login_required, login_user

from consult.boundary import number_or_none
from consult.extensions import db, login_manager
from consult.models import Agency, ConsultationDay, Role, Session, StaffUser, Tour, Visit

# What a staff session carries besides Flask-Login's own keys.
SESSION_VERSION = "session_version"
SIGNED_IN_AT = "signed_in_at"

P = ParamSpec("P")
R = TypeVar("R")


def current_staff() -> StaffUser:
    """The signed-in staff member as the model object (not the request-bound proxy).

    The real object can be assigned to relationships (a note's author, who recorded a
    consent) and compared with other loaded rows.
    """
    return current_user._get_current_object()  # type: ignore[attr-defined]


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """The signed-in staff member; None when the account is gone or disabled, or the
    session has ended (signed out anywhere, password changed, or too old)."""
    account = number_or_none(user_id)
    if account is None:
        return None
    user = db.session.get(StaffUser, account)
    if user is None or not user.active:
        return None
    if session.get(SESSION_VERSION) != user.session_version:
        return None
    signed_in = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in, int) or not 0 <= time.time() - signed_in <= _max_age():
        return None
    return user


def start_session(user: StaffUser) -> None:
    """Sign the staff member in for at most CONSULT_SESSION_MAX_HOURS, idle or not."""
    session.permanent = True  # and idle for at most CONSULT_SESSION_HOURS
    session[SESSION_VERSION] = user.session_version
    session[SIGNED_IN_AT] = int(time.time())
    login_user(user)


def end_sessions(user: StaffUser) -> None:
    """End every session of the account, on every device (the caller commits)."""
    user.session_version += 1


def _max_age() -> int:
    return current_app.config.get("CONSULT_SESSION_MAX_SECONDS", 12 * 3600)


def find_staff(email: str) -> StaffUser | None:
    """The active account for an e-mail address."""
    return db.session.scalar(
        sa.select(StaffUser).where(StaffUser.email == email.strip().lower(), StaffUser.active)
    )


def role_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Allow a view to signed-in staff of these roles (admins always); others get 403."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles) | {Role.ADMIN}  # type: ignore[attr-defined]
        return wrapped

    return decorate


def location_scope(user: StaffUser) -> set[int] | None:
    """The locations a staff member works at; None means every location."""
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        return None
    if user.role is Role.FRONTDESK:
        return {location.id for location in user.locations}
    return set(
        db.session.scalars(
            sa.select(ConsultationDay.location_id)
            .join(Session, Session.day_id == ConsultationDay.id)
            .where(Session.agency_id == user.agency_id)
            .distinct()
        )
    )


def can_view_location(user: StaffUser, location_id: int) -> bool:
    """True when the location's days belong to the staff member's work."""
    scope = location_scope(user)
    return scope is None or location_id in scope


def can_see_person(user: StaffUser, visit: Visit) -> bool:
    """Names and contacts: the desk and coordination of the place, advisors of the visit."""
    if user.role is Role.ADVISOR:
        return any(a.agency_id == user.agency_id for a in visit.appointments)
    return can_view_location(user, visit.day.location_id)


def can_see_reference(user: StaffUser, visit: Visit) -> bool:
    """A booking reference opens the person's own pages, so only those who serve them see
    it: the front desk of the visit's location and advisors of agencies in the visit."""
    if user.role is Role.ADVISOR:
        return any(a.agency_id == user.agency_id for a in visit.appointments)
    if user.role is Role.FRONTDESK:
        return visit.day.location_id in {location.id for location in user.locations}
    return False


def may_manage_account(by: StaffUser, account: StaffUser) -> bool:
    """Coordinators manage every account but administrators'; administrators manage all."""
    return by.role is Role.ADMIN or account.role is not Role.ADMIN


def may_act_for(user: StaffUser, agency_id: int) -> bool:
    """Advisors publish only their own agency's hours; coordinators and admins any agency's."""
    if user.has_role(Role.COORDINATOR):
        return True
    return user.role is Role.ADVISOR and user.agency_id == agency_id


def may_add_hours(user: StaffUser, day: ConsultationDay, agency: Agency) -> bool:
    """Advisors add hours on days their agency is invited to (or already serves)."""
    if not may_act_for(user, agency.id):
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    return any(a.id == agency.id for a in day.invited_agencies) or any(
        s.agency_id == agency.id for s in day.sessions
    )


def may_manage_tour(user: StaffUser, tour: Tour) -> bool:
    """Advisors manage the tours of their own agency; coordinators and admins every tour."""
    if user.has_role(Role.COORDINATOR):
        return True
    return user.role is Role.ADVISOR and user.agency_id == tour.agency_id


def agency_scope(user: StaffUser) -> int | None:
    """The agency whose tours and topics a staff member sees; None means every agency."""
    return None if user.has_role(Role.COORDINATOR) else user.agency_id


def can_open(user: StaffUser, endpoint: str) -> bool:
    """True when the view behind `endpoint` lets this staff member in (menus use the same rule)."""
    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "allowed_roles", None)
    return roles is not None and user.is_authenticated and user.role in roles
