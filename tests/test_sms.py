"""SMS: segment counting, phone numbers, and gateways against a real local HTTP server."""

from __future__ import annotations

import base64
import io
import json
import socket
from urllib.parse import parse_qs

import pytest

from consult.messages.errors import DeliveryError
from consult.messages.sms import (
    GSM7_BASIC,
    ConsoleGateway,
    JsonGateway,
    Segments,
    TwilioGateway,
    count_segments,
    gateway_from_url,
    is_mobile,
    normalise_phone,
)
from tests.servers import FakeGateway

ARABIC = "م"
WAVE = "👋"


def test_the_gsm_table_is_the_default_alphabet_in_code_order() -> None:
    assert len(GSM7_BASIC) == 128
    positions = {char: GSM7_BASIC.index(char) for char in "@\nΔ\x1b !0A§¿aà"}
    assert positions == {
        "@": 0x00,
        "\n": 0x0A,
        "Δ": 0x10,
        "\x1b": 0x1B,
        " ": 0x20,
        "!": 0x21,
        "0": 0x30,
        "A": 0x41,
        "§": 0x5F,
        "¿": 0x60,
        "a": 0x61,
        "à": 0x7F,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Segments("GSM-7", 1, 0)),
        ("a" * 160, Segments("GSM-7", 1, 160)),
        ("a" * 161, Segments("GSM-7", 2, 161)),
        ("a" * 306, Segments("GSM-7", 2, 306)),
        ("a" * 307, Segments("GSM-7", 3, 307)),
        ("Preis: 5 €", Segments("GSM-7", 1, 11)),
        ("€" * 80, Segments("GSM-7", 1, 160)),
        ("€" * 81, Segments("GSM-7", 2, 162)),
        ("{[~^|]}\\\x0c", Segments("GSM-7", 1, 18)),
        # The € would straddle the first two parts, so it opens the second.
        ("a" * 152 + "€" + "a" * 152, Segments("GSM-7", 3, 306)),
        ("Grüße aus Köln, Straße 5 — nein", Segments("UCS-2", 1, 31)),
        ("Grüße aus Köln, Straße 5\nTschüss @ Ihr Büro", Segments("GSM-7", 1, 43)),
        (ARABIC * 70, Segments("UCS-2", 1, 70)),
        (ARABIC * 71, Segments("UCS-2", 2, 71)),
        (ARABIC * 134, Segments("UCS-2", 2, 134)),
        (ARABIC * 135, Segments("UCS-2", 3, 135)),
        (WAVE, Segments("UCS-2", 1, 2)),
        ("a" * 69 + WAVE, Segments("UCS-2", 2, 71)),
        # The emoji's surrogate pair would straddle the first two parts.
        (ARABIC * 66 + WAVE + ARABIC * 66, Segments("UCS-2", 3, 134)),
    ],
)
def test_count_segments(text: str, expected: Segments) -> None:
    assert count_segments(text) == expected


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Привіт, ваш запис у п'ятницю", "UCS-2"),  # Ukrainian
        ("Здравствуйте, ваша встреча в пятницу", "UCS-2"),  # Russian
        ("سلام، قرار ملاقات شما جمعه است", "UCS-2"),  # Persian
        ("Randevunuz cuma günü, teşekkürler", "UCS-2"),  # Turkish ş
        ("Randevunuz cuma günü", "GSM-7"),  # Turkish ü alone is in the GSM table
        ("ΔΦΓΛΩΠΨΣΘΞ", "GSM-7"),  # the Greek capitals of the GSM table
    ],
)
def test_the_encoding_follows_the_characters(text: str, encoding: str) -> None:
    assert count_segments(text).encoding == encoding


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("0151 1234 5678", "DE", "+4915112345678"),
        ("+49 (0)151 / 1234-5678", "DE", "+4915112345678"),
        ("+90 532 123 45 67", "DE", "+905321234567"),
        ("0532 123 45 67", "TR", "+905321234567"),
        ("00380 50 123 4567", "DE", "+380501234567"),
    ],
)
def test_normalise_phone(raw: str, region: str, expected: str) -> None:
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize("raw", ["12", "", "0151-CALL-ME", "hello", "+49 151 1234 5678 9012 345"])
def test_normalise_phone_refuses_what_is_no_number(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_phone(raw)


@pytest.mark.parametrize(
    ("number", "mobile"),
    [("+4915112345678", True), ("+905321234567", True), ("+493012345678", False), ("x", False)],
)
def test_is_mobile(number: str, mobile: bool) -> None:
    assert is_mobile(number) is mobile


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/send"


def test_json_gateway_posts_the_contract_and_returns_the_gateways_id(
    fake_gateway: FakeGateway,
) -> None:
    fake_gateway.reply(200, {"id": "gw-77", "status": "queued"})
    gateway = JsonGateway(f"{fake_gateway.url}/v1/send", token="t0ken")
    assert gateway.send("+4915112345678", "موعدك يوم الجمعة", "outbox-5") == "gw-77"

    [request] = fake_gateway.requests
    assert request.path == "/v1/send"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == "Bearer t0ken"
    assert json.loads(request.body) == {
        "to": "+4915112345678",
        "text": "موعدك يوم الجمعة",
        "reference": "outbox-5",
    }


def test_json_gateway_without_id_or_token_returns_our_reference(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply(202)
    assert JsonGateway(f"{fake_gateway.url}/send").send("+49151", "Hallo", "outbox-6") == "outbox-6"
    assert fake_gateway.requests[0].headers["Authorization"] is None


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(500, False), (503, False), (429, False), (401, False), (400, True), (404, True), (422, True)],
)
def test_json_gateway_failures(fake_gateway: FakeGateway, status: int, permanent: bool) -> None:
    fake_gateway.reply(status, {"error": "no"})
    gateway = JsonGateway(f"{fake_gateway.url}/send", token="t0ken")
    with pytest.raises(DeliveryError) as failure:
        gateway.send("+4915112345678", "secret text", "outbox-7")
    assert failure.value.permanent is permanent
    assert f"HTTP {status}" in str(failure.value)
    assert "secret text" not in str(failure.value)
    assert "t0ken" not in str(failure.value)


def test_a_redirect_is_not_followed(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply(302, Location=f"{fake_gateway.url}/elsewhere")
    with pytest.raises(DeliveryError) as failure:
        JsonGateway(f"{fake_gateway.url}/send").send("+4915112345678", "Hallo", "outbox-8")
    assert "HTTP 302" in str(failure.value)
    assert failure.value.permanent is False
    assert [request.path for request in fake_gateway.requests] == ["/send"]


def test_an_unreachable_gateway_is_a_transient_failure() -> None:
    with pytest.raises(DeliveryError) as failure:
        JsonGateway(closed_port_url()).send("+4915112345678", "Hallo", "outbox-9")
    assert failure.value.permanent is False
    assert "unreachable" in str(failure.value)


def test_a_slow_gateway_is_a_transient_failure(fake_gateway: FakeGateway) -> None:
    fake_gateway.delay = 0.3
    with pytest.raises(DeliveryError) as failure:
        JsonGateway(f"{fake_gateway.url}/send", timeout=0.1).send("+49151", "Hallo", "outbox-10")
    assert failure.value.permanent is False
    assert "timed out" in str(failure.value)


def twilio(url: str, sender: str = "+4930555000") -> TwilioGateway:
    return TwilioGateway("AC0123", "auth-token", sender, base_url=url)


def test_twilio_gateway_creates_a_message(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply(201, {"sid": "SM9f1c", "status": "queued"})
    assert twilio(fake_gateway.url).send("+905321234567", "Randevu: Cuma 9:00", "o-1") == "SM9f1c"

    [request] = fake_gateway.requests
    assert request.path == "/2010-04-01/Accounts/AC0123/Messages.json"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    login = base64.b64decode(request.headers["Authorization"].removeprefix("Basic "))
    assert login == b"AC0123:auth-token"
    assert parse_qs(request.body.decode()) == {
        "To": ["+905321234567"],
        "From": ["+4930555000"],
        "Body": ["Randevu: Cuma 9:00"],
    }


def test_twilio_gateway_sends_through_a_messaging_service(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply(201, {"sid": "SM1"})
    twilio(fake_gateway.url, sender="MG42").send("+905321234567", "Hallo", "o-2")
    form = parse_qs(fake_gateway.requests[0].body.decode())
    assert form["MessagingServiceSid"] == ["MG42"]
    assert "From" not in form


@pytest.mark.parametrize(
    ("status", "code", "permanent"),
    [(400, 21211, True), (400, 21610, True), (401, 20003, False), (429, 20429, False)],
)
def test_twilio_errors_name_their_code(
    fake_gateway: FakeGateway, status: int, code: int, permanent: bool
) -> None:
    fake_gateway.reply(status, {"code": code, "message": "Refused.", "status": status})
    with pytest.raises(DeliveryError) as failure:
        twilio(fake_gateway.url).send("+4912", "secret text", "o-3")
    assert failure.value.permanent is permanent
    assert f"error {code}" in str(failure.value)
    assert "secret text" not in str(failure.value)


def test_twilio_server_error_is_transient(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply(503)
    with pytest.raises(DeliveryError) as failure:
        twilio(fake_gateway.url).send("+4915112345678", "Hallo", "o-4")
    assert failure.value.permanent is False
    assert "HTTP 503" in str(failure.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://sms.example.org/v1/send?token=abc&region=eu",
            JsonGateway("https://sms.example.org/v1/send?region=eu", "abc"),
        ),
        (
            "http://:s3cr%2Ft@127.0.0.1:8080/send",
            JsonGateway("http://127.0.0.1:8080/send", "s3cr/t"),
        ),
        ("https://sms.example.org/send", JsonGateway("https://sms.example.org/send")),
        ("twilio://AC1:tok@%2B4915112345678", TwilioGateway("AC1", "tok", "+4915112345678")),
        ("twilio://AC1:tok@+4915112345678", TwilioGateway("AC1", "tok", "+4915112345678")),
        (
            "twilio://AC1:tok@Consult?base_url=http://127.0.0.1:9",
            TwilioGateway("AC1", "tok", "Consult", base_url="http://127.0.0.1:9"),
        ),
    ],
)
def test_gateway_from_url(url: str, expected: object) -> None:
    assert gateway_from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "ftp://sms.example.org/send",
        "sms.example.org/send",
        "https:///send",
        "twilio://AC1@+4915112345678",
        "twilio://:tok@+4915112345678",
        "twilio://AC1:tok@",
        "twilio://AC1:tok@+4915112345678?region=eu",
    ],
)
def test_gateway_from_url_refuses_other_urls(url: str) -> None:
    with pytest.raises(ValueError, match=r"https://|twilio://|base_url"):
        gateway_from_url(url)


def test_gateway_reprs_hide_secrets() -> None:
    shown = repr(gateway_from_url("https://sms.example.org/send?token=abc123"))
    shown += repr(gateway_from_url("twilio://AC1:tok456@+4915112345678"))
    assert "abc123" not in shown
    assert "tok456" not in shown
    assert "AC1" in shown


def test_a_twilio_url_with_base_url_sends_there(fake_gateway: FakeGateway) -> None:
    fake_gateway.reply(201, {"sid": "SM2"})
    gateway = gateway_from_url(f"twilio://AC9:tok@%2B4930555000?base_url={fake_gateway.url}")
    assert gateway.send("+4915112345678", "Hallo", "o-5") == "SM2"
    assert fake_gateway.requests[0].path == "/2010-04-01/Accounts/AC9/Messages.json"


def test_console_gateway_prints_number_segments_and_text() -> None:
    stream = io.StringIO()
    assert ConsoleGateway(stream).send("+4915112345678", "موعدك", "o-6") == "o-6"
    printed = stream.getvalue()
    assert "+4915112345678" in printed
    assert "1 × UCS-2" in printed
    assert "موعدك" in printed
