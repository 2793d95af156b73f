"""The dashboard's filters: a period and, optionally, a place, town, agency and topic.

A GET form without CSRF: it changes nothing, and its address can be bookmarked and
shared with the same filters.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateField, Form, SelectChoice, SelectField

from consult.extensions import db
from consult.models import Agency, Location, Topic
from consult.statistics.figures import Filters

PERIODS = {
    "week": (_l("Last 7 days"), 7),
    "month": (_l("Last 30 days"), 30),
    "quarter": (_l("Last 91 days"), 91),
    "year": (_l("Last 365 days"), 365),
    "custom": (_l("From – to"), 0),
}
LONGEST = timedelta(days=3 * 366)


def _optional_int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class FiltersForm(Form):
    period = SelectField(_l("Period"), choices=[SelectChoice(k, v[0]) for k, v in PERIODS.items()])
    start = DateField(_l("From"), format="%Y-%m-%d")
    end = DateField(_l("To"), format="%Y-%m-%d")
    location = SelectField(_l("Location"), coerce=_optional_int, validate_choice=False)
    town = SelectField(_l("Town"), validate_choice=False)
    agency = SelectField(_l("Agency"), coerce=_optional_int, validate_choice=False)
    topic = SelectField(_l("Topic"), coerce=_optional_int, validate_choice=False)

    @classmethod
    def with_choices(cls, args: MultiDict[str, str], locale: str) -> FiltersForm:
        """The form on `args`, offering every place, town, agency and topic."""
        form = cls(args)
        locations = db.session.scalars(sa.select(Location).order_by(Location.town, Location.name))
        locations = list(locations)
        everything = [SelectChoice("", _("All"))]
        form.location.choices = everything + [
            SelectChoice(loc.id, f"{loc.town} – {loc.name}") for loc in locations
        ]
        towns = sorted({loc.town for loc in locations})
        form.town.choices = everything + [SelectChoice(town, town) for town in towns]
        agencies = db.session.scalars(sa.select(Agency).order_by(Agency.short_name))
        form.agency.choices = everything + [SelectChoice(a.id, a.short_name) for a in agencies]
        topics = db.session.scalars(sa.select(Topic).order_by(Topic.position, Topic.id))
        form.topic.choices = everything + [SelectChoice(t.id, t.name_in(locale)) for t in topics]
        return form

    def filters(self, today: date, agency_id: int | None) -> tuple[Filters, list[str]]:
        """The chosen filters (the last year when the period is unclear) and what was wrong."""
        errors: list[str] = []
        period = self.period.data if self.period.data in PERIODS else "year"
        start, end = today - timedelta(days=PERIODS["year"][1] - 1), today
        if period == "custom":
            if self.start.data is None or self.end.data is None:
                errors.append(_("Please give both dates of the period, as YYYY-MM-DD."))
            elif self.start.data > self.end.data:
                errors.append(_("The period must not end before it starts."))
            elif self.end.data - self.start.data > LONGEST:
                errors.append(_("Please choose a period of at most three years."))
            else:
                start, end = self.start.data, self.end.data
        else:
            start = today - timedelta(days=PERIODS[period][1] - 1)
        if errors:
            period = "year"
        self.period.data = period
        self.start.data, self.end.data = start, end
        chosen = Filters(
            start,
            end,
            location_id=self.location.data,
            town=self.town.data or None,
            agency_id=agency_id if agency_id is not None else self.agency.data,
            topic_id=self.topic.data,
        )
        return chosen, errors
