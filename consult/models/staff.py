"""Staff accounts, the locations they work at, and the audit trail of what they did."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.base import UTCDateTime, enum_type, new_feed_token, utcnow

if TYPE_CHECKING:
    from consult.models.places import Agency, Location


class Role(enum.StrEnum):
    ADVISOR = "advisor"
    FRONTDESK = "frontdesk"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    # A volunteer language mediator: sees only the visits they accompany (consult.mediators).
    MEDIATOR = "mediator"


staff_location = sa.Table(
    "staff_location",
    db.metadata,
    sa.Column("staff_id", sa.ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("location_id", sa.ForeignKey("location.id", ondelete="CASCADE"), primary_key=True),
)


class StaffUser(UserMixin, db.Model):
    """A staff account; advisors belong to an agency, front desk to locations."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    language: Mapped[str] = mapped_column(sa.String(5), default="de")
    active: Mapped[bool] = mapped_column(default=True)
    feed_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_feed_token)
    feed_shows_names: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised on log-out and password change: every session signed with an older value ends.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # A mediator's languages (codes such as "fa") and the towns they can reach.
    languages: Mapped[list[str]] = mapped_column(
        sa.JSON, default=list, server_default=sa.text("'[]'")
    )
    towns: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))

    agency: Mapped[Agency | None] = relationship()
    locations: Mapped[list[Location]] = relationship(secondary=staff_location)

    __table_args__ = (
        sa.CheckConstraint("role != 'advisor' OR agency_id IS NOT NULL", name="advisor_agency"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles or self.role is Role.ADMIN

    def regenerate_feed_token(self) -> str:
        """Give the feed a new secret; the old URL stops working at once."""
        self.feed_token = new_feed_token()
        return self.feed_token

    def __repr__(self) -> str:
        return f"<StaffUser {self.email} {self.role.value}>"


class AuditLog(db.Model):
    """Who read or changed what, and when (case notes, consents, accounts)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    # "staff" (actor_id says who), "person" (by booking reference) or "system".
    actor_kind: Mapped[str] = mapped_column(sa.String(10), default="staff", server_default="staff")
    action: Mapped[str] = mapped_column(sa.String(40))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[StaffUser | None] = relationship()

    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)
