"""Transactions: one unit of work per request, writes that consume capacity lock first,
and work that waits for the commit.

A request's changes are committed once, after its view has answered; a view that raises
(an abort, a database error) leaves nothing behind. `commit()` below is the one call
that commits: the request's end, a command, and the booking services that must hold
the write lock for as short as possible call it; nothing else does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app
from flask.typing import ResponseReturnValue
from sqlalchemy import event, orm

from consult.extensions import db


def commit() -> None:
    """Make the current transaction durable; after-commit work runs next."""
    db.session.commit()


def unit_of_work(app: Flask) -> None:
    """Wrap every view of `app` so that what it changed is committed once it has answered.

    Call it after the blueprints are registered. The answer is made first, so that a
    commit that fails (the database gone) is answered like any database error (503)
    instead of a success the client would wrongly trust.
    """
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = _committing(view)


def _committing(view: Callable[..., ResponseReturnValue]) -> Callable[..., Any]:
    @wraps(view)  # keeps `allowed_roles`, which menus and permissions read
    def answered_then_committed(*args: Any, **kwargs: Any) -> Any:
        response = current_app.make_response(view(*args, **kwargs))
        if db.session().in_transaction():
            commit()
        return response

    return answered_then_committed


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


# --- work that waits for the commit -------------------------------------------------------

_AFTER_COMMIT = "consult_after_commit"


def after_commit(callback: Callable[[], object], session: orm.Session | None = None) -> None:
    """Run `callback` once the current transaction is committed; drop it if it rolls back.

    For what must not happen for a change that is not stored: log lines, messages, cache
    invalidation. The callback runs outside the transaction and must not write.
    """
    target = session if session is not None else db.session()
    target.info.setdefault(_AFTER_COMMIT, []).append(callback)


def listen_on_sessions(*listeners: tuple[str, Callable[..., Any]]) -> None:
    """Listen to these events of every ORM session, once however often it is called."""
    for name, listener in listeners:
        if not event.contains(orm.Session, name, listener):
            event.listen(orm.Session, name, listener)


def watch_commits() -> None:
    """Install the after-commit hook on every ORM session (idempotent)."""
    listen_on_sessions(
        ("after_commit", _run_after_commit),
        ("after_soft_rollback", _forget_after_rollback),
    )


def _run_after_commit(session: orm.Session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, ()):
        callback()


def _forget_after_rollback(session: orm.Session, previous_transaction: Any) -> None:
    # A savepoint's rollback keeps what the outer transaction may still commit.
    if previous_transaction.parent is None:
        session.info.pop(_AFTER_COMMIT, None)
