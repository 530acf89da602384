"""Treasury remittance (缴入国库): each department's revenue leaves the special account for the
treasury, one balanced transaction per department and date. What a department has had credited to its
revenue (case payments, and project money once split) and not yet remitted is still held on the special
account; remitting takes exactly that, so running it again for the same date moves nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.ledger import accounts, repository
from feecollect.ledger import service as ledger
from feecollect.money import format_yuan
from feecollect.proposals import service as proposals
from feecollect.proposals.models import Proposal
from feecollect.settings import Settings


@dataclass(frozen=True, slots=True)
class DepartmentRevenue:
    department: str
    revenue_fen: int  # credited to the department's revenue
    remitted_fen: int  # sent to the treasury

    @property
    def held_fen(self) -> int:
        """Still on the special account."""
        return self.revenue_fen - self.remitted_fen


def positions(session: Session, *, through: date | None = None) -> list[DepartmentRevenue]:
    revenue = repository.balances_by_prefix(session, accounts.REVENUE_PREFIX, through=through)
    remitted = repository.balances_by_prefix(session, accounts.TREASURY_PREFIX)
    return [
        DepartmentRevenue(department, -revenue.get(department, 0), remitted.get(department, 0))
        for department in sorted(revenue.keys() | remitted.keys())
    ]


def remit(session: Session, actor: Actor, on: date) -> list[tuple[str, int]]:
    """Remit every department's revenue of business dates up to ``on`` not remitted yet; returns what
    moved, per department."""
    moved = []
    for position in positions(session, through=on):
        if position.held_fen <= 0:
            continue
        # The reference names the revenue remitted up to: a second run finds nothing left, and a later
        # run after late revenue of the same date gets a reference of its own.
        ledger.post(
            session,
            kind="remittance",
            reference=f"{on}:{position.department}:{position.revenue_fen}",
            business_date=on,
            memo=f"缴入国库 {position.department} {on}",
            postings=[
                (accounts.treasury(position.department), position.held_fen),
                (accounts.SPECIAL, -position.held_fen),
            ],
        )
        moved.append((position.department, position.held_fen))
    if moved:
        record(
            session,
            actor,
            "ledger.remitted",
            "ledger",
            on.isoformat(),
            after={department: format_yuan(fen) for department, fen in moved},
        )
    return moved


def propose_remittance(
    session: Session, maker: Actor, on: date, would_move: list[tuple[str, int]]
) -> Proposal:
    """Remitting to the treasury moves money: a second finance user approves it (SPEC §16). The
    proposal states the sums the maker saw; the approval remits what is due then (a later payment
    settled in between is remitted too, and says so in the audit)."""
    shown = "，".join(f"{department} {format_yuan(fen)} 元" for department, fen in would_move)
    return proposals.propose(
        session,
        maker,
        "remit",
        on.isoformat(),
        f"截至 {on} 划缴国库：{shown}",
        {"date": on.isoformat(), "shown": {department: fen for department, fen in would_move}},
    )


def carry_out_remittance(
    session: Session, settings: Settings, proposal: Proposal, checker: Actor
) -> list[tuple[str, int]]:
    return remit(session, checker, date.fromisoformat(proposal.payload["date"]))
