from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from feecollect.db.base import Base


class AuditEntry(Base):
    """Append-only. ``recorded_at`` is text so the hashed value round-trips exactly on every database."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set when the entry joins the chain: on PostgreSQL by a trigger while the transaction commits, so
    # only the writing transaction ever sees them empty.
    seq: Mapped[int | None] = mapped_column(unique=True)
    recorded_at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A seal over the chain up to ``seq``: its hash, MAC'd with a key only the service holds and
    chained to the checkpoint before, so a chain rewritten from some entry on no longer matches."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column()  # entries sealed by the run that wrote it
    sealed_at: Mapped[str] = mapped_column(String(32))
    mac: Mapped[str] = mapped_column(String(64))
