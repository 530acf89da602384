"""A bank's lookup and payment callback. Whatever a bank sends and however often, a notice is paid at
most once: the notice row is locked, the transaction id is checked again under the lock, and the
database refuses a second payment per notice or per transaction id. What may pay a notice is
``payments.rules``; this module reads the facts it judges and writes what follows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from feecollect import events, logs
from feecollect.audit.service import Actor, record
from feecollect.bank import response_codes as rc
from feecollect.bank.auth import BankCaller
from feecollect.bank.replays import body_digest, require_same_body
from feecollect.bank.response_codes import BankRefusal
from feecollect.ledger import accounts
from feecollect.ledger import service as ledger
from feecollect.money import format_yuan, parse_yuan
from feecollect.notices.payment_code import is_payment_code
from feecollect.notices.status import NoticeStatus
from feecollect.payments import repository, rules
from feecollect.payments.rules import STATEMENT_BANK, CallbackFacts, LookupFacts, NoticeFacts
from feecollect.settings import Settings

log = logs.get_logger("feecollect.payments")


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
    confirm_code: str | None = None
    account: str | None = None

    def digest(self) -> str:
        """Same fields, same digest: how a replay is told from a different request with the same id."""
        fields: dict[str, str | None] = {
            "bank_txn_id": self.bank_txn_id,
            "payment_code": self.payment_code,
            "amount": self.amount,
            "paid_at": self.paid_at.astimezone(UTC).isoformat(),
            "payer_name": self.payer_name,
            "payer_account": self.payer_account,
            "channel": self.channel,
        }
        # Fields added later count only when sent, so a replay of an older callback keeps its digest.
        for name in ("confirm_code", "account"):
            if (value := getattr(self, name)) is not None:
                fields[name] = value
        return body_digest(fields)

    def facts(self) -> CallbackFacts:
        return CallbackFacts(self.amount, self.paid_at, self.confirm_code, self.account)


@dataclass(frozen=True)
class Outcome:
    result: str  # "accepted" or "duplicate"
    payment_id: int
    payment_code: str
    bank_txn_id: str
    amount_fen: int
    paid_at: datetime
    notice_status: str
    code: str = rc.ACCEPTED.code


def _existing(session: Session, caller: BankCaller, request: PaymentRequest) -> Outcome | None:
    payment = repository.by_txn(session, caller.bank_code, request.bank_txn_id)
    if payment is not None:
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
    late = repository.late_callback_by_txn(session, caller.bank_code, request.bank_txn_id)
    if late is None:
        return None
    require_same_body(late.body_hash, request.digest(), request.bank_txn_id)
    return _late_outcome(session, late.payment_id, request.bank_txn_id)


def _late_outcome(session: Session, payment_id: int, bank_txn_id: str) -> Outcome:
    payment = repository.by_id(session, payment_id)
    return Outcome(
        "duplicate",
        payment.id,
        payment.payment_code,
        bank_txn_id,
        payment.amount_fen,
        payment.paid_at,
        repository.notice_status(session, payment.notice_id),
        rc.ALREADY_PAID.code,
    )


def _link_late_callback(
    session: Session, caller: BankCaller, request: PaymentRequest, notice_id: int
) -> Outcome | None:
    """A callback for a notice the statement already paid, for the same amount, is that payment told
    late: linked to it and answered as a duplicate (SPEC §6), since a bank retries until it gets 200."""
    payment = repository.of_notice(session, notice_id)
    if (
        payment is None
        or payment.bank_code != STATEMENT_BANK
        or parse_yuan(request.amount) != payment.amount_fen
    ):
        return None
    repository.insert_late_callback(
        session,
        {
            "payment_id": payment.id,
            "bank_code": caller.bank_code,
            "bank_txn_id": request.bank_txn_id,
            "paid_at": request.paid_at.astimezone(UTC),
            "body_hash": request.digest(),
            "received_at": datetime.now(UTC),
        },
    )
    record(
        session,
        Actor(f"bank:{caller.bank_code}", "bank"),
        "payment.late_callback",
        "notice",
        payment.payment_code,
        after={"bank_txn_id": request.bank_txn_id, "statement_payment": payment.bank_txn_id},
    )
    return _late_outcome(session, payment.id, request.bank_txn_id)


def _code_refusal(payment_code: str) -> BankRefusal:
    if len(payment_code) == 20 and payment_code.isascii() and payment_code.isdecimal():
        return BankRefusal(
            rc.CHECK_DIGITS_FAIL,
            f"{payment_code} is not a payment code: its check digits fail",
            error="unknown_payment_code",
        )
    return BankRefusal(
        rc.NO_SUCH_NOTICE,
        f"{payment_code!r} is not a payment code (20 digits with valid check digits)",
        error="unknown_payment_code",
    )


@dataclass(frozen=True)
class Lookup:
    notice_id: int
    payment_code: str
    payer_name: str
    amount_fen: int
    status: str
    due_date: date
    confirm: LookupFacts | None  # given only while the notice can be paid


def look_up(session: Session, settings: Settings, caller: BankCaller, payment_code: str) -> Lookup:
    """A bank's lookup: the notice as it stands and, while it is payable, the confirm code this bank's
    callback must echo (the same on every lookup, the window's end moved on)."""
    if not is_payment_code(payment_code):
        raise _code_refusal(payment_code)
    notice = repository.notice_for_lookup(session, payment_code)
    if notice is None:
        raise BankRefusal(
            rc.NO_SUCH_NOTICE, f"no notice with payment code {payment_code}", error="unknown_payment_code"
        )
    confirm = None
    if notice.status == NoticeStatus.ISSUED:
        now = datetime.now(UTC)
        expires_at = now + timedelta(minutes=settings.bank_lookup_minutes)
        confirm = repository.lookup_of(session, caller.bank_code, notice.id)
        if confirm is None:
            confirm = LookupFacts(rules.new_confirm_code(), now, expires_at)
            repository.insert_lookup(session, caller.bank_code, notice.id, confirm)
        else:
            repository.extend_lookup(session, caller.bank_code, notice.id, expires_at)
            confirm = LookupFacts(confirm.confirm_code, confirm.looked_up_at, expires_at)
    return Lookup(
        notice.id,
        notice.payment_code,
        notice.payer_name,
        notice.amount_fen,
        notice.status,
        notice.due_date,
        confirm,
    )


def apply_payment(
    session: Session,
    settings: Settings,
    caller: BankCaller,
    request: PaymentRequest,
    *,
    account_is_special: bool | None = None,
) -> Outcome:
    """``account_is_special``: whether the account the callback names is a registered special account
    (None when it names none)."""
    if (seen := _existing(session, caller, request)) is not None:
        return seen
    if not is_payment_code(request.payment_code):
        raise _code_refusal(request.payment_code)
    notice = repository.lock_notice(session, request.payment_code)
    if notice is None:
        raise BankRefusal(
            rc.NO_SUCH_NOTICE,
            f"no notice with payment code {request.payment_code}",
            error="unknown_payment_code",
        )
    if notice.status != NoticeStatus.ISSUED:
        # A replay of this very transaction may have paid the notice while we waited for the lock.
        if (seen := _existing(session, caller, request)) is not None:
            return seen
        if notice.status == NoticeStatus.PAID and (
            late := _link_late_callback(session, caller, request, notice.id)
        ):
            return late
    checks_lookup = caller.lookup_required or request.confirm_code is not None
    now = datetime.now(UTC)
    refuse_unless_payable(
        settings,
        caller,
        request,
        NoticeFacts(notice.payment_code, notice.status, notice.amount_fen, notice.due_date, notice.issued_at),
        repository.lookup_of(session, caller.bank_code, notice.id) if checks_lookup else None,
        account_is_special,
        now,
    )
    payment = callback_payment(settings, caller, request, notice.id, notice.payment_code, now)
    payment_id = record_payment(
        session,
        Actor(f"bank:{caller.bank_code}", "bank"),
        payment,
        memo=payment_memo(payment),
        before_status=NoticeStatus.ISSUED,
        audit_after=paid_audit_after(payment),
    )
    return accepted(payment_id, payment)


def refuse_unless_payable(
    settings: Settings,
    caller: BankCaller,
    request: PaymentRequest,
    notice: NoticeFacts,
    lookup: LookupFacts | None,
    account_is_special: bool | None,
    now: datetime,
) -> None:
    """``rules.judge`` for a callback, its refusal raised as the bank's answer."""
    refusal = rules.judge(
        notice,
        request.facts(),
        lookup=lookup,
        lookup_required=caller.lookup_required,
        account_is_special=account_is_special,
        now=now,
        zone=settings.zone,
    )
    if refusal is not None:
        raise BankRefusal(refusal.response, refusal.detail, error=refusal.error)


def callback_payment(
    settings: Settings,
    caller: BankCaller,
    request: PaymentRequest,
    notice_id: int,
    payment_code: str,
    now: datetime,
) -> NewPayment:
    """The payment a judged callback makes, whichever path writes it."""
    return NewPayment(
        bank_code=caller.bank_code,
        bank_txn_id=request.bank_txn_id,
        notice_id=notice_id,
        payment_code=payment_code,
        amount_fen=parse_yuan(request.amount),
        paid_at=request.paid_at.astimezone(UTC),
        business_date=request.paid_at.astimezone(settings.zone).date(),
        payer_name=request.payer_name,
        payer_account=request.payer_account,
        channel=request.channel,
        body_hash=request.digest(),
        received_at=now,
    )


def payment_memo(payment: NewPayment) -> str:
    return f"缴款 {payment.payment_code}"


def paid_audit_after(payment: NewPayment) -> dict[str, Any]:
    return {
        "status": "paid",
        "bank_txn_id": payment.bank_txn_id,
        "amount": format_yuan(payment.amount_fen),
        "paid_at": payment.paid_at.isoformat(),
    }


def accepted(payment_id: int, payment: NewPayment) -> Outcome:
    return Outcome(
        "accepted",
        payment_id,
        payment.payment_code,
        payment.bank_txn_id,
        payment.amount_fen,
        payment.paid_at,
        NoticeStatus.PAID,
    )


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
    log.info(
        "payment recorded",
        payment_id=payment_id,
        payment_code=payment.payment_code,
        notice_id=payment.notice_id,
        bank_code=payment.bank_code,
    )
    events.publish(
        session,
        events.PaymentRecorded(payment_id, payment.notice_id, payment.business_date, bool(bundle), actor),
    )
    return payment_id
