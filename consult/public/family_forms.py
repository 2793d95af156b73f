"""Forms of a family's booking: up to four people with their topics, then one contact."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length

from consult.contacts import MAX_NAME
from consult.planner.family import MAX_PEOPLE
from consult.public.forms import CheckboxListField, ContactFields


class PersonForm(Form):
    """One person who comes: a name or nickname and what they need help with."""

    name = StringField(
        _l("Name"),
        validators=[Length(max=MAX_NAME, message=_l("Please use at most %(max)d characters."))],
    )
    topics = CheckboxListField(_l("What does this person need help with?"), coerce=int)


class FamilyForm(FlaskForm):
    people = FieldList(FormField(PersonForm), min_entries=MAX_PEOPLE, max_entries=MAX_PEOPLE)
    town = SelectField(_l("Where?"), choices=[])
    speak = SelectField(_l("We speak"), choices=[])
    apart = BooleanField(_l("We may be seen at different desks at the same time"))
    submit = SubmitField(_l("Find a day for us"))


CONSENT_CHOICES = [SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))]
CONSENT_HINT = _l("Each person decides for themselves. It can be withdrawn at any time.")


class FamilyBookingForm(ContactFields, FlaskForm):
    """One contact for the group and each person's own answer to the consent question."""

    plan = HiddenField(validators=[DataRequired()])
    interpreter = BooleanField(_l("We would like an interpreter"))
    consent_0 = RadioField(choices=CONSENT_CHOICES, default="no", description=CONSENT_HINT)
    consent_1 = RadioField(choices=CONSENT_CHOICES, default="no", description=CONSENT_HINT)
    consent_2 = RadioField(choices=CONSENT_CHOICES, default="no", description=CONSENT_HINT)
    consent_3 = RadioField(choices=CONSENT_CHOICES, default="no", description=CONSENT_HINT)
    submit = SubmitField(_l("Book this visit for us"))

    def consents(self, count: int) -> list[RadioField]:
        """The consent questions of the first `count` people."""
        return [self[f"consent_{i}"] for i in range(count)]
