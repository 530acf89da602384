from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from feecollect.billing.schemas import QuantityIn, quantity_of
from feecollect.cases.schemas import CasePayerIn
from feecollect.money import format_yuan
from feecollect.notices.models import Notice
from feecollect.notices.schemas import NoticeOut
from feecollect.projects.declaration import Declaration
from feecollect.projects.models import Project, ProjectSettlement
from feecollect.projects.project_ledger import EVENT_NAMES, ProjectLedger
from feecollect.projects.settlement_core import Settlement
from feecollect.projects.summary import MonthRow
from feecollect.refunds.models import RefundOrder
from feecollect.refunds.schemas import RefundOrderOut
from feecollect.schedules.schemas import DepartmentOut
from feecollect.schedules.types import FeeItem


class DeveloperIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    uscc: str = Field(min_length=1, max_length=40)


class ProjectIn(BaseModel):
    """SPEC §13; ``payer.flags`` (reliefs such as ``affordable_housing``) as on a case."""

    project_no: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    developer: DeveloperIn
    division: str = Field(min_length=1, max_length=12)
    project_type: str = Field(min_length=1, max_length=16)
    params: dict[str, QuantityIn] = Field(max_length=50)
    payer: CasePayerIn = Field(default_factory=CasePayerIn)

    def declaration(self, on: date) -> Declaration:
        return Declaration(
            project_no=self.project_no,
            name=self.name,
            developer_name=self.developer.name,
            developer_uscc=self.developer.uscc,
            division=self.division,
            project_type=self.project_type,
            params=tuple((name, quantity_of(value)) for name, value in self.params.items()),
            flags=frozenset(self.payer.flags),
            declared_on=on,
        )


class ProjectFeeOut(BaseModel):
    item: str
    name: str
    department: DepartmentOut
    parameter: str | None
    quantity: str | None


class ProjectOut(BaseModel):
    project_no: str
    name: str
    developer: DeveloperIn
    division: str
    project_type: str
    params: dict[str, str]
    payer: CasePayerIn
    declared_on: date
    status: str
    declared_by: str
    declared_at: datetime
    fees: list[ProjectFeeOut]

    @classmethod
    def of(cls, project: Project, fees: Sequence[tuple[FeeItem, object]]) -> ProjectOut:
        return cls(
            project_no=project.project_no,
            name=project.name,
            developer=DeveloperIn(name=project.developer_name, uscc=project.developer_uscc),
            division=project.division,
            project_type=project.project_type,
            params=project.declared_params,
            payer=CasePayerIn(flags=project.payer_flags),
            declared_on=project.declared_on,
            status=project.status,
            declared_by=project.declared_by,
            declared_at=project.declared_at,
            fees=[
                ProjectFeeOut(
                    item=item.code,
                    name=item.name,
                    department=DepartmentOut.of(item.department),
                    parameter=item.parameter,
                    quantity=None if quantity is None else str(quantity),
                )
                for item, quantity in fees
            ],
        )


class ProjectListOut(BaseModel):
    items: list[ProjectOut]
    limit: int
    offset: int


class SettlementIn(BaseModel):
    """The actual parameters at completion: the same parameters the declaration gave."""

    params: dict[str, QuantityIn] = Field(max_length=50)

    def actual(self) -> dict[str, Decimal]:
        return {name: quantity_of(value) for name, value in self.params.items()}


class SettledFeeOut(BaseModel):
    item: str
    department: str
    collected: str
    final: str
    top_up: str
    refund: str


class AllocationOut(BaseModel):
    department: str
    amount: str


class SettlementOut(BaseModel):
    """SPEC §13: ``final_amount``, ``difference`` (final − collected), ``top_up_notice``, ``refund_order``;
    with the fees and the split that follows once the money has moved (``status`` ``split``)."""

    project_no: str
    status: str
    collected_amount: str
    final_amount: str
    difference: str
    top_up_notice: NoticeOut | None
    refund_order: RefundOrderOut | None
    fees: list[SettledFeeOut]
    allocations: list[AllocationOut]
    params: dict[str, str]
    settled_by: str
    settled_at: datetime
    split_at: datetime | None

    @classmethod
    def of(
        cls,
        project: Project,
        settlement: ProjectSettlement,
        top_up: Notice | None,
        refund: RefundOrder | None,
    ) -> SettlementOut:
        arithmetic = Settlement.of_stored(settlement.fees)
        return cls(
            project_no=project.project_no,
            status=settlement.status,
            collected_amount=format_yuan(arithmetic.collected_fen),
            final_amount=format_yuan(arithmetic.final_fen),
            difference=format_yuan(arithmetic.difference_fen),
            top_up_notice=NoticeOut.of(top_up) if top_up else None,
            refund_order=RefundOrderOut.of(refund) if refund else None,
            fees=[
                SettledFeeOut(
                    item=fee.item,
                    department=fee.department,
                    collected=format_yuan(fee.collected_fen),
                    final=format_yuan(fee.final_fen),
                    top_up=format_yuan(fee.top_up_fen),
                    refund=format_yuan(fee.refund_fen),
                )
                for fee in arithmetic.fees
            ],
            allocations=[
                AllocationOut(department=department, amount=format_yuan(fen))
                for department, fen in arithmetic.allocations().items()
            ],
            params=settlement.actual_params,
            settled_by=settlement.settled_by,
            settled_at=settlement.settled_at,
            split_at=settlement.split_at,
        )


class EvidenceOut(BaseModel):
    kind: str
    ref: str
    url: str | None


class LedgerRowOut(BaseModel):
    at: datetime
    event: str
    event_name: str
    actor: str
    department: str | None
    amount: str | None
    held: str | None
    settled: str | None
    evidence: list[EvidenceOut]
    note: str


class PositionOut(BaseModel):
    department: str
    name: str
    collected: str
    refunded: str
    held: str
    settled: str


class ProjectLedgerOut(BaseModel):
    """Each department's money in the project is ``held`` (pre-collected, awaiting settlement) or
    ``settled`` (split to its revenue); the rows give the balances after each event."""

    project_no: str
    name: str
    developer: DeveloperIn
    status: str
    collected: str
    refunded: str
    held: str
    settled: str
    departments: list[PositionOut]
    events: list[LedgerRowOut]

    @classmethod
    def of(cls, ledger: ProjectLedger, names: dict[str, str]) -> ProjectLedgerOut:
        project = ledger.project

        def yuan(fen: int | None) -> str | None:
            return None if fen is None else format_yuan(fen)

        return cls(
            project_no=project.project_no,
            name=project.name,
            developer=DeveloperIn(name=project.developer_name, uscc=project.developer_uscc),
            status=project.status,
            collected=format_yuan(ledger.collected_fen),
            refunded=format_yuan(ledger.refunded_fen),
            held=format_yuan(ledger.held_fen),
            settled=format_yuan(ledger.settled_fen),
            departments=[
                PositionOut(
                    department=p.department,
                    name=names.get(p.department, p.department),
                    collected=format_yuan(p.collected_fen),
                    refunded=format_yuan(p.refunded_fen),
                    held=format_yuan(p.held_fen),
                    settled=format_yuan(p.settled_fen),
                )
                for p in ledger.positions
            ],
            events=[
                LedgerRowOut(
                    at=row.at,
                    event=row.event,
                    event_name=EVENT_NAMES.get(row.event, row.event),
                    actor=row.actor,
                    department=row.department,
                    amount=yuan(row.amount_fen),
                    held=yuan(row.held_fen),
                    settled=yuan(row.settled_fen),
                    evidence=[EvidenceOut(kind=e.kind, ref=e.ref, url=e.url) for e in row.evidence],
                    note=row.note,
                )
                for row in ledger.rows
            ],
        )


class SummaryRowOut(BaseModel):
    department: str
    name: str
    month: str
    collected: str
    refunded: str
    settled: str


class ProjectsSummaryOut(BaseModel):
    """Per department and month: paid in by one-form projects, refunded to developers, split to revenue."""

    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    rows: list[SummaryRowOut]
    collected: str
    refunded: str
    settled: str

    @classmethod
    def of(cls, start: date, end: date, rows: list[MonthRow], names: dict[str, str]) -> ProjectsSummaryOut:
        return cls(
            start=start,
            end=end,
            rows=[
                SummaryRowOut(
                    department=r.department,
                    name=names.get(r.department, r.department),
                    month=r.month,
                    collected=format_yuan(r.collected_fen),
                    refunded=format_yuan(r.refunded_fen),
                    settled=format_yuan(r.settled_fen),
                )
                for r in rows
            ],
            collected=format_yuan(sum(r.collected_fen for r in rows)),
            refunded=format_yuan(sum(r.refunded_fen for r in rows)),
            settled=format_yuan(sum(r.settled_fen for r in rows)),
        )
