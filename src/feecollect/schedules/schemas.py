from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

from feecollect.money import format_rate
from feecollect.schedules.types import Department, FeeItem


class DepartmentOut(BaseModel):
    code: str
    name: str

    @classmethod
    def of(cls, department: Department) -> DepartmentOut:
        return cls(code=department.code, name=department.name)


def optional_rate(value: Decimal | None) -> str | None:
    return None if value is None else format_rate(value)


class TierOut(BaseModel):
    up_to: str | None
    min: str
    max: str


class ReliefRuleOut(BaseModel):
    flag: str
    name: str
    percent: str
    basis: str
    payer_kind: str | None


class ScheduleItemOut(BaseModel):
    code: str
    name: str
    family: str
    department: DepartmentOut
    revenue_account: str
    basis: str
    pricing: str
    unit: str
    parameter: str | None
    min: str | None
    max: str | None
    scale: str | None
    quantity_factor: str
    floor: str | None
    cap: str | None
    tiers: list[TierOut]
    enterprise_related: bool
    effective_from: date
    effective_to: date | None
    cancelled_on: date | None
    cancellation_basis: str | None
    reliefs: list[ReliefRuleOut]
    project_types: list[str]
    version: int

    @classmethod
    def of(cls, item: FeeItem) -> ScheduleItemOut:
        return cls(
            code=item.code,
            name=item.name,
            family=item.family,
            department=DepartmentOut.of(item.department),
            revenue_account=item.revenue_account,
            basis=item.basis,
            pricing=item.pricing,
            unit=item.unit,
            parameter=item.parameter,
            min=optional_rate(item.rate.min if item.rate else None),
            max=optional_rate(item.rate.max if item.rate else None),
            scale=item.scale,
            quantity_factor=str(item.quantity_factor),
            floor=optional_rate(item.floor),
            cap=optional_rate(item.cap),
            tiers=[
                TierOut(
                    up_to=None if t.up_to is None else str(t.up_to),
                    min=format_rate(t.rate.min),
                    max=format_rate(t.rate.max),
                )
                for t in item.tiers
            ],
            enterprise_related=item.enterprise_related,
            effective_from=item.effective_from,
            effective_to=item.effective_to,
            cancelled_on=item.cancellation.on if item.cancellation else None,
            cancellation_basis=item.cancellation.basis if item.cancellation else None,
            reliefs=[
                ReliefRuleOut(
                    flag=r.flag, name=r.name, percent=str(r.percent), basis=r.basis, payer_kind=r.payer_kind
                )
                for r in item.reliefs
            ],
            project_types=list(item.project_types),
            version=item.version,
        )


class ScheduleListOut(BaseModel):
    items: list[ScheduleItemOut]


class VersionOut(BaseModel):
    version: int
    effective_from: date
    effective_to: date | None
    content_hash: str
    source_file: str
    loaded_at: datetime
    superseded_at: datetime | None
    item: ScheduleItemOut


class ItemHistoryOut(BaseModel):
    code: str
    versions: list[VersionOut]
