"""E-mail through a real local SMTP server (aiosmtpd): MIME form, TLS, AUTH and failures."""

from __future__ import annotations

import io
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from consult.messages.errors import DeliveryError
from consult.messages.mail import (
    Attachment,
    ConsoleTransport,
    Mail,
    MailSettings,
    SmtpTransport,
    build_message,
)
from tests.servers import Inbox, free_port

INVITE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nPRODID:-//consult//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:visit-1@consult\r\nDTSTAMP:20260115T120000Z\r\n"
    "DTSTART:20260327T080000Z\r\nSUMMARY:موعدك في مكتب الهجرة\r\n"
    "LOCATION:مكتب الهجرة، الطابق الثاني\r\nDESCRIPTION:يرجى إحضار جواز السفر\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made with openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", str(key), "-out", str(cert)]
        + ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def client_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """A client context that trusts the test certificate and checks the host name."""
    return ssl.create_default_context(cafile=str(certificate[0]))


def create_mail(**changes: Any) -> Mail:
    fields: dict[str, Any] = {
        "sender": "Beratungstag <noreply@consult.example>",
        "recipient": "person@example.org",
        "subject": "موعدك — Ihr Termin am Freitag, Büro Süd",
        "text": "مرحبا،\nموعدك يوم الجمعة.\nGrüße aus dem Büro für Zuwanderung",
        "html": "<p dir='rtl'>موعدك يوم الجمعة</p><p>Grüße</p>",
        "attachments": (Attachment("invite.ics", "text/calendar; method=REQUEST", INVITE),),
        "language": "ar",
    }
    fields.update(changes)
    return Mail(**fields)


def test_a_mail_arrives_with_text_html_and_a_calendar_invitation(start_server: Callable) -> None:
    server = start_server()
    with SmtpTransport(MailSettings.from_url(f"smtp://127.0.0.1:{server.port}")) as transport:
        transport.send(create_mail())

    [received] = server.inbox.received
    message = received.message
    assert received.raw.isascii()  # 7-bit transfer encodings only
    assert received.rcpt_tos == ["person@example.org"]
    assert received.mail_from == "noreply@consult.example"
    assert message["Subject"] == "موعدك — Ihr Termin am Freitag, Büro Süd"
    assert message["Content-Language"] == "ar"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@consult.example>")
    assert message["Date"].datetime.tzinfo is not None
    assert message.get_content_type() == "multipart/mixed"
    alternative, invite = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html = alternative.iter_parts()
    assert text.get_content().splitlines() == [
        "مرحبا،",
        "موعدك يوم الجمعة.",
        "Grüße aus dem Büro für Zuwanderung",
    ]
    assert "موعدك يوم الجمعة" in html.get_content()
    assert html.get_content_type() == "text/html"
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    assert invite.get_content_charset() == "utf-8"
    assert invite.get_filename() == "invite.ics"
    assert invite.get_content_disposition() == "attachment"
    assert invite.get_payload(decode=True) == INVITE


def test_given_headers_replace_the_generated_ones() -> None:
    mail = create_mail(
        headers=(("Message-ID", "<visit-7.1@consult.example>"), ("X-Consult-Outbox", "42")),
        attachments=(Attachment("plan.pdf", "application/pdf", b"%PDF-1.4 fake"),),
    )
    message = build_message(mail)
    assert message.get_all("Message-ID") == ["<visit-7.1@consult.example>"]
    assert message["X-Consult-Outbox"] == "42"
    pdf = next(message.iter_attachments())
    assert (pdf.get_content_type(), pdf.get_content()) == ("application/pdf", b"%PDF-1.4 fake")


def test_one_connection_carries_a_batch_and_is_made_anew_when_dropped(
    start_server: Callable,
) -> None:
    server = start_server()
    transport = SmtpTransport(MailSettings.from_url(f"smtp://127.0.0.1:{server.port}"))
    transport.send(create_mail(recipient="a@example.org"))
    transport.send(create_mail(recipient="b@example.org"))
    first, second = server.inbox.received
    assert first.peer == second.peer

    server.stop()  # drops the idle connection
    restarted = start_server(port=server.port)
    transport.send(create_mail(recipient="c@example.org"))
    transport.close()

    [third] = restarted.inbox.received
    assert third.rcpt_tos == ["c@example.org"]
    assert third.peer != first.peer


def test_starttls_with_login(
    start_server: Callable, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    inbox = Inbox()
    server = start_server(
        inbox=inbox,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=inbox.authenticate,
        auth_require_tls=True,
    )
    url = f"smtp+starttls://desk:p%40ss%3Aw%2Frd%25@127.0.0.1:{server.port}"
    with SmtpTransport(MailSettings.from_url(url), ssl_context=client_tls) as transport:
        transport.send(create_mail())
    assert inbox.logins == [(b"desk", b"p@ss:w/rd%")]
    assert [r.rcpt_tos for r in inbox.received] == [["person@example.org"]]


def test_a_wrong_password_is_a_transient_failure(
    start_server: Callable, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    inbox = Inbox()
    server = start_server(inbox=inbox, tls_context=server_tls, authenticator=inbox.authenticate)
    url = f"smtp+starttls://desk:wrong@127.0.0.1:{server.port}"
    with (
        SmtpTransport(MailSettings.from_url(url), ssl_context=client_tls) as transport,
        pytest.raises(DeliveryError) as failure,
    ):
        transport.send(create_mail())
    assert failure.value.permanent is False
    assert "535" in str(failure.value)
    assert inbox.received == []


def test_implicit_tls(
    start_server: Callable, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    server = start_server(ssl_context=server_tls)
    settings = MailSettings.from_url(f"smtps://127.0.0.1:{server.port}")
    with SmtpTransport(settings, ssl_context=client_tls) as transport:
        transport.send(create_mail())
    assert len(server.inbox.received) == 1


def test_an_untrusted_certificate_is_refused(
    start_server: Callable, server_tls: ssl.SSLContext
) -> None:
    server = start_server(ssl_context=server_tls)
    settings = MailSettings.from_url(f"smtps://127.0.0.1:{server.port}")
    with SmtpTransport(settings) as transport, pytest.raises(DeliveryError) as failure:
        transport.send(create_mail())
    assert failure.value.permanent is False
    assert "CERTIFICATE_VERIFY_FAILED" in str(failure.value)
    assert server.inbox.received == []


@pytest.mark.parametrize(
    ("answer", "permanent"),
    [("550 5.1.1 No such mailbox", True), ("450 4.2.0 Mailbox busy, try later", False)],
)
def test_a_refused_recipient_is_permanent_only_for_5xx(
    start_server: Callable, answer: str, permanent: bool
) -> None:
    server = start_server(inbox=Inbox(refuse_with=answer))
    with (
        SmtpTransport(MailSettings.from_url(f"smtp://127.0.0.1:{server.port}")) as transport,
        pytest.raises(DeliveryError) as failure,
    ):
        transport.send(create_mail(text="secret body"))
    assert failure.value.permanent is permanent
    assert answer in str(failure.value)
    assert "secret body" not in str(failure.value)


def test_a_closed_port_is_a_transient_failure() -> None:
    settings = MailSettings.from_url(f"smtp://127.0.0.1:{free_port()}")
    with SmtpTransport(settings) as transport, pytest.raises(DeliveryError) as failure:
        transport.send(create_mail())
    assert failure.value.permanent is False
    assert f"127.0.0.1:{settings.port}" in str(failure.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", ("mail.example.org", 25, "plain", None, None)),
        ("smtp://127.0.0.1:2525", ("127.0.0.1", 2525, "plain", None, None)),
        (
            "smtp+starttls://desk%40consult:s3cr%3At%2F@mail.example.org",
            ("mail.example.org", 587, "starttls", "desk@consult", "s3cr:t/"),
        ),
        ("smtps://u:p@mail.example.org", ("mail.example.org", 465, "ssl", "u", "p")),
        ("smtps://u:p@mail.example.org:2465/", ("mail.example.org", 2465, "ssl", "u", "p")),
    ],
)
def test_settings_from_url(url: str, expected: tuple[object, ...]) -> None:
    settings = MailSettings.from_url(url)
    found = (settings.host, settings.port, settings.security, settings.username)
    assert (*found, settings.password) == expected
    assert settings.timeout == 10


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.org",
        "smtp+ssl://mail.example.org",
        "mail.example.org:25",
        "smtp://",
        "smtp://mail.example.org:99999",
        "smtp://mail.example.org/inbox",
        "smtps://u:pässword@mail.example.org",
    ],
)
def test_settings_refuse_other_urls(url: str) -> None:
    with pytest.raises(ValueError, match=r"smtp://|ASCII"):
        MailSettings.from_url(url)


def test_settings_repr_hides_the_password() -> None:
    settings = MailSettings.from_url("smtps://desk:hunter2@mail.example.org")
    assert "hunter2" not in repr(settings)
    assert "desk" in repr(settings)


def test_console_transport_prints_the_mail() -> None:
    stream = io.StringIO()
    ConsoleTransport(stream).send(create_mail())
    printed = stream.getvalue()
    assert "To: person@example.org" in printed
    assert "Subject: موعدك — Ihr Termin am Freitag, Büro Süd" in printed
    assert "موعدك يوم الجمعة." in printed
    assert "Attachments: invite.ics" in printed
