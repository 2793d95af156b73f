"""Forms of the mediators' pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TimeField
from wtforms.validators import DataRequired


class ShiftForm(FlaskForm):
    starts = TimeField(_l("From"), validators=[DataRequired(_l("Please enter a time like 09:30."))])
    ends = TimeField(_l("Until"), validators=[DataRequired(_l("Please enter a time like 09:30."))])
    save = SubmitField(_l("Save my hours"))


class WithdrawForm(FlaskForm):
    withdraw = SubmitField(_l("Withdraw"))
