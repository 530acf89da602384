from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from feecollect.db.base import Base, UtcDateTime


class Payment(Base):
    """A bank's collection for one notice. Unique per bank transaction id and per notice: the
    database itself refuses a second payment of a notice or a second use of a transaction id."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("bank_code", "bank_txn_id"), UniqueConstraint("notice_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(16))
    bank_txn_id: Mapped[str] = mapped_column(String(64))
    bank_reference: Mapped[str | None] = mapped_column(String(64))
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    payment_code: Mapped[str] = mapped_column(String(20), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime] = mapped_column(UtcDateTime)
    business_date: Mapped[date] = mapped_column(Date, index=True)
    payer_name: Mapped[str | None] = mapped_column(String(200))
    payer_account: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(32))
    body_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
