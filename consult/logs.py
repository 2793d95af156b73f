"""Logs: one line per request, one per domain event; never a name, contact, note or reference.

Lines are `key=value` pairs after a fixed word, for people and for log tools alike:

    request id=4f1c2a9e0b7d6e53 method=POST route=/day/<int:day_id>/book status=302 ms=41.2
            db_ms=12.9 queries=14   (on one line)
    event id=4f1c2a9e0b7d6e53 action=visit.book object=visit:812 actor=person

The request id travels in the `X-Request-ID` header both ways (a proxy's id is kept when it
looks like one) and is printed on error pages, so that a person can quote it.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

requests_log = logging.getLogger("consult.request")
events_log = logging.getLogger("consult.event")


def request_id() -> str:
    """This request's id, or "-" outside a request."""
    return g.get("request_id", "-") if has_request_context() else "-"


def event_line(action: str, object_type: str, object_id: int | None, actor: str) -> None:
    """Log one domain event (what the audit trail records, without its details).

    Outside a request (loading the demo, a command) events are debug lines: the command
    says what it did in one line of its own.
    """
    events_log.log(
        logging.INFO if has_request_context() else logging.DEBUG,
        "event id=%s action=%s object=%s:%s actor=%s",
        request_id(),
        action,
        object_type,
        "-" if object_id is None else object_id,
        actor,
    )


def refused(action: str, reason: str) -> None:
    """Log a change that was refused, with the untranslated reason (no personal data)."""
    events_log.info('refused id=%s action=%s reason="%s"', request_id(), action, reason)


def install(app: Flask) -> None:
    """Give every request an id, time it, and log one line when it is answered."""
    _configure(app)
    app.before_request(_start)
    app.after_request(_finish)
    app.jinja_env.globals["request_id"] = request_id


def _configure(app: Flask) -> None:
    logger = logging.getLogger("consult")
    logger.setLevel(app.config.get("CONSULT_LOG_LEVEL", "INFO"))
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)


def _start() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _SANE_ID.fullmatch(offered) else secrets.token_hex(8)
    g.request_started = time.perf_counter()
    g.db_seconds = 0.0
    g.db_queries = 0


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    started = g.get("request_started")
    if started is None:  # answered before _start ran (a 404 of the URL map, say)
        return response
    # The route's pattern, never the path: a path may carry a booking reference.
    route = request.url_rule.rule if request.url_rule is not None else "-"
    requests_log.info(
        "request id=%s method=%s route=%s status=%d ms=%.1f db_ms=%.1f queries=%d",
        request_id(),
        request.method,
        route,
        response.status_code,
        (time.perf_counter() - started) * 1000,
        g.get("db_seconds", 0.0) * 1000,
        g.get("db_queries", 0),
    )
    return response


@event.listens_for(Engine, "before_cursor_execute")
def _query_started(conn: Any, cursor: Any, statement: Any, *args: Any) -> None:
    conn.info.setdefault("query_started", []).append(time.perf_counter())


@event.listens_for(Engine, "handle_error")
def _query_failed(context: Any) -> None:
    started = context.connection.info.get("query_started") if context.connection else None
    if started:
        started.pop()


@event.listens_for(Engine, "after_cursor_execute")
def _query_finished(conn: Any, cursor: Any, statement: Any, *args: Any) -> None:
    started = conn.info.get("query_started")
    if not started:
        return
    elapsed = time.perf_counter() - started.pop()
    if has_request_context() and "db_seconds" in g:
        g.db_seconds += elapsed
        g.db_queries += 1
