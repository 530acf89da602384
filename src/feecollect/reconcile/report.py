"""The finance reports as xlsx (openpyxl): the reconciliation of a date, and overdue notices
(办件预警) per department. Chinese headers, frozen header row, autofilter, amounts as numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from feecollect.bank.response_codes import exception_code
from feecollect.money import fen_to_decimal
from feecollect.reconcile.matching import EXCEPTION_CLASSES
from feecollect.reconcile.models import ReconciliationException
from feecollect.reconcile.wording import chinese_detail
from feecollect.wording import EXCEPTION_CLASS_NAMES, status_name
from feecollect.xlsx import DATE_FORMAT, add_sheet, new_workbook, workbook_bytes

CLASS_NAMES = EXCEPTION_CLASS_NAMES
EXCEPTION_HEADERS = (
    "编号",
    "业务日期",
    "金额（元）",
    "执收单位",
    "缴款码",
    "办件号",
    "对账单明细",
    "付款人",
    "付款账号",
    "摘要",
    "银行流水号",
    "说明",
    "状态",
    "处理人",
    "审核人",
    "处理说明",
)
STATEMENT_HEADERS = (
    "账号",
    "户名",
    "收入笔数",
    "收入金额（元）",
    "支出笔数",
    "支出金额（元）",
    "日终余额（元）",
)


def _yuan(fen: int) -> Decimal:
    return fen_to_decimal(fen)


def reconciliation_workbook(
    summary: dict[str, Any],
    exceptions: Sequence[ReconciliationException],
    *,
    statements: Sequence[tuple[str, str, int, int, int, int, int | None]] = (),
    serials: Mapping[int, str] | None = None,
    department_names: Mapping[str, str] | None = None,
    approvers: Mapping[str, str] | None = None,
) -> bytes:
    """``statements``: the day's statement per account (``day_totals``); ``serials``: the bank serial
    of each statement line an exception names; departments are shown by name."""
    serials = serials or {}
    approvers = approvers or {}
    names = department_names or {}
    workbook = new_workbook()
    by_class: dict[str, list[ReconciliationException]] = {name: [] for name in EXCEPTION_CLASSES}
    for exception in exceptions:
        by_class[exception.exception_class].append(exception)
    summary_rows = [
        (
            CLASS_NAMES[name],
            name,
            summary["exceptions"].get(name, 0),
            _yuan(sum(e.amount_fen for e in by_class[name])),
            exception_code(name) or "",
        )
        for name in EXCEPTION_CLASSES
    ]
    sheet = add_sheet(
        workbook,
        "汇总",
        ("异常类别", "类别代码", "笔数", "金额（元）", "国家对账代码"),
        summary_rows,
        {4},
        totals={3, 4},
    )
    sheet.append([])
    sheet.append(["对账日期", date.fromisoformat(summary["date"])])
    sheet.cell(row=sheet.max_row, column=2).number_format = DATE_FORMAT
    sheet.append(["已匹配到账笔数", summary["matched"]])
    add_sheet(
        workbook,
        "对账单",
        STATEMENT_HEADERS,
        (
            (no, name, credits, _yuan(credited), debits, _yuan(debited), None if bal is None else _yuan(bal))
            for no, name, credits, credited, debits, debited, bal in statements
        ),
        {4, 6, 7},
        totals={3, 4, 5, 6},
    )
    for name in EXCEPTION_CLASSES:
        add_sheet(
            workbook,
            CLASS_NAMES[name],
            EXCEPTION_HEADERS,
            (
                (
                    e.id,
                    e.business_date,
                    _yuan(e.amount_fen),
                    names.get(e.department_code, e.department_code) if e.department_code else "",
                    e.evidence.get("payment_code") or "",
                    e.evidence.get("case_no") or "",
                    e.evidence.get("statement_line") or "",
                    e.evidence.get("counterparty") or e.evidence.get("payer") or "",
                    e.evidence.get("counterparty_account") or "",
                    e.evidence.get("remark") or "",
                    serials.get(e.evidence.get("statement_line") or 0, ""),
                    chinese_detail(e.exception_class, e.evidence),
                    status_name(e.status),
                    e.resolved_by or "",
                    approvers.get(str(e.id), ""),
                    e.resolution or "",
                )
                for e in by_class[name]
            ),
            {3},
            totals={3},
        )
    return workbook_bytes(workbook)


OVERDUE_HEADERS = ("缴款码", "办件号", "缴款人", "金额（元）", "缴款期限", "逾期天数", "状态")


def overdue_workbook(rows: Sequence[tuple[Any, ...]], today: date, department_names: dict[str, str]) -> bytes:
    """Rows as from the repository's overdue query: one sheet per department."""
    workbook = new_workbook()
    by_department: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_department.setdefault(row[3], []).append(row)
    add_sheet(
        workbook,
        "汇总",
        ("执收单位", "单位代码", "逾期笔数", "逾期金额（元）"),
        (
            (department_names.get(d, d), d, len(items), _yuan(sum(r[1] for r in items)))
            for d, items in sorted(by_department.items())
        ),
        {4},
    )
    for department, items in sorted(by_department.items()):
        add_sheet(
            workbook,
            f"{department} {department_names.get(department, '')}"[:31],
            OVERDUE_HEADERS,
            (
                (
                    code,
                    case_no,
                    payer,
                    _yuan(amount),
                    due,
                    (today - due).days,
                    "已过期" if status == "expired" else "未缴",
                )
                for code, amount, due, _, payer, case_no, status in items
            ),
            {4},
        )
    return workbook_bytes(workbook)
