"""Who may do what: one vocabulary for views and templates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from consult.extensions import db, login_manager
from consult.models import Role, StaffUser

ROLE_LABELS = {
    Role.ADVISOR: _l("advisor"),
    Role.FRONTDESK: _l("front desk"),
    Role.COORDINATOR: _l("coordinator"),
    Role.ADMIN: _l("administrator"),
}

P = ParamSpec("P")
R = TypeVar("R")


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """The signed-in staff member, or None when the account is gone or disabled."""
    if not user_id.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))
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
