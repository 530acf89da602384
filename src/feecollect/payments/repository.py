from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from feecollect.notices.models import Notice, NoticeLine
from feecollect.notices.status import NoticeStatus
from feecollect.payments.models import LateCallback, NoticeLookup, Payment
from feecollect.payments.rules import LookupFacts


@dataclass(frozen=True, slots=True)
class PayableNotice:
    """What a callback needs of a notice, read with the notice row locked."""

    id: int
    payment_code: str
    status: str
    amount_fen: int
    due_date: date
    issued_at: datetime


def lock_notice(session: Session, payment_code: str) -> PayableNotice | None:
    row = session.execute(
        select(
            Notice.id,
            Notice.payment_code,
            Notice.status,
            Notice.amount_fen,
            Notice.due_date,
            Notice.issued_at,
        )
        .where(Notice.payment_code == payment_code)
        .with_for_update()
    ).first()
    return None if row is None else PayableNotice(*row)


def notice_for_lookup(session: Session, payment_code: str) -> Notice | None:
    return session.scalars(select(Notice).where(Notice.payment_code == payment_code)).first()


def lookup_of(session: Session, bank_code: str, notice_id: int) -> LookupFacts | None:
    row = session.execute(
        select(NoticeLookup.confirm_code, NoticeLookup.looked_up_at, NoticeLookup.expires_at).where(
            NoticeLookup.bank_code == bank_code, NoticeLookup.notice_id == notice_id
        )
    ).first()
    return None if row is None else LookupFacts(*row)


def insert_lookup(session: Session, bank_code: str, notice_id: int, facts: LookupFacts) -> None:
    session.execute(
        insert(NoticeLookup).values(
            bank_code=bank_code,
            notice_id=notice_id,
            confirm_code=facts.confirm_code,
            looked_up_at=facts.looked_up_at,
            expires_at=facts.expires_at,
        )
    )


def extend_lookup(session: Session, bank_code: str, notice_id: int, expires_at: datetime) -> None:
    session.execute(
        update(NoticeLookup)
        .where(NoticeLookup.bank_code == bank_code, NoticeLookup.notice_id == notice_id)
        .values(expires_at=expires_at)
    )


def late_callback_by_txn(session: Session, bank_code: str, bank_txn_id: str) -> LateCallback | None:
    query = select(LateCallback).where(
        LateCallback.bank_code == bank_code, LateCallback.bank_txn_id == bank_txn_id
    )
    return session.scalars(query).first()


def insert_late_callback(session: Session, values: dict[str, object]) -> None:
    session.execute(insert(LateCallback).values(**values))


def amounts_by_department(session: Session, notice_id: int) -> tuple[bool, list[tuple[str, int]]]:
    """(whether the notice is a project's bundle, its amount per collecting department), in one query."""
    rows = session.execute(
        select(NoticeLine.department_code, func.sum(NoticeLine.amount_fen), Notice.project_id)
        .join(Notice, Notice.id == NoticeLine.notice_id)
        .where(NoticeLine.notice_id == notice_id)
        .group_by(NoticeLine.department_code, Notice.project_id)
        .order_by(NoticeLine.department_code)
    ).all()
    bundle = bool(rows) and rows[0][2] is not None
    return bundle, [(department, int(amount)) for department, amount, _ in rows]


def insert_payment(session: Session, values: dict[str, object]) -> int:
    return session.execute(insert(Payment).values(**values).returning(Payment.id)).scalar_one()


def mark_paid(session: Session, notice_id: int, at: datetime) -> None:
    session.execute(
        update(Notice).where(Notice.id == notice_id).values(status=NoticeStatus.PAID, closed_at=at)
    )


def notice_status(session: Session, notice_id: int) -> str:
    return session.execute(select(Notice.status).where(Notice.id == notice_id)).scalar_one()


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
        .where(Notice.status == NoticeStatus.PAID, Payment.id.is_(None))
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


def of_notice(session: Session, notice_id: int) -> Payment | None:
    return session.scalars(select(Payment).where(Payment.notice_id == notice_id)).first()


def of_notices(session: Session, notice_ids: list[int]) -> list[Payment]:
    return list(
        session.scalars(select(Payment).where(Payment.notice_id.in_(notice_ids)).order_by(Payment.id))
    )


def by_id(session: Session, payment_id: int) -> Payment:
    return session.get_one(Payment, payment_id)
