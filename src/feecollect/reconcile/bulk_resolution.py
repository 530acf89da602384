"""Exceptions worked in bulk through a workbook (SPEC §16): finance downloads the open exceptions with
their evidence and an empty 处理意见 column, writes a resolution beside each one it has settled, and
uploads the workbook back. Each filled row becomes a proposal, approved by a second finance user like
any other. A dry run reports what would change and writes nothing.

What comes back is untrusted: only the 编号 and 处理意见 columns are read, an id must name an open
exception, a resolution is plain text of at most 500 characters (a formula is kept as the text it is
and never evaluated), and each refusal names its row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor
from feecollect.errors import Unprocessable
from feecollect.money import fen_to_decimal
from feecollect.proposals import service as proposals
from feecollect.reconcile import findings_repository as repository
from feecollect.reconcile.ageing import bucket
from feecollect.reconcile.models import ExceptionStatus, ReconciliationException
from feecollect.reconcile.wording import chinese_detail
from feecollect.wording import exception_class_name
from feecollect.xlsx import add_sheet, new_workbook, workbook_bytes
from feecollect.xlsx_reading import WorkbookRefused, first_sheet_rows

SHEET = "待处理异常"
HEADERS = (
    "编号",
    "类别",
    "业务日期",
    "账龄（天）",
    "金额（元）",
    "执收单位",
    "缴款码",
    "办件号",
    "付款人",
    "付款账号",
    "摘要",
    "说明",
    "经办",
    "处理意见",
)
ID_COLUMN, RESOLUTION_COLUMN = HEADERS.index("编号"), HEADERS.index("处理意见")
MAX_ROWS = 100_000
MAX_UPLOAD = 64 * 2**20
MAX_UNPACKED = 256 * 2**20
MAX_RESOLUTION = 500
RESOLVE = "resolve_exception"


def open_exceptions_workbook(
    exceptions: Sequence[ReconciliationException], today: date, department_names: dict[str, str]
) -> bytes:
    workbook = new_workbook()
    add_sheet(
        workbook,
        SHEET,
        HEADERS,
        (
            (
                e.id,
                exception_class_name(e.exception_class),
                e.business_date,
                max(0, (today - e.business_date).days),
                fen_to_decimal(e.amount_fen),
                department_names.get(e.department_code, e.department_code) if e.department_code else "",
                e.evidence.get("payment_code") or "",
                e.evidence.get("case_no") or "",
                e.evidence.get("counterparty") or e.evidence.get("payer") or "",
                e.evidence.get("counterparty_account") or "",
                e.evidence.get("remark") or "",
                chinese_detail(e.exception_class, e.evidence),
                e.assigned_to or "",
                "",
            )
            for e in exceptions
        ),
        {HEADERS.index("金额（元）") + 1},
    )
    return workbook_bytes(workbook)


def open_exceptions_file(
    session: Session, today: date, department_names: dict[str, str]
) -> tuple[str, bytes]:
    """(file name, workbook) of every open exception, as the API and the finance page hand it out."""
    _, found = repository.exceptions(session, status=ExceptionStatus.OPEN)
    return f"待处理异常-{today}.xlsx", open_exceptions_workbook(found, today, department_names)


@dataclass
class BulkOutcome:
    proposals: int = 0
    unchanged: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    by_bucket: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"proposals": self.proposals, "unchanged": self.unchanged, "problems": self.problems}


def upload(session: Session, maker: Actor, content: bytes, *, today: date) -> BulkOutcome:
    """Propose a resolution for every filled row. A dry run does the same work, so its counts are
    the real run's, and its caller rolls the transaction back: nothing it did is kept."""
    try:
        rows = first_sheet_rows(content, max_rows=MAX_ROWS + 1, max_unpacked=MAX_UNPACKED)
        header = next(rows, None)
        if header is None or tuple(str(c or "").strip() for c in header[: len(HEADERS)]) != HEADERS:
            raise Unprocessable(
                f"工作簿第 1 行应为下载的表头（{'、'.join(HEADERS)}）", code="invalid_workbook"
            )
        wanted: list[tuple[int, int, str]] = []
        outcome = BulkOutcome()
        seen: set[int] = set()
        for number, row in enumerate(rows, start=2):
            cells = list(row) + [None] * len(HEADERS)
            raw_id, raw_resolution = cells[ID_COLUMN], cells[RESOLUTION_COLUMN]
            resolution = "" if raw_resolution is None else " ".join(str(raw_resolution).split())
            if raw_id is None and not resolution:
                continue  # a blank row
            exception_id = _row_id(raw_id)
            if exception_id is None:
                outcome.problems.append(
                    {"row": number, "detail": f"编号 {str(raw_id)[:40]!r} 不是对账异常编号"}
                )
                continue
            if exception_id in seen:
                outcome.problems.append({"row": number, "detail": f"编号 {exception_id} 在工作簿中重复出现"})
                continue
            seen.add(exception_id)
            if not resolution:
                outcome.unchanged += 1
                continue
            if len(resolution) > MAX_RESOLUTION:
                outcome.problems.append({"row": number, "detail": f"处理意见超过 {MAX_RESOLUTION} 个字"})
                continue
            wanted.append((number, exception_id, resolution))
    except WorkbookRefused as exc:
        raise Unprocessable(str(exc), code="invalid_workbook") from None
    except (ValueError, KeyError, OSError) as exc:  # not a workbook openpyxl can read
        raise Unprocessable(
            f"不是可读取的 xlsx 工作簿：{type(exc).__name__}", code="invalid_workbook"
        ) from None
    found = repository.exceptions_by_ids(session, [exception_id for _, exception_id, _ in wanted])
    waiting = proposals.open_objects(session, RESOLVE, [str(exception_id) for _, exception_id, _ in wanted])
    accepted: list[tuple[str, str]] = []
    for number, exception_id, resolution in wanted:
        exception = found.get(exception_id)
        if exception is None:
            outcome.problems.append({"row": number, "detail": f"没有编号为 {exception_id} 的对账异常"})
        elif exception.status != ExceptionStatus.OPEN:
            outcome.problems.append({"row": number, "detail": f"对账异常 {exception_id} 已处理"})
        elif str(exception_id) in waiting:
            outcome.problems.append(
                {"row": number, "detail": f"对账异常 {exception_id} 已有待审核的处理提议"}
            )
        else:
            accepted.append((str(exception_id), resolution))
            age = bucket(max(0, (today - exception.business_date).days))
            outcome.by_bucket[age] = outcome.by_bucket.get(age, 0) + 1
    proposals.propose_many(session, maker, RESOLVE, accepted)
    outcome.proposals = len(accepted)
    outcome.problems.sort(key=lambda problem: problem["row"])
    return outcome


def _row_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    return None
