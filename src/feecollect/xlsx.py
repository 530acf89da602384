"""What every workbook for finance staff and auditors has in common (openpyxl): a bold, frozen header
row with an autofilter, columns as wide as what they hold, amounts stored as numbers in yuan with a
thousands format, dates and times as real date cells, an optional 合计 row, and text that people or
bank files supplied written as text, never as a formula.

>>> cell = spreadsheet_text('=HYPERLINK("http://x","点我")')
>>> cell.data_type, cell.value
('s', '=HYPERLINK("http://x","点我")')
>>> spreadsheet_text("付款\x01人"), spreadsheet_text("plain")
('付款人', 'plain')
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"
TOTAL = "合计"
MAX_WIDTH = 60  # a long 说明 wraps at this width instead of running off the screen
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


def display_width(value: Any) -> int:
    """Columns a value takes on screen: CJK characters count two, as spreadsheet programs draw them."""
    if isinstance(value, Cell):
        value = value.value
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}")
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def add_sheet(
    workbook: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    amounts: set[int],
    *,
    totals: set[int] | None = None,
) -> Worksheet:
    """``amounts`` are the 1-based columns holding yuan; ``totals`` the columns (amounts or counts) a
    合计 row below the data sums. Every text cell goes through :func:`spreadsheet_text`."""
    sheet = workbook.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [display_width(header) for header in headers]
    sums: dict[int, Decimal | int] = dict.fromkeys(totals or (), 0)
    count = 0
    for row in rows:
        sheet.append([_cell_value(value) for value in row])
        count += 1
        for index, value in enumerate(row):
            if index < len(widths):
                widths[index] = max(widths[index], display_width(value))
        for column in sums:
            value = row[column - 1] if column <= len(row) else None
            if isinstance(value, Decimal | int) and not isinstance(value, bool):
                sums[column] += value
    if totals is not None:
        sheet.append([TOTAL, *([None] * (len(headers) - 1))])
        for column, summed in sums.items():
            sheet.cell(row=count + 2, column=column, value=summed)
        for cell in sheet[count + 2]:
            cell.font = Font(bold=True)
    for column in amounts:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = AMOUNT_FORMAT
    for data_row in sheet.iter_rows(min_row=2, max_row=count + 1):
        for cell in data_row:
            if isinstance(cell.value, datetime):
                cell.number_format = MOMENT_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    for index, width in enumerate(widths, 1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = min(max(width + 2, 8), MAX_WIDTH)
        if width > MAX_WIDTH:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return sheet


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
