from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from feecollect.bank.response_codes import exception_code
from feecollect.money import format_yuan
from feecollect.reconcile.ageing import bucket
from feecollect.reconcile.models import ReconciliationException


class ExceptionOut(BaseModel):
    id: int
    exception_class: str = Field(serialization_alias="class")
    national_code: str | None = Field(
        description="the national class of SPEC §15: 15001 amount differs, 15002 sent but not on the "
        "statement, 15003 on the statement but never sent; null for the centre's own classes"
    )
    status: str
    business_date: date
    age_days: int
    age_bucket: str = Field(description="0-2, 3-6, 7-29 or 30+ days since the business date")
    assigned_to: str | None
    amount: str
    department: str | None
    detail: str
    evidence: dict[str, Any]
    links: dict[str, str]
    first_run_date: date
    last_run_date: date
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None

    @classmethod
    def of(cls, exception: ReconciliationException, today: date | None = None) -> ExceptionOut:
        evidence = exception.evidence
        links = {}
        if evidence.get("payment_code"):
            links["notice"] = f"/api/v1/notices/{evidence['payment_code']}"
        if evidence.get("case_no"):
            links["case"] = f"/api/v1/cases/{evidence['case_no']}"
        if evidence.get("statement_line"):
            links["statement_line"] = f"/api/v1/statement-lines/{evidence['statement_line']}"
        if evidence.get("suggested_notice"):
            links["suggested_notice"] = f"/api/v1/notices/{evidence['suggested_notice']}"
        return cls(
            id=exception.id,
            exception_class=exception.exception_class,
            national_code=exception_code(exception.exception_class),
            status=exception.status,
            business_date=exception.business_date,
            age_days=(age := max(0, ((today or exception.last_run_date) - exception.business_date).days)),
            age_bucket=bucket(age),
            assigned_to=exception.assigned_to,
            amount=format_yuan(exception.amount_fen),
            department=exception.department_code,
            detail=exception.detail,
            evidence=evidence,
            links=links,
            first_run_date=exception.first_run_date,
            last_run_date=exception.last_run_date,
            resolved_by=exception.resolved_by,
            resolved_at=exception.resolved_at,
            resolution=exception.resolution,
        )


class ExceptionPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[ExceptionOut]


class MatchIn(BaseModel):
    payment_code: str = Field(min_length=20, max_length=20, pattern=r"^\d{20}$")
    reason: str = Field(min_length=1, max_length=500)


class ReturnIn(BaseModel):
    bank_code: str = Field(min_length=1, max_length=16, description="the bank that pays the money back")
    reason: str = Field(min_length=1, max_length=500)


class AssignIn(BaseModel):
    user: str = Field(min_length=1, max_length=64)


class ResolveIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class RunIn(BaseModel):
    date: date


class StatementLineOut(BaseModel):
    id: int
    account: str
    booked_on: date
    booked_at: str | None
    amount: str
    currency: str
    counterparty_name: str
    counterparty_account: str
    remark: str
    serial: str
    payment_code: str | None
    source: str
    line_no: int
