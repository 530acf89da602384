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


class NoticeLookup(Base):
    """A bank's lookup of a notice (SPEC §6): the confirm code it was given, which its callback must
    echo, and the window the lookup opened for ``paid_at``. One row per bank and notice: looking up
    again keeps the code and the first time, and moves the window's end."""

    __tablename__ = "notice_lookups"
    __table_args__ = (UniqueConstraint("bank_code", "notice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(16))
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    confirm_code: Mapped[str] = mapped_column(String(8))
    looked_up_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LateCallback(Base):
    """A callback that arrived after the statement had already paid its notice: linked to that payment
    and answered as a duplicate, so a bank that retries until it gets a 200 stops."""

    __tablename__ = "late_callbacks"
    __table_args__ = (UniqueConstraint("bank_code", "bank_txn_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    bank_code: Mapped[str] = mapped_column(String(16))
    bank_txn_id: Mapped[str] = mapped_column(String(64))
    paid_at: Mapped[datetime] = mapped_column(UtcDateTime)
    body_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
