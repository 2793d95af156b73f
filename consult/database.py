"""Transactions: one unit of work per request, writes that consume capacity lock first,
and work that waits for the commit.

A request's changes are committed once, after its view has answered; a view that raises
(an abort, a database error) leaves nothing behind. `commit()` below is the one call
that commits, made at the request's end and by commands; services never commit.
A service that may fail half way after others have written in the same request
(a booking whose seat was just taken) does its work in a savepoint, so that its
failure undoes its own work only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from flask import Flask, current_app
from flask.typing import ResponseReturnValue
from sqlalchemy import event, orm

from consult.extensions import db


def commit() -> None:
    """Make the current transaction durable; after-commit work runs next."""
    db.session.commit()


@contextmanager
def atomic() -> Iterator[None]:
    """One unit of work outside a request (a command, a script, a test's arrangement):
    committed when the block ends, rolled back if it raises."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    commit()


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
    """Make sure the current transaction holds the write lock from here on.

    A transaction that has written already holds it and goes on. Otherwise the
    read-only transaction this request may have opened is ended and a new one starts
    with the write lock: on SQLite BEGIN IMMEDIATE, so concurrent bookers queue for the
    lock instead of reading a snapshot that another writer makes stale; on PostgreSQL
    the caller locks the rows it consumes with SELECT … FOR UPDATE. Lock waits are
    bounded (`lock_timeout` on PostgreSQL, the busy timeout on SQLite); a wait that
    runs out is answered 503 with Retry-After (see `http_errors`).
    """
    session = db.session()
    if session.info.get(_WRITING):
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write() would discard unsaved changes; flush them first")
    session.rollback()
    session.connection(execution_options={"sqlite_immediate": True})
    session.info[_WRITING] = True


# --- work that waits for the commit -------------------------------------------------------

_AFTER_COMMIT = "consult_after_commit"
_WRITING = "consult_writing"


def after_commit(callback: Callable[[], object], session: orm.Session | None = None) -> None:
    """Run `callback` once the current transaction is committed; drop it if it rolls back.

    For what must not happen for a change that is not stored: log lines, messages, cache
    invalidation. The callback runs outside the transaction and must not write.
    """
    target = session if session is not None else db.session()
    # Kept with the savepoint it was registered in, if any: undone with it.
    target.info.setdefault(_AFTER_COMMIT, []).append((target.get_nested_transaction(), callback))


def listen_on_sessions(*listeners: tuple[str, Callable[..., Any]]) -> None:
    """Listen to these events of every ORM session, once however often it is called."""
    for name, listener in listeners:
        if not event.contains(orm.Session, name, listener):
            event.listen(orm.Session, name, listener)


def watch_commits() -> None:
    """Install the after-commit hook on every ORM session (idempotent)."""
    listen_on_sessions(
        ("after_flush", _mark_writing),
        ("after_commit", _run_after_commit),
        ("after_soft_rollback", _forget_after_rollback),
    )


def _mark_writing(session: orm.Session, flush_context: Any) -> None:
    # Rows written: on SQLite the transaction holds the write lock now, and
    # `begin_write` must not roll these rows back.
    session.info[_WRITING] = True


def _run_after_commit(session: orm.Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: the transaction goes on
    session.info.pop(_WRITING, None)
    for _savepoint, callback in session.info.pop(_AFTER_COMMIT, ()):
        callback()


def _forget_after_rollback(session: orm.Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_WRITING, None)
        session.info.pop(_AFTER_COMMIT, None)
    elif previous_transaction.nested:
        # A savepoint's rollback undoes only what was registered inside it.
        kept = [
            (savepoint, callback)
            for savepoint, callback in session.info.get(_AFTER_COMMIT, ())
            if not _within(savepoint, previous_transaction)
        ]
        session.info[_AFTER_COMMIT] = kept


def _within(transaction: Any, outer: Any) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False
