"""Forms of the coordination pages: locations, agencies, topics, staff accounts and days."""

from __future__ import annotations

import math
from datetime import date, time
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    ColorField,
    EmailField,
    FloatField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, DateInput, ListWidget, TimeInput

from consult.config import LANGUAGES
from consult.coordination.multilingual import (
    TOO_LONG,
    add_language_fields,
    add_practical_fields,
    texts_of,
)
from consult.coordination.service import (
    COLOR_PATTERN,
    LOCATION_PRACTICAL,
    REQUIRED_LANGUAGES,
    SLUG_PATTERN,
    CoordinationError,
    Repeat,
    is_known_zone,
    parse_exceptions,
)
from consult.i18n import LANGUAGE_NAMES
from consult.labels import PHASE_LABELS
from consult.models import DayKind
from consult.passwords import MIN_PASSWORD_LENGTH
from consult.recurrence import MAX_INTERVAL

LANGUAGE_CHOICES = [
    SelectChoice(code, LANGUAGE_NAMES[code], render_kw={"lang": code}) for code in LANGUAGES
]
NOT_A_CHOICE = _l("Please choose one of the offered options.")


# --- field types shared with the hours pages ----------------------------------------------


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", NOT_A_CHOICE)
        super().__init__(*args, **kwargs)


class _ParsedInput:
    """A text input parsed into a value: empty is None, unreadable gets `invalid` as message."""

    invalid: Any  # the message for an unreadable value, set by each field
    data: Any

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.data = None
        if not text:
            return
        try:
            self.data = self.parse(text)
        except ValueError:
            raise ValueError(self.invalid) from None


class ClockField(_ParsedInput, StringField):
    """A wall-clock time such as 09:30 (a native time input where the browser has one)."""

    widget = TimeInput()
    invalid = _l("Please enter a time like 09:30.")

    def parse(self, text: str) -> time:
        parsed = time.fromisoformat(text)
        if parsed.tzinfo is not None or parsed.second or parsed.microsecond:
            raise ValueError(text)
        return parsed

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.strftime("%H:%M") if isinstance(self.data, time) else ""


class ISODateField(_ParsedInput, StringField):
    """A calendar date such as 2030-03-12 (a native date input where the browser has one)."""

    widget = DateInput()
    invalid = _l("Please enter a date like 2030-03-12.")

    def parse(self, text: str) -> date:
        return date.fromisoformat(text)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.isoformat() if isinstance(self.data, date) else ""


class WholeNumberField(_ParsedInput, IntegerField):
    """A whole number, with a message the person can act on."""

    invalid = _l("Please enter a whole number.")

    def parse(self, text: str) -> int:
        return int(text)


class DecimalNumberField(_ParsedInput, FloatField):
    """A decimal number; a comma is read as the decimal mark (52,12)."""

    invalid = _l("Please enter a number like 52.12.")

    def parse(self, text: str) -> float:
        value = float(text.replace(",", "."))
        if not math.isfinite(value):
            raise ValueError(text)
        return value


class Between:
    """The number lies within bounds (an empty field is left to InputRequired)."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def __call__(self, form: FlaskForm, field: Any) -> None:
        if field.data is not None and not self.low <= field.data <= self.high:
            raise ValidationError(
                _l("Please enter a number from %(low)s to %(high)s.", low=self.low, high=self.high)
            )


def required(message: Any) -> InputRequired:
    return InputRequired(message)


# --- locations ----------------------------------------------------------------------------


class LocationForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Please give the name of the place.")),
            Length(max=120, message=TOO_LONG),
        ],
    )
    street = StringField(
        _l("Street and number"),
        validators=[DataRequired(_l("Please give the street.")), Length(max=120, message=TOO_LONG)],
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[
            DataRequired(_l("Please give the postcode.")),
            Length(max=10, message=TOO_LONG),
        ],
    )
    town = StringField(
        _l("Town"),
        validators=[DataRequired(_l("Please give the town.")), Length(max=80, message=TOO_LONG)],
    )
    latitude = DecimalNumberField(
        _l("Latitude"),
        description=_l("From -90 to 90, for example 52.1205."),
        validators=[required(_l("Please give the latitude.")), Between(-90, 90)],
    )
    longitude = DecimalNumberField(
        _l("Longitude"),
        description=_l("From -180 to 180, for example 11.6276."),
        validators=[required(_l("Please give the longitude.")), Between(-180, 180)],
    )
    timezone = StringField(
        _l("Time zone"),
        default="Europe/Berlin",
        validators=[
            DataRequired(_l("Please give the time zone.")),
            Length(max=40, message=TOO_LONG),
        ],
    )
    changeover_minutes = WholeNumberField(
        _l("Changeover between two appointments (minutes)"),
        default=5,
        validators=[required(_l("Please give the changeover time.")), Between(0, 60)],
    )
    active = BooleanField(_l("Active (offered for new days)"), default=True)
    submit = SubmitField(_l("Save"))

    def validate_timezone(self, field: StringField) -> None:
        if field.data and not is_known_zone(field.data.strip()):
            raise ValidationError(
                _l("This time zone is not known. Please use a name like Europe/Berlin.")
            )


for _kind in LOCATION_PRACTICAL:
    add_practical_fields(LocationForm, _kind)


# --- agencies -----------------------------------------------------------------------------


class AgencyForm(FlaskForm):
    slug = StringField(
        _l("Short code"),
        description=_l("Small letters, digits and hyphens, e.g. jobcenter-halle."),
        validators=[
            DataRequired(_l("Please give a short code.")),
            Length(max=40, message=TOO_LONG),
            Regexp(
                SLUG_PATTERN.pattern,
                message=_l("The short code may contain only small letters, digits and hyphens."),
            ),
        ],
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Please give the name.")), Length(max=120, message=TOO_LONG)],
    )
    short_name = StringField(
        _l("Short name"),
        description=_l("Shown in the calendar, e.g. JC."),
        validators=[
            DataRequired(_l("Please give a short name.")),
            Length(max=40, message=TOO_LONG),
        ],
    )
    color = ColorField(
        _l("Colour"),
        default="#3b5b92",
        validators=[
            DataRequired(_l("Please choose a colour.")),
            Regexp(COLOR_PATTERN.pattern, message=_l("Please choose a colour like #3b5b92.")),
        ],
    )
    submit = SubmitField(_l("Save"))


add_practical_fields(AgencyForm, "description")


# --- topics -------------------------------------------------------------------------------

PHASE_CHOICES = [SelectChoice(str(phase), label) for phase, label in PHASE_LABELS.items()]


class TopicForm(FlaskForm):
    icon = StringField(
        _l("Icon"),
        description=_l("One emoji or symbol, e.g. 🪪."),
        validators=[Length(max=16, message=TOO_LONG)],
    )
    phase = SelectField(
        _l("Phase of the process chain"),
        choices=PHASE_CHOICES,
        coerce=int,
        invalid_choice_message=NOT_A_CHOICE,
    )
    default_minutes = WholeNumberField(
        _l("Usual length in minutes"),
        default=20,
        validators=[required(_l("Please give the usual length.")), Between(5, 240)],
    )
    agencies = CheckboxListField(_l("Served by"), coerce=int)
    active = BooleanField(_l("Active (offered to the public)"), default=True)
    submit = SubmitField(_l("Save"))

    def names(self) -> dict[str, str]:
        return texts_of(self, "name")

    def explanations(self) -> dict[str, str]:
        return texts_of(self, "explanation")


add_language_fields(
    TopicForm,
    "name",
    lambda language: _l("Name (%(language)s)", language=language),
    max_length=80,
    required=REQUIRED_LANGUAGES,
    required_message=_l("Please give the name in this language."),
)
add_language_fields(
    TopicForm,
    "explanation",
    lambda language: _l("One-line explanation (%(language)s)", language=language),
    max_length=200,
    required=REQUIRED_LANGUAGES,
    required_message=_l("Please give the explanation in this language."),
)
add_practical_fields(TopicForm, "bring")


# --- staff accounts -----------------------------------------------------------------------


class StaffForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Please enter the e-mail address.")),
            Email(_l("Please enter a valid e-mail address."), check_deliverability=False),
            Length(max=254, message=TOO_LONG),
        ],
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Please give the name.")), Length(max=120, message=TOO_LONG)],
    )
    role = SelectField(_l("Role"), invalid_choice_message=NOT_A_CHOICE)
    agency = SelectField(
        _l("Agency"),
        description=_l("Required for advisors."),
        coerce=int,
        invalid_choice_message=NOT_A_CHOICE,
    )
    locations = CheckboxListField(
        _l("Locations"), description=_l("Required for front desk staff."), coerce=int
    )
    language = SelectField(
        _l("Language of the staff pages"),
        choices=LANGUAGE_CHOICES,
        default="de",
        invalid_choice_message=NOT_A_CHOICE,
    )
    active = BooleanField(_l("Active (may sign in)"), default=True)
    spoken = CheckboxListField(
        _l("Languages spoken"), description=_l("For language mediators."), choices=LANGUAGE_CHOICES
    )
    towns = CheckboxListField(_l("Towns they can reach"), description=_l("For language mediators."))
    password = PasswordField(
        _l("New password"),
        description=_l(
            "At least %(min)d characters. Leave empty to keep the current password.",
            min=MIN_PASSWORD_LENGTH,
        ),
        validators=[
            Optional(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l(
                    "The password must have at least %(min)d characters.", min=MIN_PASSWORD_LENGTH
                ),
            ),
        ],
    )
    password_repeat = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("The two passwords are not the same."))],
    )
    submit = SubmitField(_l("Save"))


# --- consultation days --------------------------------------------------------------------

NTH_CHOICES = [
    SelectChoice("0", _l("the same as the first date")),
    SelectChoice("1", _l("first")),
    SelectChoice("2", _l("second")),
    SelectChoice("3", _l("third")),
    SelectChoice("4", _l("fourth")),
    SelectChoice("-1", _l("last")),
]
KIND_CHOICES = [
    SelectChoice(DayKind.JOINT.value, _l("Joint consultation day")),
    SelectChoice(DayKind.MOBILE.value, _l("Mobile advice")),
]


class DayFields:
    """Title, kind and invited agencies: for a new day and for changing one."""

    title = StringField(
        _l("Title (optional)"),
        description=_l("E.g. Welcome day for newcomers."),
        validators=[Length(max=120, message=TOO_LONG)],
    )
    kind = RadioField(
        _l("Kind of day"),
        choices=KIND_CHOICES,
        default=DayKind.JOINT.value,
        invalid_choice_message=NOT_A_CHOICE,
    )
    invited = CheckboxListField(_l("Invited agencies"), coerce=int)


class DayForm(DayFields, FlaskForm):
    location = SelectField(_l("Location"), coerce=int, invalid_choice_message=NOT_A_CHOICE)
    first_date = ISODateField(
        _l("Date (the first one of a series)"),
        validators=[required(_l("Please enter a date like 2030-03-12."))],
    )
    repeat = RadioField(
        _l("Repeat"),
        choices=[
            SelectChoice(Repeat.ONCE.value, _l("Once")),
            SelectChoice(Repeat.WEEKLY.value, _l("Weekly, on the weekday of the first date")),
            SelectChoice(Repeat.MONTHLY.value, _l("Monthly, on the nth weekday of the first date")),
        ],
        default=Repeat.ONCE.value,
        invalid_choice_message=NOT_A_CHOICE,
    )
    interval = WholeNumberField(
        _l("Every how many weeks or months"),
        default=1,
        validators=[required(_l("Please enter a whole number.")), Between(1, MAX_INTERVAL)],
    )
    nth = SelectField(
        _l("Which weekday of the month (monthly only)"),
        choices=NTH_CHOICES,
        default="0",
        coerce=int,
        invalid_choice_message=NOT_A_CHOICE,
    )
    until = ISODateField(
        _l("Last date of the series"),
        description=_l("At most one year after the first date."),
    )
    exceptions = StringField(
        _l("Leave out these dates"),
        description=_l("Comma-separated, e.g. 2030-04-09, 2030-05-21."),
        validators=[Length(max=2000, message=TOO_LONG)],
    )
    publish = BooleanField(_l("Publish now (open for booking once agencies publish hours)"))
    submit = SubmitField(_l("Create"))

    def validate_exceptions(self, field: StringField) -> None:
        try:
            parse_exceptions(field.data or "")
        except CoordinationError as error:
            raise ValidationError(_(error.message, **error.params)) from None


class DayEditForm(DayFields, FlaskForm):
    submit = SubmitField(_l("Save"))


class CancelDayForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("The people booked will be told; please keep it short and plain."),
        validators=[
            DataRequired(_l("Please give a reason; the people booked will be told.")),
            Length(max=300, message=TOO_LONG),
        ],
    )
    submit = SubmitField(_l("Cancel this day and all its visits"))
