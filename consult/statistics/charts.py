"""Tables drawn as bar charts: server-rendered SVG (pygal) with a title and a description.

The SVG carries no script and no style of its own (the page's stylesheet colours it,
which the Content Security Policy requires), `role="img"` named by its <title> and
described by its <desc>, so a screen reader reads the title and one sentence and then
the table beside it. Hidden cells ("< 5") are left out of the chart as they are left
out of the table.
"""

from __future__ import annotations

import functools
import re
import sys
from types import ModuleType

from markupsafe import Markup, escape

from consult.statistics.tables import Cell, Table

_ROW_HEIGHT = 26
_SVG_START = re.compile(r"<svg [^>]*>")


@functools.cache
def _pygal() -> ModuleType:
    """pygal, imported on first use.

    pygal appends a finder for its map plugins to sys.meta_path that has only the legacy
    `find_module()`, so every later import that reaches it warns (ImportWarning) on Python
    3.11. No map is drawn here, so it is taken out right after the import.
    """
    import pygal

    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    return pygal


def chart_svg(table: Table, threshold: int, description: str) -> Markup | None:
    """The table's chart as inline SVG, or None when it has no chart or nothing to draw."""
    if table.chart is None or not table.charted_rows:
        return None
    pygal = _pygal()
    style = pygal.style.Style(
        font_family="inherit", background="transparent", plot_background="transparent"
    )
    chart = pygal.HorizontalBar(
        style=style,
        js=[],
        css=[],
        no_prefix=True,
        disable_xml_declaration=True,
        show_legend=len(table.chart.columns) > 1,
        legend_at_bottom=True,
        width=520,
        height=100 + _ROW_HEIGHT * len(table.charted_rows) * len(table.chart.columns),
        print_values=False,
        truncate_label=30,
        truncate_legend=40,
        show_minor_x_labels=False,
        x_labels_major_count=6,
        margin=8,
    )
    # pygal draws the first bar at the bottom: reversed, the chart reads top down like the table.
    rows = list(reversed(table.charted_rows))
    chart.x_labels = [str(row[0]) for row in rows]
    drawn = False
    for column in table.chart.columns:
        values = [_bar(row[column], threshold) for row in rows]
        drawn = drawn or any(value is not None for value in values)
        chart.add(str(table.header[column]), values)
    if not drawn:
        return None
    return _accessible(chart.render(is_unicode=True), table, description)


def _bar(value: object, threshold: int) -> float | None:
    if isinstance(value, Cell) and not value.hidden(threshold) and value.value is not None:
        return float(value.value)
    return None


def _accessible(svg: str, table: Table, description: str) -> Markup:
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"<defs>.*?</defs>", "", svg, count=1, flags=re.S)  # pygal's <style>
    svg = re.sub(r"<title>.*?</title>", "", svg, count=1, flags=re.S)  # its own, unnamed
    title_id, desc_id = f"chart-{table.key}-title", f"chart-{table.key}-desc"
    opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pygal-chart chart" '
        f'viewBox="{_view_box(svg)}" role="img" aria-labelledby="{title_id}" '
        f'aria-describedby="{desc_id}">'
        f'<title id="{title_id}">{escape(table.title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
    )
    return Markup(_SVG_START.sub(lambda _m: opening, svg, count=1))


def _view_box(svg: str) -> str:
    found = re.search(r'viewBox="([^"]+)"', svg)
    return found.group(1) if found else "0 0 640 400"
