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
    # SM2 bills: the exact bytes the issuer signed (the canonical bill XML); None for Ed25519 bills,
    # which sign the canonical JSON of ``content``.
    signed_content: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(Text)  # the issuer's, base64 (DER for SM2)
    algorithm: Mapped[str] = mapped_column(String(16))
    issuer_key_id: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The finance bureau's supervision signature (财政监制), added once payment is confirmed: over the
    # signed content followed by the issuer's DER signature. A bill without it is 待监制.
    supervisor_signature: Mapped[str | None] = mapped_column(Text)
    supervisor_key_id: Mapped[str | None] = mapped_column(String(64))
    supervised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reversed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reverse_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def number(self) -> str:
        return f"{self.bill_no:010d}"

    @property
    def awaiting_supervision(self) -> bool:
        return self.signed_content is not None and self.supervisor_signature is None


class SigningKey(Base):
    """Every public key that has signed bills, by role, with the time it was in use: old and rotated
    keys stay listed, so that a bill verifies for as long as it is kept."""

    __tablename__ = "signing_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    algorithm: Mapped[str] = mapped_column(String(16))
    public_key_pem: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime)
