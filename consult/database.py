"""Transactions that consume capacity: lock first, then check, then insert."""

from __future__ import annotations

from consult.extensions import db


def begin_write() -> None:
    """Start a fresh transaction that holds the write lock from its first statement.

    On SQLite this is BEGIN IMMEDIATE: concurrent bookers queue for the lock
    instead of reading a snapshot that another writer makes stale. On
    PostgreSQL the caller locks the rows it consumes with SELECT … FOR UPDATE.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write() would discard unsaved changes; commit them first")
    # Ends the read-only transaction this request may have opened by loading pages.
    session.rollback()
    session.connection(execution_options={"sqlite_immediate": True})
