from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feecollect.refunds.models import RefundOrder, RefundStatus


def add(session: Session, order: RefundOrder) -> None:
    session.add(order)
    session.flush()


def by_refund_id(session: Session, refund_id: str, *, for_update: bool = False) -> RefundOrder | None:
    query = select(RefundOrder).where(RefundOrder.refund_id == refund_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def by_statement_line(session: Session, line_id: int) -> RefundOrder | None:
    return session.scalars(select(RefundOrder).where(RefundOrder.statement_line_id == line_id)).first()


def by_txn(session: Session, bank_code: str, bank_txn_id: str) -> RefundOrder | None:
    query = select(RefundOrder).where(
        RefundOrder.bank_code == bank_code, RefundOrder.bank_txn_id == bank_txn_id
    )
    return session.scalars(query).first()


def listing(
    session: Session,
    *,
    bank_code: str | None = None,
    status: str | None = None,
    project_id: int | None = None,
) -> Sequence[RefundOrder]:
    query = select(RefundOrder).order_by(RefundOrder.id)
    if bank_code is not None:
        query = query.where(RefundOrder.bank_code == bank_code)
    if status is not None:
        query = query.where(RefundOrder.status == status)
    if project_id is not None:
        query = query.where(RefundOrder.project_id == project_id)
    return session.scalars(query).all()


def total_confirmed(session: Session) -> int:
    """Fen paid back out of payments; a returned unidentified credit was never paid and left suspense."""
    total = select(func.coalesce(func.sum(RefundOrder.amount_fen), 0)).where(
        RefundOrder.status == RefundStatus.CONFIRMED, RefundOrder.payment_id.is_not(None)
    )
    return int(session.scalar(total) or 0)


def confirmed_between(session: Session, start: datetime, end: datetime) -> Sequence[RefundOrder]:
    query = select(RefundOrder).where(
        RefundOrder.status == RefundStatus.CONFIRMED,
        RefundOrder.project_id.is_not(None),
        RefundOrder.refunded_at >= start,
        RefundOrder.refunded_at < end,
    )
    return session.scalars(query.order_by(RefundOrder.id)).all()
