from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feecollect.db.base import Base, UtcDateTime
from feecollect.payments.models import Payment


class RefundStatus(StrEnum):
    PROPOSED = "proposed"  # waiting for a second finance user's approval; the bank does not see it
    APPROVED = "approved"  # the money waits in refunds payable for the bank
    CONFIRMED = "confirmed"  # the bank paid it back


class RefundOrder(Base):
    """Money owed back to a payer, paid out by the bank that collected it. ``refund_id`` is what the bank
    quotes when it confirms; a bank transaction id confirms at most one refund. An order pays back either
    part of a project's payment (``fees`` lists each fee refunded as {item, department, fen}) or a whole
    unidentified credit of a statement line (``statement_line_id``, no fees)."""

    __tablename__ = "refund_orders"
    __table_args__ = (UniqueConstraint("bank_code", "bank_txn_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[str] = mapped_column(String(32), unique=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    statement_line_id: Mapped[int | None] = mapped_column(ForeignKey("statement_lines.id"), unique=True)
    original_serial: Mapped[str | None] = mapped_column(String(64))  # the returned credit's bank serial
    bank_code: Mapped[str] = mapped_column(String(16), index=True)
    payee_name: Mapped[str] = mapped_column(String(200))
    payee_account: Mapped[str | None] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    bank_txn_id: Mapped[str | None] = mapped_column(String(64))
    refunded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    payment: Mapped[Payment | None] = relationship()
