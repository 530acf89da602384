from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from feecollect.money import format_yuan
from feecollect.notices.models import Notice, NoticeLine
from feecollect.schedules.schemas import DepartmentOut


class LineReliefOut(BaseModel):
    flag: str
    name: str | None
    amount: str = Field(description="yuan the relief took off this line")
    basis: str


class NoticeLineOut(BaseModel):
    item: str
    name: str
    department: DepartmentOut
    quantity: str
    factor: str = Field(description='the share of the quantity charged ("1" when none)')
    rate: str | None
    amount: str
    basis: str
    version: int
    unit: str
    min: str | None
    max: str | None
    relief: LineReliefOut | None
    explanation: str

    @classmethod
    def of(cls, line: NoticeLine) -> NoticeLineOut:
        return cls(
            item=line.item_code,
            name=line.item_name,
            department=DepartmentOut(code=line.department_code, name=line.department_name),
            quantity=line.quantity,
            factor=line.factor,
            rate=line.rate,
            amount=format_yuan(line.amount_fen),
            basis=line.basis,
            version=line.item_version,
            unit=line.unit,
            min=line.lawful_min,
            max=line.lawful_max,
            relief=LineReliefOut(
                flag=line.relief_flag,
                name=line.relief_name,
                amount=format_yuan(line.relief_fen),
                basis=line.relief_basis or "",
            )
            if line.relief_flag
            else None,
            explanation=line.explanation,
        )


class BillRef(BaseModel):
    code: str
    number: str
    check_code: str


class PayerOut(BaseModel):
    name: str
    id_type: str
    id_no: str
    flags: list[str]


class NoticeOut(BaseModel):
    payment_code: str
    amount: str
    due_date: date
    status: str
    lines: list[NoticeLineOut]
    bill: BillRef | None = None  # the electronic fiscal bill, once issued (issue 5)
    case_no: str | None  # None for a project's bundle notice
    project_no: str | None = None
    department: str
    payer: PayerOut
    service_date: date
    issue_date: date
    issued_by: str
    issued_at: datetime
    closed_at: datetime | None
    void_reason: str | None

    @classmethod
    def of(cls, notice: Notice) -> NoticeOut:
        return cls(
            payment_code=notice.payment_code,
            amount=format_yuan(notice.amount_fen),
            due_date=notice.due_date,
            status=notice.status,
            lines=[NoticeLineOut.of(line) for line in notice.lines],
            case_no=notice.case.case_no if notice.case else None,
            project_no=notice.project.project_no if notice.project else None,
            department=notice.department_code,
            payer=PayerOut(
                name=notice.payer_name,
                id_type=notice.payer_id_type,
                id_no=notice.payer_id_no,
                flags=list(notice.payer_flags),
            ),
            service_date=notice.service_date,
            issue_date=notice.issue_date,
            issued_by=notice.issued_by,
            issued_at=notice.issued_at,
            closed_at=notice.closed_at,
            void_reason=notice.void_reason,
        )


class NoticeListOut(BaseModel):
    items: list[NoticeOut]
    limit: int
    offset: int


class VoidIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
