"""Forms of the hours pages: an agency's session on a day, and resolving affected bookings."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from consult.coordination.forms import (
    LANGUAGE_CHOICES,
    NOT_A_CHOICE,
    TOO_LONG,
    Between,
    CheckboxListField,
    ClockField,
    WholeNumberField,
)
from consult.days import Hours
from consult.hours.service import (
    MAX_REASON,
    MAX_ROOM,
    HoursChange,
    HoursError,
    local_clock,
    parse_breaks,
    parse_rooms,
)
from consult.models import DayStatus, Session, SessionStatus
from consult.public.forms import ChooseAtLeastOne
from consult.slots import MAX_DESKS, MAX_SLOT_MINUTES, MIN_DESKS, MIN_SLOT_MINUTES

PUBLISHED = SessionStatus.PUBLISHED.value
DRAFT = SessionStatus.DRAFT.value

SESSION_STATUS_LABELS = {
    SessionStatus.PUBLISHED: _l("published"),
    SessionStatus.DRAFT: _l("draft"),
    SessionStatus.WITHDRAWN: _l("withdrawn"),
}
# The state of one agency's hours on a day (service.AgencyHours.state).
HOURS_STATE_LABELS = {
    "published": _l("Hours published"),
    "draft": _l("Hours in draft"),
    "withdrawn": _l("Hours withdrawn"),
    "missing": _l("No hours yet"),
}
DAY_STATUS_LABELS = {
    DayStatus.DRAFT: _l("draft"),
    DayStatus.PUBLISHED: _l("published"),
    DayStatus.CANCELLED: _l("cancelled"),
}


class HoursForm(FlaskForm):
    starts = ClockField(
        _l("From"), validators=[InputRequired(_l("Please enter a time like 09:30."))]
    )
    ends = ClockField(
        _l("Until"), validators=[InputRequired(_l("Please enter a time like 09:30."))]
    )
    slot_minutes = WholeNumberField(
        _l("Length of a slot in minutes"),
        default=20,
        validators=[
            InputRequired(_l("Please enter a whole number.")),
            Between(MIN_SLOT_MINUTES, MAX_SLOT_MINUTES),
        ],
    )
    desks = WholeNumberField(
        _l("Desks in parallel"),
        default=1,
        description=_l("How many people your agency can see at the same time."),
        validators=[
            InputRequired(_l("Please enter a whole number.")),
            Between(MIN_DESKS, MAX_DESKS),
        ],
    )
    rooms = TextAreaField(
        _l("Rooms"),
        description=_l(
            "One room per desk, one per line (e.g. 2.01). Leave empty if not known yet."
        ),
        validators=[Length(max=MAX_DESKS * (MAX_ROOM + 1), message=TOO_LONG)],
    )
    breaks = StringField(
        _l("Breaks"),
        description=_l("For example 12:00-12:30, 15:00-15:15"),
        validators=[Length(max=300, message=TOO_LONG)],
    )
    topics = CheckboxListField(
        _l("Topics you serve"),
        coerce=int,
        validators=[ChooseAtLeastOne(_l("Please choose at least one topic that you serve."))],
    )
    languages = CheckboxListField(
        _l("Languages spoken at the desk"),
        choices=LANGUAGE_CHOICES,
        default=["de"],
        validators=[ChooseAtLeastOne(_l("Please choose at least one language."))],
    )
    interpreter = BooleanField(_l("An interpreter is available"))
    status = RadioField(
        _l("Visibility"),
        choices=[
            SelectChoice(PUBLISHED, _l("Publish: people can book these hours")),
            SelectChoice(DRAFT, _l("Keep as draft: not bookable yet")),
        ],
        default=PUBLISHED,
        invalid_choice_message=NOT_A_CHOICE,
    )
    submit = SubmitField(_l("Save hours"))

    def validate_breaks(self, field: StringField) -> None:
        try:
            parse_breaks(field.data or "")
        except HoursError as error:
            raise ValidationError(_(error.message, **error.params)) from None

    def validate_rooms(self, field: TextAreaField) -> None:
        rooms = parse_rooms(field.data or "")
        if any(len(room) > MAX_ROOM for room in rooms):
            raise ValidationError(
                _("A room name may have at most %(max)d characters.", max=MAX_ROOM)
            )
        desks = self.desks.data
        if rooms and isinstance(desks, int) and len(rooms) != desks:
            raise ValidationError(
                _(
                    "Please name one room per desk (%(desks)d desks, %(rooms)d rooms), or none.",
                    desks=desks,
                    rooms=len(rooms),
                )
            )

    def change(self) -> HoursChange:
        """The validated form as a change of hours."""
        return HoursChange(
            hours=Hours(
                starts=self.starts.data,
                ends=self.ends.data,
                slot_minutes=self.slot_minutes.data,
                desks=self.desks.data,
                breaks=tuple(parse_breaks(self.breaks.data or "")),
                rooms=tuple(parse_rooms(self.rooms.data or "")),
                languages=tuple(self.languages.data or ()),
                interpreter=bool(self.interpreter.data),
            ),
            topic_ids=tuple(self.topics.data or ()),
            publish=self.status.data == PUBLISHED,
        )

    def query_args(self) -> dict[str, Any]:
        """The validated form as query-string values, to carry a pending change across pages."""
        args: dict[str, Any] = {
            "starts": self.starts.data.strftime("%H:%M"),
            "ends": self.ends.data.strftime("%H:%M"),
            "slot_minutes": self.slot_minutes.data,
            "desks": self.desks.data,
            "rooms": "\n".join(parse_rooms(self.rooms.data or "")),
            "breaks": self.breaks.data or "",
            "topics": list(self.topics.data or ()),
            "languages": list(self.languages.data or ()),
            "status": self.status.data,
        }
        if self.interpreter.data:
            args["interpreter"] = "y"
        return args


def hours_data(session: Session) -> dict[str, Any]:
    """The values of an existing session, for filling in the form."""
    zone = session.day.location.timezone
    return {
        "starts": local_clock(session.starts_dt, zone),
        "ends": local_clock(session.ends_dt, zone),
        "slot_minutes": session.slot_minutes,
        "desks": session.desks,
        "rooms": "\n".join(session.rooms or []),
        "breaks": ", ".join(f"{start}-{end}" for start, end in session.breaks or []),
        "topics": [t.id for t in session.topics],
        "languages": list(session.languages or []),
        "interpreter": session.interpreter_available,
        "status": PUBLISHED if session.status is SessionStatus.WITHDRAWN else session.status.value,
    }


class ReplanForm(FlaskForm):
    plan = HiddenField(validators=[DataRequired(_l("Please choose a new time."))])
    submit = SubmitField(_l("Move to this time"))


class CancelBookingForm(FlaskForm):
    reason = StringField(
        _l("Reason for the person"),
        validators=[
            DataRequired(_l("Please give a reason; the person will be told.")),
            Length(max=MAX_REASON, message=TOO_LONG),
        ],
    )
    submit = SubmitField(_l("Cancel this booking"))
