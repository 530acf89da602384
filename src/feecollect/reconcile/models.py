"""Bank accounts, imported statement lines, reconciliation runs and their exceptions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from feecollect.db.base import Base, UtcDateTime

ACCOUNT_KINDS = ("special", "department")


class ExceptionStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class BankAccount(Base):
    """An account whose statements the centre imports: the fiscal special account (财政专户), or a
    department's own account, where a fee should never arrive (中心外交费)."""

    __tablename__ = "bank_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_no: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    department_code: Mapped[str | None] = mapped_column(String(16))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    account_name: Mapped[str | None] = mapped_column(String(100))  # 户名, printed as a notice's payee
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StatementFile(Base):
    """One imported statement (a file may hold several, one per account)."""

    __tablename__ = "statement_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"), index=True)
    source: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    line_count: Mapped[int]
    new_line_count: Mapped[int]
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    opening_balance_fen: Mapped[int | None] = mapped_column(BigInteger)
    closing_balance_fen: Mapped[int | None] = mapped_column(BigInteger)
    warnings: Mapped[list[str]] = mapped_column(JSON)
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StatementLine(Base):
    """A line as the bank reported it. ``dedup_key`` is the bank's serial number (with the day) or, where
    the format has none, a fingerprint of the line and its rank among identical lines of that file, so
    importing overlapping files adds each line once. ``payment_code`` is found at import time.

    The key holds the booking day, so (account, day, key) is unique exactly when (account, key) is:
    the one index serves both the deduplication and the reads of an account's day. A second index for
    those reads cost an import of a year's statement about 15% of its insert and commit (measured)."""

    __tablename__ = "statement_lines"
    __table_args__ = (
        UniqueConstraint("account_id", "booked_on", "dedup_key", name="uq_statement_lines_account_day_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"))
    file_id: Mapped[int] = mapped_column(ForeignKey("statement_files.id"))
    line_no: Mapped[int]
    dedup_key: Mapped[str] = mapped_column(String(80))
    booked_on: Mapped[date] = mapped_column(Date)
    booked_at: Mapped[str | None] = mapped_column(String(8))  # HH:MM:SS, where the bank gives it
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8))
    counterparty_name: Mapped[str] = mapped_column(String(200))
    counterparty_account: Mapped[str] = mapped_column(String(64))
    remark: Mapped[str] = mapped_column(Text)
    serial: Mapped[str] = mapped_column(String(64))
    balance_fen: Mapped[int | None] = mapped_column(BigInteger)
    payment_code: Mapped[str | None] = mapped_column(String(20), index=True)


class ReconciliationRun(Base):
    """The latest result of the run for one business date; a re-run with the same inputs leaves it as is."""

    __tablename__ = "reconciliation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_date: Mapped[date] = mapped_column(Date, unique=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    run_by: Mapped[str] = mapped_column(String(64))
    run_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReconciliationRegression(Base):
    """A re-run of a reconciled day whose findings changed (a late statement, a new payment): the run
    before and the run after, and which exceptions came and went. Closed days stay closed: the change
    is reported and kept, never a silent replacement."""

    __tablename__ = "reconciliation_regressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_date: Mapped[date] = mapped_column(Date, index=True)
    previous_summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    previous_run_by: Mapped[str] = mapped_column(String(64))
    previous_run_at: Mapped[datetime] = mapped_column(UtcDateTime)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    added: Mapped[list[int]] = mapped_column(JSON)  # exception ids
    gone: Mapped[list[int]] = mapped_column(JSON)
    run_by: Mapped[str] = mapped_column(String(64))
    run_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReconciliationException(Base):
    """A finding finance must look at. ``key`` names what it is about (a statement line, a payment, a
    notice, a case), so a re-run finds the same row again: ids and resolutions survive every run."""

    __tablename__ = "reconciliation_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    exception_class: Mapped[str] = mapped_column(String(32), index=True)
    key: Mapped[str] = mapped_column(String(96), unique=True)
    business_date: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    department_code: Mapped[str | None] = mapped_column(String(16), index=True)
    detail: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_run_date: Mapped[date] = mapped_column(Date, index=True)
    last_run_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    assigned_to: Mapped[str | None] = mapped_column(String(64), index=True)  # the finance user working it
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReconciliationFinding(Base):
    """Which exceptions the run for a date found."""

    __tablename__ = "reconciliation_findings"

    run_date: Mapped[date] = mapped_column(Date, primary_key=True)
    exception_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_exceptions.id"), primary_key=True)
