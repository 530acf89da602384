"""Applying a bank's payment callback. Whatever a bank sends and however often, a notice is paid at
most once: the notice row is locked, the transaction id is checked again under the lock, and the
database refuses a second payment per notice or per transaction id."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from feecollect import events
from feecollect.audit.service import Actor, record
from feecollect.bank.auth import BankCaller
from feecollect.bank.replays import body_digest, require_same_body
from feecollect.errors import Unprocessable
from feecollect.ledger import accounts
from feecollect.ledger import service as ledger
from feecollect.money import format_yuan, parse_yuan
from feecollect.notices.payment_code import is_payment_code
from feecollect.notices.status import NoticeStatus
from feecollect.payments import repository
from feecollect.settings import Settings

# How far ahead of our clock a bank's paid_at may run (clocks drift; SPEC §6).
PAID_AT_FUTURE_TOLERANCE = timedelta(minutes=10)


@dataclass(frozen=True)
class NewPayment:
    """What proves a notice paid, whoever reported it; becomes one ``payments`` row."""

    bank_code: str
    bank_txn_id: str
    notice_id: int
    payment_code: str
    amount_fen: int
    paid_at: datetime
    business_date: date
    payer_name: str | None
    payer_account: str | None
    channel: str | None
    body_hash: str
    received_at: datetime
    # The transaction's number as the bank prints it, where ``bank_txn_id`` is not it: a payment
    # found on the statement is keyed by its line, and shows the line's bank serial.
    bank_reference: str | None = None


@dataclass(frozen=True)
class PaymentRequest:
    bank_txn_id: str
    payment_code: str
    amount: str
    paid_at: datetime
    payer_name: str | None = None
    payer_account: str | None = None
    channel: str | None = None

    def digest(self) -> str:
        """Same fields, same digest: how a replay is told from a different request with the same id."""
        return body_digest(
            {
                "bank_txn_id": self.bank_txn_id,
                "payment_code": self.payment_code,
                "amount": self.amount,
                "paid_at": self.paid_at.astimezone(UTC).isoformat(),
                "payer_name": self.payer_name,
                "payer_account": self.payer_account,
                "channel": self.channel,
            }
        )


@dataclass(frozen=True)
class Outcome:
    result: str  # "accepted" or "duplicate"
    payment_id: int
    payment_code: str
    bank_txn_id: str
    amount_fen: int
    paid_at: datetime
    notice_status: str


def _existing(session: Session, caller: BankCaller, request: PaymentRequest) -> Outcome | None:
    payment = repository.by_txn(session, caller.bank_code, request.bank_txn_id)
    if payment is None:
        return None
    require_same_body(payment.body_hash, request.digest(), request.bank_txn_id)
    return Outcome(
        "duplicate",
        payment.id,
        payment.payment_code,
        payment.bank_txn_id,
        payment.amount_fen,
        payment.paid_at,
        repository.notice_status(session, payment.notice_id),
    )


def apply_payment(
    session: Session, settings: Settings, caller: BankCaller, request: PaymentRequest
) -> Outcome:
    if (seen := _existing(session, caller, request)) is not None:
        return seen
    if not is_payment_code(request.payment_code):
        raise Unprocessable(
            f"{request.payment_code!r} is not a payment code (20 digits with valid check digits)",
            code="unknown_payment_code",
        )
    notice = repository.lock_notice(session, request.payment_code)
    if notice is None:
        raise Unprocessable(
            f"no notice with payment code {request.payment_code}", code="unknown_payment_code"
        )
    if notice.status != NoticeStatus.ISSUED:
        # A replay of this very transaction may have paid the notice while we waited for the lock.
        if (seen := _existing(session, caller, request)) is not None:
            return seen
        raise Unprocessable(f"notice {notice.payment_code} is {notice.status}", code="notice_not_payable")
    amount = parse_yuan(request.amount)
    if amount != notice.amount_fen:
        raise Unprocessable(
            f"notice {notice.payment_code} is for {format_yuan(notice.amount_fen)}, not {request.amount}",
            code="amount_mismatch",
        )
    now = datetime.now(UTC)
    if not notice.issued_at <= request.paid_at <= now + PAID_AT_FUTURE_TOLERANCE:
        # A date outside the notice's life would back- or forward-date the ledger and the bill.
        raise Unprocessable(
            f"paid_at {request.paid_at.isoformat()} is outside the allowed window: from the notice's "
            f"issue ({notice.issued_at.astimezone(settings.zone).isoformat()}) to 10 minutes from now",
            code="paid_at_out_of_window",
        )
    business_date = request.paid_at.astimezone(settings.zone).date()
    if business_date > notice.due_date:
        raise Unprocessable(
            f"notice {notice.payment_code} was due on {notice.due_date}, paid on {business_date}",
            code="notice_not_payable",
        )
    paid_at = request.paid_at.astimezone(UTC)
    payment_id = record_payment(
        session,
        Actor(f"bank:{caller.bank_code}", "bank"),
        NewPayment(
            bank_code=caller.bank_code,
            bank_txn_id=request.bank_txn_id,
            notice_id=notice.id,
            payment_code=notice.payment_code,
            amount_fen=amount,
            paid_at=paid_at,
            business_date=business_date,
            payer_name=request.payer_name,
            payer_account=request.payer_account,
            channel=request.channel,
            body_hash=request.digest(),
            received_at=now,
        ),
        memo=f"缴款 {notice.payment_code}",
        before_status=NoticeStatus.ISSUED,
        audit_after={
            "status": "paid",
            "bank_txn_id": request.bank_txn_id,
            "amount": request.amount,
            "paid_at": paid_at.isoformat(),
        },
    )
    return Outcome("accepted", payment_id, notice.payment_code, request.bank_txn_id, amount, paid_at, "paid")


def record_payment(
    session: Session,
    actor: Actor,
    payment: NewPayment,
    *,
    memo: str,
    before_status: str,
    audit_after: dict[str, Any],
) -> int:
    """Everything that makes a notice paid, whatever proved the payment (a bank's callback, or a
    statement line the bank never called back): the payment row, the notice's status, the balanced
    ledger transaction (the special account against each department's revenue, or against pre-collected
    money for a project's bundle), the audit entry and the ``PaymentRecorded`` event (the electronic
    bill, a settlement waiting for this top-up). The caller has checked the notice."""
    payment_id = repository.insert_payment(session, asdict(payment))
    repository.mark_paid(session, payment.notice_id, payment.received_at)
    bundle, by_department = repository.amounts_by_department(session, payment.notice_id)
    # A project's bundle is held as pre-collected until settlement splits it to the departments.
    credits = (
        [(accounts.PRECOLLECTED, -payment.amount_fen)]
        if bundle
        else [(accounts.revenue(department), -fen) for department, fen in by_department]
    )
    ledger.post(
        session,
        kind="payment",
        reference=f"{payment.bank_code}:{payment.bank_txn_id}",
        business_date=payment.business_date,
        memo=memo,
        postings=[(accounts.SPECIAL, payment.amount_fen), *credits],
    )
    record(
        session,
        actor,
        "notice.paid",
        "notice",
        payment.payment_code,
        before={"status": before_status},
        after=audit_after,
    )
    events.publish(
        session,
        events.PaymentRecorded(payment_id, payment.notice_id, payment.business_date, bool(bundle), actor),
    )
    return payment_id
