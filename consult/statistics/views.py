"""The statistics pages: the dashboard, each table as CSV or XLSX, and all figures as JSON.

Coordinators and administrators see every agency; an advisor sees the figures of
their own agency only; the front desk sees none. Each request first folds what changed
since the last one (`folding.refresh`), so the figures are current.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from consult.extensions import db
from consult.i18n import format_number
from consult.models import Agency, Role, today_in
from consult.permissions import agency_scope, role_required
from consult.statistics import charts, figures, folding
from consult.statistics.forms import FiltersForm
from consult.statistics.tables import Table, to_csv, to_xlsx

bp = Blueprint("statistics", __name__, url_prefix="/staff/statistics")
ROLES = (Role.COORDINATOR, Role.ADVISOR)


def _threshold() -> int:
    return int(current_app.config["CONSULT_STATS_MIN_CELL"])


def _figures() -> tuple[FiltersForm, figures.Filters, list[str], list[figures.Section], date]:
    folding.refresh()
    today = today_in(current_app.config["CONSULT_TIMEZONE"])
    form = FiltersForm.with_choices(request.args, str(get_locale()))
    chosen, errors = form.filters(today, agency_scope(current_user))
    return form, chosen, errors, figures.dashboard(chosen, today), today


def _describe(table: Table, chosen: figures.Filters) -> str:
    return _(
        "%(description)s From %(start)s to %(end)s.",
        description=table.description,
        start=chosen.start.isoformat(),
        end=chosen.end.isoformat(),
    )


@bp.get("/")
@role_required(*ROLES)
def dashboard() -> ResponseReturnValue:
    """Demand, waiting, capacity, referrals and mobile advice, as charts and tables."""
    form, chosen, errors, sections, _today = _figures()
    threshold = _threshold()
    drawn = {
        table.key: charts.chart_svg(table, threshold, _describe(table, chosen))
        for section in sections
        for table in section.tables
    }
    own = agency_scope(current_user)
    agency = db.session.get(Agency, own) if own is not None else None
    return render_template(
        "statistics/dashboard.html",
        form=form,
        filters=chosen,
        errors=errors,
        sections=sections,
        charts=drawn,
        threshold=threshold,
        own_agency=agency,
        query=request.args.to_dict(),
        number=format_number,
    )


def _table(key: str, sections: list[figures.Section]) -> Table:
    for section in sections:
        for table in section.tables:
            if table.key == key:
                return table
    abort(404)


def _download(body: bytes | str, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/<key>.csv")
@role_required(*ROLES)
def table_csv(key: str) -> ResponseReturnValue:
    """One table as CSV, with the dashboard's filters and the same hidden cells."""
    _form, chosen, _errors, sections, _today = _figures()
    table = _table(key, sections)
    return _download(
        to_csv(table, _threshold()), "text/csv", f"{key}_{chosen.start}_{chosen.end}.csv"
    )


@bp.get("/<key>.xlsx")
@role_required(*ROLES)
def table_xlsx(key: str) -> ResponseReturnValue:
    """One table (or `all` of them, one sheet each) as an Excel workbook."""
    _form, chosen, _errors, sections, _today = _figures()
    if key == "all":
        tables = [table for section in sections for table in section.tables]
    else:
        tables = [_table(key, sections)]
    return _download(
        to_xlsx(tables, _threshold()),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{key}_{chosen.start}_{chosen.end}.xlsx",
    )


@bp.get("/figures.json")
@role_required(*ROLES)
def figures_json() -> ResponseReturnValue:
    """Every figure as JSON: the same filters as the dashboard, the same hidden cells."""
    _form, chosen, errors, sections, today = _figures()
    threshold = _threshold()
    body: dict[str, Any] = {
        "today": today.isoformat(),
        "filters": {
            "start": chosen.start.isoformat(),
            "end": chosen.end.isoformat(),
            "location": chosen.location_id,
            "town": chosen.town,
            "agency": chosen.agency_id,
            "topic": chosen.topic_id,
        },
        "errors": errors,
        "smallest_shown": threshold,
        "sections": {
            section.key: {
                "title": section.title,
                "tables": {table.key: table.as_json(threshold) for table in section.tables},
            }
            for section in sections
        },
    }
    return jsonify(body)
