"""What every workbook for finance staff and auditors has in common (openpyxl): a bold, frozen header
row with an autofilter, amounts stored as numbers in yuan with a thousands format."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

AMOUNT_FORMAT = "#,##0.00"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    return workbook


def add_sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], amounts: set[int]
) -> Worksheet:
    """``amounts`` are the 1-based columns holding yuan."""
    sheet = workbook.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        sheet.append(list(row))
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
