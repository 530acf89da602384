from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from feecollect.db.base import Base, UtcDateTime


class Bank(Base):
    __tablename__ = "banks"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # Its callbacks must echo the confirm code of a lookup (SPEC §6); off for a bank that posts
    # payments without looking the notice up first.
    lookup_required: Mapped[bool] = mapped_column(Boolean, server_default=true(), default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BankKey(Base):
    """A key id and its shared secret. HMAC needs the secret itself, so it is stored encrypted under a
    key derived from FEECOLLECT_SECRET_KEY: verifiable by the service, never listed, useless in a dump."""

    __tablename__ = "bank_keys"

    key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    bank_code: Mapped[str] = mapped_column(ForeignKey("banks.code"), index=True)
    encrypted_secret: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BankNonce(Base):
    """Nonces of accepted requests: a replayed one is refused. Rows older than the timestamp tolerance
    can no longer matter (their timestamps are refused first) and may be purged."""

    __tablename__ = "bank_nonces"
    __table_args__ = (UniqueConstraint("key_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(40))
    nonce: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
