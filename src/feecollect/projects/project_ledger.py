"""The auditors' ledger of a project (SPEC §8): every event, from declaration to the split, with its
evidence and each department's running balances.

A department's money in a project is in one of two places: *held* (pre-collected on the special account,
waiting for settlement) or *settled* (split to the department's revenue). Payments add to held, an
approved refund takes from held, the split moves held to settled. :func:`build` is pure: it orders the
facts and keeps the balances; :func:`facts_of` reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from feecollect.einvoices import repository as bills_repository
from feecollect.ledger import repository as ledger_repository
from feecollect.money import parse_yuan
from feecollect.notices import repository as notices_repository
from feecollect.notices.status import NoticeStatus
from feecollect.payments import repository as payments_repository
from feecollect.projects import repository
from feecollect.projects.models import Project, SettlementStatus
from feecollect.projects.settlement_core import Settlement
from feecollect.reconcile import repository as reconcile_repository
from feecollect.refunds import repository as refunds_repository
from feecollect.refunds.models import RefundStatus
from feecollect.wording import parameter_name

EVENT_NAMES = {
    "declared": "项目申报",
    "noticed": "开具一表制缴款通知书",
    "top_up_noticed": "开具决算补缴通知书",
    "voided": "缴款通知书作废",
    "expired": "缴款通知书逾期",
    "paid": "缴款入财政专户",
    "billed": "开具财政电子票据",
    "bill_reversed": "票据冲红",
    "rebilled": "退付后换开票据",
    "settled": "办结决算",
    "refund_approved": "退付审批（转应退款项）",
    "refunded": "银行退付",
    "split": "分割入部门收入",
}
BILL_EVENTS = {"normal": "billed", "reversal": "bill_reversed", "replacement": "rebilled"}


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str  # project, notice, payment, statement_line, bill, settlement, refund, ledger_transaction
    ref: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Movement:
    """A change to one department's money in the project, in fen."""

    department: str
    held_fen: int = 0
    settled_fen: int = 0


@dataclass(frozen=True, slots=True)
class Fact:
    at: datetime
    event: str
    actor: str
    amount_fen: int | None
    evidence: tuple[Evidence, ...]
    movements: tuple[Movement, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the ledger: a project-wide event (``department`` None), or one department's share of
    an event that moves money, with that department's balances after it."""

    at: datetime
    event: str
    actor: str
    department: str | None
    amount_fen: int | None
    held_fen: int | None
    settled_fen: int | None
    evidence: tuple[Evidence, ...]
    note: str


@dataclass(slots=True)
class Position:
    department: str
    collected_fen: int = 0
    refunded_fen: int = 0
    held_fen: int = 0
    settled_fen: int = 0


@dataclass(frozen=True)
class ProjectLedger:
    project: Project
    rows: tuple[Row, ...]
    positions: tuple[Position, ...]

    @property
    def collected_fen(self) -> int:
        return sum(p.collected_fen for p in self.positions)

    @property
    def refunded_fen(self) -> int:
        return sum(p.refunded_fen for p in self.positions)

    @property
    def held_fen(self) -> int:
        return sum(p.held_fen for p in self.positions)

    @property
    def settled_fen(self) -> int:
        return sum(p.settled_fen for p in self.positions)


def build(project: Project, facts: Iterable[Fact]) -> ProjectLedger:
    """Facts in time order (the order given breaks ties), each money movement with running balances.

    >>> from datetime import UTC
    >>> t = datetime(2026, 11, 1, tzinfo=UTC)
    >>> paid = Fact(t, "paid", "bank", 300, (), (Movement("D1", 100), Movement("D2", 200)))
    >>> split = Fact(t, "split", "system", 300, (), (Movement("D1", -100, 100), Movement("D2", -200, 200)))
    >>> ledger = build(None, [paid, split])
    >>> [(r.event, r.department, r.held_fen, r.settled_fen) for r in ledger.rows]
    [('paid', 'D1', 100, 0), ('paid', 'D2', 200, 0), ('split', 'D1', 0, 100), ('split', 'D2', 0, 200)]
    """
    positions: dict[str, Position] = {}
    rows: list[Row] = []
    for fact in sorted(facts, key=lambda f: f.at):
        if not fact.movements:
            rows.append(
                Row(
                    fact.at,
                    fact.event,
                    fact.actor,
                    None,
                    fact.amount_fen,
                    None,
                    None,
                    fact.evidence,
                    fact.note,
                )
            )
        for move in fact.movements:
            position = positions.setdefault(move.department, Position(move.department))
            position.held_fen += move.held_fen
            position.settled_fen += move.settled_fen
            if fact.event == "paid":
                position.collected_fen += move.held_fen
            elif fact.event == "refund_approved":
                position.refunded_fen -= move.held_fen
            rows.append(
                Row(
                    fact.at,
                    fact.event,
                    fact.actor,
                    move.department,
                    move.held_fen or move.settled_fen,
                    position.held_fen,
                    position.settled_fen,
                    fact.evidence,
                    fact.note,
                )
            )
    return ProjectLedger(project, tuple(rows), tuple(positions[d] for d in sorted(positions)))


def parameters_text(params: dict[str, str]) -> str:
    """Declared or actual parameters as people read them: 建筑面积 12000.50；用地面积 20000."""
    return "；".join(f"{parameter_name(name)} {value}" for name, value in sorted(params.items()))


def facts_of(session: Session, project: Project) -> list[Fact]:
    facts = [
        Fact(
            project.declared_at,
            "declared",
            project.declared_by,
            None,
            (Evidence("project", project.project_no, f"/api/v1/projects/{project.project_no}"),),
            note=parameters_text(project.declared_params),
        )
    ]
    settlement = repository.settlement_of(session, project.id)
    notices = list(notices_repository.of_project(session, project.id))
    by_id = {notice.id: notice for notice in notices}
    for notice in notices:
        top_up = settlement is not None and notice.id == settlement.top_up_notice_id
        evidence = (Evidence("notice", notice.payment_code, f"/api/v1/notices/{notice.payment_code}"),)
        facts.append(
            Fact(
                notice.issued_at,
                "top_up_noticed" if top_up else "noticed",
                notice.issued_by,
                notice.amount_fen,
                evidence,
            )
        )
        if notice.status in (NoticeStatus.VOIDED, NoticeStatus.EXPIRED) and notice.closed_at is not None:
            facts.append(
                Fact(
                    notice.closed_at,
                    notice.status,
                    notice.voided_by or "system",
                    None,
                    evidence,
                    note=notice.void_reason or "",
                )
            )
    payments = payments_repository.of_notices(session, list(by_id))
    credits = reconcile_repository.special_credits_of_codes(session, {p.payment_code for p in payments})
    for payment in payments:
        notice = by_id[payment.notice_id]
        shares: dict[str, int] = {}
        for line in notice.lines:
            shares[line.department_code] = shares.get(line.department_code, 0) + line.amount_fen
        proofs = [
            Evidence("notice", notice.payment_code, f"/api/v1/notices/{notice.payment_code}"),
            Evidence("payment", f"{payment.bank_code} {payment.bank_txn_id}"),
        ]
        proofs += [
            Evidence(
                "statement_line",
                f"{line.booked_on} {line.serial}".strip(),
                f"/api/v1/statement-lines/{line.line_id}",
            )
            for line in credits
            if line.payment_code == payment.payment_code and line.amount_fen == payment.amount_fen
        ]
        facts.append(
            Fact(
                payment.paid_at,
                "paid",
                f"bank:{payment.bank_code}",
                payment.amount_fen,
                tuple(proofs),
                tuple(Movement(department, fen) for department, fen in sorted(shares.items()) if fen),
            )
        )
    for bill in bills_repository.of_notices(session, list(by_id)):
        main = bill.content["Main"]
        facts.append(
            Fact(
                bill.issued_at,
                BILL_EVENTS.get(bill.kind, bill.kind),
                main.get("HandlingPerson", ""),
                parse_yuan(main["TotalAmount"]),
                (
                    Evidence(
                        "bill",
                        f"{bill.bill_code}/{bill.number} 校验码 {bill.check_code}",
                        f"/api/v1/bills/{bill.bill_code}/{bill.number}",
                    ),
                ),
                note=main.get("Remark", ""),
            )
        )
    if settlement is None:
        return facts
    arithmetic = Settlement.of_stored(settlement.fees)
    settlement_evidence = Evidence(
        "settlement", project.project_no, f"/api/v1/projects/{project.project_no}/ledger"
    )
    facts.append(
        Fact(
            settlement.settled_at,
            "settled",
            settlement.settled_by,
            settlement.final_fen,
            (settlement_evidence,),
            note=parameters_text(settlement.actual_params),
        )
    )
    for order in refunds_repository.listing(session, project_id=project.id):
        order_evidence = Evidence("refund", order.refund_id, "/api/v1/refunds")
        if order.approved_at is None or order.approved_by is None:
            continue  # proposed, not approved: nothing has moved yet
        refunded: dict[str, int] = {}
        for fee in order.fees:
            refunded[str(fee["department"])] = refunded.get(str(fee["department"]), 0) + int(fee["fen"])
        facts.append(
            Fact(
                order.approved_at,
                "refund_approved",
                order.approved_by,
                order.amount_fen,
                (order_evidence,),
                tuple(Movement(department, -fen) for department, fen in sorted(refunded.items())),
                order.reason,
            )
        )
        if order.status == RefundStatus.CONFIRMED and order.refunded_at is not None:
            bank_txn = Evidence("payment", f"{order.bank_code} {order.bank_txn_id}")
            facts.append(
                Fact(
                    order.refunded_at,
                    "refunded",
                    f"bank:{order.bank_code}",
                    order.amount_fen,
                    (order_evidence, bank_txn),
                )
            )
    if settlement.status == SettlementStatus.SPLIT and settlement.split_at is not None:
        transaction = ledger_repository.transaction_id(session, "split", project.project_no)
        split_evidence = (settlement_evidence,) + (
            (Evidence("ledger_transaction", f"第 {transaction} 号"),) if transaction else ()
        )
        facts.append(
            Fact(
                settlement.split_at,
                "split",
                "system",
                settlement.final_fen,
                split_evidence,
                tuple(Movement(d, -fen, fen) for d, fen in arithmetic.allocations().items() if fen),
            )
        )
    return facts


def project_ledger(session: Session, project: Project) -> ProjectLedger:
    return build(project, facts_of(session, project))
