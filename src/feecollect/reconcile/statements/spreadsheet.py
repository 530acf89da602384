"""Bank exports as spreadsheets: XLSX through openpyxl, legacy XLS through xlrd. Cells become the
same text a CSV export holds, then go through the bank profiles like any CSV."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from feecollect.reconcile.statements.csv_profiles import read_rows
from feecollect.reconcile.statements.types import TOO_LARGE, Statement, StatementError
from feecollect.xlsx_reading import WorkbookRefused, first_sheet_rows

XLSX_MAGIC = b"PK\x03\x04"
# Excel's own sheet limit; and a statement workbook unpacks to no more than this.
MAX_SHEET_ROWS = 1_048_576
MAX_UNPACKED = 2 * 1024 * 1024 * 1024
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: legacy Excel


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        # Excel stores numbers as binary floats; repr gives the shortest text that reads back the same,
        # which is the decimal a person typed (2176.91), never 2176.9099999.
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def read_xlsx(source: str, content: bytes) -> Statement:
    try:
        rows = [
            [_cell_text(value) for value in row]
            for row in first_sheet_rows(content, max_rows=MAX_SHEET_ROWS, max_unpacked=MAX_UNPACKED)
        ]
    except WorkbookRefused as exc:
        raise StatementError(source, None, None, str(exc), code=TOO_LARGE) from None
    except Exception as exc:  # openpyxl raises whatever its XML and zip layers raise on a damaged file
        raise StatementError(source, None, None, f"XLSX 工作簿无法读取（{exc}）") from None
    return read_rows(source, rows, "xlsx")


def read_xls(source: str, content: bytes) -> Statement:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=content)
    except Exception as exc:  # xlrd raises assorted errors (CompDocError, struct.error…) on damaged files
        raise StatementError(source, None, None, f"XLS 工作簿无法读取（{exc}）") from None
    sheet = book.sheet_by_index(0)
    rows = []
    for index in range(sheet.nrows):
        cells = []
        for cell in sheet.row(index):
            if cell.ctype == xlrd.XL_CELL_DATE:
                cells.append(_cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
            else:
                cells.append(_cell_text(cell.value))
        rows.append(cells)
    return read_rows(source, rows, "xls")
