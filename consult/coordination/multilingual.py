"""Texts that a coordinator writes once per language: form fields, their values, their limits.

One field per language (`<prefix>_<code>`), each marked with its language and writing
direction, so that Arabic and Persian are typed right to left.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.config import LANGUAGES, RTL_LANGUAGES
from consult.coordination.places import PRACTICAL_LIMITS
from consult.i18n import LANGUAGE_NAMES

TOO_LONG = _l("Please use at most %(max)d characters.")


# Each kind of practical information, labelled with the language of its field.
PRACTICAL_LABELS: dict[str, Callable[[str], Any]] = {
    "directions": lambda language: _l(
        "How to get there by bus and train (%(language)s)", language=language
    ),
    "parking": lambda language: _l("Parking (%(language)s)", language=language),
    "accessibility": lambda language: _l("Accessibility (%(language)s)", language=language),
    "opening": lambda language: _l("When the doors open (%(language)s)", language=language),
    "description": lambda language: _l("Who it helps with what (%(language)s)", language=language),
    "bring": lambda language: _l("What to bring (%(language)s)", language=language),
}


def add_language_fields(
    form_class: type[FlaskForm],
    prefix: str,
    label: Callable[[str], Any],
    *,
    max_length: int,
    required: Collection[str] = (),
    required_message: Any = None,
    multiline: bool = False,
) -> None:
    """Give `form_class` one field `<prefix>_<code>` per language, labelled `label(name)`."""
    field_type = TextAreaField if multiline else StringField
    for code in LANGUAGES:
        attrs = {"lang": code, "dir": "rtl" if code in RTL_LANGUAGES else "ltr"}
        if multiline:
            attrs["rows"] = "3"
        presence = DataRequired(required_message) if code in required else Optional()
        setattr(
            form_class,
            f"{prefix}_{code}",
            field_type(
                label(LANGUAGE_NAMES[code]),
                render_kw=attrs,
                validators=[presence, Length(max=max_length, message=TOO_LONG)],
            ),
        )


def add_practical_fields(form_class: type[FlaskForm], kind: str) -> None:
    """Give `form_class` a text area per language for one kind of practical information."""
    label, limit = PRACTICAL_LABELS[kind], PRACTICAL_LIMITS[kind]
    add_language_fields(form_class, kind, label, max_length=limit, multiline=True)


def texts_of(form: FlaskForm, prefix: str) -> dict[str, str]:
    """What was typed into the fields of `prefix`, by language, trimmed (empty ones too)."""
    return {code: (form[f"{prefix}_{code}"].data or "").strip() for code in LANGUAGES}


def initial(prefix: str, values: Mapping[str, str] | None) -> dict[str, str]:
    """Form data that shows the stored texts of `prefix` in their fields."""
    values = values or {}
    return {f"{prefix}_{code}": values.get(code, "") for code in LANGUAGES}
