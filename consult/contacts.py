"""A person's contact as a booking takes it: a name, optional reach, language; checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from consult.booking_errors import BookingError
from consult.config import LANGUAGES
from consult.errors import N_
from consult.messages.sms import normalise_phone

if TYPE_CHECKING:
    from consult.models import Visit

MAX_NAME = 80
MAX_PHONE = 40
MAX_EMAIL = 254
MAX_IDEMPOTENCY_KEY = 80
PHONE_HELP = N_(
    "This does not look like a phone number. Please give it with the area code, "
    "for example 0151 23456789, or with the country code, for example +90 532 1234567."
)


class ContactError(BookingError):
    """A contact detail is not usable; `field` names it (name, phone, email, language)."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message, **params)
        self.field = field


@dataclass(frozen=True)
class Contact:
    """What a booking needs of a person: a name (a nickname will do), optional reach."""

    name: str
    phone: str | None = None
    email: str | None = None
    language: str = "de"
    interpreter_wanted: bool = False

    @classmethod
    def of(cls, visit: Visit) -> Contact:
        """The contact a visit was booked with (its reference when the name is erased)."""
        return cls(
            name=visit.name or visit.reference,
            phone=visit.phone,
            email=visit.email,
            language=visit.language,
            interpreter_wanted=visit.interpreter_wanted,
        )

    def checked(self) -> Contact:
        """The contact with blanks trimmed, or a ContactError that names the faulty field."""
        name = " ".join(self.name.split())
        phone = (self.phone or "").strip() or None
        email = (self.email or "").strip() or None
        if not name:
            raise ContactError(
                "name", N_("Please give a name. A first name or a nickname is enough.")
            )
        if len(name) > MAX_NAME:
            raise ContactError(
                "name", N_("The name is too long (at most %(max)d characters)."), max=MAX_NAME
            )
        if phone:
            phone = _phone_number(phone)
        if email and (len(email) > MAX_EMAIL or "@" not in email.strip("@")):
            raise ContactError("email", N_("This does not look like an e-mail address."))
        if self.language not in LANGUAGES:
            raise ContactError("language", N_("Please choose one of the offered languages."))
        return Contact(name, phone, email, self.language, self.interpreter_wanted)


def _phone_number(text: str) -> str:
    """The number in E.164 form (+49…), numbers without a country code read as German."""
    if len(text) > MAX_PHONE:
        raise ContactError("phone", N_("This does not look like a phone number."))
    try:
        return normalise_phone(text)
    except ValueError:
        raise ContactError("phone", PHONE_HELP) from None
