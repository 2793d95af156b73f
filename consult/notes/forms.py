"""Forms of the case-notes pages (all CSRF-protected through Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from consult.notes.service import MAX_NOTE


def optional_id(value: object) -> int | None:
    """An id from a select whose empty choice means "none"."""
    if value in (None, ""):
        return None
    return int(str(value))


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("New note"),
        description=_l(
            "Only your agency reads it, and the other agencies of the visit only "
            "while the person agrees to sharing."
        ),
        validators=[
            DataRequired(_l("Please write the note.")),
            Length(max=MAX_NOTE, message=_l("Please use at most %(max)d characters.")),
        ],
        render_kw={"rows": 5},
    )
    save = SubmitField(_l("Save note"))


class ActionForm(FlaskForm):
    """A button that changes something; the form only carries the CSRF token."""


class LinkClientForm(FlaskForm):
    # Choices are the clients the agency saw; a foreign id is refused with 403 by the view.
    client = SelectField(_l("Existing client record"), coerce=int, validate_choice=False)
    link = SubmitField(_l("Link this visit"))


class ReferralForm(FlaskForm):
    agency = SelectField(
        _l("Refer to"), coerce=int, validators=[DataRequired(_l("Please choose an agency."))]
    )
    topic = SelectField(_l("Topic (optional)"), coerce=optional_id)
    handover = TextAreaField(
        _l("Handover note for the receiving agency"),
        description=_l("They read it only while the person agrees to sharing."),
        validators=[
            DataRequired(_l("Please write the note.")),
            Length(max=MAX_NOTE, message=_l("Please use at most %(max)d characters.")),
        ],
        render_kw={"rows": 4},
    )
    # Filled in when the person chooses one of the later days offered.
    day = HiddenField()
    plan = HiddenField()
    refer = SubmitField(_l("Refer and book"))
