from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from feecollect.db.base import Base, UtcDateTime


class ProjectStatus(StrEnum):
    DECLARED = "declared"
    SETTLING = "settling"  # settled at completion, waiting for a top-up or a refund to move
    SETTLED = "settled"  # split to the departments


class SettlementStatus(StrEnum):
    PENDING = "pending"  # the top-up or refund the settlement asked for has not moved yet
    SPLIT = "split"


class Project(Base):
    """A construction project as declared at the one-form window. ``declared_params`` maps each schedule
    parameter to its exact decimal text."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_no: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    developer_name: Mapped[str] = mapped_column(String(200))
    developer_uscc: Mapped[str] = mapped_column(String(18), index=True)
    division: Mapped[str] = mapped_column(String(6))
    project_type: Mapped[str] = mapped_column(String(16))
    declared_params: Mapped[dict[str, str]] = mapped_column(JSON)
    payer_flags: Mapped[list[str]] = mapped_column(JSON)
    declared_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    declared_by: Mapped[str] = mapped_column(String(64))
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProjectSettlement(Base):
    """A project's settlement at completion: at most one per project, so it cannot run twice. ``fees``
    lists each fee as {item, department, collected_fen, final_fen}. ``status`` is ``pending`` until the
    money the settlement asked for has moved, then ``split``."""

    __tablename__ = "project_settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    actual_params: Mapped[dict[str, str]] = mapped_column(JSON)
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    collected_fen: Mapped[int] = mapped_column(BigInteger)
    final_fen: Mapped[int] = mapped_column(BigInteger)
    top_up_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    refund_order_id: Mapped[int | None] = mapped_column(ForeignKey("refund_orders.id"))
    status: Mapped[str] = mapped_column(String(16))
    settled_by: Mapped[str] = mapped_column(String(64))
    settled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    split_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
