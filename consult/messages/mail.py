"""E-mail: the message as data, its MIME form, and transports over SMTP or to the console.

No Flask and no database: the worker hands a `Mail` to a transport, which either
delivers it or raises `DeliveryError`.
"""

from __future__ import annotations

import smtplib
import ssl
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from types import TracebackType
from typing import TextIO
from urllib.parse import unquote, urlsplit

from consult.messages.errors import DeliveryError

# scheme -> (security, default port)
_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("ssl", 465)}
# CRLF inside encoded parts too (MIME's canonical text form, which iCalendar requires), and
# 7-bit transfer encodings: smtplib does not declare 8BITMIME, so 8-bit bodies may be mangled.
_POLICY = SMTP.clone(cte_type="7bit")
_ACCEPTED = (
    "smtp://host:25, smtp+starttls://user:password@host:587 or smtps://user:password@host:465"
)


@dataclass(frozen=True)
class MailSettings:
    """Where and how to reach the SMTP server; the password never shows in `repr`."""

    host: str
    port: int
    security: str = "plain"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.security not in ("plain", "starttls", "ssl"):
            raise ValueError("Mail security must be 'plain', 'starttls' or 'ssl'.")
        for value in (self.username, self.password):
            # smtplib sends credentials as ASCII; anything else would fail at every send.
            if value is not None and not value.isascii():
                raise ValueError("The SMTP user name and password must be ASCII.")

    @classmethod
    def from_url(cls, url: str) -> MailSettings:
        """Settings from `smtp://`, `smtp+starttls://` or `smtps://` URLs."""
        parts = urlsplit(url.strip())
        if parts.scheme not in _SCHEMES:
            raise ValueError(f"Unsupported mail server URL; use {_ACCEPTED}.")
        if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError(f"The mail server URL needs a host and nothing else; use {_ACCEPTED}.")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"The mail server URL has an invalid port; use {_ACCEPTED}.") from None
        security, default_port = _SCHEMES[parts.scheme]
        return cls(
            host=parts.hostname,
            port=port or default_port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
        )


@dataclass(frozen=True)
class Attachment:
    """A file sent with a mail, such as `invite.ics` as `text/calendar; method=REQUEST`."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    """One e-mail to one person, already rendered in their language (a BCP 47 code)."""

    sender: str
    recipient: str
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    language: str = field(kw_only=True)


def build_message(mail: Mail) -> EmailMessage:
    """The MIME message: text and HTML as alternatives, then the attachments."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = mail.sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    given = {name.lower() for name, _ in mail.headers}
    if "date" not in given:
        message["Date"] = format_datetime(datetime.now(UTC))
    if "message-id" not in given:
        message["Message-ID"] = make_msgid(domain=_domain_of(mail.sender))
    if "auto-submitted" not in given:
        # RFC 3834: tells vacation responders not to answer.
        message["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    for attachment in mail.attachments:
        _attach(message, attachment)
    # Only now: making parts moves the Content-* headers set so far into the first part.
    message["Content-Language"] = mail.language
    return message


def _domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"


def _attach(message: EmailMessage, attachment: Attachment) -> None:
    content_type = _POLICY.header_factory("Content-Type", attachment.content_type)
    params = {k: v for k, v in content_type.params.items() if k != "charset"}
    if content_type.maintype == "text":
        # As text with charset=utf-8, so that a calendar part keeps its `method`
        # parameter and mail clients offer to add the event.
        message.add_attachment(
            attachment.data.decode(content_type.params.get("charset", "utf-8")),
            subtype=content_type.subtype,
            filename=attachment.filename,
            params=params,
        )
    else:
        message.add_attachment(
            attachment.data,
            maintype=content_type.maintype,
            subtype=content_type.subtype,
            filename=attachment.filename,
            params=params,
        )


class SmtpTransport:
    """Sends mails over one SMTP connection, kept open across sends until `close()`.

    Not thread-safe: use one transport per worker thread.
    """

    def __init__(
        self, settings: MailSettings, *, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.settings = settings
        self._ssl_context = ssl_context
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, mail: Mail) -> None:
        """Deliver `mail` or raise `DeliveryError`."""
        try:
            message = build_message(mail)
        except ValueError as error:
            # Such as a line break in a header: sending it again cannot help.
            raise DeliveryError(f"mail cannot be built: {error}", permanent=True) from error
        reused = self._connection is not None
        connection = self._connect()
        try:
            connection.send_message(message)
        except (smtplib.SMTPServerDisconnected, ConnectionError) as error:
            self._drop()
            if not reused:
                raise DeliveryError(f"mail server {self._where} hung up: {error}") from error
            # The server closed the idle connection since the last send: try once anew.
            connection = self._connect()
            try:
                connection.send_message(message)
            except (smtplib.SMTPException, OSError) as error:
                raise self._failure(error) from error
        except (smtplib.SMTPException, OSError) as error:
            raise self._failure(error) from error

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            connection.close()

    @property
    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        settings = self.settings
        try:
            if settings.security == "ssl":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=settings.timeout, context=self._context()
                )
            else:
                connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"cannot connect to mail server {self._where}: {error}") from error
        try:
            if settings.security == "starttls":
                connection.starttls(context=self._context())
            if settings.username:
                connection.login(settings.username, settings.password or "")
        except (smtplib.SMTPException, OSError) as error:
            connection.close()
            # Our settings or the server's, never the message: retrying after a fix helps.
            raise DeliveryError(f"mail server {self._where} refused us: {error}") from error
        self._connection = connection
        return connection

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _failure(self, error: Exception) -> DeliveryError:
        """The error for a failed send; permanent only when the server refused this mail."""
        if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
            self._drop()
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            replies = list(error.recipients.values())
            codes = [code for code, _ in replies]
            answers = "; ".join(f"{code} {_text(reply)}" for code, reply in replies)
            permanent = bool(codes) and all(500 <= code < 600 for code in codes)
            return DeliveryError(f"recipient refused: {answers}", permanent=permanent)
        if isinstance(error, smtplib.SMTPSenderRefused):
            # Our sender address is a setting: retrying after it is fixed helps.
            return DeliveryError(f"sender refused: {error.smtp_code} {_text(error.smtp_error)}")
        if isinstance(error, smtplib.SMTPResponseException):
            code = error.smtp_code
            return DeliveryError(
                f"mail server answered {code} {_text(error.smtp_error)}",
                permanent=500 <= code < 600,
            )
        if isinstance(error, smtplib.SMTPNotSupportedError):
            # Raised for an address that needs SMTPUTF8 when the server lacks it.
            return DeliveryError(f"mail server cannot take this mail: {error}", permanent=True)
        return DeliveryError(f"sending to mail server {self._where} failed: {error}")


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())[:200]


class ConsoleTransport:
    """Prints mails instead of sending them, for development without a mail server."""

    def __init__(self, stream: TextIO | None = None) -> None:
        # Looked up at each send, so that a replaced sys.stdout (as under pytest) is used.
        self._stream = stream

    def send(self, mail: Mail) -> None:
        """Print the mail's envelope, text part and attachment names."""
        stream = self._stream or sys.stdout
        names = ", ".join(attachment.filename for attachment in mail.attachments) or "none"
        stream.write(
            f"----- mail ({mail.language}) -----\n"
            f"From: {mail.sender}\nTo: {mail.recipient}\nSubject: {mail.subject}\n"
            f"Attachments: {names}\n\n{mail.text.rstrip()}\n"
            "----- end of mail -----\n"
        )
        stream.flush()
