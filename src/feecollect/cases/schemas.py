from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from feecollect.billing.schemas import QuantityIn, parse_quantity
from feecollect.cases.models import Case
from feecollect.cases.service import CaseData
from feecollect.money import format_yuan


class ApplicantIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    id_type: Literal["uscc", "ric"]
    id_no: str = Field(min_length=1, max_length=40)


class CasePayerIn(BaseModel):
    flags: list[str] = Field(default_factory=list, max_length=20)


class CaseItemIn(BaseModel):
    item: str = Field(min_length=1, max_length=32)
    quantity: QuantityIn | None = None


class CaseIn(BaseModel):
    case_no: str = Field(min_length=1, max_length=64)
    window: str = Field(min_length=1, max_length=32)
    department: str = Field(min_length=1, max_length=16)
    service_date: date
    applicant: ApplicantIn
    payer: CasePayerIn = Field(default_factory=CasePayerIn)
    items: list[CaseItemIn] = Field(min_length=1, max_length=100)

    def data(self) -> CaseData:
        return CaseData(
            case_no=self.case_no,
            window=self.window,
            department=self.department,
            service_date=self.service_date,
            applicant_name=self.applicant.name,
            id_type=self.applicant.id_type,
            id_no=self.applicant.id_no,
            flags=tuple(self.payer.flags),
            items=tuple((i.item, parse_quantity(i.quantity)) for i in self.items),
        )


class ApplicantOut(BaseModel):
    name: str
    id_type: str
    id_no: str


class CaseItemOut(BaseModel):
    item: str
    quantity: str | None


class NoticeRef(BaseModel):
    payment_code: str
    status: str
    amount: str


class CaseOut(BaseModel):
    case_no: str
    window: str
    department: str
    service_date: date
    status: str
    applicant: ApplicantOut
    payer: CasePayerIn
    items: list[CaseItemOut]
    registered_by: str
    registered_at: datetime
    notices: list[NoticeRef] = []

    @classmethod
    def of(cls, case: Case, notices: list | None = None) -> CaseOut:  # type: ignore[type-arg]
        return cls(
            case_no=case.case_no,
            window=case.window,
            department=case.department_code,
            service_date=case.service_date,
            status=case.status,
            applicant=ApplicantOut(
                name=case.applicant_name, id_type=case.applicant_id_type, id_no=case.applicant_id_no
            ),
            payer=CasePayerIn(flags=list(case.payer_flags)),
            items=[CaseItemOut(item=i.item_code, quantity=i.quantity) for i in case.items],
            registered_by=case.registered_by,
            registered_at=case.registered_at,
            notices=[
                NoticeRef(payment_code=n.payment_code, status=n.status, amount=format_yuan(n.amount_fen))
                for n in notices or []
            ],
        )


class CaseListOut(BaseModel):
    items: list[CaseOut]
    limit: int
    offset: int


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ImportOut(BaseModel):
    created: list[str]
    unchanged: list[str]
