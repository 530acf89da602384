"""Every query of reconciliation. Statement lines go in and come out through bulk paths (DBAPI
executemany on SQLite, COPY on PostgreSQL): a year's statement is a million rows, and ORM objects per
row would cost more than all the matching."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from feecollect.cases.models import Case
from feecollect.notices.models import Notice, NoticeLine
from feecollect.payments.models import Payment
from feecollect.projects.models import Project
from feecollect.reconcile.models import (
    BankAccount,
    ReconciliationException,
    ReconciliationFinding,
    ReconciliationRun,
    StatementFile,
    StatementLine,
)

# The columns of a statement line that vary from line to line, in the order insert_lines takes them;
# the account and the file are the same for every line of one statement file.
LINE_COLUMNS = (
    "id",
    "line_no",
    "dedup_key",
    "booked_on",
    "booked_at",
    "amount_fen",
    "currency",
    "counterparty_name",
    "counterparty_account",
    "remark",
    "serial",
    "balance_fen",
    "payment_code",
)


# accounts -----------------------------------------------------------------------------------------


def account_by_no(session: Session, account_no: str) -> BankAccount | None:
    return session.scalars(select(BankAccount).where(BankAccount.account_no == account_no)).first()


def accounts(session: Session) -> Sequence[BankAccount]:
    return session.scalars(
        select(BankAccount).order_by(BankAccount.kind.desc(), BankAccount.account_no)
    ).all()


def add_account(session: Session, account: BankAccount) -> None:
    session.add(account)
    session.flush()


# statements ---------------------------------------------------------------------------------------


def line_with_origin(session: Session, line_id: int) -> tuple[StatementLine, str, str] | None:
    """A statement line with its account number and the file it came from."""
    row = session.execute(
        select(StatementLine, BankAccount.account_no, StatementFile.source)
        .join(BankAccount, BankAccount.id == StatementLine.account_id)
        .join(StatementFile, StatementFile.id == StatementLine.file_id)
        .where(StatementLine.id == line_id)
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def add_file(session: Session, statement_file: StatementFile) -> None:
    session.add(statement_file)
    session.flush()


def previous_file(session: Session, account_id: int, before: date) -> StatementFile | None:
    """The statement of an account that ends last before ``before``: where a gap would show."""
    return session.scalars(
        select(StatementFile)
        .where(StatementFile.account_id == account_id, StatementFile.last_date < before)
        .order_by(StatementFile.last_date.desc(), StatementFile.id.desc())
        .limit(1)
    ).first()


def new_line_ids(session: Session, count: int) -> Iterator[int]:
    """Ids for up to ``count`` new statement lines, given before they are inserted so that the lines
    a run matches are made in the same pass as the rows (no second pass over a million lines)."""
    return _new_ids(session, "statement_lines", count)


def new_exception_ids(session: Session, count: int) -> Iterator[int]:
    """Ids for ``count`` new exceptions, so that the run's findings need not read them back."""
    return _new_ids(session, "reconciliation_exceptions", count)


def _new_ids(session: Session, table: str, count: int) -> Iterator[int]:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        drawn = connection.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %(n)s)",
            {"n": count},
        )
        return iter(drawn.scalars().all())
    # This transaction holds SQLite's write lock (BEGIN IMMEDIATE): no other writer can take these.
    newest = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one()
    return itertools.count(newest + 1)


def insert_lines(
    session: Session, account_id: int, file_id: int, line_ids: list[int], rows: Iterable[tuple[Any, ...]]
) -> set[int]:
    """Insert the lines of one statement file: ``rows`` are tuples in LINE_COLUMNS order, one per id of
    ``line_ids`` (ascending, from :func:`new_line_ids`), consumed as they come so that a million of them
    need not be held at once. Lines whose (account, day, dedup_key) is already stored are skipped;
    returns the ids of the rows skipped so."""
    if not line_ids:
        return set()
    connection = session.connection()
    dialect = connection.dialect.name
    raw = connection.connection.driver_connection
    columns = ", ".join(LINE_COLUMNS)
    # The account and file ids are integers of ours, written into the statement: binding the same two
    # values a million times costs a tenth of the insert.
    fixed = f"{int(account_id)}, {int(file_id)}"
    if dialect == "sqlite":
        cursor = raw.cursor()  # type: ignore[union-attr]
        placeholders = ", ".join("?" for _ in LINE_COLUMNS)
        before = raw.total_changes  # type: ignore[union-attr]
        cursor.executemany(
            f"INSERT INTO statement_lines (account_id, file_id, {columns}) "
            f"VALUES ({fixed}, {placeholders}) "
            "ON CONFLICT (account_id, booked_on, dedup_key) DO NOTHING",
            rows,
        )
        if raw.total_changes - before == len(line_ids):  # type: ignore[union-attr]
            return set()
        stored = cursor.execute(
            "SELECT id FROM statement_lines WHERE id BETWEEN ? AND ?", (line_ids[0], line_ids[-1])
        )
        return set(line_ids) - {line_id for (line_id,) in stored}
    if dialect == "postgresql":
        with raw.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS incoming_statement_lines ON COMMIT DELETE ROWS AS "
                f"SELECT {columns} FROM statement_lines WITH NO DATA"
            )
            cursor.execute("TRUNCATE incoming_statement_lines")
            with cursor.copy(f"COPY incoming_statement_lines ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO statement_lines (account_id, file_id, {columns}) "
                f"SELECT {fixed}, {columns} FROM incoming_statement_lines "
                "ON CONFLICT (account_id, booked_on, dedup_key) DO NOTHING RETURNING id"
            )
            stored = {line_id for (line_id,) in cursor.fetchall()}
            if len(stored) > 10_000:
                # The run that follows in this transaction must not be planned for an empty table.
                cursor.execute("ANALYZE statement_lines")
            return set(line_ids) - stored
    raise NotImplementedError(f"bulk statement import supports SQLite and PostgreSQL, not {dialect}")


# What a notice was issued for, where findings name a case: a bundle notice has no case, and its
# project number stands in. Select it on a query passed through _with_notice_origin.
NOTICE_ORIGIN = func.coalesce(Case.case_no, Project.project_no)


def _with_notice_origin(query):  # type: ignore[no-untyped-def]
    return query.outerjoin(Case, Case.id == Notice.case_id).outerjoin(
        Project, Project.id == Notice.project_id
    )


def _rows(session: Session, query) -> list[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    """Plain DBAPI tuples for the bulk reads of a run (a million rows): no ORM or Row objects, no
    per-row type processing. Only for queries whose values are dates, numbers and constants of ours,
    rendered inline; their selected columns are integers and text (no dates on SQLite)."""
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def lines_of_day(session: Session, day: date, *, except_files: Iterable[int] = ()) -> list[Any]:
    """Every line booked on ``day`` but those of ``except_files`` (its date is not repeated), with its
    account's number, kind and department, in booking order."""
    query = (
        select(
            StatementLine.id,
            BankAccount.account_no,
            BankAccount.kind,
            BankAccount.department_code,
            StatementLine.booked_at,
            StatementLine.amount_fen,
            StatementLine.currency,
            StatementLine.counterparty_name,
            StatementLine.counterparty_account,
            StatementLine.remark,
            StatementLine.payment_code,
        )
        .join(BankAccount, BankAccount.id == StatementLine.account_id)
        .where(StatementLine.account_id.in_(_accounts()), StatementLine.booked_on == day)
        .order_by(StatementLine.booked_at.nulls_first(), StatementLine.id)
    )
    if excluded := sorted(except_files):
        query = query.where(StatementLine.file_id.not_in(excluded))
    return _rows(session, query)


def _accounts(kind: str | None = None):  # type: ignore[no-untyped-def]
    """The ids of the accounts (of one kind), as a subquery. A day's lines are asked for as "these
    accounts, this day", which the (account, day, key) index answers; joined to the accounts table
    instead, SQLite plans a scan of every statement line ever stored."""
    query = select(BankAccount.id)
    return query if kind is None else query.where(BankAccount.kind == kind)


def _codes_credited_on(day: date):  # type: ignore[no-untyped-def]
    """The payment codes of the special-account credits booked on ``day`` (a subquery)."""
    return select(StatementLine.payment_code).where(
        StatementLine.account_id.in_(_accounts("special")),
        StatementLine.booked_on == day,
        StatementLine.amount_fen > 0,
        StatementLine.payment_code.is_not(None),
    )


def earlier_special_credits(session: Session, day: date) -> list[Any]:
    """(line id, code, amount) of special-account credits booked before ``day`` carrying a code that
    a credit of ``day`` carries too: the lines that may already have paid those notices."""
    query = (
        select(StatementLine.id, StatementLine.payment_code, StatementLine.amount_fen)
        .join(BankAccount, BankAccount.id == StatementLine.account_id)
        .where(
            BankAccount.kind == "special",
            StatementLine.amount_fen > 0,
            StatementLine.booked_on < day,
            StatementLine.payment_code.in_(_codes_credited_on(day)),
        )
    )
    return _rows(session, query)


def notices_credited_on(session: Session, day: date) -> list[Any]:
    """The notices whose codes the special-account credits of ``day`` carry: (id, code, status,
    amount, bank code of its payment or None). Nothing else is read for a million notices; where one
    was issued from is read by :func:`notice_origins`, for the few a finding names."""
    query = (
        select(Notice.id, Notice.payment_code, Notice.status, Notice.amount_fen, Payment.bank_code)
        .outerjoin(Payment, Payment.notice_id == Notice.id)
        .where(Notice.payment_code.in_(_codes_credited_on(day)))
    )
    return _rows(session, query)


def notice_origins(session: Session, notice_ids: set[int]) -> list[tuple[Any, ...]]:
    """(notice id, department, case or project number) of these notices."""
    query = _with_notice_origin(select(Notice.id, Notice.department_code, NOTICE_ORIGIN))
    return [tuple(row) for row in _in_chunks(session, query, Notice.id, notice_ids)]


# Values bound per IN list: PostgreSQL's protocol caps a statement at 65,535 parameters and SQLite at
# 32,766; every query that takes a caller's collection binds it in chunks of this size, one list each.
IN_CHUNK = 30_000


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    """The values, sorted, in lists of at most IN_CHUNK."""
    ordered = sorted(values)
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]


def _in_chunks(session: Session, query, column, values: Iterable[Any]):  # type: ignore[no-untyped-def]
    """Run an IN query in chunks: SQLite and the drivers cap the number of bound parameters."""
    for chunk in _chunks(values):
        yield from session.connection().execute(query.where(column.in_(chunk)))


def open_notices_by_payer(session: Session, names: set[str], amounts: set[int]) -> list[tuple[Any, ...]]:
    """Unpaid notices of these payer names at these amounts: where a code-less credit may belong. The
    amounts are compared here, not bound: a day of code-less credits has tens of thousands of them."""
    query = select(Notice.payment_code, Notice.payer_name, Notice.amount_fen).where(Notice.status == "issued")
    return [
        tuple(row)
        for row in _in_chunks(session, query, Notice.payer_name, names)
        if row.amount_fen in amounts
    ]


def unreceived_payments(session: Session, paid_by: date, statement_through: date) -> list[tuple[Any, ...]]:
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
    return [tuple(row) for row in session.execute(query)]


def overdue_notices(session: Session, today: date) -> list[tuple[Any, ...]]:
    query = (
        _with_notice_origin(
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
        .where(Notice.status.in_(("issued", "expired")), Notice.due_date < today)
        .order_by(Notice.department_code, Notice.due_date, Notice.payment_code)
    )
    return [tuple(row) for row in session.execute(query)]


def completed_cases_without_payment(session: Session, through: datetime) -> Sequence[Case]:
    """Cases completed by ``through`` with no paid (or refunded) notice."""
    paid = select(Notice.id).where(Notice.case_id == Case.id, Notice.status.in_(("paid", "refunded")))
    return session.scalars(
        select(Case)
        .where(Case.status == "completed", Case.status_changed_at <= through, ~paid.exists())
        .order_by(Case.case_no)
    ).all()


def cases_of_applicants(session: Session, names: set[str], id_numbers: set[str]) -> list[Case]:
    """Cases whose applicant has one of these names or identity numbers, by case number."""
    found: dict[int, Case] = {}
    for column, values in ((Case.applicant_name, names), (Case.applicant_id_no, id_numbers)):
        for chunk in _chunks(values):
            found.update((case.id, case) for case in session.scalars(select(Case).where(column.in_(chunk))))
    return sorted(found.values(), key=lambda case: case.case_no)


def notice_lines_of_items(session: Session, item_codes: set[str], statuses: tuple[str, ...]) -> list[tuple]:
    """(line id, notice code, status, service date, item code, amount, department) of notices in these
    statuses billing one of the items."""
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
    return [tuple(row) for row in session.execute(query)]


def priced_lines_off_lowest_rate(session: Session) -> list[tuple]:
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
            Notice.status.in_(("paid", "refunded")),
            NoticeLine.rate.is_not(None),
            NoticeLine.lawful_min.is_not(None),
            NoticeLine.rate != NoticeLine.lawful_min,
        )
        .order_by(NoticeLine.id)
    )
    return [tuple(row) for row in session.execute(query)]


def first_business_day(session: Session) -> date | None:
    """The earliest day anything happened on: a case served, a notice's service date, a payment's
    business date or a statement's first day (the statement files, not their million lines)."""
    firsts = [
        session.scalar(select(func.min(column)))
        for column in (
            Case.service_date,
            Notice.service_date,
            Payment.business_date,
            StatementFile.first_date,
        )
    ]
    found = [first for first in firsts if first is not None]
    return min(found) if found else None


def run_of(session: Session, day: date) -> ReconciliationRun | None:
    return session.scalars(select(ReconciliationRun).where(ReconciliationRun.run_date == day)).first()


def add_run(session: Session, run: ReconciliationRun) -> None:
    session.add(run)
    session.flush()


def exceptions_by_key(session: Session, keys: set[str]) -> dict[str, tuple[int, str]]:
    """Stored exceptions among ``keys``: key → (id, last run date as ISO text)."""
    found: dict[str, tuple[int, str]] = {}
    query = select(
        ReconciliationException.key, ReconciliationException.id, ReconciliationException.last_run_date
    )
    for key, exception_id, last in _in_chunks(session, query, ReconciliationException.key, keys):
        found[key] = (exception_id, last.isoformat())
    return found


def insert_exceptions(session: Session, rows: list[dict[str, Any]]) -> None:
    """Core executemany, not the ORM's bulk insert: a first run of a year's statement finds tens of
    thousands of exceptions, and the ORM path costs several times the insert itself."""
    if rows:
        session.connection().execute(insert(ReconciliationException.__table__), rows)


def touch_exceptions(session: Session, ids: list[int], day: date) -> None:
    for chunk in _chunks(ids):
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
        session.connection().execute(insert(ReconciliationFinding.__table__), rows)


def remove_findings(session: Session, day: date, ids: Iterable[int]) -> None:
    for chunk in _chunks(ids):
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
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, Sequence[ReconciliationException]]:
    query = select(ReconciliationException)
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
        .where(ReconciliationFinding.run_date == day, ReconciliationException.status == "open")
        .group_by(ReconciliationException.exception_class)
    )
    return {name: int(count) for name, count in rows}


def special_credits_of_codes(session: Session, codes: set[str]) -> list[tuple[str, int, date, str, int]]:
    """(payment code, line id, booked on, bank serial, fen) of special-account credits naming the codes:
    the statement lines that prove a payment arrived."""
    if not codes:
        return []
    query = (
        select(
            StatementLine.payment_code,
            StatementLine.id,
            StatementLine.booked_on,
            StatementLine.serial,
            StatementLine.amount_fen,
        )
        .join(BankAccount, BankAccount.id == StatementLine.account_id)
        .where(BankAccount.kind == "special", StatementLine.amount_fen > 0)
        .order_by(StatementLine.id)
    )
    return [tuple(row) for row in _in_chunks(session, query, StatementLine.payment_code, codes)]  # type: ignore[misc]


def exception_amounts(session: Session, day: date) -> dict[str, int]:
    """Fen per exception class among the exceptions the run of ``day`` found."""
    query = (
        select(ReconciliationException.exception_class, func.sum(ReconciliationException.amount_fen))
        .join(ReconciliationFinding, ReconciliationFinding.exception_id == ReconciliationException.id)
        .where(ReconciliationFinding.run_date == day)
        .group_by(ReconciliationException.exception_class)
    )
    return {name: int(total) for name, total in session.execute(query)}
