"""Forms of the feed settings: a new secret address, names in the feed or not."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired


class RegenerateForm(FlaskForm):
    submit = SubmitField(_l("Make a new address"))


class ShowNamesForm(FlaskForm):
    confirm = BooleanField(
        _l(
            "I understand that my calendar app, and every device and service it syncs with, "
            "will then hold the names, phone numbers and e-mail addresses of the people I advise."
        ),
        validators=[DataRequired(_l("Please confirm that you understand the risk."))],
    )
    submit = SubmitField(_l("Show names in my feed"))


class HideNamesForm(FlaskForm):
    submit = SubmitField(_l("Hide names again"))
