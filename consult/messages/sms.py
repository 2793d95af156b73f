"""SMS: phone numbers, segment counting as networks do it, and gateways to send through.

The provider-neutral JSON gateway contract (`JsonGateway`):

    POST <url>
    Content-Type: application/json
    Authorization: Bearer <token>          (only when a token is configured)

    {"to": "+4915112345678", "text": "…", "reference": "<our message id>"}

- Any 2xx answer means the gateway accepted the message. The answer may carry
  JSON `{"id": "…"}`, the provider's id for the message; without it, our
  reference stands for it.
- 408, 429 and 5xx answers and network errors are temporary: the message is
  sent again later, with the same reference, so that a gateway can drop duplicates.
- 401 and 403 mean the token is wrong; the message waits until it is fixed.
- Any other 4xx means this message can never be sent (such as an invalid number).
- Redirects are not followed (they would turn the POST into a GET); a 3xx
  answer is a temporary failure until the URL is corrected.

Configured by URL (`gateway_from_url`): `https://sms.example.org/send?token=…`
for the JSON contract, `twilio://ACCOUNT_SID:AUTH_TOKEN@+4915112345678` for Twilio.
"""

from __future__ import annotations

import base64
import functools
import http.client
import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol, TextIO
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import phonenumbers

from consult.messages.errors import DeliveryError

# GSM 03.38 default alphabet in code order, 0x00-0x7F; 0x1B is the escape to the extension table.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Reached through the escape, so each takes two septets.
GSM7_EXTENSION = "\x0c^{}\\[~]|€"
_GSM7_SEPTETS = {char: 1 for char in GSM7_BASIC if char != "\x1b"} | dict.fromkeys(
    GSM7_EXTENSION, 2
)


def normalise_phone(raw: str, region: str = "DE") -> str:
    """The number in E.164 (`+4915112345678`); national numbers are read as in `region`."""
    if any(char.isalpha() for char in raw):
        raise ValueError("A phone number has only digits, spaces and + - / ( ).")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError("This is not a phone number.") from error
    # A local number without its area code is "possible" too, but cannot be sent to.
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise ValueError("This phone number is too short or too long.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=4096)
def format_phone(number: str) -> str:
    """A stored number for people to read, "+49 170 1234567"; unchanged if it does not parse."""
    try:
        parsed = phonenumbers.parse(number, "DE")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_valid_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def is_mobile(e164: str) -> bool:
    """Whether the number can be a mobile one, and so can receive SMS."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


@dataclass(frozen=True)
class Segments:
    """How a network splits a text: its encoding, the SMS it takes and its length in
    units (septets for GSM-7, UTF-16 code units for UCS-2)."""

    encoding: str
    count: int
    units: int


def count_segments(text: str) -> Segments:
    """The SMS segments `text` is sent as; a character is never split across two."""
    if all(char in _GSM7_SEPTETS for char in text):
        sizes = [_GSM7_SEPTETS[char] for char in text]
        return _segments("GSM-7", sizes, single=160, part=153)
    # Characters outside the Basic Multilingual Plane (emoji) take a surrogate pair.
    sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return _segments("UCS-2", sizes, single=70, part=67)


def _segments(encoding: str, sizes: list[int], *, single: int, part: int) -> Segments:
    units = sum(sizes)
    if units <= single:
        return Segments(encoding, 1, units)
    # Longer texts carry a header in each part, leaving `part` units for the text.
    count, filled = 1, 0
    for size in sizes:
        if filled + size > part:
            count, filled = count + 1, 0
        filled += size
    return Segments(encoding, count, units)


class Gateway(Protocol):
    """Something that sends one SMS and answers with the provider's message id."""

    def send(self, to_e164: str, text: str, reference: str) -> str: ...


@dataclass(frozen=True)
class JsonGateway:
    """The provider-neutral JSON contract described at the top of this module."""

    url: str
    token: str | None = field(default=None, repr=False)
    timeout: float = 10.0

    def send(self, to_e164: str, text: str, reference: str) -> str:
        """Post the message; the gateway's id for it, or `reference` when it gives none."""
        body = json.dumps({"to": to_e164, "text": text, "reference": reference}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        status, answer = _post(self.url, body, headers, self.timeout)
        if not 200 <= status < 300:
            raise _refused(f"SMS gateway answered HTTP {status}", status)
        found = _json(answer).get("id")
        return str(found) if found not in (None, "") else reference


@dataclass(frozen=True)
class TwilioGateway:
    """Twilio's Messages API; `sender` is a number, an alphanumeric id or a service (`MG…`)."""

    account_sid: str
    auth_token: str = field(repr=False)
    sender: str
    base_url: str = "https://api.twilio.com"
    timeout: float = 10.0

    def send(self, to_e164: str, text: str, reference: str) -> str:
        """Create the message at Twilio; its `sid`."""
        origin = "MessagingServiceSid" if self.sender.startswith("MG") else "From"
        body = urlencode({"To": to_e164, origin: self.sender, "Body": text}).encode()
        login = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Authorization": f"Basic {login}",
        }
        url = f"{self.base_url.rstrip('/')}/2010-04-01/Accounts/{quote(self.account_sid)}"
        status, answer = _post(f"{url}/Messages.json", body, headers, self.timeout)
        found = _json(answer)
        if not 200 <= status < 300:
            code, message = (
                found.get("code", "none"),
                " ".join(str(found.get("message", "")).split()),
            )
            raise _refused(f"Twilio answered HTTP {status}, error {code}: {message[:200]}", status)
        if not found.get("sid"):
            raise DeliveryError(f"Twilio answered HTTP {status} without a message sid")
        return str(found["sid"])


class ConsoleGateway:
    """Prints messages instead of sending them, for development without a gateway."""

    def __init__(self, stream: TextIO | None = None) -> None:
        # Looked up at each send, so that a replaced sys.stdout (as under pytest) is used.
        self._stream = stream

    def send(self, to_e164: str, text: str, reference: str) -> str:
        """Print the number, the segments and the text; `reference` stands for the id."""
        stream = self._stream or sys.stdout
        segments = count_segments(text)
        stream.write(
            f"----- SMS to {to_e164} ({segments.count} × {segments.encoding}, "
            f"{segments.units} units, reference {reference}) -----\n"
            f"{text}\n----- end of SMS -----\n"
        )
        stream.flush()
        return reference


def gateway_from_url(url: str) -> Gateway:
    """The gateway a URL names: `https://…` (JSON contract) or `twilio://SID:TOKEN@SENDER`."""
    parts = urlsplit(url.strip())
    query = parse_qsl(parts.query, keep_blank_values=True)
    if parts.scheme in ("http", "https") and parts.hostname:
        token = next((value for name, value in query if name == "token"), None)
        if token is None and parts.password:
            token = unquote(parts.password)
        host = parts.netloc.rpartition("@")[2]
        rest = urlencode([(name, value) for name, value in query if name != "token"])
        return JsonGateway(urlunsplit((parts.scheme, host, parts.path, rest, "")), token or None)
    if parts.scheme == "twilio":
        userinfo, _, sender = parts.netloc.rpartition("@")
        sid, _, token = userinfo.partition(":")
        if not (sid and token and sender) or parts.path not in ("", "/"):
            raise ValueError("A Twilio URL reads twilio://ACCOUNT_SID:AUTH_TOKEN@SENDER.")
        options = dict(query)
        base_url = options.pop("base_url", "https://api.twilio.com")
        if options:
            raise ValueError("A Twilio URL takes no option but base_url.")
        return TwilioGateway(unquote(sid), unquote(token), unquote(sender), base_url=base_url)
    raise ValueError(
        "Unsupported SMS gateway URL; use https://host/path?token=TOKEN for the JSON "
        "contract or twilio://ACCOUNT_SID:AUTH_TOKEN@SENDER for Twilio."
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Following a redirect would turn the POST into a GET and lose the message.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """Post `body`; the HTTP status and the answer, or `DeliveryError` if none came."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    where = urlsplit(url).hostname
    try:
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, response.read(65536)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read(65536)
    except urllib.error.URLError as error:
        raise DeliveryError(f"SMS gateway {where} unreachable: {error.reason}") from error
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryError(f"SMS gateway {where} failed: {error!r}") from error


def _refused(reason: str, status: int) -> DeliveryError:
    # 401/403: our credentials, not the message, are wrong; after a fix it can go out.
    permanent = 400 <= status < 500 and status not in (401, 403, 408, 429)
    return DeliveryError(reason, permanent=permanent)


def _json(answer: bytes) -> dict[str, object]:
    try:
        found = json.loads(answer)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
