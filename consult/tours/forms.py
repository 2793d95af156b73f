"""Forms of the tour pages: a tour, a stop, reordering, cancelling, importing a calendar."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from consult.coordination.forms import (
    LANGUAGE_CHOICES,
    NOT_A_CHOICE,
    TOO_LONG,
    Between,
    CheckboxListField,
    ClockField,
    DecimalNumberField,
    ISODateField,
    WholeNumberField,
)
from consult.coordination.service import LocationFields
from consult.models import DayStatus, TourStatus
from consult.public.forms import ChooseAtLeastOne
from consult.slots import MAX_SLOT_MINUTES, MIN_SLOT_MINUTES
from consult.tours.importing import MAX_BYTES, MAX_EVENTS
from consult.tours.service import MAX_REASON, MAX_TITLE

DEFAULT_SLOT_MINUTES = 30

TOUR_STATUS_LABELS = {
    TourStatus.DRAFT: _l("draft"),
    TourStatus.PUBLISHED: _l("published"),
    TourStatus.CANCELLED: _l("cancelled"),
}
# What a stop's day status means for the people who might book it.
STOP_STATUS_LABELS = {
    DayStatus.DRAFT: _l("draft: not bookable yet"),
    DayStatus.PUBLISHED: _l("published: open for booking"),
    DayStatus.CANCELLED: _l("cancelled"),
}
DRIVE_LABELS = {
    "ok": _l("Drive fits"),
    "tight": _l("Drive is tight"),
    "impossible": _l("Drive is impossible"),
}


def optional_id(value: Any) -> int | None:
    """A select's value as an id; the empty choice is None."""
    if value in (None, ""):
        return None
    return int(value)


class TourForm(FlaskForm):
    title = StringField(
        _l("Title"),
        description=_l("E.g. Mobile advice Burgenlandkreis, spring."),
        validators=[
            DataRequired(_l("Please give the tour a title.")),
            Length(max=MAX_TITLE, message=TOO_LONG),
        ],
    )
    agency = SelectField(_l("Agency"), coerce=int, invalid_choice_message=NOT_A_CHOICE)
    submit = SubmitField(_l("Create the tour"))


class StopFields:
    """When, where and what: for a new stop and for moving one."""

    date = ISODateField(
        _l("Date"), validators=[InputRequired(_l("Please enter a date like 2030-03-12."))]
    )
    location = SelectField(
        _l("Location"),
        coerce=optional_id,
        description=_l("Or leave this empty and enter a new location below."),
        invalid_choice_message=NOT_A_CHOICE,
    )
    new_name = StringField(
        _l("Name of the place"),
        description=_l("E.g. Bürgerhaus, room 2."),
        validators=[Optional(), Length(max=120, message=TOO_LONG)],
    )
    new_street = StringField(
        _l("Street and number"), validators=[Optional(), Length(max=120, message=TOO_LONG)]
    )
    new_postcode = StringField(
        _l("Postcode"), validators=[Optional(), Length(max=10, message=TOO_LONG)]
    )
    new_town = StringField(_l("Town"), validators=[Optional(), Length(max=80, message=TOO_LONG)])
    new_latitude = DecimalNumberField(
        _l("Latitude"),
        description=_l("From -90 to 90, for example 51.0478."),
        validators=[Optional(), Between(-90, 90)],
    )
    new_longitude = DecimalNumberField(
        _l("Longitude"),
        description=_l("From -180 to 180, for example 12.1383."),
        validators=[Optional(), Between(-180, 180)],
    )
    starts = ClockField(
        _l("From"), validators=[InputRequired(_l("Please enter a time like 09:30."))]
    )
    ends = ClockField(
        _l("Until"), validators=[InputRequired(_l("Please enter a time like 09:30."))]
    )
    slot_minutes = WholeNumberField(
        _l("Length of a slot in minutes"),
        default=DEFAULT_SLOT_MINUTES,
        validators=[
            InputRequired(_l("Please enter a whole number.")),
            Between(MIN_SLOT_MINUTES, MAX_SLOT_MINUTES),
        ],
    )
    topics = CheckboxListField(
        _l("Topics offered"),
        coerce=int,
        validators=[ChooseAtLeastOne(_l("Please choose at least one topic that you serve."))],
    )
    languages = CheckboxListField(
        _l("Languages offered"),
        choices=LANGUAGE_CHOICES,
        default=["de"],
        validators=[ChooseAtLeastOne(_l("Please choose at least one language."))],
    )
    interpreter = BooleanField(_l("An interpreter is available"))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)  # type: ignore[misc]
        return new_location_complete(self) and valid


NEW_LOCATION = ("new_name", "new_street", "new_postcode", "new_town")
NEW_COORDINATES = ("new_latitude", "new_longitude")


def new_location_complete(form: Any) -> bool:
    """With no location chosen, every field of the new one is needed; errors say which."""
    if form.location.data is not None or form.location.errors:
        return True
    given = [name for name in (*NEW_LOCATION, *NEW_COORDINATES) if _given(form[name])]
    if not given:
        form.location.errors.append(_l("Please choose a location or enter a new one."))
        return False
    missing = {
        "new_name": _l("Please give the name of the place."),
        "new_street": _l("Please give the street."),
        "new_postcode": _l("Please give the postcode."),
        "new_town": _l("Please give the town."),
        "new_latitude": _l("Please give the latitude."),
        "new_longitude": _l("Please give the longitude."),
    }
    complete = True
    for name, message in missing.items():
        if name not in given and not form[name].errors:
            form[name].errors.append(message)
            complete = False
    return complete


def new_place(form: Any) -> LocationFields:
    """The new location a stop or import row describes in its new_* fields (checked by
    `new_location_complete`), in the installation's time zone and changeover."""
    return LocationFields(
        name=(form.new_name.data or "").strip(),
        street=(form.new_street.data or "").strip(),
        postcode=(form.new_postcode.data or "").strip(),
        town=(form.new_town.data or "").strip(),
        latitude=form.new_latitude.data,
        longitude=form.new_longitude.data,
        timezone=current_app.config["CONSULT_TIMEZONE"],
        changeover_minutes=current_app.config["CONSULT_CHANGEOVER_MINUTES"],
    )


def _given(field: Any) -> bool:
    """True when a new-location field holds something (also something invalid)."""
    if field.name.rsplit("-", 1)[-1] in NEW_COORDINATES:
        return field.data is not None or bool(field.errors)
    return bool((field.data or "").strip())


class StopForm(StopFields, FlaskForm):
    submit = SubmitField(_l("Add the stop"))


class MoveStopForm(StopFields, FlaskForm):
    submit = SubmitField(_l("Move the stop"))


class ReorderForm(FlaskForm):
    order = HiddenField(validators=[DataRequired(_l("Please choose an order."))])
    submit = SubmitField(_l("Use this order"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("The people booked will be told; please keep it short and plain."),
        validators=[
            DataRequired(_l("Please give a reason; the person will be told.")),
            Length(max=MAX_REASON, message=TOO_LONG),
        ],
    )
    submit = SubmitField(_l("Cancel"))


class CancelStopForm(ReasonForm):
    submit = SubmitField(_l("Cancel the stop and all its visits"))


class CancelVisitForm(ReasonForm):
    submit = SubmitField(_l("Cancel this booking"))


class UploadForm(FlaskForm):
    calendar = FileField(
        _l("Calendar file (.ics)"),
        description=_l(
            "Export the tour's dates from your calendar app (Outlook, Google, Thunderbird, "
            "your phone) as an .ics file, at most %(kb)d KB. Nothing is created before you "
            "confirm.",
            kb=MAX_BYTES // 1024,
        ),
        validators=[
            FileRequired(_l("Please choose a calendar file.")),
            FileAllowed(["ics"], _l("Please choose a calendar file ending in .ics.")),
            FileSize(
                max_size=MAX_BYTES,
                message=_l("The file is larger than %(max)d KB.", max=MAX_BYTES // 1024),
            ),
        ],
    )
    submit = SubmitField(_l("Show the events"))


class ImportEventForm(Form):
    """One event of the preview; its values travel with the form, the server keeps nothing."""

    include = BooleanField(_l("Create a stop"))
    summary = HiddenField()
    location_text = HiddenField()
    starts_dt = HiddenField()
    ends_dt = HiddenField()
    location = SelectField(_l("Location"), coerce=optional_id, invalid_choice_message=NOT_A_CHOICE)
    # A new place, prefilled from the event's LOCATION text; used when no location is chosen.
    new_name = StopFields.new_name
    new_street = StopFields.new_street
    new_postcode = StopFields.new_postcode
    new_town = StopFields.new_town
    new_latitude = StopFields.new_latitude
    new_longitude = StopFields.new_longitude

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.include.data:
            return valid
        return new_location_complete(self) and valid


class ImportForm(FlaskForm):
    events = FieldList(FormField(ImportEventForm), max_entries=MAX_EVENTS)
    slot_minutes = StopFields.slot_minutes
    topics = StopFields.topics
    languages = StopFields.languages
    interpreter = StopFields.interpreter
    submit = SubmitField(_l("Create the ticked stops"))
