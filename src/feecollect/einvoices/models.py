from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from feecollect.db.base import Base, UtcDateTime


class BillCounter(Base):
    """The last number used for one bill code. Bumped in the transaction that creates the bill, so a
    bill that is not created gives its number back: numbers are gapless."""

    __tablename__ = "bill_counters"

    bill_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_no: Mapped[int] = mapped_column(BigInteger)


class BillStatus(StrEnum):
    ISSUED = "issued"
    REVERSED = "reversed"  # a red-letter bill (红字) stands against it


class Bill(Base):
    """A signed electronic fiscal bill. ``kind`` is ``normal`` or ``reversal`` (红字); one of each at most
    per payment, so retries of the issuing task can never create a second live bill."""

    __tablename__ = "bills"
    __table_args__ = (UniqueConstraint("bill_code", "bill_no"), UniqueConstraint("payment_id", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_code: Mapped[str] = mapped_column(String(8))
    bill_no: Mapped[int] = mapped_column(BigInteger)
    check_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    original_bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(Text)
    algorithm: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reversed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reverse_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def number(self) -> str:
        return f"{self.bill_no:010d}"
