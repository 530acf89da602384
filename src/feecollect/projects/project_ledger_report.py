"""The auditors' workbooks: a project's ledger (a summary per department with totals, every event, one
sheet per department with its running balances) and the cross-project summary by department and month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from feecollect.audit.actors import actor_names
from feecollect.money import fen_to_decimal
from feecollect.projects import project_ledger
from feecollect.projects import service as projects
from feecollect.projects.project_ledger import EVENT_NAMES, ProjectLedger, Row
from feecollect.projects.summary import MonthRow
from feecollect.wording import EVIDENCE_KINDS, actor_display, local_naive
from feecollect.xlsx import add_sheet, new_workbook, workbook_bytes

SUMMARY_HEADERS = (
    "部门代码",
    "部门名称",
    "预收金额（元）",
    "退付金额（元）",
    "待分割余额（元）",
    "已分割入收入（元）",
)
EVENT_HEADERS = (
    "时间",
    "事项",
    "部门",
    "金额（元）",
    "预收余额（元）",
    "已分割余额（元）",
    "经办",
    "凭证",
    "说明",
)
TOTAL = "合计"
SUMMARY_BY_MONTH_HEADERS = (
    "部门代码",
    "部门名称",
    "月份",
    "一表制收款（元）",
    "退付（元）",
    "已分割入收入（元）",
)


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else fen_to_decimal(fen)


def _event_row(row: Row, zone: ZoneInfo, names: dict[str, str], actors: dict[str, str]) -> tuple[object, ...]:
    return (
        local_naive(row.at, zone),
        EVENT_NAMES.get(row.event, row.event),
        names.get(row.department, row.department) if row.department else "",
        _yuan(row.amount_fen),
        _yuan(row.held_fen),
        _yuan(row.settled_fen),
        actor_display(row.actor, actors),
        "；".join(f"{EVIDENCE_KINDS.get(e.kind, e.kind)} {e.ref}" for e in row.evidence),
        row.note,
    )


def ledger_workbook(
    ledger: ProjectLedger, names: dict[str, str], zone: ZoneInfo, actors: dict[str, str] | None = None
) -> bytes:
    """``names``: departments'; ``actors``: who acted, by the names people know (users, banks)."""
    actors = actors or {}
    workbook = new_workbook()
    positions = ledger.positions
    summary = [
        (
            p.department,
            names.get(p.department, p.department),
            _yuan(p.collected_fen),
            _yuan(p.refunded_fen),
            _yuan(p.held_fen),
            _yuan(p.settled_fen),
        )
        for p in positions
    ]
    summary.append(
        (
            TOTAL,
            ledger.project.project_no,
            _yuan(ledger.collected_fen),
            _yuan(ledger.refunded_fen),
            _yuan(ledger.held_fen),
            _yuan(ledger.settled_fen),
        )
    )
    add_sheet(workbook, "汇总", SUMMARY_HEADERS, summary, {3, 4, 5, 6})
    sheets = [("全部事件", ledger.rows)] + [
        (
            f"{p.department} {names.get(p.department, '')}".strip()[:31],
            [r for r in ledger.rows if r.department == p.department],
        )
        for p in positions
    ]
    for title, rows in sheets:
        events = (_event_row(r, zone, names, actors) for r in rows)
        add_sheet(workbook, title, EVENT_HEADERS, events, {4, 5, 6})
    return workbook_bytes(workbook)


def summary_workbook(rows: list[MonthRow], names: dict[str, str], start: date, end: date) -> bytes:
    workbook = new_workbook()
    body = [
        (
            r.department,
            names.get(r.department, r.department),
            r.month,
            *map(_yuan, (r.collected_fen, r.refunded_fen, r.settled_fen)),
        )
        for r in rows
    ]
    total = (
        TOTAL,
        f"{start} 至 {end}",
        "",
        *(_yuan(sum(getattr(r, f) for r in rows)) for f in ("collected_fen", "refunded_fen", "settled_fen")),
    )
    add_sheet(workbook, "按部门按月汇总", SUMMARY_BY_MONTH_HEADERS, [*body, total], {4, 5, 6})
    return workbook_bytes(workbook)


def project_ledger_file(
    session: Session, project_no: str, department_names: dict[str, str], zone: ZoneInfo
) -> tuple[str, bytes]:
    """(file name, workbook) of a project's auditors' ledger."""
    ledger = project_ledger.project_ledger(session, projects.get(session, project_no))
    workbook = ledger_workbook(ledger, department_names, zone, actor_names(session))
    return f"项目台账-{ledger.project.project_no}.xlsx", workbook
