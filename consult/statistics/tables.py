"""Figures as tables: cells that hide small numbers, and the same table as CSV, XLSX and JSON.

A cell knows how many people it describes. A count describes itself; a share, a
median or a rate describes the people it was computed from. A cell describing
fewer than the threshold (`CONSULT_STATS_MIN_CELL`, 5) but more than none shows
"< 5" on screen and in every export, and its chart bar is left out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook


@dataclass(frozen=True)
class Cell:
    """A number and the number of people it describes (None: it describes no one)."""

    value: float | int | None
    people: int | None = None
    unit: str = ""  # "%" for shares, shown after the number

    @classmethod
    def count(cls, value: int) -> Cell:
        return cls(value, value)

    def hidden(self, threshold: int) -> bool:
        return self.people is not None and 0 < self.people < threshold

    def shown(self, threshold: int) -> float | int | str | None:
        """The value, or "< N" when it describes too few people to be shown."""
        if self.hidden(threshold):
            return f"< {threshold}"
        if isinstance(self.value, float):
            return round(self.value, 1)
        return self.value


Value = Cell | str | int | None


@dataclass(frozen=True)
class Chart:
    """How a table is drawn: bars of these columns (by index), one bar per row."""

    columns: tuple[int, ...] = (1,)
    stacked: bool = False


@dataclass
class Table:
    """One figure: a title, what it shows, a header and rows of labels and cells."""

    key: str
    title: str
    description: str
    header: Sequence[str]
    rows: list[list[Value]] = field(default_factory=list)
    chart: Chart | None = Chart()
    note: str = ""
    totals: int = 0  # how many rows at the end sum up the others (not drawn)

    def shown_rows(self, threshold: int) -> list[list[Any]]:
        """The rows as they are shown and exported: small cells suppressed."""
        return [[_shown(value, threshold) for value in row] for row in self.rows]

    def display_rows(
        self, threshold: int, number: Callable[[float, str], str]
    ) -> list[list[tuple[str, bool]]]:
        """The rows as (text, is a number) for the page: numbers in the reader's locale."""
        return [
            [(_displayed(value, threshold, number), isinstance(value, Cell | int)) for value in row]
            for row in self.rows
        ]

    @property
    def charted_rows(self) -> list[list[Value]]:
        """The rows a chart draws: the totals at the end left out."""
        return self.rows[: len(self.rows) - self.totals]

    def as_json(self, threshold: int) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "columns": list(self.header),
            "rows": self.shown_rows(threshold),
            "note": self.note,
        }


def _displayed(value: Value, threshold: int, number: Callable[[float, str], str]) -> str:
    shown = _shown(value, threshold)
    if shown is None:
        return "—"
    if isinstance(shown, str):
        return shown
    text = number(shown, "#,##0.0" if isinstance(shown, float) else "#,##0")
    unit = value.unit if isinstance(value, Cell) else ""
    return f"{text}\u00a0{unit}" if unit else text


def _shown(value: Value, threshold: int) -> Any:
    if isinstance(value, Cell):
        return value.shown(threshold)
    return value


def to_csv(table: Table, threshold: int) -> str:
    """The table as CSV (comma, quoted where needed), header first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header)
    writer.writerows(table.shown_rows(threshold))
    return out.getvalue()


def to_xlsx(tables: Sequence[Table], threshold: int) -> bytes:
    """The tables as one workbook, one sheet each, with the title above the header."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.key))
        sheet.append([table.title])
        sheet.append(list(table.header))
        for row in table.shown_rows(threshold):
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(key: str) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet's name.
    return "".join(ch for ch in key if ch not in "[]:*?/\\")[:31]
