"""Coordination of staff accounts: who may manage whom, and saving an account.

Plain functions over the models; they raise `CoordinationError` with an
untranslated message and leave committing to the caller.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.config import LANGUAGES
from consult.coordination.errors import CoordinationError
from consult.errors import N_
from consult.extensions import db
from consult.models import Agency, Location, MediatorShift, Role, StaffUser
from consult.passwords import MIN_PASSWORD_LENGTH, hash_password
from consult.permissions import end_sessions
from consult.revisions import touch_days


@dataclass(frozen=True)
class StaffFields:
    """What a coordinator enters for a staff account (password: administrators only;
    empty keeps the old one)."""

    email: str
    name: str
    role: Role
    agency_id: int | None
    location_ids: Sequence[int]
    language: str
    active: bool
    password: str = ""
    # A language mediator's languages and the towns they can reach.
    languages: Sequence[str] = ()
    towns: Sequence[str] = ()


def save_staff(account: StaffUser | None, fields: StaffFields, *, by: StaffUser) -> StaffUser:
    """Create or change a staff account; CoordinationError on anything that does not fit."""
    email = fields.email.strip().lower()
    if fields.role is Role.ADMIN and by.role is not Role.ADMIN:
        raise CoordinationError(N_("Only administrators can give the administrator role."))
    if account is not None and account.id == by.id:
        if fields.role is not account.role:
            raise CoordinationError(N_("You cannot change your own role."))
        if not fields.active:
            raise CoordinationError(N_("You cannot deactivate your own account."))
    clash = db.session.scalar(sa.select(StaffUser).where(sa.func.lower(StaffUser.email) == email))
    if clash is not None and clash is not account:
        raise CoordinationError(N_("There is already an account for %(email)s."), email=email)
    agency = db.session.get(Agency, fields.agency_id) if fields.agency_id else None
    if fields.agency_id and agency is None:
        raise CoordinationError(N_("One of the chosen agencies does not exist."))
    if fields.role is Role.ADVISOR and agency is None:
        raise CoordinationError(N_("An advisor must belong to an agency."))
    chosen = list(
        db.session.scalars(sa.select(Location).where(Location.id.in_(fields.location_ids)))
    )
    if len(chosen) != len(set(fields.location_ids)):
        raise CoordinationError(N_("One of the chosen locations does not exist."))
    if fields.role is Role.FRONTDESK and not chosen:
        raise CoordinationError(N_("Front desk staff need at least one location."))
    if fields.language not in LANGUAGES:
        raise CoordinationError(N_("Please choose one of the offered languages."))
    if fields.role is Role.MEDIATOR and not fields.languages:
        raise CoordinationError(N_("A language mediator needs at least one language."))
    if fields.password and by.role is not Role.ADMIN:
        # Whoever knows a password can sign in as its owner: only administrators set one.
        raise CoordinationError(N_("Only administrators can set passwords."))
    if account is None and not fields.password and by.role is Role.ADMIN:
        raise CoordinationError(N_("Please set a password for the new account."))
    if fields.password and len(fields.password) < MIN_PASSWORD_LENGTH:
        raise CoordinationError(
            N_("The password must have at least %(min)d characters."), min=MIN_PASSWORD_LENGTH
        )
    if account is None:
        # Until an administrator sets a password, no one knows one that signs in.
        account = StaffUser(password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(account)
    account.email = email
    account.name = fields.name
    account.role = fields.role
    account.agency = agency
    account.locations = chosen if fields.role is Role.FRONTDESK else []
    account.language = fields.language
    account.active = fields.active
    mediating = fields.role is Role.MEDIATOR
    account.languages = list(dict.fromkeys(fields.languages)) if mediating else []
    account.towns = list(dict.fromkeys(fields.towns)) if mediating else []
    if account.id is not None:
        # Who speaks what on which day changes the plans offered on the days they signed up for.
        touch_days(
            db.session.scalars(
                sa.select(MediatorShift.day_id).where(MediatorShift.mediator_id == account.id)
            )
        )
    if fields.password:
        account.password_hash = hash_password(fields.password)
        if account.session_version is not None:  # a new account has no sessions to end
            end_sessions(account)
    return account


def staff_accounts() -> list[StaffUser]:
    """Every account: active first, then by name."""
    return list(
        db.session.scalars(
            sa.select(StaffUser)
            .options(selectinload(StaffUser.agency), selectinload(StaffUser.locations))
            .order_by(StaffUser.active.desc(), StaffUser.name)
        )
    )
