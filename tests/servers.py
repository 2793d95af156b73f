"""Real servers that tests start on 127.0.0.1: an SMTP server (aiosmtpd) and an HTTP
server standing in for an SMS gateway, and `outbox`, a day whose messages are sent
through them. Registered as a plugin in `tests/conftest.py`."""

from __future__ import annotations

import email
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.message import Message as Headers
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from flask import Flask
from flask.testing import FlaskClient

from consult.database import atomic
from consult.extensions import db
from consult.itineraries import PlannedOpening
from consult.messages.delivery import Transports, deliver_due
from consult.messages.mail import MailSettings, SmtpTransport
from consult.messages.sms import JsonGateway
from consult.models import Message, MessageKind, MessageStatus
from consult.visits import BookingRequest, Contact, book_visit
from tests.factories import (
    PASSWORD,
    create_agency,
    create_day,
    create_session,
    create_topic,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    peer: tuple[str, int]
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives, or refuses recipients when told."""

    received: list[Received] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    refuse_with: str | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.received.append(
            Received(
                session.peer, envelope.mail_from, list(envelope.rcpt_tos), message, envelope.content
            )
        )
        return "250 Message accepted"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        # handled=False: aiosmtpd answers a failure with its own 535.
        return AuthResult(success=data == LoginPassword(b"desk", b"p@ss:w/rd%"), handled=False)


@dataclass
class Server:
    inbox: Inbox
    port: int
    controller: Controller
    running: bool = True

    def stop(self) -> None:
        """Stop listening and drop every open connection."""
        if self.running:
            self.controller.stop()
            self.running = False


@pytest.fixture
def start_server() -> Iterator[Callable[..., Server]]:
    """Starts local SMTP servers (Controller keyword arguments as given), stops them after."""
    started: list[Server] = []

    def start(port: int | None = None, inbox: Inbox | None = None, **options: Any) -> Server:
        inbox = inbox or Inbox()
        port = port or free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        started.append(Server(inbox, port, controller))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@dataclass
class Request:
    path: str
    headers: Headers
    body: bytes


@dataclass
class FakeGateway:
    """What a local HTTP server received, and what it answers next."""

    url: str
    requests: list[Request] = field(default_factory=list)
    status: int = 200
    answer: dict[str, Any] | None = None
    # Statuses to answer first, one per request, before `status` (a gateway that recovers).
    first: list[int] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def reply(self, status: int, answer: dict[str, Any] | None = None, **headers: str) -> None:
        self.status, self.answer, self.headers = status, answer, headers


class _Server(ThreadingHTTPServer):
    # Join the request threads on close, so that no socket outlives the test.
    daemon_threads = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up waiting is expected here."""


@pytest.fixture
def fake_gateway() -> Iterator[FakeGateway]:
    """A real HTTP server on 127.0.0.1 standing in for an SMS provider."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            gateway.requests.append(Request(self.path, self.headers, body))
            time.sleep(gateway.delay)
            answer = b"" if gateway.answer is None else json.dumps(gateway.answer).encode()
            self.send_response(gateway.first.pop(0) if gateway.first else gateway.status)
            for name, value in gateway.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    gateway = FakeGateway(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield gateway
    server.shutdown()
    server.server_close()
    thread.join()


# --- a day whose messages go out through these servers ----------------------------------

PHONE = "+4915112345678"
BOOKED_AT = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)  # the day is 2030-03-12, a Tuesday


@dataclass(frozen=True)
class Outbox:
    app: Flask
    smtp: Server
    gateway: FakeGateway
    day: int
    openings: tuple[PlannedOpening, ...]  # the 09:00, 09:20 and 09:40 slots of one desk
    topic: int  # the Jobcenter's one topic

    def transports(self) -> Transports:
        settings = MailSettings.from_url(f"smtp://127.0.0.1:{self.smtp.port}")
        return Transports(mail=SmtpTransport(settings), sms=JsonGateway(f"{self.gateway.url}/sms"))

    def deliver(self, now: datetime = BOOKED_AT) -> None:
        transports = self.transports()
        with self.app.app_context():
            deliver_due(transports, now=now)
        transports.close()

    def book(self, n: int = 0, language: str = "ar", **contact: str) -> int:
        """Book the n-th slot for Amina (e-mail amina@example.org unless given); the visit id."""
        contact.setdefault("email", "amina@example.org")
        with self.app.app_context(), atomic():
            person = Contact(name="Amina", language=language, **contact)
            return book_visit(BookingRequest(self.day, [self.openings[n]], person)).id

    def signed_in(self, email: str) -> FlaskClient:
        """A client of this app signed in as the staff member with this address, in English."""
        client = self.app.test_client()
        response = client.post("/staff/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, f"{email} could not sign in"
        client.get("/lang/en")
        return client

    def messages(self) -> list[tuple[MessageKind, str, MessageStatus]]:
        with self.app.app_context():
            rows = db.session.scalars(sa.select(Message).order_by(Message.id))
            return [(m.kind, m.channel.value, m.status) for m in rows]


@pytest.fixture
def outbox(
    app_factory: Callable[..., Flask],
    start_server: Callable[..., Server],
    fake_gateway: FakeGateway,
    monkeypatch: pytest.MonkeyPatch,
) -> Outbox:
    from consult import models

    app = app_factory(CONSULT_BASE_URL="https://termine.example.org")
    # After the app is made: modules that take `utcnow` by name must get the real one.
    monkeypatch.setattr(models, "utcnow", lambda: BOOKED_AT)
    with app.app_context():
        agency = create_agency(name="Jobcenter")
        day = create_day()
        topic = create_topic([agency])
        session = create_session(day, agency, [topic], desks=1)
        db.session.commit()
        openings = tuple(PlannedOpening(session.id, (slot.id,)) for slot in session.slots[:3])
        day_id, topic_id = day.id, topic.id
    return Outbox(app, start_server(), fake_gateway, day_id, openings, topic_id)
