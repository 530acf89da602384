"""What every workbook for finance staff and auditors has in common (openpyxl): a bold, frozen header
row with an autofilter, amounts stored as numbers in yuan with a thousands format, and text that people
or bank files supplied written as text, never as a formula.

>>> cell = spreadsheet_text('=HYPERLINK("http://x","点我")')
>>> cell.data_type, cell.value
('s', '=HYPERLINK("http://x","点我")')
>>> spreadsheet_text("付款\x01人"), spreadsheet_text("plain")
('付款人', 'plain')
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

AMOUNT_FORMAT = "#,##0.00"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Text starting with one of these is read by spreadsheet programs as a formula (or a DDE call).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str | Cell:
    """Untrusted text as a workbook cell holds it: control characters the file format cannot carry are
    dropped, and text that a spreadsheet would run as a formula becomes an explicit string cell, shown
    exactly as written."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not text.startswith(FORMULA_TRIGGERS):
        return text
    cell = Cell(None)  # the sheet it is appended to adopts it
    cell.value = text
    cell.data_type = "s"
    return cell


def _cell_value(value: Any) -> Any:
    return spreadsheet_text(value) if isinstance(value, str) else value


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def add_sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], amounts: set[int]
) -> Worksheet:
    """``amounts`` are the 1-based columns holding yuan. Every text cell goes through
    :func:`spreadsheet_text`."""
    sheet = workbook.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        sheet.append([_cell_value(value) for value in row])
        count += 1
    for column in amounts:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = AMOUNT_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    for index, header in enumerate(headers, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(header) * 2 + 4)
    return sheet


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
