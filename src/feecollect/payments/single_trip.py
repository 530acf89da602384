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
from feecollect.ledger import accounts
from feecollect.notices.status import NoticeStatus
from feecollect.payments import pg_repository
from feecollect.payments.service import (
    Outcome,
    PaymentRequest,
    accepted,
    callback_payment,
    paid_audit_after,
    payment_memo,
    refuse_unless_payable,
)
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
        refuse_unless_payable(settings, caller, request, notice, facts.lookup, None, now)
        payment = callback_payment(settings, caller, request, facts.notice_id, notice.payment_code, now)
        if sum(fen for _, fen in facts.by_department) != payment.amount_fen:
            return None  # lines that do not add up to the notice: the general path refuses to post them
        actor = Actor(f"bank:{caller.bank_code}", "bank")
        audit_entry = entry_row(
            actor,
            "notice.paid",
            "notice",
            notice.payment_code,
            before={"status": NoticeStatus.ISSUED},
            after=paid_audit_after(payment),
            recorded_at=now,
        )
        postings = [
            (accounts.SPECIAL, payment.amount_fen),
            *((accounts.revenue(department), -fen) for department, fen in facts.by_department if fen),
        ]
        try:
            payment_id = pg_repository.write(
                connection,
                payment,
                key_id=caller.key_id,
                nonce=caller.nonce,
                memo=payment_memo(payment),
                postings=postings,
                audit_entry=audit_entry,
            )
        except IntegrityError:
            return None  # the nonce or the transaction id was taken meanwhile: a replay or a race
        if payment_id is None:
            return None
        events.publish(
            session, events.PaymentRecorded(payment_id, facts.notice_id, payment.business_date, False, actor)
        )
        session.commit()  # nothing left to commit; runs the after-commit work (the bill's task)
        return accepted(payment_id, payment)
    finally:
        session.close()
