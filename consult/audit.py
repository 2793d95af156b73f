"""The audit log: who read or changed what, and when."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from consult.extensions import db
from consult.models import AuditLog, StaffUser

PER_PAGE = 50


def record(
    actor: StaffUser | None, action: str, object_type: str, object_id: int | None, **detail: Any
) -> AuditLog:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
    db.session.add(entry)
    return entry


def newest_first(page: int, per_page: int = PER_PAGE) -> Pagination:
    """One page of the audit log, newest entry first."""
    query = sa.select(AuditLog).order_by(AuditLog.at_dt.desc(), AuditLog.id.desc())
    return db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)
