"""The queries of statements and accounts. Statement lines go in and come out through bulk paths (DBAPI
executemany on SQLite, COPY on PostgreSQL): a year's statement is a million rows, and ORM objects per
row would cost more than all the matching."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from feecollect.cases.models import Case
from feecollect.notices.models import Notice
from feecollect.notices.status import NoticeStatus
from feecollect.payments.models import Payment
from feecollect.reconcile.bulk import as_named
from feecollect.reconcile.matching import EarlierCredit, Line, NoticeFacts, NoticeOrigin
from feecollect.reconcile.models import (
    BankAccount,
    StatementFile,
    StatementLine,
)
from feecollect.reconcile.parts import DIVISION_DIGITS, NO_CODE, Part
from feecollect.reconcile.rows import CreditLine, PayerNotice
from feecollect.reconcile.sql import (
    NOTICE_ORIGIN,
    AnySelect,
    account_ids,
    chunks,
    in_chunks,
    new_ids,
    plain_rows,
    with_notice_origin,
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


def last_statement_days(session: Session) -> dict[str, date]:
    """Per account, the last business day its imported statements reach."""
    query = (
        select(BankAccount.account_no, func.max(StatementFile.last_date))
        .join(StatementFile, StatementFile.account_id == BankAccount.id)
        .group_by(BankAccount.account_no)
    )
    return {account_no: last for account_no, last in session.execute(query) if last is not None}


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


def line_serial(session: Session, line_id: int) -> str:
    return session.scalar(select(StatementLine.serial).where(StatementLine.id == line_id)) or ""


def serials_of(session: Session, line_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(line_ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 1000):  # bounded IN lists on a day of many exceptions
        chunk = wanted[start : start + 1000]
        rows = session.execute(
            select(StatementLine.id, StatementLine.serial).where(StatementLine.id.in_(chunk))
        )
        found.update({line_id: serial for line_id, serial in rows})
    return found


def day_totals(session: Session, day: date) -> list[tuple[str, str, int, int, int, int, int | None]]:
    """Per account, the day's statement: (account no, name, credits, credited fen, debits, debited fen,
    the balance after its last line that states one)."""
    credit = StatementLine.amount_fen > 0
    sums = session.execute(
        select(
            StatementLine.account_id,
            func.count().filter(credit),
            func.coalesce(func.sum(StatementLine.amount_fen).filter(credit), 0),
            func.count().filter(~credit),
            func.coalesce(func.sum(StatementLine.amount_fen).filter(~credit), 0),
            func.max(StatementLine.id).filter(StatementLine.balance_fen.is_not(None)),
        )
        .where(StatementLine.booked_on == day)
        .group_by(StatementLine.account_id)
    ).all()
    last_ids = [row[5] for row in sums if row[5] is not None]
    balances = dict(
        session.execute(
            select(StatementLine.id, StatementLine.balance_fen).where(StatementLine.id.in_(last_ids))
        ).all()
    )
    names = {
        a.id: (a.account_no, a.account_name or "")
        for a in session.scalars(select(BankAccount).where(BankAccount.id.in_([r[0] for r in sums])))
    }
    return sorted(
        (*names[account], credits, credited, debits, -debited, balances.get(last) if last else None)
        for account, credits, credited, debits, debited, last in sums
    )


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
    return new_ids(session, "statement_lines", count)


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


def lines_of_day(
    session: Session, day: date, *, except_files: Iterable[int] = (), part: Part | None = None
) -> list[Line]:
    """Every line booked on ``day`` (of one part) but those of ``except_files``, with its account's
    number, kind and department, in booking order (the date is not read back a million times: it is
    ``day``)."""
    query = _in_part(
        _line_columns()
        .join(BankAccount, BankAccount.id == StatementLine.account_id)
        .where(StatementLine.account_id.in_(account_ids()), StatementLine.booked_on == day)
        .order_by(StatementLine.booked_at.nulls_first(), StatementLine.id),
        part,
    )
    if excluded := sorted(except_files):
        query = query.where(StatementLine.file_id.not_in(excluded))
    return [Line(r[0], r[1], r[2], r[3], day, *r[4:]) for r in plain_rows(session, query)]


def rival_lines(session: Session, day: date, part: Part) -> list[Line]:
    """The credits booked on ``day`` on other special accounts naming the notices the part's credits
    name: whichever came first paid the notice."""
    query = (
        _line_columns()
        .join(BankAccount, BankAccount.id == StatementLine.account_id)
        .where(
            BankAccount.kind == "special",
            BankAccount.account_no != part.account_no,
            StatementLine.booked_on == day,
            StatementLine.amount_fen > 0,
            StatementLine.payment_code.in_(_codes_credited_on(day, part)),
        )
    )
    return [Line(r[0], r[1], r[2], r[3], day, *r[4:]) for r in plain_rows(session, query)]


def parts_of_day(session: Session, day: date) -> list[Part]:
    """The parts a day's lines fall into: per account, and per division of the notices they name."""
    division = func.substr(StatementLine.payment_code, 1, DIVISION_DIGITS)
    query = (
        select(BankAccount.account_no, division)
        .join(BankAccount, BankAccount.id == StatementLine.account_id)
        .where(StatementLine.account_id.in_(account_ids()), StatementLine.booked_on == day)
        .distinct()
    )
    return sorted(Part(account_no, code or NO_CODE) for account_no, code in session.execute(query))


def _in_part(query: AnySelect, part: Part | None) -> AnySelect:
    if part is None:
        return query
    account = select(BankAccount.id).where(BankAccount.account_no == part.account_no).scalar_subquery()
    query = query.where(StatementLine.account_id == account)
    if part.division is None:
        return query
    if part.division == NO_CODE:
        return query.where(StatementLine.payment_code.is_(None))
    return query.where(func.substr(StatementLine.payment_code, 1, DIVISION_DIGITS) == part.division)


def _line_columns() -> Select[*tuple[Any, ...]]:
    return select(
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


def _codes_credited_on(day: date, part: Part | None = None) -> Select[str | None]:
    """The payment codes of the special-account credits booked on ``day`` (of one part; a subquery)."""
    query = select(StatementLine.payment_code).where(
        StatementLine.account_id.in_(account_ids("special")),
        StatementLine.booked_on == day,
        StatementLine.amount_fen > 0,
        StatementLine.payment_code.is_not(None),
    )
    return _in_part(query, part)


def earlier_special_credits(session: Session, day: date, part: Part | None = None) -> list[EarlierCredit]:
    """The special-account credits booked before ``day`` carrying a code that
    a credit of ``day`` carries too: the lines that may already have paid those notices."""
    query = (
        select(StatementLine.id, StatementLine.payment_code, StatementLine.amount_fen)
        .join(BankAccount, BankAccount.id == StatementLine.account_id)
        .where(
            BankAccount.kind == "special",
            StatementLine.amount_fen > 0,
            StatementLine.booked_on < day,
            StatementLine.payment_code.in_(_codes_credited_on(day, part)),
        )
    )
    return list(as_named(EarlierCredit, plain_rows(session, query)))


def notices_credited_on(session: Session, day: date, part: Part | None = None) -> list[NoticeFacts]:
    """The notices whose codes the special-account credits of ``day`` carry, with the bank code of
    their payment (None while unpaid). Nothing else is read for a million notices; where one
    was issued from is read by :func:`notice_origins`, for the few a finding names."""
    query = (
        select(Notice.id, Notice.payment_code, Notice.status, Notice.amount_fen, Payment.bank_code)
        .outerjoin(Payment, Payment.notice_id == Notice.id)
        .where(Notice.payment_code.in_(_codes_credited_on(day, part)))
    )
    return list(as_named(NoticeFacts, plain_rows(session, query)))


def notice_origins(session: Session, notice_ids: set[int]) -> dict[int, NoticeOrigin]:
    """Where each of these notices was issued: its department, and its case or project number."""
    query = with_notice_origin(select(Notice.id, Notice.department_code, NOTICE_ORIGIN))
    return {row[0]: NoticeOrigin(row[1], row[2]) for row in in_chunks(session, query, Notice.id, notice_ids)}


def open_notices_by_payer(session: Session, names: set[str], amounts: set[int]) -> list[PayerNotice]:
    """Unpaid notices of these payer names at these amounts: where a code-less credit may belong. The
    amounts are compared here, not bound: a day of code-less credits has tens of thousands of them."""
    query = select(Notice.payment_code, Notice.payer_name, Notice.amount_fen).where(
        Notice.status == NoticeStatus.ISSUED
    )
    return [
        PayerNotice(row.payment_code, row.payer_name, row.amount_fen)
        for row in in_chunks(session, query, Notice.payer_name, names)
        if row.amount_fen in amounts
    ]


def cases_of_applicants(session: Session, names: set[str], id_numbers: set[str]) -> list[Case]:
    """Cases whose applicant has one of these names or identity numbers, by case number."""
    found: dict[int, Case] = {}
    for column, values in ((Case.applicant_name, names), (Case.applicant_id_no, id_numbers)):
        for chunk in chunks(values):
            found.update((case.id, case) for case in session.scalars(select(Case).where(column.in_(chunk))))
    return sorted(found.values(), key=lambda case: case.case_no)


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


def special_credits_of_codes(session: Session, codes: set[str]) -> list[CreditLine]:
    """The special-account credits naming the codes: the statement lines that prove a payment arrived."""
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
    return list(as_named(CreditLine, in_chunks(session, query, StatementLine.payment_code, codes)))
