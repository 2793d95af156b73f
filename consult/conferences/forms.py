"""Forms of the case-conference pages (all CSRF-protected through Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

from consult.conferences.service import LENGTHS, MAX_OUTCOME
from consult.public.forms import CheckboxListField

ON_DAY, ONLINE = "day", "online"


class ProposalForm(FlaskForm):
    """Step one: who takes part, where, and for how long."""

    agencies = CheckboxListField(
        _l("Agencies taking part"),
        coerce=int,
        description=_l("Your own agency and at least one other."),
    )
    place = RadioField(
        _l("Where"),
        choices=[
            SelectChoice(ON_DAY, _l("On the joint day of this visit, at free desks")),
            SelectChoice(ONLINE, _l("Online, with a meeting link")),
        ],
        default=ON_DAY,
        validators=[DataRequired(_l("Please choose where the conference takes place."))],
    )
    minutes = RadioField(
        _l("Length"),
        coerce=int,
        choices=[SelectChoice(m, _l("%(minutes)d minutes", minutes=m)) for m in LENGTHS],
        default=LENGTHS[0],
    )
    meeting_link = StringField(
        _l("Meeting link (online only)"),
        description=_l("An https:// address."),
        validators=[Optional(), Length(max=500)],
    )
    on_date = DateField(_l("Date (online only)"), validators=[Optional()])
    at_time = TimeField(_l("Time (online only)"), validators=[Optional()])
    search = SubmitField(_l("Find times"))

    def validate_agencies(self, field: CheckboxListField) -> None:
        if len(field.data or []) < 2:
            raise ValueError(_l("Please choose at least two agencies."))


class ConfirmForm(ProposalForm):
    """Step two: the person's consent for this purpose, and the time."""

    agreed = BooleanField(
        _l("The person agreed"),
        validators=[
            DataRequired(_l("Please confirm that the person agreed to the case conference."))
        ],
    )
    start = RadioField(_l("Time"), validate_choice=False)
    online_start = HiddenField()
    confirm = SubmitField(_l("Arrange the case conference"))


class OutcomeForm(FlaskForm):
    outcome = TextAreaField(
        _l("Outcome"),
        description=_l("One note for all participants, under the same consent rules."),
        validators=[
            DataRequired(_l("Please write the outcome.")),
            Length(max=MAX_OUTCOME, message=_l("Please use at most %(max)d characters.")),
        ],
        render_kw={"rows": 5},
    )
    save = SubmitField(_l("Record the outcome"))


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])
