"""Reading the approval system's case export: CSV (UTF-8, UTF-8 with BOM, or GB18030) or XLSX.

One row per case item; the rows of one case repeat its case columns, which must agree. Headers may be
English (the API names) or Chinese. A file with any bad row is refused whole, naming row and column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from feecollect.cases.service import CaseData
from feecollect.errors import Unprocessable
from feecollect.xlsx_reading import WorkbookRefused, first_sheet_rows

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# A workbook is read no further than the row limit allows (with room for a title and blank rows above
# the header), and unpacks to no more than this.
MAX_SHEET_ROWS = MAX_ROWS + 100
MAX_UNPACKED = 100 * 1024 * 1024
COLUMNS: dict[str, tuple[str, ...]] = {
    "case_no": ("case_no", "办件编号", "办件号"),
    "window": ("window", "窗口", "受理窗口"),
    "department": ("department", "部门", "承办部门", "部门编码"),
    "service_date": ("service_date", "办理日期", "受理日期"),
    "applicant_name": ("applicant_name", "申请人", "申请人名称"),
    "id_type": ("id_type", "证件类型"),
    "id_no": ("id_no", "证件号码"),
    "flags": ("flags", "减免标识"),
    "item": ("item", "收费项目", "收费项目编码"),
    "quantity": ("quantity", "数量"),
}
REQUIRED = ("case_no", "window", "department", "service_date", "applicant_name", "id_type", "id_no", "item")
CASE_COLUMNS = ("window", "department", "service_date", "applicant_name", "id_type", "id_no", "flags")
ID_TYPE_NAMES = {
    "uscc": "uscc",
    "统一社会信用代码": "uscc",
    "ric": "ric",
    "居民身份证": "ric",
    "身份证": "ric",
}
_SPACES = re.compile(r"^[\s\u3000]+|[\s\u3000]+$")


@dataclass
class ParsedImport:
    cases: list[CaseData]
    rows_of: dict[str, list[int]]
    headers: dict[str, str] = field(default_factory=dict)  # canonical column -> header as written


class ImportRefused(Unprocessable):
    """Same code and shape as the service's refusal of a parsed file, so callers see one kind of error."""

    code = "invalid_import"

    def __init__(self, filename: str, problems: list[str]):
        super().__init__(
            f"{filename}: nothing imported: " + "; ".join(problems), extra={"problems": problems}
        )


def read_rows(filename: str, content: bytes) -> list[list[Any]]:
    if len(content) > MAX_BYTES:
        raise ImportRefused(filename, [f"the file is larger than {MAX_BYTES // 1024 // 1024} MB"])
    if content.startswith(b"PK\x03\x04"):
        try:
            return [
                list(row)
                for row in first_sheet_rows(content, max_rows=MAX_SHEET_ROWS, max_unpacked=MAX_UNPACKED)
            ]
        except WorkbookRefused as exc:
            raise ImportRefused(filename, [str(exc)]) from None
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise ImportRefused(filename, [f"not a readable XLSX workbook ({type(exc).__name__})"]) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused(filename, ["neither UTF-8 nor GB18030 text, nor an XLSX workbook"])
    if "\x00" in text:
        raise ImportRefused(filename, ["binary content: expected CSV text or an XLSX workbook"])
    return [row for row in csv.reader(io.StringIO(text))]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # what the spreadsheet shows for a typed 1200.5
    return _SPACES.sub("", str(value))


def _parse_date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date like 2026-11-22")


def parse_import(filename: str, content: bytes) -> ParsedImport:
    rows = read_rows(filename, content)
    start = next((n for n, row in enumerate(rows) if any(_cell_text(c) for c in row)), None)
    if start is None:
        raise ImportRefused(filename, ["the file is empty"])
    header = [_cell_text(c) for c in rows[start]]
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, name in enumerate(header):
        for canonical, aliases in COLUMNS.items():
            if name in aliases:
                positions[canonical], headers[canonical] = index, name
    missing = [f"{c} ({'/'.join(COLUMNS[c][1:2])})" for c in REQUIRED if c not in positions]
    if missing:
        raise ImportRefused(filename, [f"row {start + 1}: missing column(s) {', '.join(missing)}"])
    body = [
        (n + 1, row)
        for n, row in enumerate(rows[start + 1 :], start=start + 1)
        if any(_cell_text(c) for c in row)
    ]
    if not body:
        raise ImportRefused(filename, ["no case rows below the header"])
    if len(body) > MAX_ROWS:
        raise ImportRefused(filename, [f"{len(body)} rows; at most {MAX_ROWS} per file"])

    problems: list[str] = []
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for row_no, row in body:
        values = {c: _cell_text(row[i]) if i < len(row) else "" for c, i in positions.items()}
        for column in REQUIRED:
            if not values[column]:
                problems.append(f"row {row_no}, column {headers[column]}: empty")
        grouped.setdefault(values["case_no"], []).append((row_no, values))

    cases, rows_of = [], {}
    for case_no, entries in grouped.items():
        if not case_no:
            continue
        first_row, first = entries[0]
        for row_no, values in entries[1:]:
            for column in CASE_COLUMNS:
                if column in positions and values[column] != first[column]:
                    problems.append(
                        f"row {row_no}, column {headers[column]}: {values[column]!r} differs from "
                        f"{first[column]!r} in row {first_row} of case {case_no}"
                    )
        data = _case_data(case_no, first_row, entries, headers, problems)
        if data is not None:
            cases.append(data)
            rows_of[case_no] = [row_no for row_no, _ in entries]
    if problems:
        raise ImportRefused(filename, problems)
    return ParsedImport(cases, rows_of, headers)


def _case_data(
    case_no: str,
    first_row: int,
    entries: list[tuple[int, dict[str, str]]],
    headers: dict[str, str],
    problems: list[str],
) -> CaseData | None:
    first = entries[0][1]
    before = len(problems)
    try:
        service_date = _parse_date(first["service_date"])
    except ValueError as exc:
        problems.append(f"row {first_row}, column {headers['service_date']}: {exc}")
    id_type = ID_TYPE_NAMES.get(first["id_type"])
    if id_type is None and first["id_type"]:
        problems.append(
            f"row {first_row}, column {headers['id_type']}: {first['id_type']!r} is not one of "
            f"{', '.join(ID_TYPE_NAMES)}"
        )
    items: list[tuple[str, Decimal | None]] = []
    for row_no, values in entries:
        quantity: Decimal | None = None
        if values.get("quantity"):
            try:
                quantity = Decimal(values["quantity"].replace(",", ""))
            except InvalidOperation:
                problems.append(
                    f"row {row_no}, column {headers['quantity']}: {values['quantity']!r} is not a number"
                )
        items.append((values["item"], quantity))
    if len(problems) > before or id_type is None:
        return None
    flags = tuple(f for f in re.split(r"[;,；，\s]+", first.get("flags", "")) if f)
    return CaseData(
        case_no=case_no,
        window=first["window"],
        department=first["department"],
        service_date=service_date,
        applicant_name=first["applicant_name"],
        id_type=id_type,
        id_no=first["id_no"],
        flags=flags,
        items=tuple(items),
    )


def locate(parsed: ParsedImport, case_no: str, field: str) -> str:
    """Where in the file a case-level problem sits: ``row R, column C``."""
    rows = parsed.rows_of[case_no]
    item = re.fullmatch(r"items\[(\d+)\]", field)
    if item:
        return f"row {rows[int(item.group(1))]}, column {parsed.headers['item']}"
    column = {"applicant.name": "applicant_name", "applicant.id_no": "id_no", "payer.flags": "flags"}.get(
        field, field
    )
    label = parsed.headers.get(column, column)
    return f"row {rows[0]}, column {label}"
