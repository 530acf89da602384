"""Refund orders. A settlement that finds a fee overpaid creates one, proposed by the finance user who
settled and approved by a second one (four eyes, SPEC §16); so does finance sending an unidentified
credit back to its payer (a line order, whose money stays in suspense until the bank has paid it
out). Once approved, the bank pays it back and confirms with a signed callback. Like a
payment, a confirmation is applied once: the order row is locked, the bank transaction id is checked
again under the lock, and the database refuses a second use of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from feecollect import events
from feecollect.audit.service import Actor, record
from feecollect.bank import response_codes as rc
from feecollect.bank.auth import BankCaller
from feecollect.bank.replays import body_digest, require_same_body
from feecollect.bank.response_codes import BankRefusal
from feecollect.errors import Conflict
from feecollect.ledger import accounts, suspense
from feecollect.ledger import service as ledger
from feecollect.money import format_yuan, parse_yuan
from feecollect.payments.models import Payment
from feecollect.proposals import service as proposals
from feecollect.proposals.models import Proposal
from feecollect.refunds import repository
from feecollect.refunds.models import RefundOrder, RefundStatus
from feecollect.settings import Settings


def create_order(
    session: Session,
    actor: Actor,
    *,
    project_id: int,
    project_no: str,
    payment: Payment,
    payee_name: str,
    fees: list[dict[str, object]],
    business_date: date,
) -> RefundOrder:
    """A proposed order for ``fees`` ({item, department, fen}); on approval the money moves from
    pre-collected to refunds payable, and it leaves the special account when the bank confirms."""
    amount = sum(int(fee["fen"]) for fee in fees)  # type: ignore[call-overload]
    order = RefundOrder(
        # A project is settled once, so it has at most one refund order.
        refund_id=f"RF{business_date:%Y%m%d}{project_id:08d}",
        project_id=project_id,
        payment_id=payment.id,
        bank_code=payment.bank_code,
        payee_name=payee_name,
        payee_account=payment.payer_account,
        amount_fen=amount,
        fees=fees,
        reason=f"项目 {project_no} 决算退付"[:200],
        status=RefundStatus.PROPOSED,
    )
    _propose(session, actor, order, order.reason, {"project_no": project_no})
    return order


def create_line_order(
    session: Session,
    actor: Actor,
    *,
    line_id: int,
    serial: str,
    amount_fen: int,
    booked_on: date,
    bank_code: str,
    payee_name: str,
    payee_account: str,
    reason: str,
) -> tuple[RefundOrder, Proposal]:
    """A proposed order sending the whole of an unidentified credit (statement line ``line_id``) back."""
    if repository.by_statement_line(session, line_id) is not None:
        raise Conflict(f"statement line {line_id} already has a refund order", code="line_already_returned")
    order = RefundOrder(
        refund_id=f"RT{booked_on:%Y%m%d}{line_id:08d}",
        statement_line_id=line_id,
        original_serial=serial,
        bank_code=bank_code,
        payee_name=payee_name,
        payee_account=payee_account or None,
        amount_fen=amount_fen,
        fees=[],
        reason=f"未明款项退回付款人（流水号 {serial}）"[:200],
        status=RefundStatus.PROPOSED,
    )
    return order, _propose(session, actor, order, reason, {"statement_line": line_id})


def _propose(
    session: Session, actor: Actor, order: RefundOrder, reason: str, origin: dict[str, Any]
) -> Proposal:
    """Store the order and propose its approval to a second finance user; ``origin`` says what it
    pays back (a project's settlement or a statement line)."""
    repository.add(session, order)
    record(
        session,
        actor,
        "refund.proposed",
        "refund",
        order.refund_id,
        after=origin | {"amount": format_yuan(order.amount_fen), "bank_code": order.bank_code},
    )
    return proposals.propose(session, actor, "approve_refund", order.refund_id, reason, origin)


def carry_out_refund_approval(
    session: Session, settings: Settings, proposal: Proposal, checker: Actor
) -> RefundOrder:
    order = repository.by_refund_id(session, proposal.object_id, for_update=True)
    if order is None or order.status != RefundStatus.PROPOSED:
        raise Conflict(f"refund {proposal.object_id} is not waiting for approval", code="refund_not_proposed")
    order.status, order.approved_by, order.approved_at = (
        RefundStatus.APPROVED,
        checker.name,
        datetime.now(UTC),
    )
    project_no = str(proposal.payload.get("project_no", ""))
    # A line order's money stays in suspense, still unexplained in the special account, until it leaves.
    if order.statement_line_id is None:
        ledger.post(
            session,
            kind="refund_approved",
            reference=order.refund_id,
            business_date=order.approved_at.astimezone(settings.zone).date(),
            memo=f"决算退付 {project_no}",
            postings=[
                (accounts.PRECOLLECTED, order.amount_fen),
                (accounts.REFUNDS_PAYABLE, -order.amount_fen),
            ],
        )
    record(
        session,
        checker,
        "refund.approved",
        "refund",
        order.refund_id,
        before={"status": "proposed"},
        after={
            "project_no": project_no or None,
            "statement_line": order.statement_line_id,
            "amount": format_yuan(order.amount_fen),
            "bank_code": order.bank_code,
            "proposed_by": proposal.proposed_by,
        },
    )
    return order


@dataclass(frozen=True)
class RefundConfirmation:
    refund_id: str
    bank_txn_id: str
    amount: str
    refunded_at: datetime

    def digest(self) -> str:
        return body_digest(
            {
                "refund_id": self.refund_id,
                "bank_txn_id": self.bank_txn_id,
                "amount": self.amount,
                "refunded_at": self.refunded_at.astimezone(UTC).isoformat(),
            }
        )


@dataclass(frozen=True)
class ConfirmOutcome:
    result: str  # "accepted" or "duplicate"
    order: RefundOrder


def _existing(session: Session, caller: BankCaller, request: RefundConfirmation) -> ConfirmOutcome | None:
    order = repository.by_txn(session, caller.bank_code, request.bank_txn_id)
    if order is None:
        return None
    require_same_body(order.body_hash, request.digest(), request.bank_txn_id)
    return ConfirmOutcome("duplicate", order)


def confirm(
    session: Session, settings: Settings, caller: BankCaller, request: RefundConfirmation
) -> ConfirmOutcome:
    if (seen := _existing(session, caller, request)) is not None:
        return seen
    order = repository.by_refund_id(session, request.refund_id, for_update=True)
    if order is None or order.bank_code != caller.bank_code:
        raise BankRefusal(
            rc.NO_SUCH_NOTICE, f"no refund order {request.refund_id!r} for this bank", error="unknown_refund"
        )
    if order.status != RefundStatus.APPROVED:
        if (seen := _existing(session, caller, request)) is not None:
            return seen
        raise BankRefusal(
            rc.ALREADY_PAID,
            f"refund {order.refund_id} is {order.status} (bank transaction {order.bank_txn_id})",
            error="refund_not_confirmable",
        )
    amount = parse_yuan(request.amount)
    if amount != order.amount_fen:
        raise BankRefusal(
            rc.AMOUNT_DIFFERS,
            f"refund {order.refund_id} is for {format_yuan(order.amount_fen)}, not {request.amount}",
            error="amount_mismatch",
        )
    refunded_at = request.refunded_at.astimezone(UTC)
    order.status, order.bank_txn_id, order.refunded_at = (
        RefundStatus.CONFIRMED,
        request.bank_txn_id,
        refunded_at,
    )
    order.body_hash, order.confirmed_at = request.digest(), datetime.now(UTC)
    session.flush()
    actor = Actor(f"bank:{caller.bank_code}", "bank")
    refund_day = refunded_at.astimezone(settings.zone).date()
    if order.statement_line_id is not None:
        why = f"退回付款人 {order.refund_id}"
        suspense.release(session, order.statement_line_id, amount, refund_day, why)
    else:
        ledger.post(
            session,
            kind="refund",
            reference=f"{caller.bank_code}:{request.bank_txn_id}",
            business_date=refund_day,
            memo=f"退付 {order.refund_id}",
            postings=[(accounts.REFUNDS_PAYABLE, amount), (accounts.SPECIAL, -amount)],
        )
    record(
        session,
        actor,
        "refund.confirmed",
        "refund",
        order.refund_id,
        before={"status": "approved"},
        after={"status": "confirmed", "bank_txn_id": request.bank_txn_id, "amount": request.amount},
    )
    # Settlement (or, for a returned line, reconciliation) reacts in this same transaction: the bill is
    # re-issued and, if nothing else is outstanding, the project is split; a returned line's finding closes.
    if order.statement_line_id is not None:
        events.publish(session, events.CreditReturned(order.statement_line_id, order.refund_id, actor))
    else:
        events.publish(session, events.RefundConfirmed(order.id, actor, settings))
    return ConfirmOutcome("accepted", order)
