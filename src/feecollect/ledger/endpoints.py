from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from feecollect import invariants
from feecollect.api.auth import AuditReader
from feecollect.api.deps import CurrentCatalogue, DbSession
from feecollect.ledger import accounts, remittance
from feecollect.ledger import service as ledger
from feecollect.money import format_yuan

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


class BalanceOut(BaseModel):
    account: str
    name: str
    debit: str
    credit: str
    balance: str


class BalancesOut(BaseModel):
    accounts: list[BalanceOut]


class CheckOut(BaseModel):
    ok: bool
    problems: list[str]


@router.get(
    "/balances", response_model=BalancesOut, summary="Balance of every ledger account (debit − credit)"
)
def balances(_: AuditReader, session: DbSession, catalogue: CurrentCatalogue) -> BalancesOut:
    names = catalogue.department_names()
    return BalancesOut(
        accounts=[
            BalanceOut(
                account=b.account,
                name=accounts.display_name(b.account, names),
                debit=format_yuan(b.debit_fen),
                credit=format_yuan(b.credit_fen),
                balance=format_yuan(b.balance_fen),
            )
            for b in ledger.balances(session)
        ]
    )


@router.get("/check", response_model=CheckOut, summary="The ledger invariants of SPEC §12 (2, 3)")
def check(_: AuditReader, session: DbSession) -> CheckOut:
    found = invariants.problems(session)
    return CheckOut(ok=not found, problems=found)


class DepartmentRevenueOut(BaseModel):
    department: str
    name: str
    revenue: str
    remitted: str
    held: str


class DepartmentRevenuesOut(BaseModel):
    departments: list[DepartmentRevenueOut]


@router.get(
    "/departments",
    response_model=DepartmentRevenuesOut,
    summary="Department revenue: remitted to the treasury (国库) and still on the special account",
)
def department_revenues(
    _: AuditReader, session: DbSession, catalogue: CurrentCatalogue
) -> DepartmentRevenuesOut:
    names = catalogue.department_names()
    return DepartmentRevenuesOut(
        departments=[
            DepartmentRevenueOut(
                department=p.department,
                name=names.get(p.department, p.department),
                revenue=format_yuan(p.revenue_fen),
                remitted=format_yuan(p.remitted_fen),
                held=format_yuan(p.held_fen),
            )
            for p in remittance.positions(session)
        ]
    )
