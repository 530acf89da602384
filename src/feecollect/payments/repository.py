from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feecollect.notices.models import Notice
from feecollect.payments.models import Payment


def by_txn(session: Session, bank_code: str, bank_txn_id: str) -> Payment | None:
    query = select(Payment).where(Payment.bank_code == bank_code, Payment.bank_txn_id == bank_txn_id)
    return session.scalars(query).first()


def add(session: Session, payment: Payment) -> None:
    session.add(payment)
    session.flush()


def total_paid(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Payment.amount_fen), 0))) or 0)


def notices_paid_more_than_once(session: Session) -> list[tuple[str, int]]:
    rows = session.execute(
        select(Payment.payment_code, func.count()).group_by(Payment.payment_code).having(func.count() > 1)
    )
    return [(code, int(n)) for code, n in rows]


def paid_notices_without_payment(session: Session) -> list[str]:
    query = (
        select(Notice.payment_code)
        .outerjoin(Payment, Payment.notice_id == Notice.id)
        .where(Notice.status == "paid", Payment.id.is_(None))
    )
    return list(session.scalars(query))


def payments_of_unpaid_notices(session: Session) -> list[str]:
    query = (
        select(Payment.payment_code)
        .join(Notice, Notice.id == Payment.notice_id)
        .where(Notice.status.not_in(("paid", "refunded")))
    )
    return list(session.scalars(query))


def amounts_by_reference(session: Session) -> dict[str, int]:
    rows = session.execute(select(Payment.bank_code, Payment.bank_txn_id, Payment.amount_fen))
    return {f"{bank}:{txn}": int(amount) for bank, txn, amount in rows}
