"""The queries of a run's findings: the notices, payments and cases they are read from, and the runs,
exceptions and findings stored."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.orm import Session

from feecollect.cases.models import Case, CaseStatus
from feecollect.notices.models import Notice, NoticeLine
from feecollect.notices.status import NoticeStatus
from feecollect.payments.models import Payment
from feecollect.reconcile.bulk import as_named
from feecollect.reconcile.models import (
    BankAccount,
    ExceptionStatus,
    ReconciliationException,
    ReconciliationFinding,
    ReconciliationRegression,
    ReconciliationRun,
    StatementLine,
)
from feecollect.reconcile.rows import ItemLine, OverdueNotice, PricedLine, UnreceivedPayment
from feecollect.reconcile.sql import (
    NOTICE_ORIGIN,
    chunks,
    in_chunks,
    new_ids,
    with_notice_origin,
)


def unreceived_payments(session: Session, paid_by: date, statement_through: date) -> list[UnreceivedPayment]:
    """Callback payments of a business date up to ``paid_by`` with no special-account credit line for
    their code and amount booked up to ``statement_through``."""
    line = (
        select(StatementLine.id)
        .join(BankAccount, BankAccount.id == StatementLine.account_id)
        .where(
            BankAccount.kind == "special",
            StatementLine.payment_code == Payment.payment_code,
            StatementLine.amount_fen == Payment.amount_fen,
            StatementLine.booked_on <= statement_through,
        )
    )
    query = (
        select(
            Payment.id,
            Payment.payment_code,
            Payment.amount_fen,
            Payment.business_date,
            Payment.bank_code,
            Payment.bank_txn_id,
            Notice.department_code,
        )
        .join(Notice, Notice.id == Payment.notice_id)
        .where(Payment.business_date <= paid_by, ~line.exists())
        .order_by(Payment.id)
    )
    return list(as_named(UnreceivedPayment, session.execute(query)))


def overdue_notices(session: Session, today: date) -> list[OverdueNotice]:
    query = (
        with_notice_origin(
            select(
                Notice.payment_code,
                Notice.amount_fen,
                Notice.due_date,
                Notice.department_code,
                Notice.payer_name,
                NOTICE_ORIGIN,
                Notice.status,
            )
        )
        .where(Notice.status.in_((NoticeStatus.ISSUED, NoticeStatus.EXPIRED)), Notice.due_date < today)
        .order_by(Notice.department_code, Notice.due_date, Notice.payment_code)
    )
    return list(as_named(OverdueNotice, session.execute(query)))


def completed_cases_without_payment(session: Session, through: datetime) -> Sequence[Case]:
    """Cases completed by ``through`` with no paid (or refunded) notice."""
    paid = select(Notice.id).where(
        Notice.case_id == Case.id, Notice.status.in_((NoticeStatus.PAID, NoticeStatus.REFUNDED))
    )
    return session.scalars(
        select(Case)
        .where(Case.status == CaseStatus.COMPLETED, Case.status_changed_at <= through, ~paid.exists())
        .order_by(Case.case_no)
    ).all()


def notice_lines_of_items(
    session: Session, item_codes: set[str], statuses: tuple[str, ...]
) -> list[ItemLine]:
    """The lines of notices in these statuses that bill one of the items."""
    if not item_codes:
        return []
    query = (
        select(
            NoticeLine.id,
            Notice.payment_code,
            Notice.status,
            Notice.service_date,
            NoticeLine.item_code,
            NoticeLine.amount_fen,
            NoticeLine.department_code,
            NoticeLine.item_name,
        )
        .join(Notice, Notice.id == NoticeLine.notice_id)
        .where(NoticeLine.item_code.in_(sorted(item_codes)), Notice.status.in_(statuses))
        .order_by(NoticeLine.id)
    )
    return list(as_named(ItemLine, session.execute(query)))


def priced_lines_off_lowest_rate(session: Session) -> list[PricedLine]:
    """Lines of collected notices whose recorded rate is not the recorded lowest rate (text compare;
    the caller compares the numbers)."""
    query = (
        select(
            NoticeLine.id,
            Notice.payment_code,
            NoticeLine.item_code,
            NoticeLine.item_name,
            NoticeLine.rate,
            NoticeLine.lawful_min,
            NoticeLine.quantity,
            NoticeLine.amount_fen,
            NoticeLine.department_code,
            Notice.closed_at,
        )
        .join(Notice, Notice.id == NoticeLine.notice_id)
        .where(
            Notice.status.in_((NoticeStatus.PAID, NoticeStatus.REFUNDED)),
            NoticeLine.rate.is_not(None),
            NoticeLine.lawful_min.is_not(None),
            NoticeLine.rate != NoticeLine.lawful_min,
        )
        .order_by(NoticeLine.id)
    )
    return list(as_named(PricedLine, session.execute(query)))


def run_of(session: Session, day: date) -> ReconciliationRun | None:
    return session.scalars(select(ReconciliationRun).where(ReconciliationRun.run_date == day)).first()


def latest_run_date(session: Session) -> date | None:
    return session.scalar(select(func.max(ReconciliationRun.run_date)))


def run_dates_between(session: Session, first: date, last: date) -> list[date]:
    chosen = select(ReconciliationRun.run_date).where(ReconciliationRun.run_date.between(first, last))
    return list(session.scalars(chosen.order_by(ReconciliationRun.run_date)))


def add_regression(session: Session, regression: ReconciliationRegression) -> None:
    session.add(regression)


def regressions_of(session: Session, day: date) -> Sequence[ReconciliationRegression]:
    chosen = select(ReconciliationRegression).where(ReconciliationRegression.run_date == day)
    return session.scalars(chosen.order_by(ReconciliationRegression.id)).all()


def days_with_regressions(session: Session, first: date, last: date) -> list[date]:
    chosen = select(ReconciliationRegression.run_date).where(
        ReconciliationRegression.run_date.between(first, last)
    )
    return sorted(set(session.scalars(chosen)))


def add_run(session: Session, run: ReconciliationRun) -> None:
    session.add(run)
    session.flush()


def exceptions_by_key(session: Session, keys: set[str]) -> dict[str, tuple[int, str]]:
    """Stored exceptions among ``keys``: key → (id, last run date as ISO text)."""
    found: dict[str, tuple[int, str]] = {}
    query = select(
        ReconciliationException.key, ReconciliationException.id, ReconciliationException.last_run_date
    )
    for key, exception_id, last in in_chunks(session, query, ReconciliationException.key, keys):
        found[key] = (exception_id, last.isoformat())
    return found


def insert_exceptions(session: Session, rows: list[dict[str, Any]]) -> None:
    """Core executemany, not the ORM's bulk insert: a first run of a year's statement finds tens of
    thousands of exceptions, and the ORM path costs several times the insert itself."""
    if rows:
        session.connection().execute(insert(cast(Table, ReconciliationException.__table__)), rows)


def touch_exceptions(session: Session, ids: list[int], day: date) -> None:
    for chunk in chunks(ids):
        session.execute(
            update(ReconciliationException)
            .where(ReconciliationException.id.in_(chunk))
            .values(last_run_date=day)
        )


def finding_ids(session: Session, day: date) -> set[int]:
    return set(
        session.scalars(
            select(ReconciliationFinding.exception_id).where(ReconciliationFinding.run_date == day)
        )
    )


def add_findings(session: Session, day: date, ids: Iterable[int]) -> None:
    rows = [{"run_date": day, "exception_id": i} for i in ids]
    if rows:
        session.connection().execute(insert(cast(Table, ReconciliationFinding.__table__)), rows)


def remove_findings(session: Session, day: date, ids: Iterable[int]) -> None:
    for chunk in chunks(ids):
        session.execute(
            delete(ReconciliationFinding).where(
                ReconciliationFinding.run_date == day,
                ReconciliationFinding.exception_id.in_(chunk),
            )
        )


def exceptions(
    session: Session,
    *,
    day: date | None = None,
    exception_class: str | None = None,
    status: str | None = None,
    department: str | None = None,
    assigned_to: str | None = None,
    booked_between: tuple[date | None, date] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, Sequence[ReconciliationException]]:
    query = select(ReconciliationException)
    if assigned_to:
        query = query.where(ReconciliationException.assigned_to == assigned_to)
    if booked_between is not None:
        oldest, newest = booked_between
        query = query.where(ReconciliationException.business_date <= newest)
        if oldest is not None:
            query = query.where(ReconciliationException.business_date >= oldest)
    if day is not None:
        query = query.join(
            ReconciliationFinding, ReconciliationFinding.exception_id == ReconciliationException.id
        ).where(ReconciliationFinding.run_date == day)
    if exception_class:
        query = query.where(ReconciliationException.exception_class == exception_class)
    if status:
        query = query.where(ReconciliationException.status == status)
    if department:
        query = query.where(ReconciliationException.department_code == department)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(ReconciliationException.id).offset(offset)
    if limit is not None:
        page = page.limit(limit)
    return total, session.scalars(page).all()


def open_by_business_date(session: Session) -> dict[date, int]:
    """Open exceptions counted by business date: what the ageing buckets are summed from."""
    rows = session.execute(
        select(ReconciliationException.business_date, func.count())
        .where(ReconciliationException.status == ExceptionStatus.OPEN)
        .group_by(ReconciliationException.business_date)
    )
    return {day: count for day, count in rows}


def open_by_key(session: Session, key: str) -> ReconciliationException | None:
    chosen = select(ReconciliationException).where(
        ReconciliationException.key == key, ReconciliationException.status == ExceptionStatus.OPEN
    )
    return session.scalars(chosen).first()


def exceptions_by_ids(session: Session, ids: Sequence[int]) -> dict[int, ReconciliationException]:
    found: dict[int, ReconciliationException] = {}
    for chunk in chunks(sorted(set(ids))):
        chosen = select(ReconciliationException).where(ReconciliationException.id.in_(chunk))
        found.update({e.id: e for e in session.scalars(chosen)})
    return found


def exception_by_id(
    session: Session, exception_id: int, *, for_update: bool = False
) -> ReconciliationException | None:
    query = select(ReconciliationException).where(ReconciliationException.id == exception_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def open_counts(session: Session, day: date) -> dict[str, int]:
    rows = session.execute(
        select(ReconciliationException.exception_class, func.count())
        .join(ReconciliationFinding, ReconciliationFinding.exception_id == ReconciliationException.id)
        .where(ReconciliationFinding.run_date == day, ReconciliationException.status == ExceptionStatus.OPEN)
        .group_by(ReconciliationException.exception_class)
    )
    return {name: int(count) for name, count in rows}


def open_counts_by_class(session: Session) -> dict[str, int]:
    """Open exceptions of every day, by class."""
    query = (
        select(ReconciliationException.exception_class, func.count())
        .where(ReconciliationException.status == ExceptionStatus.OPEN)
        .group_by(ReconciliationException.exception_class)
    )
    return {name: int(count) for name, count in session.execute(query)}


def exception_amounts(session: Session, day: date) -> dict[str, int]:
    """Fen per exception class among the exceptions the run of ``day`` found."""
    query = (
        select(ReconciliationException.exception_class, func.sum(ReconciliationException.amount_fen))
        .join(ReconciliationFinding, ReconciliationFinding.exception_id == ReconciliationException.id)
        .where(ReconciliationFinding.run_date == day)
        .group_by(ReconciliationException.exception_class)
    )
    return {name: int(total) for name, total in session.execute(query)}


def new_exception_ids(session: Session, count: int) -> Iterator[int]:
    """Ids for ``count`` new exceptions, so that the run's findings need not read them back."""
    return new_ids(session, "reconciliation_exceptions", count)
