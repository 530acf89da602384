"""Statement files into statement lines, per account, all or nothing.

Every file is read and checked before anything is written; one bad file refuses the whole import.
Lines are deduplicated by the bank's serial number (with the booking day) or, where a format has
none, by a fingerprint of the line plus its rank among identical lines of the same file: two equal
20-yuan payments in one statement stay two lines, and a later file that repeats them adds nothing.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.errors import NotFound, Unprocessable
from feecollect.money import format_yuan
from feecollect.reconcile import repository
from feecollect.reconcile.accounts import account_candidates
from feecollect.reconcile.bulk import cyclic_gc_paused
from feecollect.reconcile.codes import find_payment_code
from feecollect.reconcile.matching import Line
from feecollect.reconcile.models import BankAccount, StatementFile
from feecollect.reconcile.statements import Statement, StatementError, StatementLine, read_statements
from feecollect.reconcile.statements.types import LineColumns

_KEY_LENGTH = 80  # statement_lines.dedup_key


class MalformedStatement(Unprocessable):
    code = "malformed_statement"


@dataclass(frozen=True)
class ImportedStatement:
    source: str
    format: str
    account_no: str
    lines: int
    new_lines: int
    first_date: str
    last_date: str
    warnings: tuple[str, ...]
    file_id: int | None  # None when the statement added nothing new

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "account": self.account_no,
            "lines": self.lines,
            "new_lines": self.new_lines,
            "first_date": self.first_date,
            "last_date": self.last_date,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class StoredLines:
    """The lines one statement added, as the matching core takes them, kept so that a run in the same
    transaction need not read a million lines back."""

    file_id: int
    lines: list[Line]

    def of_day(self, day: date) -> list[Line]:
        if all(map(day.__eq__, map(operator.attrgetter("booked_on"), self.lines))):
            return self.lines  # a statement of one day, as a daily one is: told in one C-level pass
        return [line for line in self.lines if line.booked_on == day]


@dataclass
class ImportReport:
    statements: list[ImportedStatement] = field(default_factory=list)
    stored: list[StoredLines] = field(default_factory=list)

    def lines_of_day(self, day: date) -> tuple[set[int], list[Line]]:
        """(the files this import stored, the lines of ``day`` they hold)."""
        lines = list(itertools.chain.from_iterable(s.of_day(day) for s in self.stored))
        return {s.file_id for s in self.stored}, lines

    @property
    def dates(self) -> list[str]:
        days: set[str] = set()
        for statement in self.statements:
            days.update((statement.first_date, statement.last_date))
        return sorted(days)


def parse_files(files: list[tuple[str, bytes]], zone: tzinfo | None = None) -> list[Statement]:
    """Read every file first: a malformed one refuses the import before anything is written.
    ``zone``: the centre's time zone, in which booking times stated with an offset are dated."""
    statements: list[Statement] = []
    for source, content in files:
        try:
            with cyclic_gc_paused():
                statements.extend(read_statements(source, content, zone))
        except StatementError as exc:
            raise MalformedStatement(
                str(exc), code=exc.code, extra={"file": exc.source, "line": exc.line, "field": exc.field}
            ) from None
    return statements


def import_statements(
    session: Session, actor: Actor, statements: list[Statement], account_no: str | None = None
) -> ImportReport:
    """Store statements read by :func:`parse_files`; every account is checked before a line is written."""
    targets = [(statement, _account_for(session, statement, account_no)) for statement in statements]
    report = ImportReport()
    with cyclic_gc_paused():
        for statement, account in targets:
            if not statement.columns.line_no:
                continue  # a statement of a day without transactions: its balances, but no line
            imported, stored = _store(session, actor, statement, account)
            report.statements.append(imported)
            if stored is not None:
                report.stored.append(stored)
    return report


def _account_for(session: Session, statement: Statement, account_no: str | None) -> BankAccount:
    """The registered account the statement goes to: ``account_no`` where given (it overrides what the
    file names), else the file's own account, however the file writes it."""
    wanted = account_no or statement.account
    if not wanted:
        raise MalformedStatement(
            f"{statement.source}：文件未写明账号，请指定账号（--account）", code="account_not_named"
        )
    for candidate in account_candidates(wanted):
        account = repository.account_by_no(session, candidate)
        if account is not None:
            return account
    raise NotFound(
        f"{statement.source}：账户 {wanted} 未登记，请先登记："
        "feecollect accounts add 账号 --kind special|department",
        code="unknown_account",
    )


def _store(
    session: Session, actor: Actor, statement: Statement, account: BankAccount
) -> tuple[ImportedStatement, StoredLines | None]:
    first = min(statement.columns.booked_on)
    last = max(statement.columns.booked_on)
    warnings = [problem] if (problem := statement.balance_problem()) else []
    warnings += _gap(session, account, statement, first)
    statement_file = StatementFile(
        account_id=account.id,
        source=statement.source[:255],
        format=statement.format,
        sha256=statement.digest,
        line_count=len(statement.columns.line_no),
        new_line_count=0,
        first_date=first,
        last_date=last,
        opening_balance_fen=statement.opening_balance_fen,
        closing_balance_fen=statement.closing_balance_fen,
        warnings=warnings,
        imported_by=actor.name,
        imported_at=datetime.now(UTC),
    )
    repository.add_file(session, statement_file)
    ids = repository.new_line_ids(session, len(statement.columns.line_no))
    line_ids, rows, lines = _rows(statement, account, ids)
    already_stored = repository.insert_lines(session, account.id, statement_file.id, line_ids, rows)
    if already_stored:
        lines = [line for line in lines if line.id not in already_stored]
    new_lines = len(lines)
    result = ImportedStatement(
        source=statement.source,
        format=statement.format,
        account_no=account.account_no,
        lines=len(statement.columns.line_no),
        new_lines=new_lines,
        first_date=first.isoformat(),
        last_date=last.isoformat(),
        warnings=tuple(warnings),
        file_id=statement_file.id if new_lines else None,
    )
    if new_lines == 0:
        # Nothing new: importing the same statement again leaves no trace at all.
        session.delete(statement_file)
        session.flush()
        return result, None
    statement_file.new_line_count = new_lines
    record(
        session,
        actor,
        "statement.imported",
        "statement_file",
        str(statement_file.id),
        after=result.as_dict(),
    )
    return result, StoredLines(statement_file.id, lines)


def _gap(session: Session, account: BankAccount, statement: Statement, first: date) -> list[str]:
    previous = repository.previous_file(session, account.id, first)
    if previous is None:
        return []
    if previous.closing_balance_fen is not None and statement.opening_balance_fen is not None:
        if previous.closing_balance_fen != statement.opening_balance_fen:
            return [
                f"{statement.source}：期初余额 {format_yuan(statement.opening_balance_fen)} 元，而账户 "
                f"{account.account_no} 的上一份对账单（{previous.source}，截至 {previous.last_date}）"
                f"期末余额为 {format_yuan(previous.closing_balance_fen)} 元：两份对账单之间有明细缺失"
            ]
        return []
    if previous.last_date + timedelta(days=1) < first:
        return [
            f"{statement.source}: no statement of account {account.account_no} covers "
            f"{previous.last_date + timedelta(days=1)} to {first - timedelta(days=1)}; check the bank's "
            "export covers those days"
        ]
    return []


class _IsoText(dict[Any, str | None]):
    """Dates and times as ISO text, each formatted once; None stays None."""

    def __missing__(self, value: Any) -> str | None:
        text = self[value] = None if value is None else value.isoformat()
        return text


def _rows(
    statement: Statement, account: BankAccount, ids: Iterator[int]
) -> tuple[list[int], Iterator[tuple[Any, ...]], list[Line]]:
    """The ids of a statement's lines, their database rows (repository.LINE_COLUMNS) and the same
    lines as the matching core takes them. Made column by column: a year's statement is a million
    lines, and each step here is one C-level pass over a column instead of a Python call per line. The
    rows are made as the insert takes them, never held all at once."""
    columns = statement.columns
    iso = _IsoText()  # a statement repeats few dates and times: format each once
    days = list(map(iso.__getitem__, columns.booked_on))
    times = list(map(iso.__getitem__, columns.booked_at))
    kept, keys = _dedup_keys(statement, days, times)
    if kept is not None:
        columns = LineColumns._make(list(map(values.__getitem__, kept)) for values in columns)
        days, times = list(map(days.__getitem__, kept)), list(map(times.__getitem__, kept))
    line_ids = list(itertools.islice(ids, len(keys)))
    currencies = _clipped(columns.currency, 8)
    names = _clipped(columns.counterparty_name, 200)
    other_accounts = _clipped(columns.counterparty_account, 64)
    codes = list(map(find_payment_code, columns.remark))
    rows = zip(
        line_ids,
        columns.line_no,
        keys,
        days,
        times,
        columns.amount_fen,
        currencies,
        names,
        other_accounts,
        columns.remark,
        _clipped(columns.serial, 64),
        columns.balance_fen,
        codes,
        strict=True,
    )
    repeat = itertools.repeat
    lines = list(
        map(
            Line,
            line_ids,
            repeat(account.account_no),
            repeat(account.kind),
            repeat(account.department_code),
            columns.booked_on,
            times,
            columns.amount_fen,
            currencies,
            names,
            other_accounts,
            columns.remark,
            codes,
        )
    )
    return line_ids, rows, lines


def _clipped(values: list[str], limit: int) -> list[str]:
    """The values cut to the column's width (a bank's text may run longer than any field needs)."""
    if max(map(len, values), default=0) <= limit:
        return values
    return [value[:limit] for value in values]


def _dedup_keys(
    statement: Statement, days: list[str | None], times: list[str | None]
) -> tuple[list[int] | None, list[str]]:
    """(the indices of the lines to store, or None for all; their dedup keys). A line repeating an
    earlier line's serial number with the same content is the same line listed twice, and dropped."""
    serials = statement.columns.serial
    if all(serials):
        keys = list(map("s:{}:{}".format, days, serials))
        if max(map(len, keys), default=0) > _KEY_LENGTH:
            keys = list(map(serial_key, days, serials))
        if len(set(keys)) == len(keys):
            return None, keys  # every line has its own serial number: the common case, and a fast one
    kept: list[int] = []
    keys = []
    by_serial: dict[str, StatementLine] = {}
    ranks: Counter[str] = Counter()
    for index, line in enumerate(statement.lines):
        if line.serial:
            key = serial_key(days[index], line.serial)
            seen = by_serial.setdefault(key, line)
            if seen is not line:
                if _same(seen, line):
                    continue
                raise MalformedStatement(
                    f"{statement.source} 第 {line.line_no} 行：流水号 {line.serial} "
                    f"已用于第 {seen.line_no} 行，两行内容不同",
                    extra={"file": statement.source, "line": line.line_no, "field": "serial"},
                )
        else:
            fingerprint = hashlib.sha1(  # a dedup key, not a security boundary
                "\x1f".join(
                    (
                        days[index] or "",
                        times[index] or "",
                        str(line.amount_fen),
                        line.currency,
                        line.counterparty_name,
                        line.counterparty_account,
                        line.remark,
                        "" if line.balance_fen is None else str(line.balance_fen),
                    )
                ).encode(),
                usedforsecurity=False,
            ).hexdigest()
            ranks[fingerprint] += 1
            key = f"f:{fingerprint}:{ranks[fingerprint]}"
        kept.append(index)
        keys.append(key)
    return kept, keys


def serial_key(day: str | None, serial: str) -> str:
    """The dedup key of a line the bank numbered: its day and whole serial, or, for a serial too long
    for the column, the serial's SHA-256 (never a cut serial: two serials sharing their first 67
    characters are two lines).

    >>> serial_key("2026-11-20", "S000123")
    's:2026-11-20:S000123'
    >>> len(serial_key("2026-11-20", "9" * 200)), serial_key("2026-11-20", "9" * 200)[:15]
    (77, 'h:2026-11-20:0d')
    """
    key = f"s:{day}:{serial}"
    if len(key) <= _KEY_LENGTH:
        return key
    return f"h:{day}:{hashlib.sha256(serial.encode()).hexdigest()}"


def _same(a: StatementLine, b: StatementLine) -> bool:
    return (a.booked_on, a.booked_at, a.amount_fen, a.remark, a.counterparty_account) == (
        b.booked_on,
        b.booked_at,
        b.amount_fen,
        b.remark,
        b.counterparty_account,
    )
