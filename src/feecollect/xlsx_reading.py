"""Reading workbooks that people and banks send, within limits. Apart from :mod:`feecollect.xlsx` (the
workbooks we write): the modules that read are loaded by every CLI command, and openpyxl is loaded
only when a workbook comes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any


class WorkbookRefused(ValueError):
    """A workbook too big to read, told before or while reading (the message says which limit)."""


def first_sheet_rows(content: bytes, *, max_rows: int, max_unpacked: int) -> Iterator[tuple[Any, ...]]:
    """The cell values of the first sheet, row by row, streamed. An xlsx is a zip: a small file can
    unpack to gigabytes or hold a million empty rows, so the zip directory's sizes are checked before
    anything is unpacked (zipfile stops each member at its declared size), and reading stops at the
    row past ``max_rows``. Damaged files raise whatever openpyxl raises; the caller words it."""
    from openpyxl import load_workbook  # about 0.1 s: loaded when a workbook comes, not with the CLI

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > max_unpacked:
        raise WorkbookRefused(f"工作簿解压后为 {unpacked // 2**20} MiB，最多读取 {max_unpacked // 2**20} MiB")
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    # The sheet's stated dimension is the writer's claim; read-only openpyxl stops at it, and rows
    # below it would be lost without a word. Every row the sheet holds is read.
    sheet.reset_dimensions()
    try:
        for count, row in enumerate(sheet.iter_rows(values_only=True), 1):
            if count > max_rows:
                raise WorkbookRefused(f"工作表超过 {max_rows:,} 行")
            yield row
    finally:
        workbook.close()
