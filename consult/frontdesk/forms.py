"""Forms of the front desk and the advisor's day."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from consult.contacts import MAX_NAME
from consult.frontdesk.service import MAX_REASON
from consult.itineraries import MAX_TOPICS
from consult.public.forms import LANGUAGE_CHOICES, CheckboxListField


class CancelForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Please give a reason for the cancellation.")),
            Length(max=MAX_REASON, message=_l("Please use at most %(max)d characters.")),
        ],
    )
    submit = SubmitField(_l("Cancel appointment"))


class MoveForm(FlaskForm):
    # The free times change by the minute; the service checks the chosen one under lock.
    opening = RadioField(
        _l("New time"),
        validate_choice=False,
        validators=[InputRequired(_l("Please choose a new time."))],
    )
    submit = SubmitField(_l("Move the appointment"))


class WalkInForm(FlaskForm):
    name = StringField(
        _l("Name or nickname"),
        validators=[
            DataRequired(_l("Please give a name. A first name or a nickname is enough.")),
            Length(max=MAX_NAME, message=_l("Please use at most %(max)d characters.")),
        ],
    )
    topics = CheckboxListField(_l("What does the person need help with?"), coerce=int)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    interpreter = BooleanField(_l("Needs an interpreter"))
    day = HiddenField()
    plan = HiddenField()
    find = SubmitField(_l("Find free times"))
    book = SubmitField(_l("Book and check in"))
    queue = SubmitField(_l("Give a queue ticket"))

    def validate_topics(self, field: CheckboxListField) -> None:
        if not field.data:
            raise ValidationError(
                _l("Please choose at least one thing the person needs help with.")
            )
        if len(field.data) > MAX_TOPICS:
            raise ValidationError(
                _l("Please choose at most %(max)d topics for one visit.", max=MAX_TOPICS)
            )
