"""Forms of the public booking journey."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from consult.config import LANGUAGES
from consult.contacts import MAX_EMAIL, MAX_NAME, MAX_PHONE, PHONE_HELP
from consult.i18n import LANGUAGE_NAMES
from consult.messages.sms import normalise_phone

PHONE_PATTERN = r"^\+?[0-9 ()/\-]{5,40}$"
LANGUAGE_CHOICES = [
    SelectChoice(code, LANGUAGE_NAMES[code], render_kw={"lang": code}) for code in LANGUAGES
]


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ChooseAtLeastOne:
    """At least one box of a checkbox list is ticked.

    Unlike DataRequired it sets no `required` flag: rendered on every box of the
    list, that flag would make browsers demand that each box be ticked.
    """

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Any) -> None:
        if not field.data:
            raise StopValidation(self.message)


class ContactFields:
    """Name and optional reach, shared by booking and the waiting list."""

    name = StringField(
        _l("Your name"),
        description=_l("A first name or a nickname is enough."),
        validators=[
            DataRequired(_l("Please give a name. A first name or a nickname is enough.")),
            Length(max=MAX_NAME, message=_l("Please use at most %(max)d characters.")),
        ],
    )
    phone = TelField(
        _l("Phone number (optional)"),
        description=_l(
            "We send a confirmation, a reminder before your visit, and a message if something "
            "changes, by SMS to a mobile number and by e-mail. Nothing else."
        ),
        validators=[
            Optional(),
            Length(max=MAX_PHONE, message=_l("Please use at most %(max)d characters.")),
            Regexp(PHONE_PATTERN, message=_l(PHONE_HELP)),
        ],
    )
    email = EmailField(
        _l("E-mail address (optional)"),
        validators=[
            Optional(),
            Length(max=MAX_EMAIL, message=_l("Please use at most %(max)d characters.")),
            Email(_l("This does not look like an e-mail address."), check_deliverability=False),
        ],
    )
    language = SelectField(_l("Your language"), choices=LANGUAGE_CHOICES)

    def validate_phone(self, field: TelField) -> None:
        # One message per field: a number the pattern refused is not checked again.
        if field.data and not field.errors:
            try:
                normalise_phone(field.data)
            except ValueError:
                raise ValidationError(_l(PHONE_HELP)) from None


class BookingForm(ContactFields, FlaskForm):
    plan = HiddenField(validators=[DataRequired()])
    interpreter = BooleanField(_l("I would like an interpreter"))
    consent = RadioField(
        _l("May the advisors of this visit talk to each other about your case?"),
        description=_l(
            "If you say yes, they can help you together. You can withdraw this at any time."
        ),
        choices=[SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))],
        default="no",
    )
    # Asked only when a moved visit's referral appointment cannot come along.
    drop_referrals = BooleanField(_l("Yes, cancel it and move the rest of my visit"))
    submit = SubmitField(_l("Book this visit"))


class WaitlistForm(ContactFields, FlaskForm):
    topics = CheckboxListField(_l("What do you need help with?"), coerce=int)
    town = SelectField(_l("Where?"), choices=[])
    submit = SubmitField(_l("Put me on the waiting list"))

    def validate_topics(self, field: CheckboxListField) -> None:
        if not field.data:
            raise ValidationError(_l("Please choose at least one thing you need help with."))

    def validate_email(self, field: EmailField) -> None:
        if not field.data and not self.phone.data:
            raise ValidationError(
                _l("Please give a phone number or an e-mail address so that we can reach you.")
            )


class ReferenceForm(FlaskForm):
    reference = StringField(
        _l("Booking reference"),
        description=_l("12 letters and numbers, for example 7KQ2-MX4D-9TPA"),
        validators=[DataRequired(_l("Please enter your booking reference.")), Length(max=30)],
    )
    submit = SubmitField(_l("Show my visit"))
