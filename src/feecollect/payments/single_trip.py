"""A bank's first payment of an issued notice on PostgreSQL: one read, the same rules as every other
path (``payments.rules.judge``), one atomic write. Anything else (a replay, a late callback, a bundle,
a named account, a race lost) is left to the general path, which answers it as it always has."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from feecollect import events
from feecollect.audit.service import Actor, entry_row
from feecollect.bank.auth import SignedRequest, check_signature
from feecollect.bank.response_codes import BankRefusal
from feecollect.ledger import accounts
from feecollect.money import parse_yuan
from feecollect.notices.status import NoticeStatus
from feecollect.payments import pg_repository, rules
from feecollect.payments.service import Outcome, PaymentRequest
from feecollect.settings import Settings
from feecollect.users.principal import Unauthorized


def first_payment(
    sessions: sessionmaker[Session], settings: Settings, signed: SignedRequest, request: PaymentRequest
) -> Outcome | None:
    """The accepted payment, or None for the general path. Refusals raise, having written nothing."""
    session = sessions()
    try:
        connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        facts = pg_repository.read(connection, signed.key_id, request.bank_txn_id, request.payment_code)
        if facts is None:
            raise Unauthorized("unknown or retired X-Bank-Key")
        master = settings.secret_key.get_secret_value()
        caller = check_signature(
            master, signed, facts.bank_code, facts.encrypted_secret, facts.lookup_required
        )
        notice = facts.notice
        if (
            facts.seen
            or notice is None
            or facts.notice_id is None
            or notice.status != NoticeStatus.ISSUED
            or facts.is_bundle
            or request.account is not None
        ):
            return None
        now = datetime.now(UTC)
        refusal = rules.judge(
            notice,
            request.facts(),
            lookup=facts.lookup,
            lookup_required=caller.lookup_required,
            account_is_special=None,
            now=now,
            zone=settings.zone,
        )
        if refusal is not None:
            raise BankRefusal(refusal.response, refusal.detail, error=refusal.error)
        amount = parse_yuan(request.amount)
        if sum(fen for _, fen in facts.by_department) != amount:
            return None  # lines that do not add up to the notice: the general path refuses to post them
        paid_at = request.paid_at.astimezone(UTC)
        actor = Actor(f"bank:{caller.bank_code}", "bank")
        audit_entry = entry_row(
            actor,
            "notice.paid",
            "notice",
            notice.payment_code,
            before={"status": NoticeStatus.ISSUED},
            after={
                "status": "paid",
                "bank_txn_id": request.bank_txn_id,
                "amount": request.amount,
                "paid_at": paid_at.isoformat(),
            },
            recorded_at=now,
        )
        business_date = request.paid_at.astimezone(settings.zone).date()
        write = pg_repository.PaymentWrite(
            key_id=caller.key_id,
            nonce=caller.nonce,
            bank_code=caller.bank_code,
            bank_txn_id=request.bank_txn_id,
            notice_id=facts.notice_id,
            payment_code=notice.payment_code,
            amount_fen=amount,
            paid_at=paid_at,
            business_date=business_date,
            payer_name=request.payer_name,
            payer_account=request.payer_account,
            channel=request.channel,
            body_hash=request.digest(),
            now=now,
            reference=f"{caller.bank_code}:{request.bank_txn_id}",
            memo=f"缴款 {notice.payment_code}",
            postings=[
                (accounts.SPECIAL, amount),
                *((accounts.revenue(department), -fen) for department, fen in facts.by_department if fen),
            ],
            audit_entry=audit_entry,
        )
        try:
            payment_id = pg_repository.write(connection, write)
        except IntegrityError:
            return None  # the nonce or the transaction id was taken meanwhile: a replay or a race
        if payment_id is None:
            return None
        events.publish(
            session,
            events.PaymentRecorded(payment_id, facts.notice_id, business_date, False, actor),
        )
        session.commit()  # nothing left to commit; runs the after-commit work (the bill's task)
        return Outcome(
            "accepted", payment_id, notice.payment_code, request.bank_txn_id, amount, paid_at, "paid"
        )
    finally:
        session.close()
