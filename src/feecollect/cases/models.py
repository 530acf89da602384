from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feecollect.db.base import Base, UtcDateTime


class CaseStatus(StrEnum):
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    window: Mapped[str] = mapped_column(String(32))
    department_code: Mapped[str] = mapped_column(String(16), index=True)
    service_date: Mapped[date] = mapped_column(Date)
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_type: Mapped[str] = mapped_column(String(8))
    applicant_id_no: Mapped[str] = mapped_column(String(18), index=True)
    payer_flags: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    registered_by: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    items: Mapped[list[CaseItem]] = relationship(order_by="CaseItem.line_no", cascade="all, delete-orphan")


class CaseItem(Base):
    __tablename__ = "case_items"
    __table_args__ = (UniqueConstraint("case_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    line_no: Mapped[int]
    item_code: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[str | None] = mapped_column(String(40))  # exact decimal text; None: one piece
