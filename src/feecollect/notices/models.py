from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feecollect.cases.models import Case
from feecollect.db.base import Base, UtcDateTime
from feecollect.projects.models import Project


class PaymentCodeSequence(Base):
    """The last sequence number used for payment codes of one division and year; only ever increases."""

    __tablename__ = "payment_code_sequences"

    division: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(BigInteger)


class Notice(Base):
    """Immutable once issued, but for its status: a correction is a void plus a new notice. A notice is
    for a case (办件) or, as a one-form bundle, for a construction project: never both."""

    __tablename__ = "notices"
    __table_args__ = (CheckConstraint("(case_id IS NULL) <> (project_id IS NULL)", name="case_or_project"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_code: Mapped[str] = mapped_column(String(20), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    department_code: Mapped[str] = mapped_column(String(16), index=True)
    payer_name: Mapped[str] = mapped_column(String(200))
    payer_id_type: Mapped[str] = mapped_column(String(8))
    payer_id_no: Mapped[str] = mapped_column(String(18))
    payer_flags: Mapped[list[str]] = mapped_column(JSON)
    service_date: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_by: Mapped[str | None] = mapped_column(String(64))
    case: Mapped[Case | None] = relationship()
    project: Mapped[Project | None] = relationship()
    lines: Mapped[list[NoticeLine]] = relationship(
        order_by="NoticeLine.line_no", cascade="all, delete-orphan"
    )

    @property
    def origin(self) -> str:
        """What the notice was issued for: the case number, or the project number of a bundle."""
        return self.case.case_no if self.case is not None else self.project.project_no  # type: ignore[union-attr]


class NoticeLine(Base):
    """A priced line with the exact item version, rate and basis it was priced with."""

    __tablename__ = "notice_lines"
    __table_args__ = (UniqueConstraint("notice_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"))
    line_no: Mapped[int]
    fee_item_version_id: Mapped[int] = mapped_column(ForeignKey("fee_item_versions.id"))
    item_code: Mapped[str] = mapped_column(String(32))
    item_version: Mapped[int]
    item_name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(String(16))
    department_name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[str] = mapped_column(String(40))
    rate: Mapped[str | None] = mapped_column(String(24))
    lawful_min: Mapped[str | None] = mapped_column(String(24))
    lawful_max: Mapped[str | None] = mapped_column(String(24))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # round(quantity × factor × rate) − relief_fen = amount_fen (SPEC §13 round 2)
    factor: Mapped[str] = mapped_column(String(24), default="1")
    relief_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    basis: Mapped[str] = mapped_column(Text)
    relief_flag: Mapped[str | None] = mapped_column(String(64))
    relief_name: Mapped[str | None] = mapped_column(String(64))
    relief_basis: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)  # 备注: how a lump or a top-up was reached
