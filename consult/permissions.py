"""Who may do what: one vocabulary for views and templates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
from flask import abort, current_app
from flask_login import current_user, login_required

from consult.boundary import number_or_none
from consult.extensions import db, login_manager
from consult.models import ConsultationDay, Role, Session, StaffUser, Visit

P = ParamSpec("P")
R = TypeVar("R")


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """The signed-in staff member, or None when the account is gone or disabled."""
    account = number_or_none(user_id)
    if account is None:
        return None
    user = db.session.get(StaffUser, account)
    return user if user is not None and user.active else None


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


def can_open(user: StaffUser, endpoint: str) -> bool:
    """True when the view behind `endpoint` lets this staff member in (menus use the same rule)."""
    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "allowed_roles", None)
    return roles is not None and user.is_authenticated and user.role in roles
